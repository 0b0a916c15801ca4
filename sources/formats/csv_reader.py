"""Delimited text: decode (UTF-8 with/without BOM, else Windows-1258), NFC, sniff the delimiter."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter

from sources.formats import Cell, Document, Grid, UnreadableFile
from sources.normalize.headers import is_header, match_header

DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 60
# Unicode category Cc (C0, DEL, C1) except tab and line ends: one regex pass, not a lookup per character.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode_lines(data: bytes) -> str | None:
    """Mixed encodings (rows pasted from two sources): each line that is valid UTF-8 is UTF-8, the
    others Windows-1258. Only used when the file as a whole is not UTF-8; None when no line is
    non-ASCII UTF-8 (then it is plain Windows-1258)."""
    lines = data.splitlines(keepends=True)
    utf8_lines = 0
    out: list[str] = []
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_lines += any(b >= 0x80 for b in line)
        except UnicodeDecodeError:
            text = line.decode("cp1258")  # cp1258 maps every byte but five; those raise below
        out.append(text)
    return "".join(out) if utf8_lines else None


def decode(data: bytes) -> tuple[str, str]:
    """(NFC text, encoding name). Vietnamese Excel writes Windows-1258, which stores many letters
    decomposed (base + combining tone mark): NFC puts them back together. Excel's "Unicode text"
    export is UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"the file starts as UTF-16 text but is damaged at byte {exc.start}") from exc
        return _checked(text, encoding)
    if b"\x00" in data:
        raise UnreadableFile(
            "the file contains NUL bytes: it is neither a text table (CSV) nor an Excel workbook "
            "(UTF-16 text without a byte-order mark, or binary data); save it as .xlsx or as CSV UTF-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"the file says it is UTF-8 (byte-order mark) but byte {exc.start} is not; save it as CSV UTF-8"
            ) from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                mixed = _decode_lines(data)
                text, encoding = (mixed, "mixed:utf-8+windows-1258") if mixed else (data.decode("cp1258"),
                                                                                     "windows-1258")
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"cannot decode the text as UTF-8 or Windows-1258 (byte {exc.start}); "
                    "save it as CSV UTF-8 or as .xlsx"
                ) from exc
    return _checked(text, encoding)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    controls = len(_CONTROLS.findall(text))
    if controls > max(3, len(text) // 200):
        raise UnreadableFile("the file holds binary data, not a text table; send .csv, .xlsx or .xls")
    return unicodedata.normalize("NFC", text), encoding


def _parse(text: str, delimiter: str) -> list[list[str]]:
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _has_header(rows: list[list[str]]) -> bool:
    # A header names at least two fields, so a row with fewer than two filled cells is skipped unread.
    return any(
        is_header({f for c in row if (f := match_header(c))})
        for row in rows
        if sum(1 for cell in row if cell.strip()) >= 2
    )


def _shape(rows: list[list[str]]) -> tuple[int, int]:
    """(rows of the most common width, that width): a delimiter that splits every line alike."""
    widths = Counter(len(row) for row in rows if any(cell.strip() for cell in row))
    width, count = widths.most_common(1)[0] if widths else (0, 0)
    return (count if width > 1 else 0), width


def sniff_delimiter(text: str) -> str:
    """The delimiter that reveals a header row, then the one giving the most lines of one width > 1.

    Shapes are cheap (C parser); header matching folds every cell, so it runs on the best-shaped
    delimiter first and stops at the first that reveals a header (the same choice as scoring all)."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    parsed = {d: _parse(sample, d) for d in DELIMITERS}
    by_shape = sorted(DELIMITERS, key=lambda d: _shape(parsed[d]), reverse=True)  # stable: ties keep order
    return next((d for d in by_shape if _has_header(parsed[d])), by_shape[0])


# Python's csv refuses fields over 128 KiB; a long note is still data (the whole file is bounded anyway).
_FIELD_LIMIT = 64 * 1024 * 1024


def read_csv(data: bytes) -> Document:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        rows = _parse(text, delimiter)
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable delimited table: {exc}") from exc
    if not any(cell.strip() for row in rows for cell in row):
        raise UnreadableFile("the file is empty")
    cells: list[list[Cell]] = [[c if c.strip() else None for c in row] for row in rows]
    return Document("csv", encoding, [Grid(None, cells)])
