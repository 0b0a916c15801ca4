"""What web portals and old tools save as ".xls" but is markup: an HTML table, or Excel 2003's XML
spreadsheet (``<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">``). Both are read when
they hold plain tables: one grid per ``<table>`` / ``<Worksheet>``, every cell as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from sources.formats import Cell, Document, Grid, UnreadableFile
from sources.formats.csv_reader import decode

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


class _Tables(HTMLParser):
    """Rows of <td>/<th> text per <table>; colspan is spread as blank cells so columns line up."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[Cell]]] = []
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif tag == "tr" and self._depth == 1:
            self._close_row()
            self._row = []
        elif tag in ("td", "th") and self._depth == 1:
            self._close_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() and 0 < int(span) <= 1000 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table" and self._depth:
            if self._depth == 1:
                self._close_row()
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row.append(text or None)
            self._row.extend([None] * (self._span - 1))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self.tables:
            self.tables[-1].append(self._row)
        self._row = None


def _read_html(text: str) -> list[Grid]:
    lower = text.lower()
    if lower.rfind("<table") > lower.rfind("</table"):  # cut off inside its last table: rows are missing
        raise UnreadableFile(
            "the file is a web page (HTML) whose table is cut off (no closing </table>): the file is "
            "truncated; download or export it again"
        )
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return [Grid(f"table {i + 1}", rows) for i, rows in enumerate(parser.tables) if rows]


def _read_xml2003(text: str) -> list[Grid]:
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # no entity expansion from a submitted file
        raise UnreadableFile("the Excel 2003 XML file declares entities; open it in Excel and save it as .xlsx")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UnreadableFile(
            f"an Excel 2003 XML spreadsheet that is broken or truncated ({exc}); open it in Excel and save it as .xlsx"
        ) from exc
    grids: list[Grid] = []
    for sheet in root.iter(f"{_SS}Worksheet"):
        rows: list[list[Cell]] = []
        for table in sheet.iter(f"{_SS}Table"):
            for row in table.iter(f"{_SS}Row"):
                index = row.get(f"{_SS}Index")
                if index and index.isdigit():
                    rows.extend([] for _ in range(int(index) - 1 - len(rows)))
                cells: list[Cell] = []
                for cell in row.iter(f"{_SS}Cell"):
                    at = cell.get(f"{_SS}Index")
                    if at and at.isdigit():
                        cells.extend([None] * (int(at) - 1 - len(cells)))
                    data = cell.find(f"{_SS}Data")
                    value = "".join(data.itertext()).strip() if data is not None else ""
                    kind = data.get(f"{_SS}Type") if data is not None else None
                    cells.append(_xml_value(value, kind))
                rows.append(cells)
        if any(rows):
            grids.append(Grid(sheet.get(f"{_SS}Name"), rows))
    return grids


def _xml_value(value: str, kind: str | None) -> Cell:
    if not value:
        return None
    if kind == "Number":
        try:
            return float(value)
        except ValueError:
            return value
    return value


def read_markup(data: bytes, fmt: str) -> Document:
    text, encoding = decode(data)
    grids = _read_html(text) if fmt == "html" else _read_xml2003(text)
    what = "a web page (HTML)" if fmt == "html" else "an Excel 2003 XML spreadsheet"
    if not any(any(c is not None for c in row) for g in grids for row in g.rows):
        raise UnreadableFile(
            f"the file is {what} saved as a spreadsheet, but holds no table; "
            "open it in Excel and save it as .xlsx, or export CSV from the portal"
        )
    return Document(fmt, encoding, grids, {"read_as": what})
