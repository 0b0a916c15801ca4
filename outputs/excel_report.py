"""The progress report officials read: an Excel workbook formatted for printing.

Sheets: summary (province status per indicator), one per locality, open data-quality findings with
instructions, submissions per reporter (received / late / missing), locality vs department
reconciliation, and the sources of the targets (official or placeholder). Every sheet says when the
figures are synthetic; every placeholder target is labelled as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

from outputs import views
from outputs.excel_cells import (
    BORDER,
    NOTE_FONT,
    TITLE_FONT,
    WARNING_FONT,
    WRAP,
    header_row,
    plain,
    print_setup,
    put,
)
from outputs.formatting import EXCEL_FORMATS, excel_format_for
from outputs.labels import Lang, progress_colour, progress_label, text, white_text_on
from outputs.marts import PROVINCE_CODE, MartSet
from outputs.safe_text import is_formula_like

PLACEHOLDER_FONT = Font(italic=True, bold=True, color="B45F06")


@dataclass(frozen=True)
class Column:
    label: str  # label key
    key: str  # frame column
    width: float
    kind: str = "text"  # text | number | integer | date | progress | placeholder | severity | bool


def _title_block(ws: Worksheet, marts: MartSet, lang: Lang, heading: str, generated_at: dt.datetime) -> int:
    """Title, generation time, the synthetic warning and the placeholder note; returns the next free row."""
    put(ws, 1, 1, text("report_title", lang)).font = TITLE_FONT
    put(ws, 2, 1, heading).font = Font(bold=True, size=12)
    put(ws, 3, 1, f"{text('generated_at', lang)}: {generated_at:%d/%m/%Y %H:%M} · {text('report_subtitle', lang)}")
    row = 4
    if marts.is_synthetic:
        put(ws, row, 1, text("synthetic_warning", lang)).font = WARNING_FONT
        row += 1
    put(ws, row, 1, text("placeholder_note", lang)).font = NOTE_FONT
    return row + 2


def _missing_note(ws: Worksheet, row: int, lang: Lang, mart: str) -> int:
    put(ws, row, 1, text("not_available", lang, name=mart)).font = WARNING_FONT
    return row + 2


def _write_table(
    ws: Worksheet, row: int, frame: pd.DataFrame, columns: Sequence[Column], lang: Lang,
    unit_of: Callable[[Mapping[str, object]], str | None] | None = None,
) -> int:
    """Header + rows from ``frame``; returns the next free row. Adds an autofilter over the table."""
    header_row(ws, row, [text(c.label, lang) for c in columns], [c.width for c in columns])
    first = row + 1
    # Styling a cell costs openpyxl a deep hash of every style object; a table has a handful of distinct
    # styles per column, so each is built once and copied (tens of thousands of findings rows at scale).
    styles: dict[tuple, StyleArray] = {}
    for offset, record in enumerate(frame.to_dict("records")):
        r = first + offset
        unit = unit_of(record) if unit_of else None
        for col, spec in enumerate(columns, start=1):
            value = plain(record.get(spec.key))
            key = (col, spec.kind, unit if spec.kind == "number" else None,
                   value if spec.kind in _VALUE_STYLED else None, type(value), is_formula_like(value))
            cached = styles.get(key)
            if cached is not None:
                _put_styled(ws, r, col, _display(value, spec.kind, lang), cached)
                continue
            cell = _typed_cell(ws, r, col, value, spec.kind, unit, lang)
            cell.border = BORDER
            if spec.kind == "text":
                cell.alignment = WRAP
            styles[key] = copy(cell._style)
    last = first + max(len(frame), 1) - 1
    if frame.empty:
        put(ws, first, 1, text("no_data", lang)).font = NOTE_FONT
    ws.auto_filter.ref = f"A{row}:{ws.cell(row=last, column=len(columns)).coordinate}"
    return last + 2


def _put_styled(ws: Worksheet, row: int, col: int, value: object, style: StyleArray) -> None:
    """A cell styled like one written before (same kind, format and formula-likeness): the style is
    copied whole, as setting a format or border on each cell costs openpyxl a hash of every style."""
    cell = ws.cell(row=row, column=col)
    value = plain(value)
    if value is not None:
        cell.value = value
        if isinstance(value, str) and is_formula_like(value):
            cell.data_type = "s"  # the copied style carries the quote prefix: text, never a formula
    cell._style = copy(style)


_VALUE_STYLED = ("progress", "placeholder", "severity", "bool")  # kinds whose style depends on the value


def _is_placeholder(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _display(value: object, kind: str, lang: Lang) -> object:
    """What a cell of this kind shows: labels for codes and flags, the value itself otherwise."""
    if kind == "progress":
        return progress_label(value, lang) if isinstance(value, str) else None
    if kind == "placeholder":
        return text("placeholder" if _is_placeholder(value) else "official", lang)
    if kind == "severity":
        return text(value, lang) if value in ("error", "warning") else value
    if kind == "bool":
        return None if value is None or pd.isna(value) else text("yes" if value else "no", lang)
    return value


def _typed_cell(ws: Worksheet, row: int, col: int, value: object, kind: str, unit: str | None, lang: Lang):
    cell = put(ws, row, col, _display(value, kind, lang), _NUMBER_FORMATS.get(kind) or (
        excel_format_for(unit) if kind == "number" else None))
    if kind == "progress" and isinstance(value, str):
        cell.fill = PatternFill("solid", fgColor=progress_colour(value))
        cell.font = Font(bold=True, color="FFFFFF" if white_text_on(value) else "000000")
    elif kind == "placeholder" and _is_placeholder(value):
        cell.font = PLACEHOLDER_FONT
    elif kind == "severity" and value in ("error", "warning"):
        cell.font = Font(bold=True, color="C00000" if value == "error" else "7F6000")
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
]


def _unit(record: Mapping[str, object]) -> str | None:
    unit = record.get("unit")
    return unit if isinstance(unit, str) else None


def _status_sheet(ws, marts: MartSet, lang: Lang, code: str, heading: str, generated_at: dt.datetime) -> None:
    row = _title_block(ws, marts, lang, heading, generated_at)
    status = views.status_table(marts, code, lang)
    if status is None:
        _missing_note(ws, row, lang, "fct_target_gaps")
        return
    header = row
    row = _write_table(ws, row, status, STATUS_SPEC, lang, _unit)
    put(ws, row, 1, text("method_note", lang)).font = NOTE_FONT
    print_setup(ws, header, text("page_footer", lang))
    matrix = views.value_matrix(marts, code, lang)
    if matrix is None or matrix.empty:
        return
    row += 2
    put(ws, row, 1, text("values_by_period", lang)).font = Font(bold=True)
    row += 1
    periods = [c for c in matrix.columns if c not in ("indicator_code", "indicator", "unit")]
    columns = [Column("indicator", "indicator", 42), Column("unit", "unit", 12)]
    header_row(ws, row, [text("indicator", lang), text("unit", lang), *periods])
    styles: dict[tuple, StyleArray] = {}
    for offset, record in enumerate(matrix.to_dict("records"), start=1):
        cells = [(record[spec.key], None) for spec in columns]
        cells += [(record[period], excel_format_for(_unit(record))) for period in periods]
        for col, (value, number_format) in enumerate(cells, start=1):
            value = plain(value)
            key = (number_format, type(value), is_formula_like(value))
            if key in styles:
                _put_styled(ws, row + offset, col, value, styles[key])
                continue
            cell = put(ws, row + offset, col, value, number_format)
            cell.border = BORDER
            styles[key] = copy(cell._style)


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


def _rows_shown(ws: Worksheet, row: int, total: int, lang: Lang, mart: str) -> int:
    if total <= EXCEL_ROWS_MAX:
        return row
    put(ws, row, 1, text("rows_shown", lang, shown=EXCEL_ROWS_MAX, total=total, mart=mart)).font = WARNING_FONT
    return row + 2


def _findings_sheet(ws, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
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


def _submissions_sheet(ws, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
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


def _reconciliation_sheet(ws, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
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
    _write_table(ws, row, frame, RECONCILIATION_SPEC, lang, _unit)


SOURCES_SPEC = [
    Column("target_status", "is_placeholder", 15, "placeholder"),
    Column("programme", "programme_code", 18),
    Column("indicator_code", "indicator_code", 24),
    Column("locality", "locality", 14),
    Column("target", "target_value", 11, "number"),
    Column("target_year", "target_year", 9, "integer"),
    Column("target_source", "target_source", 70),
]


def _sources_sheet(ws, marts: MartSet, lang: Lang, generated_at: dt.datetime) -> None:
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


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: ≤ 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:28]} {n}", n + 1
    used.add(candidate)
    return candidate


def write_excel_report(marts: MartSet, path: Path, lang: Lang = "vi", generated_at: dt.datetime | None = None) -> Path:
    generated_at = generated_at or dt.datetime.now()
    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    summary.title = _sheet_title(text("sheet_summary", lang), used)
    province = views.locality_name(marts, PROVINCE_CODE, lang) or PROVINCE_CODE
    _status_sheet(summary, marts, lang, PROVINCE_CODE, f"{text('province_status', lang)} — {province}",
                  generated_at)
    total = len(views.localities(marts, lang))
    if total > views.REPORT_LOCALITIES_MAX:
        put(summary, summary.max_row + 2, 1, text("localities_capped", lang, shown=views.REPORT_LOCALITIES_MAX,
                                                   total=total)).font = WARNING_FONT
    for code, name in views.report_localities(marts, lang):
        if code == PROVINCE_CODE:
            continue
        ws = workbook.create_sheet(_sheet_title(name, used))
        _status_sheet(ws, marts, lang, code, f"{text('locality_status', lang)} — {name} ({code})", generated_at)
    _findings_sheet(workbook.create_sheet(_sheet_title(text("sheet_findings", lang), used)), marts, lang, generated_at)
    _submissions_sheet(
        workbook.create_sheet(_sheet_title(text("sheet_submissions", lang), used)), marts, lang, generated_at
    )
    _reconciliation_sheet(
        workbook.create_sheet(_sheet_title(text("sheet_reconciliation", lang), used)), marts, lang, generated_at
    )
    _sources_sheet(workbook.create_sheet(_sheet_title(text("sheet_sources", lang), used)), marts, lang, generated_at)
    workbook.properties.title = text("report_title", lang)
    workbook.properties.creator = "dothi"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    workbook.save(tmp)
    tmp.replace(path)  # readers never see a half-written workbook
    return path
