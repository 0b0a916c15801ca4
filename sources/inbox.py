"""The only code that touches inbox/, archive/ and quarantine/.

Order matters for "nothing is lost": the bytes are archived (written and synced) before the inbox
file is removed. Paths are built only from the content hash and the detected format, never from
the submitted file name.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import re
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from sources.faults import fault_point
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


def undecodable(raw: str) -> bool:
    """A name read from the file system whose bytes are not UTF-8 (kept by Python as lone surrogates)."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def shown_name(raw: str) -> str:
    """The name as a valid string: bytes that are not UTF-8 shown escaped (``B\\xe1o c\\xe1o.csv``)."""
    if not undecodable(raw):
        return raw
    return os.fsencode(raw).decode("utf-8", "backslashreplace")


def display_name(raw: str) -> str:
    """A received name made safe to show and store: NFC, no path parts, no control characters; bytes
    that are not UTF-8 (a Windows-1258 name on a Linux share) shown escaped."""
    name = shown_name(raw.replace("\\", "/").rsplit("/", 1)[-1])  # path parts first: escapes have a \\
    name = unicodedata.normalize("NFC", name)
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


# --- What is taken, and what is left: stable files only; every other entry named ---------------------
# A file is taken only once it is complete: its size, mtime and inode unchanged over a settle interval
# (``DOTHI_INBOX_SETTLE_S``), and, on Linux, no process holding it open for writing (/proc/*/fd: only the
# processes this user may inspect; a writer on another machine, e.g. a PC copying onto an SMB/NFS share
# mounted here, is invisible, so there the settle interval is the only guard). Files older than the
# interval cost two stats and no wait; the run sleeps (once, at most the interval) only for young files.

SETTLE_ENV = "DOTHI_INBOX_SETTLE_S"
DEFAULT_SETTLE_S = 3.0
OPEN_CHECK_ENV = "DOTHI_INBOX_OPEN_CHECK"  # "0": do not look for writers in /proc

LEFT = "left in the inbox for the next run"


class Signature(NamedTuple):
    """What says a file is still the one we looked at."""

    size: int
    mtime_ns: int
    ino: int
    dev: int

    @classmethod
    def of(cls, info: os.stat_result) -> Signature:
        return cls(info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev)


@dataclass(frozen=True)
class InboxNote:
    """An inbox entry this run did not take (or took with a remark), in words a person can act on."""

    name: str  # as found, bytes that are not UTF-8 shown escaped
    kind: str  # folder | fifo | socket | device | symlink | dangling_symlink | hidden_or_temporary |
    # undecodable_name | still_being_written | open_for_writing | changed_while_read | changed_after_load
    reason: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass
class InboxScan:
    files: list[Path] = field(default_factory=list)  # stable regular files, in name order
    signatures: dict[Path, Signature] = field(default_factory=dict)
    notes: list[InboxNote] = field(default_factory=list)


def settle_seconds() -> float:
    raw = os.environ.get(SETTLE_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_SETTLE_S
    except ValueError:
        return DEFAULT_SETTLE_S


_KINDS: tuple[tuple[Callable[[int], bool], str, str], ...] = (
    (stat.S_ISDIR, "folder", "a folder: folders are not read; put its files in the inbox itself"),
    (stat.S_ISFIFO, "fifo", "a named pipe (FIFO), not a file: never opened; remove it"),
    (stat.S_ISSOCK, "socket", "a socket, not a file: never opened; remove it"),
    (stat.S_ISCHR, "device", "a device, not a file: never opened; remove it"),
    (stat.S_ISBLK, "device", "a device, not a file: never opened; remove it"),
)


def _entry_note(path: Path, info: os.stat_result) -> InboxNote | None:
    """Why an entry that is not a regular file is not read (None: it is a regular file)."""
    name = shown_name(path.name)
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            return InboxNote(name, "dangling_symlink",
                             "a symbolic link to nothing (its target is gone): not read; remove it")
        what = "a folder" if stat.S_ISDIR(target.st_mode) else "a file"
        return InboxNote(name, "symlink", f"a symbolic link to {what}: links are never followed; "
                                          "put the file itself in the inbox")
    if stat.S_ISREG(info.st_mode):
        return None
    for test, kind, reason in _KINDS:
        if test(info.st_mode):
            return InboxNote(name, kind, reason)
    return InboxNote(name, "other", "not a regular file: not read")


def inbox_entry_notes(home: DothiHome) -> list[InboxNote]:
    """Every inbox entry that is not a file to read: folders, FIFOs, sockets, devices, symlinks (dangling
    or not), hidden files and editors' lock/temp files, and files whose name is not UTF-8 (those are read,
    under the escaped name). Nothing is opened: a FIFO would block."""
    if not home.inbox.is_dir():
        return []
    notes: list[InboxNote] = []
    with os.scandir(home.inbox) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = Path(entry.path)
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:  # gone since the listing
                continue
            note = _entry_note(path, info)
            if note is not None:
                notes.append(note)
            elif entry.name.startswith(_TEMP_PREFIXES) or entry.name.endswith(_TEMP_SUFFIXES):
                notes.append(InboxNote(shown_name(entry.name), "hidden_or_temporary",
                                       "a hidden file, an editor's lock file or a partial download: not read"))
            elif undecodable(entry.name):
                notes.append(InboxNote(
                    shown_name(entry.name), "undecodable_name",
                    "the file name is not valid UTF-8 (bytes shown escaped, e.g. a Windows-1258 name copied "
                    "onto a Linux share): read under the escaped name; send it with a Unicode name",
                ))
    return notes


def _writers(paths: Iterable[Path]) -> dict[Path, str]:
    """Files some process holds open for writing, by /proc/<pid>/fd (Linux; best effort: processes of
    other users are not visible without privileges, remote writers on a network share never are)."""
    wanted = {os.path.realpath(p): p for p in paths}
    if not wanted or not sys.platform.startswith("linux") or os.environ.get(OPEN_CHECK_ENV, "1") == "0":
        return {}
    try:
        pids = [pid for pid in os.listdir("/proc") if pid.isdigit()]
    except OSError:
        return {}
    found: dict[Path, str] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target not in wanted:
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
                    flags = next((int(line.split()[1], 8) for line in info if line.startswith("flags:")), 0)
            except (OSError, ValueError, IndexError):
                continue
            if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
                found.setdefault(wanted[target], pid)
    return found


def _lstat(path: Path) -> Signature | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return Signature.of(info) if stat.S_ISREG(info.st_mode) else None


def stable_files(
    paths: Iterable[Path],
    settle_s: float | None = None,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> InboxScan:
    """The files (regular, already listed) that are complete: two looks at (size, mtime, inode) agree,
    the later one at least ``settle_s`` after the file's mtime (files that old need no wait; for younger
    ones, or mtimes in the future, the run sleeps once, at most ``settle_s``), and no local process holds
    it open for writing. The others are noted and left for the next run."""
    settle = settle_seconds() if settle_s is None else settle_s
    first: dict[Path, Signature] = {}
    for path in paths:
        if (sig := _lstat(path)) is not None:
            first[path] = sig
    start = clock()
    ages = [start - sig.mtime_ns / 1e9 for sig in first.values()]
    wait = max((settle - age for age in ages if age < settle), default=0.0)
    if wait > 0:
        sleep(min(wait, settle))
    scan = InboxScan()
    for path, sig in first.items():
        again = _lstat(path)
        if again is None:  # gone, or replaced by something else: the next listing sees what it is
            continue
        if again != sig:
            scan.notes.append(InboxNote(
                shown_name(path.name), "still_being_written",
                f"still being written (it changed within {settle:g} s: {sig.size} → {again.size} bytes); {LEFT}",
            ))
            continue
        scan.signatures[path] = again
    for path, pid in _writers(scan.signatures).items():
        del scan.signatures[path]
        scan.notes.append(InboxNote(shown_name(path.name), "open_for_writing",
                                    f"still open for writing by another program (pid {pid}); {LEFT}"))
    scan.files = sorted(scan.signatures, key=lambda p: p.name)
    return scan


def verify_unchanged(path: Path, sha: str, expected: Signature | None) -> tuple[Signature | None, str | None]:
    """Before a file is archived for good and removed: is the inbox file still the bytes that were read?
    (its signature as when it was judged stable, and its hash, re-read now). Returns (its signature, None)
    or (None, why it is left in the inbox)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            before = Signature.of(os.fstat(handle.fileno()))
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            after = Signature.of(os.fstat(handle.fileno()))
    except OSError as exc:
        return None, f"it could not be read again to check it ({type(exc).__name__}); {LEFT}"
    if before != after or (expected is not None and before != expected) or _lstat(path) != after:
        size = f"{expected.size} → {after.size}" if expected is not None else str(after.size)
        return None, f"it changed while it was being read ({size} bytes): none of its rows loaded; {LEFT}"
    if digest.hexdigest() != sha:
        return None, f"its bytes changed while it was being read: none of its rows loaded; {LEFT}"
    return after, None


def remove_if_unchanged(path: Path, expected: Signature | None) -> str | None:
    """Remove a loaded file from the inbox unless it changed since it was checked (then it is kept, and
    the next run reads its new bytes as a new version). Returns why it was kept, or None."""
    if expected is not None and _lstat(path) != expected:
        if not path.exists() and not path.is_symlink():
            return None
        return "it changed after it was read and loaded: kept; the next run reads it again as a new version"
    remove_from_inbox(path)
    return None


def log_inbox_notes(home: DothiHome, run_id: str, notes: Iterable[InboxNote]) -> None:
    """One line in logs/runs.jsonl (the run log) naming every inbox entry this run left or remarked on."""
    notes = list(notes)
    if not notes:
        return
    home.logs.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"), "event": "inbox", "run_id": run_id,
         "entries": [n.to_dict() for n in notes]},
        ensure_ascii=False,
    )
    with (home.logs / "runs.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_inbox_file(path: Path) -> InboxFile:
    """Read without following a symlink swapped in after listing (O_NOFOLLOW), nor opening anything but
    a regular file (O_NONBLOCK: a FIFO swapped in cannot block the open)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file: {display_name(path.name)}")
        data = handle.read()
    fault_point("inbox.after_read", path)  # tests: the file changes between read and archive
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
    without touching the warehouse (renaming a file does not change its fingerprint).
    Only stable files count (``stable_files``): a file still being written has another hash than its
    final form, and must not start a run of its own."""
    prints: set[str] = set()
    scan = stable_files(list_inbox(home))
    for path in scan.files:
        digest = hashlib.sha256()
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as handle:
                for block in iter(functools.partial(handle.read, 1 << 20), b""):
                    digest.update(block)
                changed = Signature.of(os.fstat(handle.fileno())) != scan.signatures[path]
        except OSError:  # removed or replaced while we looked: the next tick sees it
            continue
        if not changed:  # changed while hashed: not complete yet
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
    # A member of a zip: its archive's name, sha256, archive_path and the member's path inside it.
    container: dict[str, str] | None = None


def _entry_json(entry: PendingFile) -> dict[str, object]:
    return {
        "sha256": entry.sha256,
        "archive_path": entry.archive_path,
        "file_name": entry.file_name,
        "mtime": entry.mtime.isoformat(),
        "received_at": entry.received_at.isoformat(),
        "run_id": entry.run_id,
        **({"container": entry.container} if entry.container else {}),
    }


def _entry(data: dict[str, object]) -> PendingFile:
    container = data.get("container")
    name = str(data["file_name"])
    return PendingFile(
        sha256=str(data["sha256"]),
        archive_path=str(data["archive_path"]),
        # A zip member's name keeps its path inside the archive ("a.zip!2024/q1.csv"); never used as a path.
        file_name=_CONTROL.sub("", name)[:200] if isinstance(container, dict) else display_name(name),
        mtime=datetime.fromisoformat(str(data["mtime"])),
        received_at=datetime.fromisoformat(str(data["received_at"])),
        run_id=str(data.get("run_id") or ""),
        container={str(k): str(v) for k, v in container.items()} if isinstance(container, dict) else None,
    )


def _write_journal(path: Path, entries: Sequence[Mapping[str, object]]) -> None:
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
