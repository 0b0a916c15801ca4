"""Excel workbooks (.xlsx and legacy .xls) through calamine.

calamine returns the cached value of a formula and never evaluates it: a workbook saved by a
program that does not cache values shows those cells blank, which intake treats as missing.
"""

from __future__ import annotations

import io

from sources.formats import Cell, Document, Grid, MergedRange, UnreadableFile


def _merged(sheet: object) -> list[MergedRange]:
    try:
        ranges = sheet.merged_cell_ranges  # type: ignore[attr-defined]
    except Exception:  # not every format/version exposes merges; blank cells stay blank
        return []
    return [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (ranges or [])]


def read_excel(data: bytes, fmt: str) -> Document:
    from python_calamine import CalamineWorkbook

    if fmt == "xlsx":
        from sources.formats.zipguard import check_zip

        check_zip(data)  # before calamine, which would inflate a bomb in memory
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for broken/protected files
        raise UnreadableFile(
            f"not a readable Excel workbook ({type(exc).__name__}: {exc}); "
            "re-save it from Excel as .xlsx without a password"
        ) from exc
    grids: list[Grid] = []
    try:
        for meta in workbook.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):
                continue  # chart sheets etc. hold no table
            sheet = workbook.get_sheet_by_name(meta.name)
            # skip_empty_area=False keeps row/column 0 at A1, so row numbers match what a person sees.
            rows: list[list[Cell]] = [
                [None if cell == "" else cell for cell in row]
                for row in sheet.to_python(skip_empty_area=False)
            ]
            grids.append(Grid(meta.name, rows, _merged(sheet)))
    except Exception as exc:
        raise UnreadableFile(f"cannot read the workbook's sheets ({type(exc).__name__}: {exc})") from exc
    finally:
        workbook.close()
    if not any(any(c is not None for c in row) for g in grids for row in g.rows):
        raise UnreadableFile("the workbook is empty")
    return Document(fmt, None, grids)
