"""One sheet of a write-only workbook, written top to bottom in one pass.

openpyxl's write-only mode streams each row to disk as it is appended and keeps nothing, but a row, once
written, is gone, and the sheet's columns, panes and page properties must be set before the first one. A
report writes a few cells around its tables (titles, notes, a header) and the tables themselves row after
row: ``StreamedSheet`` holds the loose cells until the rows before a streamed one are due, and speaks
enough of a worksheet's language for ``excel_cells.put`` / ``header_row`` / ``print_setup``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.worksheet import Worksheet


class SheetLayoutError(RuntimeError):
    """A cell or a sheet property asked for after the rows it belongs to were written."""


class _CellRows(WriteOnlyWorksheet):
    """A write-only worksheet fed rows of ready cells: openpyxl's own ``append`` tries each cell as a value
    first and takes it as a cell on the ValueError, an exception per cell."""

    def _values_to_row(self, values: Sequence[Cell | None], row_idx: int) -> Iterator[Cell]:
        for column, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.row, cell.column = row_idx, column
            yield cell


class StreamedSheet:
    PAPERSIZE_A4 = Worksheet.PAPERSIZE_A4

    def __init__(self, workbook: Workbook, title: str) -> None:
        if not workbook.write_only:
            raise ValueError("a streamed sheet belongs to a write-only workbook")
        self.ws = _CellRows(parent=workbook, title=title)
        workbook._add_sheet(self.ws)
        self._pending: dict[int, dict[int, Cell]] = {}
        self._written = 0  # rows 1.._written are on disk

    # -- cells -------------------------------------------------------------------------------------------
    def cell(self, row: int, column: int) -> Cell:
        if row <= self._written:
            raise SheetLayoutError(f"{self.ws.title}: row {row} was already written")
        cells = self._pending.setdefault(row, {})
        found = cells.get(column)
        if found is None:
            found = cells[column] = Cell(self.ws, row=row, column=column)
        return found

    def new_cell(self, row: int, column: int) -> Cell:
        """A cell for a streamed row (``stream_row``), not held by the sheet."""
        return Cell(self.ws, row=row, column=column)

    @property
    def max_row(self) -> int:
        return max(self._written, max(self._pending, default=0))

    def stream_row(self, row: int, cells: Sequence[Cell | None]) -> None:
        """Write ``row`` now (``cells`` from column A; None leaves a cell out), and every held row above it."""
        if any(_shows(c) for c in self._pending.get(row, {}).values()):
            raise SheetLayoutError(f"{self.ws.title}: row {row} is streamed over cells written before")
        self._flush(row - 1)
        self._pending.pop(row, None)
        self._append(row, list(cells))

    def close(self) -> None:
        """Write the rows still held (the workbook's save closes the sheet)."""
        self._flush(self.max_row)

    def _flush(self, upto: int) -> None:
        for row in sorted(r for r in self._pending if r <= upto):
            cells = self._pending.pop(row)
            line: list[Cell | None] = [None] * max(cells)
            for column, c in cells.items():
                line[column - 1] = c
            self._append(row, line)

    def _append(self, row: int, cells: list[Cell | None]) -> None:
        while self._written < row - 1:  # write-only rows are numbered by position
            self.ws.append([])
            self._written += 1
        # A held cell with nothing in it (e.g. where a pane is frozen) is left out as openpyxl would.
        self.ws.append([c if c is not None and _shows(c) else None for c in cells])
        self._written = row

    # -- what is written before the first row ------------------------------------------------------------
    def _before_rows(self, what: str) -> None:
        if self._written:
            raise SheetLayoutError(f"{self.ws.title}: {what} set after rows were written")

    @property
    def column_dimensions(self) -> DimensionHolder:
        self._before_rows("column widths")
        return self.ws.column_dimensions

    @property
    def sheet_properties(self) -> Any:  # openpyxl WorksheetProperties
        self._before_rows("sheet properties")
        return self.ws.sheet_properties

    @property
    def freeze_panes(self) -> str | None:
        return self.ws.freeze_panes

    @freeze_panes.setter
    def freeze_panes(self, top_left: Cell | str | None) -> None:
        self._before_rows("frozen panes")
        self.ws.freeze_panes = top_left.coordinate if isinstance(top_left, Cell) else top_left

    # page setup, margins, footer, autofilter, print titles: written with the sheet's tail or the workbook
    @property
    def title(self) -> str:
        return self.ws.title

    @property
    def page_setup(self) -> Any:
        return self.ws.page_setup

    @property
    def page_margins(self) -> Any:
        return self.ws.page_margins

    @property
    def oddFooter(self) -> Any:  # noqa: N802 (openpyxl's name)
        return self.ws.oddFooter

    @property
    def auto_filter(self) -> Any:
        return self.ws.auto_filter

    @property
    def print_title_rows(self) -> str | None:
        return self.ws.print_title_rows

    @print_title_rows.setter
    def print_title_rows(self, rows: str) -> None:
        self.ws.print_title_rows = rows


def _shows(cell: Cell) -> bool:
    return cell._value is not None or cell.has_style or cell._comment is not None
