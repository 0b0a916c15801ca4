"""The only code that touches inbox/, archive/ and quarantine/.

Order matters for "nothing is lost": the bytes are archived (written and synced) before the inbox
file is removed. Paths are built only from the content hash and the detected format, never from
the submitted file name.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.home import DothiHome

# Editors' lock/temp files and partial downloads: not submissions (yet).
_TEMP_PREFIXES = ("~$", ".~lock", ".")
_TEMP_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "~")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    name: str  # display name (sanitised)
    data: bytes
    sha256: str
    mtime: datetime  # aware (UTC)


def display_name(raw: str) -> str:
    """A received name made safe to show and store: NFC, no path parts, no control characters."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()
    return name[:200] or "(unnamed)"


def _is_candidate(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith(_TEMP_PREFIXES) or entry.name.endswith(_TEMP_SUFFIXES):
        return False
    # Symlinks are never followed: a link could point anywhere on the machine.
    return entry.is_file(follow_symlinks=False) and not entry.is_symlink()


def list_inbox(home: DothiHome) -> list[Path]:
    """Regular files waiting in the inbox, sorted by name (a stable processing order)."""
    if not home.inbox.is_dir():
        return []
    with os.scandir(home.inbox) as entries:
        return sorted((Path(e.path) for e in entries if _is_candidate(e)), key=lambda p: p.name)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_inbox_file(path: Path) -> InboxFile:
    """Read without following a symlink swapped in after listing (O_NOFOLLOW)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {path.name}")
        data = handle.read()
    return InboxFile(
        path, display_name(path.name), data, sha256_hex(data), datetime.fromtimestamp(info.st_mtime, tz=UTC)
    )


def _write_atomic(target: Path, data: bytes, sync: bool = True) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # per process: workers may race on a name
    with tmp.open("wb") as handle:
        handle.write(data)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, target)


def _syncfs() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs  # Linux (glibc, musl)
    except (AttributeError, OSError):
        return None


_SYNCFS = _syncfs()


def sync_paths(home: DothiHome, rels: Iterable[str]) -> None:
    """Make files written with ``sync=False`` (and their renames) durable: one syncfs(2) of the home's
    file system where the OS has it (file data, inodes and directory entries at once), else an fsync
    per file. Called once per batch instead of once per file."""
    rels = list(rels)
    if not rels:
        return
    if _SYNCFS is not None:
        fd = os.open(home.root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for rel in dict.fromkeys(rels):
        fd = os.open(home.root / rel, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def archive_relpath(sha: str, ext: str) -> str:
    """archive/<sha[:2]>/<sha><ext>, relative to DOTHI_HOME (as stored in raw.submissions)."""
    return f"archive/{sha[:2]}/{sha}{ext}"


def archive(home: DothiHome, data: bytes, sha: str, ext: str, sync: bool = True) -> str:
    """Store the bytes under their hash (idempotent); return the path relative to DOTHI_HOME.
    ``sync=False``: the caller makes them durable with ``sync_paths`` before the inbox file goes."""
    rel = archive_relpath(sha, ext)
    target = home.root / rel
    if not (target.is_file() and sha256_hex(target.read_bytes()) == sha):
        _write_atomic(target, data, sync)
    return rel


def remove_from_inbox(path: Path) -> None:
    path.unlink(missing_ok=True)


def quarantine(
    home: DothiHome, data: bytes, sha: str, ext: str, file_name: str, reason: str, when: datetime
) -> Path:
    """Copy the bytes to quarantine/<sha><ext> with a <sha>.reason.txt a person can read."""
    target = home.quarantine / f"{sha}{ext}"
    _write_atomic(target, data)
    note = (
        f"file: {display_name(file_name)}\nsha256: {sha}\nquarantined: {when.isoformat()}\nreason: {reason}\n"
    )
    _write_atomic(home.quarantine / f"{sha}.reason.txt", note.encode("utf-8"))
    return target


def inbox_fingerprints(home: DothiHome) -> list[str]:
    """SHA-256 of every file waiting in the inbox, sorted: lets a sensor tell new content from old
    without touching the warehouse (renaming a file does not change its fingerprint)."""
    prints: set[str] = set()
    for path in list_inbox(home):
        digest = hashlib.sha256()
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(block)
        except OSError:  # removed or replaced while we looked: the next tick sees it
            continue
        prints.add(digest.hexdigest())
    return sorted(prints)


# --- The pending journal: archived but not yet published -------------------------------------------
# A refresh loads into a run-scoped working copy of the warehouse; a run killed after it removed a
# file from the inbox would lose that file's rows with its working copy. So before a batch of files is
# loaded, archive/pending/batch-<hash>.json records them (name, mtime, first seen), one synced write per
# batch; the next intake re-loads every journalled file the published warehouse does not hold, and
# publishing clears the entries it made live. (Older homes may hold one <sha>.json per file: read too.)


@dataclass(frozen=True)
class PendingFile:
    sha256: str
    archive_path: str  # relative to DOTHI_HOME
    file_name: str
    mtime: datetime  # aware (UTC), the inbox file's modification time
    received_at: datetime  # naive local time the intake first saw it
    run_id: str


def _entry_json(entry: PendingFile) -> dict[str, str]:
    return {
        "sha256": entry.sha256,
        "archive_path": entry.archive_path,
        "file_name": entry.file_name,
        "mtime": entry.mtime.isoformat(),
        "received_at": entry.received_at.isoformat(),
        "run_id": entry.run_id,
    }


def _entry(data: dict[str, object]) -> PendingFile:
    return PendingFile(
        sha256=str(data["sha256"]),
        archive_path=str(data["archive_path"]),
        file_name=display_name(str(data["file_name"])),
        mtime=datetime.fromisoformat(str(data["mtime"])),
        received_at=datetime.fromisoformat(str(data["received_at"])),
        run_id=str(data.get("run_id") or ""),
    )


def _write_journal(path: Path, entries: list[dict[str, object]]) -> None:
    _write_atomic(path, json.dumps({"entries": entries}, ensure_ascii=False).encode("utf-8"))


def write_pending(home: DothiHome, entries: PendingFile | Iterable[PendingFile]) -> Path | None:
    """Journal a batch of files in one synced write; the file's name comes from the hashes only."""
    batch = [entries] if isinstance(entries, PendingFile) else list(entries)
    if not batch:
        return None
    name = sha256_hex("\n".join(e.sha256 for e in batch).encode("ascii"))
    path = home.pending / f"batch-{name}.json"
    _write_journal(path, [_entry_json(e) for e in batch])
    return path


def _journal_files(home: DothiHome) -> list[tuple[Path, list[dict[str, object]]]]:
    """(file, raw entries) per journal file; unreadable files (a torn write cannot happen: writes are
    atomic) are skipped and left in place for a person to look at."""
    if not home.pending.is_dir():
        return []
    out: list[tuple[Path, list[dict[str, object]]]] = []
    for path in sorted(home.pending.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("entries"), list):
            out.append((path, [e for e in data["entries"] if isinstance(e, dict)]))
        elif isinstance(data, dict):  # the one-file-per-entry journal of earlier versions
            out.append((path, [data]))
    return out


def read_pending(home: DothiHome) -> list[PendingFile]:
    """Journal entries, oldest first, one per file hash; malformed entries are skipped."""
    found: dict[str, PendingFile] = {}
    for _, raw_entries in _journal_files(home):
        for raw in raw_entries:
            try:
                entry = _entry(raw)
            except (ValueError, KeyError, TypeError):
                continue
            if entry.sha256 not in found or entry.received_at < found[entry.sha256].received_at:
                found[entry.sha256] = entry
    return sorted(found.values(), key=lambda e: (e.received_at, e.sha256))


def clear_pending(home: DothiHome, shas: set[str]) -> int:
    """Drop the journal entries of files now in the published warehouse; returns how many. A journal
    file left with no entry is deleted, one left with some is rewritten (atomically) with those."""
    if not shas:
        return 0
    cleared = 0
    for path, raw_entries in _journal_files(home):
        keep = [e for e in raw_entries if e.get("sha256") not in shas]
        if len(keep) == len(raw_entries):
            continue
        cleared += len(raw_entries) - len(keep)
        if keep:
            _write_journal(path, keep)
        else:
            path.unlink(missing_ok=True)
    return cleared


def read_archived(home: DothiHome, entry: PendingFile) -> InboxFile:
    """The journalled file's bytes back from the archive, checked against their hash."""
    if not _SHA.fullmatch(entry.sha256) or not re.fullmatch(r"archive/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z]{3,4}",
                                                            entry.archive_path):
        raise OSError(f"malformed journal entry for {entry.sha256[:12]}")
    path = home.root / entry.archive_path
    data = path.read_bytes()
    if sha256_hex(data) != entry.sha256:
        raise OSError(f"archived bytes of {entry.archive_path} do not match their hash")
    return InboxFile(path, entry.file_name, data, entry.sha256, entry.mtime)
