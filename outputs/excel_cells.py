"""openpyxl helpers shared by the report and the templates: safe text, numbers, headers, print setup."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from outputs.safe_text import is_formula_like

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
WARNING_FONT = Font(bold=True, color="C00000")
NOTE_FONT = Font(italic=True, color="595959")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def plain(value: object) -> object:
    """numpy/pandas scalars → Python values openpyxl writes natively."""
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | dt.date):
        return value.item()
    return value


def put(ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None) -> Cell:
    """Write one cell: numbers as numbers (with ``number_format``), text never as a formula."""
    return fill_cell(ws.cell(row=row, column=column), value, number_format)


def fill_cell(cell: Cell, value: object, number_format: str | None = None) -> Cell:
    """``put`` on a cell already made (a write-only sheet's cells are made before they have a place)."""
    value = plain(value)
    if value is None:
        return cell
    cell.value = value
    if isinstance(value, str) and is_formula_like(value):
        # Stored as text with Excel's quote prefix: shown as written, never evaluated (formula injection).
        cell.data_type = "s"
        cell.quotePrefix = True
    elif number_format and isinstance(value, int | float | dt.date):
        cell.number_format = number_format
    return cell


def header_row(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float] | None = None) -> None:
    for column, label in enumerate(labels, start=1):
        cell = put(ws, row, column, label)
        cell.fill, cell.font, cell.border = HEADER_FILL, HEADER_FONT, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for column, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def print_setup(ws: Worksheet, header_row_number: int, footer: str, landscape: bool = True) -> None:
    """A4, fit to one page wide, the header repeated on every page, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row_number}:{header_row_number}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = footer
    ws.oddFooter.right.text = "&A"
    ws.freeze_panes = ws.cell(row=header_row_number + 1, column=1)
