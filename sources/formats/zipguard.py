"""Refuse zip bombs before calamine opens an .xlsx (calamine inflates whole parts in memory), and before
the members of a zip of reports are read (sources/zip_members.py): the limits apply to the whole archive.

Two checks, both bounded in memory: the sizes the zip declares (entry count, total, per-entry ratio),
then a streamed inflate of every entry in 1 MiB chunks that stops as soon as the real output exceeds
what was declared or the total limit (a bomb can lie in its headers).
"""

from __future__ import annotations

import io
import zipfile

from sources.formats import Document, UnreadableFile, detect_format

MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 256 * 1024 * 1024  # a real 100k-row workbook inflates to ~15 MiB
MAX_RATIO = 250  # deflated XML rarely exceeds ~20:1; bombs are 1000:1 and more
RATIO_FLOOR = 1024 * 1024  # tiny parts may compress absurdly well without any danger
_CHUNK = 1024 * 1024


_WORKBOOK = "workbook"


def _refuse(why: str, kind: str = _WORKBOOK) -> UnreadableFile:
    fix = "re-save it from Excel" if kind == _WORKBOOK else "send the reports unzipped"
    return UnreadableFile(f"refused: the {kind} {why} (a zip bomb or a damaged file); {fix}")


def _unreadable(kind: str, detail: str) -> UnreadableFile:
    if kind == _WORKBOOK:
        return UnreadableFile(f"not a readable Excel workbook ({detail}); re-save it from Excel as .xlsx"
                              + (" without a password" if detail.startswith("part") else ""))
    return UnreadableFile(f"not a readable zip archive ({detail}); zip it again without a password, "
                          "or send the reports unzipped")


def check_zip(data: bytes, kind: str = _WORKBOOK) -> None:
    """Raise UnreadableFile when the container (an .xlsx, or a zip of reports: ``kind``) is oversized,
    lying or broken. The limits apply to the whole container."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _unreadable(kind, f"broken or truncated zip: {exc}") from exc
    noun = "part" if kind == _WORKBOOK else "member"
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(f"holds {len(infos)} {noun}s (limit {MAX_ENTRIES})", kind)
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL_UNCOMPRESSED:
            raise _refuse(f"would inflate to {declared // (1024 * 1024)} MiB (limit {MAX_TOTAL_UNCOMPRESSED >> 20})",
                          kind)
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _refuse(f"{noun} {info.filename!r} inflates {info.file_size // max(info.compress_size, 1)}:1",
                              kind)
        total = 0
        for info in infos:
            seen = 0
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > info.file_size or total > MAX_TOTAL_UNCOMPRESSED:
                            raise _refuse(f"{noun} {info.filename!r} inflates beyond its declared size", kind)
            except UnreadableFile:
                raise
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError,
                    RuntimeError, ValueError) as exc:
                raise _unreadable(kind, f"{noun} {info.filename!r}: {exc}") from exc


_IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


def read_zip(data: bytes) -> Document:
    """A zip's bytes handed to the parser directly (``parse_submission``; the intake never does: it
    unpacks a zip into one submission per member, sources/zip_members.py): one report is read as that
    file, under the same guard; several are named, with what they are."""
    check_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = [i for i in archive.infolist() if not i.is_dir() and not any(x in i.filename for x in _IGNORED)]
        shown = ", ".join(repr(i.filename) for i in files[:5]) + (" …" if len(files) > 5 else "")
        if len(files) != 1:
            raise UnreadableFile(
                f"the file is a zip archive of {len(files)} files ({shown}), not one report: "
                "unzip it and send each report as its own file"
            )
        inner = archive.read(files[0])
    from sources import limits
    from sources.formats import read_document

    fmt = detect_format(inner)
    if fmt == "zip":
        raise UnreadableFile(f"the zip archive holds another zip ({shown}): unzip it and send the report itself")
    reason = limits.file_size_reason(len(inner)) if fmt != "xlsx" else limits.sheet_cells_reason(inner)
    if reason:
        raise UnreadableFile(f"in the zip archive, {files[0].filename!r}: {reason}")
    try:
        doc = read_document(inner)
    except UnreadableFile as exc:
        raise UnreadableFile(f"in the zip archive, {files[0].filename!r}: {exc.reason}") from exc
    return Document(doc.format, doc.encoding, doc.grids, {**doc.notes, "read_from_zip": files[0].filename})
