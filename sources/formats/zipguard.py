"""Refuse zip bombs before calamine opens an .xlsx (calamine inflates whole parts in memory).

Two checks, both bounded in memory: the sizes the zip declares (entry count, total, per-entry ratio),
then a streamed inflate of every entry in 1 MiB chunks that stops as soon as the real output exceeds
what was declared or the total limit (a bomb can lie in its headers).
"""

from __future__ import annotations

import io
import zipfile

from sources.formats import UnreadableFile

MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 256 * 1024 * 1024  # a real 100k-row workbook inflates to ~15 MiB
MAX_RATIO = 250  # deflated XML rarely exceeds ~20:1; bombs are 1000:1 and more
RATIO_FLOOR = 1024 * 1024  # tiny parts may compress absurdly well without any danger
_CHUNK = 1024 * 1024


def _refuse(why: str) -> UnreadableFile:
    return UnreadableFile(f"refused: the workbook {why} (a zip bomb or a damaged file); re-save it from Excel")


def check_zip(data: bytes) -> None:
    """Raise UnreadableFile when the .xlsx container is oversized, lying or broken."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(
            f"not a readable Excel workbook (broken or truncated zip: {exc}); re-save it from Excel as .xlsx"
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(f"holds {len(infos)} parts (limit {MAX_ENTRIES})")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL_UNCOMPRESSED:
            raise _refuse(f"would inflate to {declared // (1024 * 1024)} MiB (limit {MAX_TOTAL_UNCOMPRESSED >> 20})")
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _refuse(f"part {info.filename!r} inflates {info.file_size // max(info.compress_size, 1)}:1")
        total = 0
        for info in infos:
            seen = 0
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > info.file_size or total > MAX_TOTAL_UNCOMPRESSED:
                            raise _refuse(f"part {info.filename!r} inflates beyond its declared size")
            except UnreadableFile:
                raise
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError,
                    RuntimeError, ValueError) as exc:
                raise UnreadableFile(
                    f"not a readable Excel workbook (part {info.filename!r}: {exc}); "
                    "re-save it from Excel as .xlsx without a password"
                ) from exc
