"""The reports officials read: Excel workbooks formatted for printing, one per map.

``write_excel_report`` — Resolution 06's final-review report (``progress_report.*.xlsx``), on the map before
01/07/2025 (old Khánh Hòa and its nine districts, ``fct_indicator_values_nq06_map``): summary (province
status per indicator), the final review of 2025 (``fct_programme_review``), the progress classes per
district (the map's table), one sheet per district, open data-quality findings with instructions,
submissions per reporter, locality vs department reconciliation, and the sources of the targets.

``write_current_report`` — the current report (``current_report.*.xlsx``) on the 65 units and the merged
province (``fct_indicator_values_current_map`` from 2025-H2): summary with the comparison on the
comparable territory, status per unit, figures per unit and period, the progress classes per unit,
findings, submissions, sources (every target a placeholder, said at the top of every sheet).

Every sheet says when the figures are synthetic; every placeholder target is labelled as such; every figure
rolled up from the new units carries a visible mark (†, in the cell's number format, so it stays a
number), an incomplete roll-up its completeness (⚠), a placeholder share (§) and a series break ((b)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from outputs import views
from outputs.excel_cells import (
    BORDER,
    NOTE_FONT,
    TITLE_FONT,
    WARNING_FONT,
    WRAP,
    fill_cell,
    header_row,
    plain,
    print_setup,
    put,
)
from outputs.excel_sheet import StreamedSheet
from outputs.formatting import EXCEL_FORMATS, excel_format_for
from outputs.labels import Lang, progress_colour, progress_label, text, white_text_on
from outputs.marts import CURRENT_MAP, NQ06_MAP, PROVINCE_CODE, MartSet, on_map
from outputs.safe_text import is_formula_like

PLACEHOLDER_FONT = Font(italic=True, bold=True, color="B45F06")
ROLLED_UP_FILL = PatternFill("solid", fgColor="DDEBF7")  # a figure rolled up from the new units
INCOMPLETE_FILL = PatternFill("solid", fgColor="FCE4D6")  # … with pieces missing
REVISION_FILL = PatternFill("solid", fgColor="FFC7CE")  # an approved figure with a revision waiting
REVIEW_COLOURS = {"met": "1B7837", "not_met": "D73027", "incomplete": "FEE08B", "no_data": "BDBDBD",
                  "in_progress": "DDEBF7"}


@dataclass(frozen=True)
class Column:
    label: str  # label key
    key: str  # frame column
    width: float
    kind: str = "text"  # text | number | integer | date | progress | placeholder | severity | bool | approval


def _is_current(marts: MartSet) -> bool:
    return marts.report_map is not None and marts.report_map.code == CURRENT_MAP.code


def _title_block(ws: StreamedSheet, marts: MartSet, lang: Lang, heading: str, generated_at: dt.datetime) -> int:
    """Title, generation time, the synthetic warning, the placeholder note and the marks of the figures;
    returns the next free row."""
    current = _is_current(marts)
    put(ws, 1, 1, text("current_report_title" if current else "report_title", lang)).font = TITLE_FONT
    put(ws, 2, 1, heading).font = Font(bold=True, size=12)
    subtitle = text("current_subtitle" if current else "report_subtitle", lang)
    put(ws, 3, 1, f"{text('generated_at', lang)}: {generated_at:%d/%m/%Y %H:%M} · {subtitle}")
    row = 4
    if marts.is_synthetic:
        put(ws, row, 1, text("synthetic_warning", lang)).font = WARNING_FONT
        row += 1
    if current:
        put(ws, row, 1, text("all_placeholder_banner", lang)).font = Font(bold=True, color="B45F06", size=12)
        row += 1
    else:
        put(ws, row, 1, text("placeholder_note", lang)).font = NOTE_FONT
        row += 1
    if marts.report_map is not None:
        put(ws, row, 1, text("figure_marks_legend", lang)).font = NOTE_FONT
        row += 1
    return row + 1


def _missing_note(ws: StreamedSheet, row: int, lang: Lang, mart: str) -> int:
    put(ws, row, 1, text("not_available", lang, name=mart)).font = WARNING_FONT
    return row + 2


def _column(frame: pd.DataFrame, key: str) -> list:
    """A frame's column as Python values (None for a column it lacks): one conversion per column, not a
    dict per row."""
    return frame[key].tolist() if key in frame.columns else [None] * len(frame)


def _styled_cell(ws: StreamedSheet, row: int, col: int, value: object, style: StyleArray) -> Cell:
    """A cell styled like one made before (same kind, format and formula-likeness): the style is copied
    whole, as setting a format or border on each cell costs openpyxl a hash of every style."""
    cell = ws.new_cell(row, col)
    value = plain(value)
    if value is not None:
        cell.value = value
        if isinstance(value, str) and is_formula_like(value):
            cell.data_type = "s"  # the copied style carries the quote prefix: text, never a formula
    cell._style = StyleArray(style)
    return cell


def _style_key_value(value: object, kind: str) -> object:
    """What of a value its cell's style depends on: an approval's text only by the revision mark."""
    if kind == "approval":
        return isinstance(value, str) and views.MARK_REVISION in value
    return value if kind in _VALUE_STYLED else None


def _write_table(
    ws: StreamedSheet, row: int, frame: pd.DataFrame, columns: Sequence[Column], lang: Lang,
    by_unit: bool = False, labels: Sequence[str] | None = None,
) -> int:
    """Header (``labels`` or the columns' labels) + rows from ``frame``, streamed row by row; returns the
    next free row. Adds an autofilter over the table. ``by_unit``: numbers formatted by the row's unit."""
    header_row(ws, row, list(labels) if labels is not None else [text(c.label, lang) for c in columns],
               [c.width for c in columns])
    first = row + 1
    values = [_column(frame, spec.key) for spec in columns]
    units = [u if isinstance(u, str) else None for u in _column(frame, "unit")] if by_unit else None
    # A table has a handful of distinct styles per column: each is built once and copied (tens of thousands
    # of findings rows at scale).
    styles: dict[tuple, StyleArray] = {}
    for offset, record in enumerate(zip(*values, strict=True)):
        r = first + offset
        unit = units[offset] if units is not None else None
        line: list[Cell | None] = []
        for col, (spec, raw) in enumerate(zip(columns, record, strict=True), start=1):
            value = plain(raw)
            key = (col, spec.kind, unit if spec.kind == "number" else None, _style_key_value(value, spec.kind),
                   type(value), is_formula_like(value))
            cached = styles.get(key)
            if cached is not None:
                line.append(_styled_cell(ws, r, col, _display(value, spec.kind, lang), cached))
                continue
            cell = _typed_cell(ws.new_cell(r, col), value, spec.kind, unit, lang)
            cell.border = BORDER
            if spec.kind == "text":
                cell.alignment = WRAP
            styles[key] = StyleArray(cell._style)
            line.append(cell)
        ws.stream_row(r, line)
    last = first + max(len(frame), 1) - 1
    if frame.empty:
        put(ws, first, 1, text("no_data", lang)).font = NOTE_FONT
    ws.auto_filter.ref = f"A{row}:{get_column_letter(len(columns))}{last}"
    return last + 2


# kinds whose style depends on the value
_VALUE_STYLED = ("progress", "placeholder", "severity", "bool", "review", "approval")


def _is_placeholder(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _display(value: object, kind: str, lang: Lang) -> object:
    """What a cell of this kind shows: labels for codes and flags, the value itself otherwise."""
    if kind == "progress":
        return progress_label(value, lang) if isinstance(value, str) else None
    if kind == "placeholder":
        return text("placeholder" if _is_placeholder(value) else "official", lang)
    if kind == "severity":
        return text(value, lang) if isinstance(value, str) and value in ("error", "warning") else value
    if kind == "bool":
        return None if value is None or pd.isna(value) else text("yes" if value else "no", lang)
    if kind == "review":
        return text(value, lang) if isinstance(value, str) and value in REVIEW_COLOURS else value
    return value


def _typed_cell(cell: Cell, value: object, kind: str, unit: str | None, lang: Lang) -> Cell:
    fill_cell(cell, _display(value, kind, lang), _NUMBER_FORMATS.get(kind) or (
        excel_format_for(unit) if kind == "number" else None))
    if kind == "progress" and isinstance(value, str):
        cell.fill = PatternFill("solid", fgColor=progress_colour(value))
        cell.font = Font(bold=True, color="FFFFFF" if white_text_on(value) else "000000")
    elif kind == "placeholder" and _is_placeholder(value):
        cell.font = PLACEHOLDER_FONT
    elif kind == "severity" and value in ("error", "warning"):
        cell.font = Font(bold=True, color="C00000" if value == "error" else "7F6000")
    elif kind == "approval" and isinstance(value, str):
        cell.alignment = WRAP
        if views.MARK_REVISION in value:  # the approved figure stands; a revision waits: make it seen
            cell.fill, cell.font = REVISION_FILL, Font(bold=True, color="9C0006")
    elif kind == "review" and isinstance(value, str) and value in REVIEW_COLOURS:
        cell.fill = PatternFill("solid", fgColor=REVIEW_COLOURS[value])
        cell.font = Font(bold=True, color="FFFFFF" if value in ("met", "not_met") else "000000")
    return cell


_NUMBER_FORMATS = {
    "integer": EXCEL_FORMATS["integer"],
    "pct": EXCEL_FORMATS["percent_points"],
    "date": EXCEL_FORMATS["date"],
}


STATUS_SPEC = [
    Column("indicator", "indicator", 42),
    Column("unit", "unit", 12),
    Column("period", "period", 9),
    Column("actual", "actual", 12, "number"),
    Column("target", "target_value", 11, "number"),
    Column("target_year", "target_year", 9, "integer"),
    Column("gap", "gap", 11, "number"),
    Column("achievement_pct", "achievement_pct", 10, "pct"),
    Column("required_yearly_change", "required_yearly_change", 12, "number"),
    Column("progress_class", "progress_class", 20, "progress"),
    Column("target_status", "is_placeholder", 15, "placeholder"),
    Column("figure_marks", "figure_marks", 7),
    Column("completeness_pct", "completeness_pct", 11, "pct"),
    Column("figure_note", "figure_note", 40),
    Column("approval", "approval", 34, "approval"),
]


def _marked_format(base: str | None, marks: str) -> str | None:
    """The number format with the figure's marks as a literal suffix: the cell stays a number, the mark
    is printed beside it."""
    if not marks or base is None:
        return base
    return base + '" ' + marks.replace('"', "") + '"'


def _status_sheet(
    ws: StreamedSheet, marts: MartSet, lang: Lang, code: str, heading: str, generated_at: dt.datetime
) -> None:
    row = _title_block(ws, marts, lang, heading, generated_at)
    status = views.status_table(marts, code, lang)
    if status is None:
        _missing_note(ws, row, lang, "fct_target_gaps")
        return
    print_setup(ws, row, text("page_footer", lang))  # panes and page first: a streamed sheet writes them first
    row = _write_table(ws, row, status, STATUS_SPEC, lang, by_unit=True)
    put(ws, row, 1, text("method_note", lang)).font = NOTE_FONT
    matrix = views.value_matrix(marts, code, lang)
    if matrix is None or matrix.empty:
        return
    row += 2
    put(ws, row, 1, text("values_by_period", lang)).font = Font(bold=True)
    row += 1
    periods = [c for c in matrix.columns if c not in ("indicator_code", "indicator", "unit")]
    header_row(ws, row, [text("indicator", lang), text("unit", lang), *periods])
    styles: dict[tuple, StyleArray] = {}
    flagged = 0
    codes, names, units = (_column(matrix, key) for key in ("indicator_code", "indicator", "unit"))
    by_period = [_column(matrix, period) for period in periods]
    for offset, indicator_code in enumerate(codes, start=1):
        unit = units[offset - 1]
        number_format = excel_format_for(unit if isinstance(unit, str) else None)
        cells: list[tuple[object, str | None, views.FigureFlags]] = [
            (names[offset - 1], None, views.NO_FLAGS), (unit, None, views.NO_FLAGS),
            *((column[offset - 1], number_format, views.flags_of(marts, code, str(indicator_code), period))
              for period, column in zip(periods, by_period, strict=True)),
        ]
        r = row + offset
        line: list[Cell | None] = []
        for col, (value, base_format, flags) in enumerate(cells, start=1):
            value = plain(value)
            marks = views.figure_marks(flags) if value is not None else ""
            cell_format = _marked_format(base_format, marks)
            key = (cell_format, type(value), is_formula_like(value), flags.rolled_up, flags.complete)
            if key in styles and not marks:
                line.append(_styled_cell(ws, r, col, value, styles[key]))
                continue
            cell = fill_cell(ws.new_cell(r, col), value, cell_format)
            cell.border = BORDER
            if marks:
                flagged += 1
                cell.fill = ROLLED_UP_FILL if flags.complete else INCOMPLETE_FILL
                cell.comment = Comment(views.figure_note(flags, lang), "dothi")
            styles[key] = StyleArray(cell._style)
            line.append(cell)
        ws.stream_row(r, line)
    if flagged:
        put(ws, row + len(matrix) + 2, 1, text("figure_marks_legend", lang)).font = NOTE_FONT


FINDINGS_SPEC = [
    Column("severity", "severity", 10, "severity"),
    Column("rule", "title", 28),
    Column("reporter", "reporter_code", 11),
    Column("locality", "locality", 14),
    Column("indicator_code", "indicator_code", 22),
    Column("period", "period", 9),
    Column("message", "message", 50),
    Column("instruction", "instruction", 50),
    Column("file", "file_name", 30),
    Column("row", "row_number", 7, "integer"),
]


# Rows per list sheet: a reader filters a few thousand rows, not millions (an Excel sheet holds 1,048,576
# at most); beyond it the sheet says how many there are and where all of them are.
EXCEL_ROWS_MAX = 20_000


def _rows_shown(ws: StreamedSheet, row: int, total: int, lang: Lang, mart: str) -> int:
    if total <= EXCEL_ROWS_MAX:
        return row
    put(ws, row, 1, text("rows_shown", lang, shown=EXCEL_ROWS_MAX, total=total, mart=mart)).font = WARNING_FONT
    return row + 2


def _findings_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("findings_title", lang), generated_at)
    findings = views.open_findings(marts)
    if findings is None:
        _missing_note(ws, row, lang, "fct_dq_issues")
        return
    row = _rows_shown(ws, row, views.open_finding_total(marts), lang, "fct_dq_issues")
    findings = findings.head(EXCEL_ROWS_MAX)
    suffix = "vi" if lang == "vi" else "en"
    findings = findings.assign(
        title=findings.get(f"title_{suffix}"),
        message=findings.get(f"message_{suffix}"),
        instruction=findings.get(f"instruction_{suffix}"),
        locality=[views.locality_name(marts, c, lang) if isinstance(c, str) else None
                  for c in findings["locality_code"]],
    )
    if findings.empty:
        put(ws, row, 1, text("no_findings", lang)).font = NOTE_FONT
        return
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, findings, FINDINGS_SPEC, lang)


SUBMISSIONS_SPEC = [
    Column("reporter", "reporter", 36),
    Column("files_received", "files_received", 10, "integer"),
    Column("accepted", "accepted", 10, "integer"),
    Column("accepted_with_rejections", "accepted_with_rejections", 13, "integer"),
    Column("quarantined", "quarantined", 10, "integer"),
    Column("superseded", "superseded", 10, "integer"),
    Column("rows_rejected", "rows_rejected", 10, "integer"),
    Column("last_submitted", "last_submitted", 14, "date"),
    Column("late", "late", 16),
    Column("missing", "missing", 16),
]


def _submissions_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("submissions_title", lang), generated_at)
    frame = views.submissions_by_reporter(marts, lang)
    if frame is None:
        _missing_note(ws, row, lang, "fct_submissions")
        return
    if "fct_reporting_completeness" in marts.missing:
        put(ws, row, 1, text("not_available", lang, name="fct_reporting_completeness")).font = NOTE_FONT
        row += 2
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame, SUBMISSIONS_SPEC, lang)


RECONCILIATION_SPEC = [
    Column("locality", "locality", 14),
    Column("indicator_code", "indicator_code", 24),
    Column("period", "period", 9),
    Column("unit", "unit", 10),
    Column("locality_value", "locality_value", 12, "number"),
    Column("department_value", "department_value", 12, "number"),
    Column("reporter", "department_code", 11),
    Column("difference_pct", "difference_pct", 11, "pct"),
    Column("tolerance_pct", "tolerance_pct", 10, "pct"),
]


def _reconciliation_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("reconciliation_title", lang), generated_at)
    frame = views.reconciliation(marts)
    if frame is None:
        _missing_note(ws, row, lang, "fct_indicator_values")
        return
    # The pairs that differ at all, largest first: agreeing pairs add nothing for a reader.
    differing = views.reconciliation_counts(marts, frame)["differing"]
    frame = frame[frame["difference_pct"] > 0]
    row = _rows_shown(ws, row, differing, lang, "fct_reconciliation")
    frame = frame.head(EXCEL_ROWS_MAX).assign(
        locality=lambda f: [views.locality_name(marts, c, lang) for c in f["locality_code"]]
    )
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame, RECONCILIATION_SPEC, lang, by_unit=True)


SOURCES_SPEC = [
    Column("target_status", "is_placeholder", 15, "placeholder"),
    Column("programme", "programme_code", 18),
    Column("indicator_code", "indicator_code", 24),
    Column("locality", "locality", 14),
    Column("target", "target_value", 11, "number"),
    Column("target_year", "target_year", 9, "integer"),
    Column("target_source", "target_source", 70),
]


def _sources_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("sources_title", lang), generated_at)
    for name in marts.missing:
        put(ws, row, 1, text("not_available", lang, name=name)).font = NOTE_FONT
        row += 1
    frame = views.target_sources(marts)
    if frame is None:
        _missing_note(ws, row + 1, lang, "fct_target_gaps")
        return
    row = _rows_shown(ws, row + 1, len(frame), lang, "fct_target_gaps")
    frame = frame.head(EXCEL_ROWS_MAX)
    frame = frame.assign(locality=[views.locality_name(marts, c, lang) for c in frame["locality_code"]])
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame, SOURCES_SPEC, lang)


REVIEW_SPEC = [
    Column("locality", "locality", 16),
    Column("indicator", "indicator", 40),
    Column("unit", "unit", 11),
    Column("target", "target_value", 11, "number"),
    Column("target_year", "target_year", 9, "integer"),
    Column("target_status", "is_placeholder", 15, "placeholder"),
    Column("review_period", "review_period", 9),
    Column("actual", "actual", 12, "number"),
    Column("figure_marks", "figure_marks", 7),
    Column("review_status", "review_status", 16, "review"),
    Column("completeness_pct", "completeness_pct", 11, "pct"),
    Column("figure_note", "figure_note", 40),
    Column("approval", "approval", 34, "approval"),
]


def _review_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    """Resolution 06's final review: per unit (province first) and indicator, the target, the 2025 actual
    as the offices reported it, met / not met / incomplete / no data."""
    row = _title_block(ws, marts, lang, text("review_title", lang), generated_at)
    frame = views.programme_review(marts, lang)
    if frame is None:
        _missing_note(ws, row, lang, "fct_programme_review")
        return
    put(ws, row, 1, text("review_note", lang)).font = NOTE_FONT
    put(ws, row + 1, 1, text("review_counts", lang, **views.review_counts(frame))).font = Font(bold=True)
    row += 3
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame, REVIEW_SPEC, lang, by_unit=True)


def _map_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    """The map's classes as a table: one row per unit, one column per indicator drawn on the map."""
    row = _title_block(ws, marts, lang, text("map_title", lang), generated_at)
    frame = views.map_class_table(marts, lang)
    if frame is None:
        _missing_note(ws, row, lang, "fct_target_gaps")
        return
    put(ws, row, 1, text("map_table_note", lang)).font = NOTE_FONT
    row += 2
    names = views.indicator_names(marts, lang)
    columns = [Column("locality_code", "locality_code", 9), Column("locality", "locality", 24)]
    spec = [*columns, *(Column("progress_class", code, 18, "progress") for code in frame.columns[2:])]
    print_setup(ws, row, text("page_footer", lang))
    labels = [text(c.label, lang) for c in columns] + [names.get(code, code) for code in frame.columns[2:]]
    _write_table(ws, row, frame, spec, lang, labels=labels)  # indicator names as the headers


COMPARISON_SPEC = [
    Column("indicator", "indicator", 40),
    Column("unit", "unit", 11),
    Column("period", "period", 9),
    Column("merged_province", "merged", 14, "number"),
    Column("old_area", "old_area", 14, "number"),
    Column("figure_marks", "old_area_marks", 7),
    Column("figure_note", "old_area_note", 40),
]

UNITS_SPEC = [Column("locality_code", "locality_code", 9), Column("locality", "locality", 22),
              *STATUS_SPEC]

VALUES_SPEC = [
    Column("locality_code", "locality_code", 9),
    Column("locality", "locality", 22),
    Column("indicator", "indicator", 40),
    Column("unit", "unit", 11),
    Column("period", "period", 9),
    Column("value", "value", 12, "number"),
    Column("figure_marks", "figure_marks", 7),
    Column("completeness_pct", "completeness_pct", 11, "pct"),
    Column("figure_note", "figure_note", 40),
    Column("approval", "approval", 34, "approval"),
]


def _current_summary_sheet(
    ws: StreamedSheet, marts: MartSet, comparable: MartSet, lang: Lang, generated_at: dt.datetime
) -> None:
    province = views.locality_name(marts, PROVINCE_CODE, lang) or PROVINCE_CODE
    _status_sheet(ws, marts, lang, PROVINCE_CODE, f"{text('merged_status', lang)} — {province}", generated_at)
    frame = views.comparable_territory(marts, comparable, lang)
    row = ws.max_row + 3
    put(ws, row, 1, text("comparison_title", lang)).font = Font(bold=True, size=12)
    put(ws, row + 1, 1, text("comparison_note", lang)).font = NOTE_FONT
    row += 3
    if frame is None:
        _missing_note(ws, row, lang, CURRENT_MAP.values_mart)
        return
    header_row(ws, row, [text(c.label, lang) for c in COMPARISON_SPEC])
    columns = [_column(frame, spec.key) for spec in COMPARISON_SPEC]
    units, old_marks = _column(frame, "unit"), _column(frame, "old_area_marks")
    styles: dict[tuple, StyleArray] = {}
    for offset, record in enumerate(zip(*columns, strict=True), start=1):
        unit = units[offset - 1]
        line: list[Cell | None] = []
        for col, (spec, raw) in enumerate(zip(COMPARISON_SPEC, record, strict=True), start=1):
            value = plain(raw)
            number_format = excel_format_for(unit if isinstance(unit, str) else None) \
                if spec.kind == "number" else None
            if spec.key == "old_area":
                number_format = _marked_format(number_format, str(old_marks[offset - 1] or ""))
            key = (number_format, type(value), is_formula_like(value))
            if key in styles:
                line.append(_styled_cell(ws, row + offset, col, value, styles[key]))
                continue
            cell = fill_cell(ws.new_cell(row + offset, col), value, number_format)
            cell.border = BORDER
            styles[key] = StyleArray(cell._style)
            line.append(cell)
        ws.stream_row(row + offset, line)
    if frame.empty:
        put(ws, row + 1, 1, text("no_data", lang)).font = NOTE_FONT


def _units_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("units_title", lang), generated_at)
    frames = []
    for code, name in views.report_localities(marts, lang):
        if code == PROVINCE_CODE:
            continue
        status = views.status_table(marts, code, lang)
        if status is None:
            _missing_note(ws, row, lang, "fct_target_gaps")
            return
        frames.append(status.assign(locality_code=code, locality=name))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[c.key for c in UNITS_SPEC])
    row = _rows_shown(ws, row, len(frame), lang, "fct_target_gaps")
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame.head(EXCEL_ROWS_MAX), UNITS_SPEC, lang, by_unit=True)


def _values_sheet(ws: StreamedSheet, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, text("values_title", lang), generated_at)
    frame = views.unit_values(marts, lang)
    if frame is None:
        _missing_note(ws, row, lang, CURRENT_MAP.values_mart)
        return
    row = _rows_shown(ws, row, len(frame), lang, CURRENT_MAP.values_mart)
    print_setup(ws, row, text("page_footer", lang))
    _write_table(ws, row, frame.head(EXCEL_ROWS_MAX), VALUES_SPEC, lang, by_unit=True)


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: ≤ 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:28]} {n}", n + 1
    used.add(candidate)
    return candidate


class _Book:
    """A write-only workbook: sheets written one after the other, each streamed to disk as it is written."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.used: set[str] = set()
        self.last: StreamedSheet | None = None

    def sheet(self, name: str) -> StreamedSheet:
        if self.last is not None:
            self.last.close()  # the sheet before is done: its last rows go to disk
        self.last = StreamedSheet(self.workbook, _sheet_title(name, self.used))
        return self.last

    def save(self, path: Path, title: str) -> Path:
        if self.last is not None:
            self.last.close()
        self.workbook.properties.title = title
        self.workbook.properties.creator = "dothi"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        self.workbook.save(tmp)
        tmp.replace(path)  # readers never see a half-written workbook
        return path


def _capped_note(ws: StreamedSheet, marts: MartSet, lang: Lang) -> None:
    total = len(views.localities(marts, lang))
    if total > views.REPORT_LOCALITIES_MAX:
        put(ws, ws.max_row + 2, 1, text("localities_capped", lang, shown=views.REPORT_LOCALITIES_MAX,
                                        total=total)).font = WARNING_FONT


def write_excel_report(marts: MartSet, path: Path, lang: Lang = "vi", generated_at: dt.datetime | None = None) -> Path:
    """Resolution 06's final-review report, on its own map (nine districts and old Khánh Hòa)."""
    generated_at = generated_at or dt.datetime.now()
    marts = marts if marts.report_map is not None else on_map(marts, NQ06_MAP)
    book = _Book()
    summary = book.sheet(text("sheet_summary", lang))
    province = views.locality_name(marts, PROVINCE_CODE, lang) or PROVINCE_CODE
    _status_sheet(summary, marts, lang, PROVINCE_CODE, f"{text('province_status', lang)} — {province}",
                  generated_at)
    put(summary, summary.max_row + 2, 1, text("other_report_note", lang)).font = NOTE_FONT
    _capped_note(summary, marts, lang)
    _review_sheet(book.sheet(text("sheet_review", lang)), marts, lang, generated_at)
    _map_sheet(book.sheet(text("sheet_map", lang)), marts, lang, generated_at)
    for code, name in views.report_localities(marts, lang):
        if code == PROVINCE_CODE:
            continue
        _status_sheet(book.sheet(name), marts, lang, code, f"{text('locality_status', lang)} — {name} ({code})",
                      generated_at)
    _findings_sheet(book.sheet(text("sheet_findings", lang)), marts, lang, generated_at)
    _submissions_sheet(book.sheet(text("sheet_submissions", lang)), marts, lang, generated_at)
    _reconciliation_sheet(book.sheet(text("sheet_reconciliation", lang)), marts, lang, generated_at)
    _sources_sheet(book.sheet(text("sheet_sources", lang)), marts, lang, generated_at)
    return book.save(path, text("report_title", lang))


def write_current_report(marts: MartSet, path: Path, lang: Lang = "vi",
                         generated_at: dt.datetime | None = None) -> Path:
    """The current report: the merged province and its 65 units (figures from 2025-H2, placeholder targets)."""
    generated_at = generated_at or dt.datetime.now()
    current, comparable = on_map(marts, CURRENT_MAP), on_map(marts, NQ06_MAP)
    book = _Book()
    summary = book.sheet(text("sheet_summary", lang))
    _current_summary_sheet(summary, current, comparable, lang, generated_at)
    put(summary, summary.max_row + 2, 1, text("nq06_report_note", lang)).font = NOTE_FONT
    _capped_note(summary, current, lang)
    _units_sheet(book.sheet(text("sheet_units", lang)), current, lang, generated_at)
    _map_sheet(book.sheet(text("sheet_map", lang)), current, lang, generated_at)
    _values_sheet(book.sheet(text("sheet_values", lang)), current, lang, generated_at)
    _findings_sheet(book.sheet(text("sheet_findings", lang)), current, lang, generated_at)
    _submissions_sheet(book.sheet(text("sheet_submissions", lang)), current, lang, generated_at)
    _sources_sheet(book.sheet(text("sheet_sources", lang)), current, lang, generated_at)
    return book.save(path, text("current_report_title", lang))
