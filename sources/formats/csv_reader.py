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


def decode(data: bytes) -> tuple[str, str]:
    """(NFC text, encoding name). Vietnamese Excel writes Windows-1258, which stores many letters
    decomposed (base + combining tone mark): NFC puts them back together."""
    if b"\x00" in data:
        raise UnreadableFile(
            "the file contains NUL bytes: it is neither a text table (CSV) nor an Excel workbook; "
            "save it as .xlsx or as CSV UTF-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1258"), "windows-1258"
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"cannot decode the text as UTF-8 or Windows-1258 (byte {exc.start}); "
                    "save it as CSV UTF-8 or as .xlsx"
                ) from exc
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


def read_csv(data: bytes) -> Document:
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
