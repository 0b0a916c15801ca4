"""The Excel report written in one streaming pass (openpyxl write-only): the sheets, their headers, panes,
widths and filters, and the styles that flag a state survive; a streamed sheet refuses a cell or a sheet
property asked for after its rows were written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from outputs import views
from outputs.excel_report import STATUS_SPEC, write_excel_report
from outputs.excel_sheet import SheetLayoutError, StreamedSheet
from outputs.labels import progress_colour, text
from outputs.marts import MartSet
from tests.unit.test_outputs_report import marts  # noqa: F401 (the hand-made marts, a fixture)


@pytest.fixture
def approved(marts: MartSet) -> MartSet:  # noqa: F811
    """The province's figure approved, with a revision waiting (⚑)."""
    gaps = marts.frames["fct_target_gaps"]
    marts.frames["fct_target_gaps"] = gaps.assign(
        approval_status=["approved", None], approved_by=["Sở Xây dựng", None],
        approved_at=pd.to_datetime(["2025-03-01", None]), has_revision_after_approval=[True, False],
        revision_value=[63.5, None],
    )
    return marts


def test_sheets_headers_panes_and_flagged_styles(tmp_path: Path, approved: MartSet) -> None:
    workbook = load_workbook(write_excel_report(approved, tmp_path / "r.xlsx", "en"))
    assert workbook.sheetnames == [
        text("sheet_summary", "en"), text("sheet_review", "en"), text("sheet_map", "en"), "Nha Trang City",
        text("sheet_findings", "en"), text("sheet_submissions", "en"), text("sheet_reconciliation", "en"),
        text("sheet_sources", "en"),
    ]
    ws = workbook[text("sheet_summary", "en")]
    header = next(c.row for c in ws["A"] if c.value == text("indicator", "en"))
    labels = [ws.cell(row=header, column=col).value for col in range(1, len(STATUS_SPEC) + 1)]
    assert labels == [text(c.label, "en") for c in STATUS_SPEC]
    first = ws.cell(row=header, column=1)
    assert first.font.b and first.font.color.rgb.endswith("FFFFFF") and first.fill.fgColor.rgb.endswith("1F4E79")
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.auto_filter.ref == f"A{header}:O{header + 1}"
    assert ws.column_dimensions["A"].width == 42 and ws.column_dimensions["O"].width == 34
    row = header + 1
    cells = {c.label: ws.cell(row=row, column=col) for col, c in enumerate(STATUS_SPEC, start=1)}
    assert cells["actual"].value == 62.0 and cells["actual"].number_format.startswith("[$-42A]")
    assert cells["actual"].border.left.style == "thin"
    progress = cells["progress_class"]
    assert progress.fill.fgColor.rgb.endswith(progress_colour("acceleration_needed")) and progress.font.b
    approval = cells["approval"]  # approved, a revision waiting: red and bold
    assert views.MARK_REVISION in approval.value and "63.5" in approval.value
    assert approval.fill.fgColor.rgb.endswith("FFC7CE")
    assert approval.font.b and approval.font.color.rgb.endswith("9C0006") and approval.alignment.wrap_text
    # the district's sheet: the same table, the placeholder target in its own font
    district = workbook["Nha Trang City"]
    placeholder = [c for r in district.iter_rows() for c in r if c.value == text("placeholder", "en")]
    assert placeholder and all(c.font.b and c.font.i for c in placeholder)


def test_a_streamed_sheet_refuses_what_comes_too_late(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = StreamedSheet(workbook, "s")
    sheet.cell(1, 1).value = "title"
    sheet.column_dimensions["A"].width = 10
    sheet.stream_row(3, [sheet.new_cell(3, 1)])
    assert sheet.max_row == 3
    with pytest.raises(SheetLayoutError):
        sheet.cell(2, 1)
    with pytest.raises(SheetLayoutError):
        _ = sheet.column_dimensions
    with pytest.raises(SheetLayoutError):
        sheet.freeze_panes = "A2"
    sheet.cell(5, 2).value = "note"
    with pytest.raises(SheetLayoutError):  # a streamed row over a held cell that shows something
        sheet.stream_row(5, [])
    sheet.close()
    workbook.save(tmp_path / "s.xlsx")
    written = load_workbook(tmp_path / "s.xlsx")["s"]
    assert [(c.coordinate, c.value) for r in written.iter_rows() for c in r if c.value] == [
        ("A1", "title"), ("B5", "note")]
