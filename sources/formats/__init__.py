"""Read a submitted file into grids of cells, whatever its format.

The format is detected from the bytes, never from the file name (a name carries no meaning the
content cannot override): a zip container is .xlsx, an OLE2 container is a legacy .xls, anything
else must be delimited text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

Cell = str | float | int | bool | date | datetime | time | None
MergedRange = tuple[
    tuple[int, int], tuple[int, int]
]  # ((first_row, first_col), (last_row, last_col)), 0-based

_ZIP = b"PK\x03\x04"
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")

EXTENSIONS = {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv"}


class UnreadableFile(Exception):
    """The bytes are not a table this intake can read; ``reason`` says why, for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grid:
    """One sheet (or the whole CSV): rows of cells as a person sees them, row 0 = row 1."""

    name: str | None
    rows: list[list[Cell]]
    merged: list[MergedRange] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    format: str  # csv | xlsx | xls
    encoding: str | None  # utf-8 | utf-8-sig | utf-16 | windows-1258 | mixed:utf-8+windows-1258; None: Excel
    grids: list[Grid]


def detect_format(data: bytes) -> str:
    if data.startswith(_ZIP):
        return "xlsx"
    if data.startswith(_OLE):
        return "xls"
    return "csv"


def extension_for(data: bytes) -> str:
    """Archive extension from the content; '.bin' when it is not even plausible text."""
    fmt = detect_format(data)
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if fmt == "csv" and (not data or (b"\x00" in data and not utf16)):
        return ".bin"
    return EXTENSIONS[fmt]


def read_document(data: bytes) -> Document:
    """Dispatch on the detected format. Raises UnreadableFile."""
    if not data.strip():
        raise UnreadableFile("the file is empty")
    fmt = detect_format(data)
    if fmt == "csv":
        from sources.formats.csv_reader import read_csv

        return read_csv(data)
    from sources.formats.excel_reader import read_excel

    return read_excel(data, fmt)
