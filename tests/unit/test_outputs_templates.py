"""Submission templates follow the contract: the intake reads a filled-in template with zero rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outputs.template_plan import TemplateError, plan_template
from outputs.templates import DATA_SHEET, FIRST_DATA_ROW, HEADER, HEADER_ROW, fill_template, write_template
from sources.reference import load_reference
from sources.submission import parse_submission


def _midrange_values(plan) -> dict[tuple[str, str], float]:
    """A plausible value per row: the middle of the indicator's valid range (rounded)."""
    out = {}
    for row in plan.rows:
        low, high = row.indicator.valid_min or 0.0, row.indicator.valid_max or 100.0
        out[(row.locality.code, row.indicator.code)] = round((low + high) / 2, 1)
    return out


@pytest.mark.parametrize(("reporter", "period", "kind"), [
    ("SXD", "2024", "department"),
    ("Sở Xây dựng", "6 tháng đầu năm 2025", "department"),
    ("568", "2024", "locality"),
    ("UBND huyện Diên Khánh", "2023", "locality"),
    ("CTK", "2022", "department"),
])
def test_filled_template_parses_with_zero_rejections(tmp_path: Path, reporter: str, period: str, kind: str) -> None:
    plan = plan_template(reporter, period)
    assert plan.reporter.kind == kind
    template = write_template(plan, tmp_path / "template.xlsx")
    filled = tmp_path / "filled.xlsx"
    written = fill_template(template, _midrange_values(plan), dt.date(2025, 2, 1), filled)
    assert written == len(plan.rows)

    submission = parse_submission(filled.read_bytes(), filled.name, today=dt.date(2026, 1, 1))
    assert submission.rejected == []
    assert submission.meta.reporter_code == plan.reporter.code
    assert submission.meta.periods == (plan.period,)
    assert len(submission.figures) == len(plan.rows)
    assert {(f.locality_code, f.indicator_code) for f in submission.figures} == {
        (r.locality.code, r.indicator.code) for r in plan.rows
    }
    assert submission.meta.submitted_at == dt.datetime(2025, 2, 1)


def test_department_rows_follow_remits_and_successors() -> None:
    # SGTVT's remit passed to SXD in 2025: SXD's 2025-H1 template carries the transport indicators.
    codes_2024 = {r.indicator.code for r in plan_template("SXD", "2024").rows}
    codes_2025 = {r.indicator.code for r in plan_template("SXD", "2025-H1").rows}
    assert "PUBLIC_TRANSPORT_RATE" not in codes_2024
    assert "PUBLIC_TRANSPORT_RATE" in codes_2025
    with pytest.raises(TemplateError, match="successor is SXD"):
        plan_template("SGTVT", "2025-H1")
    with pytest.raises(TemplateError, match="reporter"):
        plan_template("Ban Quản lý dự án XYZ", "2024")
    with pytest.raises(TemplateError, match="period"):
        plan_template("SXD", "2019")


def test_template_layout_validation_and_protection(tmp_path: Path) -> None:
    plan = plan_template("SXD", "2024")
    workbook = load_workbook(write_template(plan, tmp_path / "t.xlsx"))
    assert workbook.sheetnames[0] == DATA_SHEET
    ws = workbook[DATA_SHEET]
    assert [c.value for c in ws[HEADER_ROW]][: len(HEADER)] == HEADER
    assert ws["A2"].value == "Đơn vị báo cáo:" and ws["B2"].value == "Sở Xây dựng"
    assert ws["B3"].value == "Năm 2024"
    assert ws.protection.sheet
    # Title block and codes locked; value cells unlocked.
    assert ws["B2"].protection.locked
    assert ws.cell(row=FIRST_DATA_ROW, column=3).protection.locked
    assert not ws.cell(row=FIRST_DATA_ROW, column=6).protection.locked
    validations = ws.data_validations.dataValidation
    assert any(v.type == "list" for v in validations)
    indicators = load_reference().indicators
    first = plan.rows[0].indicator
    ranges = [v for v in validations if v.type == "decimal" and v.operator == "between"]
    assert any(f"F{FIRST_DATA_ROW}" in str(v.sqref) and float(v.formula2) == indicators[first.code].valid_max
               for v in ranges)
    assert "Hướng dẫn" in workbook.sheetnames
    assert workbook["Danh mục"].sheet_state == "hidden"
