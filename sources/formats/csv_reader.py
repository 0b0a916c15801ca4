"""Delimited text: decode (UTF-8 with/without BOM, else Windows-1258), NFC, sniff the delimiter."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter

from sources.formats import Cell, Document, Grid, UnreadableFile
from sources.normalize.headers import is_header, match_header

DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 60
_CONTROL_OK = {"\t", "\n", "\r"}


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
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _CONTROL_OK)
    if controls > max(3, len(text) // 200):
        raise UnreadableFile("the file holds binary data, not a text table; send .csv, .xlsx or .xls")
    return unicodedata.normalize("NFC", text), encoding


def _parse(text: str, delimiter: str) -> list[list[str]]:
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _score(rows: list[list[str]]) -> tuple[int, int, int]:
    """Prefer the delimiter that reveals a header row, then a consistent width > 1."""
    head = rows[:_SNIFF_LINES]
    has_header = any(is_header({f for c in row if (f := match_header(c))}) for row in head)
    widths = Counter(len(row) for row in head if any(cell.strip() for cell in row))
    width, count = widths.most_common(1)[0] if widths else (0, 0)
    return int(has_header), count if width > 1 else 0, width


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    return max(DELIMITERS, key=lambda d: _score(_parse(sample, d)))


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
