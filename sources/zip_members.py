"""A zip of reports (giải nén tệp zip): each member becomes a submission of its own.

The archive is checked whole first, by the zip-bomb guard (member count, total inflated size, ratio,
a streamed inflate that stops at the declared sizes): one bomb refuses the whole archive. Then every
member is taken apart without parsing it:

- folders, ``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``, ``~$`` lock files: skipped, named;
- a zip inside the zip: refused with a reason, as a submission of its own (its bytes archived);
- anything else: archived under its own SHA-256 and parsed later as a file, in a worker of its own, under
  the same bounds (``MemberRef``; sources/parallel.py), so a crash or a hang costs that member only.

A member is named ``<archive>!<path inside it>``; its title block says which archive it came from.
The archive's own bytes are archived once, under the archive's hash.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.formats import detect_format, extension_for
from sources.home import DothiHome
from sources.inbox import InboxFile, archive, sha256_hex

_SKIPPED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NESTED_ZIP = "a zip archive inside the zip archive: not opened; unzip it and send the reports it holds"
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class MemberRef:
    """A member waiting to be parsed: its bytes are already archived under ``sha256``."""

    name: str  # display name: "<archive>!<path inside>"
    member: str  # path inside the archive (as decoded)
    sha256: str
    archive_path: str
    ext: str
    mtime: datetime  # aware (UTC): the member's own date in the archive, else the archive's mtime
    received_at: datetime  # naive local time
    container_name: str
    container_sha256: str
    container_archive_path: str

    def container(self) -> dict[str, str]:
        """What a member's title block and journal entry keep of its archive."""
        return {"name": self.container_name, "sha256": self.container_sha256,
                "archive_path": self.container_archive_path, "member": self.member}


def member_path(info: zipfile.ZipInfo) -> str:
    """The member's path as a person reads it: UTF-8 when its bytes are (many tools write UTF-8 without
    the flag), else the bytes shown escaped; no empty, '.' or '..' parts."""
    name = info.filename.replace("\\", "/")  # before any byte is shown escaped with a backslash
    if not info.flag_bits & _UTF8_FLAG:
        try:
            raw = name.encode("cp437")  # zipfile decoded the bytes as cp437
        except UnicodeEncodeError:
            raw = name.encode("utf-8")
        name = raw.decode("utf-8", "backslashreplace")
    parts = [p for p in name.split("/") if p not in ("", ".", "..")]
    inner = _CONTROL.sub("", unicodedata.normalize("NFC", "/".join(parts))) or "(unnamed)"
    return inner + "/" if info.is_dir() else inner


def display(container_name: str, inner: str) -> str:
    name = f"{container_name}!{inner}"
    if len(name) <= 200:
        return name
    return f"{container_name[:80]}!…{inner[-118:]}"


def skip_reason(info: zipfile.ZipInfo, inner: str) -> str | None:
    """Why a member is not a report (None: it may be one)."""
    base = inner.rsplit("/", 1)[-1]
    if info.is_dir():
        return "a folder inside the zip archive: not a report"
    if inner.startswith("__MACOSX/") or base.startswith("._"):
        return "macOS metadata (__MACOSX/, ._ files): not a report"
    if base in _SKIPPED_NAMES:
        return f"{base}: a file the operating system writes, not a report"
    if base.startswith("~$"):
        return "an editor's lock file (~$): not a report"
    return None


@dataclass(frozen=True)
class Unpacked:
    """What an archive holds: members to parse, members refused (nested zips, with their bytes archived),
    and members skipped (name → why)."""

    members: list[MemberRef]
    refused: list[tuple[InboxFile, str, str, str]]  # (member as a file, ext, archive path, reason)
    skipped: list[tuple[str, str]]


def _member_mtime(info: zipfile.ZipInfo, fallback: datetime) -> datetime:
    """Zip dates are local time without a zone; the senders' clocks are Vietnam time (UTC+7)."""
    from sources.prepare import VIETNAM

    if info.date_time < (1980, 1, 2, 0, 0, 0):
        return fallback  # the zip format's "no date"
    try:
        return datetime(*info.date_time, tzinfo=VIETNAM).astimezone(UTC)
    except ValueError:
        return fallback


def unpack(home: DothiHome, item: InboxFile, archive_path: str, received_at: datetime) -> Unpacked:
    """Check the whole archive, then archive each member's bytes. Raises UnreadableFile when the archive
    as a whole is refused (bomb, broken, encrypted, too many members)."""
    from sources.formats.zipguard import check_zip

    check_zip(item.data, kind="zip archive")
    members: list[MemberRef] = []
    refused: list[tuple[InboxFile, str, str, str]] = []
    skipped: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(item.data)) as archive_file:
        for info in archive_file.infolist():
            inner = member_path(info)
            name = display(item.name, inner)
            if (why := skip_reason(info, inner)) is not None:
                skipped.append((name, why))
                continue
            data = archive_file.read(info)  # checked above: bounded by the guard's total
            sha = sha256_hex(data)
            ext = extension_for(data)
            rel = archive(home, data, sha, ext, sync=False)
            mtime = _member_mtime(info, item.mtime)
            if detect_format(data) == "zip":
                refused.append((InboxFile(home.root / rel, name, data, sha, mtime), ext, rel, NESTED_ZIP))
                continue
            members.append(MemberRef(name, inner, sha, rel, ext, mtime, received_at, item.name, item.sha256,
                                     archive_path))
    return Unpacked(members, refused, skipped)


def no_report_reason(skipped: list[tuple[str, str]]) -> str:
    shown = ", ".join(repr(n.split("!", 1)[1]) for n, _ in skipped[:5]) + (" …" if len(skipped) > 5 else "")
    return (f"the zip archive holds no report ({len(skipped)} entries skipped: {shown or 'none'}): "
            "put the report files themselves in the zip, or send them unzipped")


def with_container(submission: dict[str, object], container: dict[str, str]) -> dict[str, object]:
    """The submission row with its archive recorded in the title block (``_zip_archive``)."""
    raw = submission.get("title_block")
    block = json.loads(raw) if isinstance(raw, str) and raw else {}
    if not isinstance(block, dict):
        block = {"_title": block}
    block["_zip_archive"] = container
    return {**submission, "title_block": json.dumps(block, ensure_ascii=False)}


def member_file(home: DothiHome, ref: MemberRef) -> InboxFile:
    """The member's bytes back from the archive, checked against their hash."""
    path = home.root / ref.archive_path
    data = path.read_bytes()
    if sha256_hex(data) != ref.sha256:
        raise OSError(f"archived bytes of {ref.archive_path} do not match their hash")
    return InboxFile(Path(path), ref.name, data, ref.sha256, ref.mtime)


def ref_from_journal(entry_container: dict[str, str], sha: str, archive_path: str, name: str, mtime: datetime,
                     received_at: datetime) -> MemberRef:
    ext = "." + archive_path.rsplit(".", 1)[1]
    return MemberRef(name, entry_container.get("member", ""), sha, archive_path, ext, mtime, received_at,
                     entry_container.get("name", ""), entry_container.get("sha256", ""),
                     entry_container.get("archive_path", ""))


