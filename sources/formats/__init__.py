"""Read a submitted file into grids of cells, whatever its format.

The format is detected from the bytes, never from the file name (a name carries no meaning the
content cannot override): a zip container is .xlsx, an OLE2 container is a legacy .xls, anything
else must be delimited text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class CellError:
    """An Excel cell that holds no value: a cached error (``#DIV/0!``) or a formula never calculated
    (``code`` empty). Broken is not missing: a row with one in a field it reads is rejected."""

    code: str

    def __str__(self) -> str:
        return self.code or "(formula never calculated)"


# timedelta: what calamine yields for a duration-formatted cell ([h]:mm).
Cell = str | float | int | bool | date | datetime | time | timedelta | CellError | None
MergedRange = tuple[
    tuple[int, int], tuple[int, int]
]  # ((first_row, first_col), (last_row, last_col)), 0-based

_ZIP = b"PK\x03\x04"
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")

EXTENSIONS = {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv", "html": ".html", "xml2003": ".xml", "zip": ".zip"}
_MARKUP_PROBE = 4096  # markup exports announce themselves in their first bytes


# How far down a file is searched for its header once the usual rows hold none: only to say where it is
# (CSV sniffing and the table layout share it).
LATE_HEADER_ROWS = 2000

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
    # 0-based row → why the row as read cannot be trusted (a CSV line split by an unclosed quote …)
    row_problems: dict[int, str] = field(default_factory=dict)
    ragged: bool = False  # CSV: each row keeps its own field count (compared with the header's)


@dataclass(frozen=True)
class Document:
    format: str  # csv | xlsx | xls | html | xml2003
    encoding: str | None  # utf-8 | utf-8-sig | utf-16 | windows-1258 | mixed:utf-8+windows-1258; None: Excel
    grids: list[Grid]
    notes: dict[str, object] = field(default_factory=dict)  # choices made while reading (hidden sheets …)


def _is_workbook(data: bytes) -> bool:
    """A zip is an .xlsx when it holds a workbook's parts; a broken zip is taken for a broken .xlsx."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return True
    return not names or "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names)


def detect_format(data: bytes) -> str:
    if data.startswith(_ZIP):
        return "xlsx" if _is_workbook(data) else "zip"
    if data.startswith(_OLE):
        return "xls"
    head = data[:_MARKUP_PROBE].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        # What web portals save as ".xls": an HTML table, or Excel 2003's XML spreadsheet.
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<workbook" in head:
            return "xml2003"
        if b"<html" in head or b"<table" in head or b"<!doctype html" in head:
            return "html"
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
    if fmt in ("html", "xml2003"):
        from sources.formats.markup import read_markup

        return read_markup(data, fmt)
    if fmt == "zip":
        from sources.formats.zipguard import read_zip

        return read_zip(data)
    from sources.formats.excel_reader import read_excel

    return read_excel(data, fmt)
