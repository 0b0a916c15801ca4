"""Excel workbooks (.xlsx and legacy .xls) through calamine.

calamine returns the cached value of a formula and never evaluates it, and shows both a cached error
(``#DIV/0!``) and a formula never calculated as a blank cell. Broken is not missing: for .xlsx the sheet
XML is scanned (only when it holds formulas or errors) and those cells become ``CellError`` so their rows
are rejected; a workbook none of whose formulas was ever calculated is refused. For .xls the BIFF records
are scanned for error cells and formulas whose cached result is an error (sources/formats/biff.py).
Hidden sheets are skipped.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import struct
import zipfile

from sources import limits
from sources.formats import Cell, CellError, Document, Grid, MergedRange, UnreadableFile

_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REV = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
# One cell that holds a formula or an error; the body is short (a formula and a cached value).
_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_CACHED = re.compile(rb"<v>([^<]*)</v>")
log = logging.getLogger(__name__)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _column_index(letters: bytes) -> int:
    index = 0
    for b in letters:
        index = index * 26 + b - 64
    return index - 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from the workbook and its relationships."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {i: t for i, t in _REL.findall(rels)} | {i: t for t, i in _REL_REV.findall(rels)}
    parts: dict[str, str] = {}
    for name, rid in _SHEET.findall(book):
        target = targets.get(rid)
        if target is None:
            continue
        path = target.decode().lstrip("/") if target.startswith(b"/") else posixpath.join("xl", target.decode())
        text = name.decode("utf-8", "replace")
        for entity, char in _ENTITIES.items():
            text = text.replace(entity, char)
        parts[text] = posixpath.normpath(path)
    return parts


def _broken_cells(xml: bytes) -> tuple[dict[tuple[int, int], CellError], int]:
    """(0-based (row, col) → error, formulas seen): cached errors and formulas with no cached value."""
    broken: dict[tuple[int, int], CellError] = {}
    formulas = 0
    if b"<f" not in xml and b't="e"' not in xml:
        return broken, 0  # the common case: plain values, no per-cell work
    for col, row, attrs, body in _CELL.findall(xml):
        body = body or b""
        is_formula = b"<f" in body
        formulas += is_formula
        where = (int(row) - 1, _column_index(col))
        cached = _CACHED.search(body)
        if b't="e"' in attrs:
            broken[where] = CellError(cached.group(1).decode("utf-8", "replace") if cached else "#ERROR")
        elif is_formula and (cached is None or not cached.group(1)) and b't="str"' not in attrs:
            broken[where] = CellError("")  # no cached value (an empty text result is t="str")
    return broken, formulas


def _merged(sheet: object) -> list[MergedRange]:
    try:
        ranges = sheet.merged_cell_ranges  # type: ignore[attr-defined]
    except Exception:  # not every format/version exposes merges; blank cells stay blank
        return []
    return [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (ranges or [])]


def read_excel(data: bytes, fmt: str) -> Document:
    from python_calamine import CalamineWorkbook

    parts: dict[str, str] = {}
    xls_errors: dict[str, dict[tuple[int, int], str]] = {}
    if fmt == "xls":
        from sources.formats.biff import BiffError, error_cells

        try:
            xls_errors = error_cells(data)
        except (BiffError, struct.error, IndexError, ValueError) as exc:  # calamine decides if it is readable
            log.warning("could not scan the .xls for error cells (%s): read as calamine shows it", exc)
    if fmt == "xlsx":
        from sources.formats.zipguard import check_zip

        check_zip(data)  # before calamine, which would inflate a bomb in memory
        with zipfile.ZipFile(io.BytesIO(data)) as index:
            parts = _sheet_parts(index)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for broken/protected files
        raise UnreadableFile(
            f"not a readable Excel workbook ({type(exc).__name__}: {exc}); "
            "re-save it from Excel as .xlsx without a password"
        ) from exc
    grids: list[Grid] = []
    hidden: list[str] = []
    formulas = uncached = broken_total = 0
    try:
        archive = zipfile.ZipFile(io.BytesIO(data)) if parts else None
        for meta in workbook.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):
                continue  # chart sheets etc. hold no table
            if not str(meta.visible).endswith(".Visible"):
                hidden.append(meta.name)  # last year's table, lookups: not what the sender sees
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            # The sheet's extent is known before its cells are: a stray cell at XFD1048576 (what Ctrl+End
            # leaves) would make to_python() allocate every cell up to it.
            if (too_big := limits.cells_reason(meta.name, sheet.height, sheet.width)) is not None:
                raise UnreadableFile(too_big)
            # skip_empty_area=False keeps row/column 0 at A1, so row numbers match what a person sees.
            rows: list[list[Cell]] = [
                [None if cell == "" else cell for cell in row]
                for row in sheet.to_python(skip_empty_area=False)
            ]
            for (r, c), code in xls_errors.get(meta.name, {}).items():
                rows.extend([] for _ in range(r + 1 - len(rows)))
                rows[r].extend([None] * (c + 1 - len(rows[r])))
                rows[r][c] = CellError(code)
                broken_total += 1
            if archive is not None and meta.name in parts:
                try:
                    xml = archive.read(parts[meta.name])
                except KeyError:
                    xml = b""
                broken, seen = _broken_cells(xml)
                formulas += seen
                broken_total += len(broken)
                uncached += sum(1 for e in broken.values() if not e.code)
                for (r, c), error in broken.items():
                    rows.extend([] for _ in range(r + 1 - len(rows)))
                    rows[r].extend([None] * (c + 1 - len(rows[r])))
                    rows[r][c] = error
            grids.append(Grid(meta.name, rows, _merged(sheet)))
    except Exception as exc:
        raise UnreadableFile(f"cannot read the workbook's sheets ({type(exc).__name__}: {exc})") from exc
    finally:
        workbook.close()
    if formulas and uncached == formulas:
        raise UnreadableFile(
            f"none of the workbook's {formulas} formulas has a calculated value (it was written by a program "
            "that does not calculate): open and save it in Excel, then send it again"
        )
    if not any(any(c is not None for c in row) for g in grids for row in g.rows):
        if hidden:
            raise UnreadableFile(
                f"the workbook's only tables are on hidden sheets ({', '.join(map(repr, hidden))}): "
                "unhide the sheet to send, or move the table to a visible sheet"
            )
        raise UnreadableFile("the workbook is empty")
    notes: dict[str, object] = {"hidden_sheets_skipped": hidden} if hidden else {}
    if broken_total:
        notes["broken_cells"] = broken_total
    return Document(fmt, None, grids, notes)
