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
        out[(row.locality.key, row.indicator.code)] = round((low + high) / 2, 1)
    return out


@pytest.mark.parametrize(("reporter", "period", "kind"), [
    ("SXD", "2024", "department"),
    ("Sở Xây dựng", "6 tháng đầu năm 2025", "department"),
    ("568", "2024", "locality"),
    ("UBND huyện Diên Khánh", "2023", "locality"),
    ("CTK", "2022", "department"),
    # The new map (issue 11 §6): the units valid at the period's end.
    ("22651", "2026", "locality"),  # UBND Xã Diên Khánh
    ("UBND Xã Diên Khánh", "6 tháng đầu năm 2026", "locality"),
    ("22504", "2026-H1", "locality"),  # Xã Đại Lãnh: the name was 22492's before 2025-07-01
    ("SXD", "2026", "department"),
    ("CTK", "2025", "department"),  # the year 2025 ends on the new map
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
    assert {(f.locality_key, f.indicator_code) for f in submission.figures} == {
        (r.locality.key, r.indicator.code) for r in plan.rows
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


OLD_KHANH_HOA, MERGED = "56@2020-01-01", "56@2025-07-01"


def _units(plan) -> set[str]:
    return {r.locality.key for r in plan.rows}


def test_department_rows_are_the_province_units_valid_at_the_period_end() -> None:
    localities = load_reference().localities
    new_units = {u.key for u in localities.values() if u.parent_key == MERGED}
    districts = {u.key for u in localities.values() if u.parent_key == OLD_KHANH_HOA and u.level == "district"}
    assert len(new_units) == 65 and len(districts) == 9
    # 2026, and the year 2025 (it ends after 01/07/2025): the merged province's 65 units, no district.
    for period in ("2026", "2025", "2025-H2"):
        plan = plan_template("SXD", period)
        assert _units(plan) == new_units | {MERGED}, period
        assert plan.area is not None and plan.area.key == MERGED
    # The old map: old Khánh Hòa's nine districts (not old Ninh Thuận's).
    for period in ("2024", "2025-H1"):
        plan = plan_template("SXD", period)
        assert _units(plan) == districts | {OLD_KHANH_HOA}, period
    # Every unit × every indicator of the remit, once.
    plan = plan_template("SXD", "2026")
    indicators = {r.indicator.code for r in plan.rows}
    assert len(plan.rows) == len({(r.locality.key, r.indicator.code) for r in plan.rows})
    assert sum(r.locality.key != MERGED for r in plan.rows) == 65 * len(indicators)


def test_new_people_committees_report_their_new_unit() -> None:
    plan = plan_template("22651", "2026")
    assert plan.reporter.name_vi == "UBND Xã Diên Khánh"
    assert _units(plan) == {"22651@2025-07-01"}
    # A name two committees answer to is read by the period, as the intake reads a title block.
    assert plan_template("Diên Khánh", "2026").reporter.code == "22651"
    assert plan_template("Diên Khánh", "2024").reporter.code == "574"
    assert _units(plan_template("Diên Khánh", "2024")) == {"574@2020-01-01"}


def test_reporters_outside_their_validity_are_refused_naming_who_reports() -> None:
    with pytest.raises(TemplateError) as ended:
        plan_template("574", "2026")
    message = str(ended.value)
    assert message.startswith("UBND Huyện Diên Khánh (574) ended on 2025-06-30; for 2026 the new People's Committees")
    assert "UBND Xã Diên Khánh (22651)" in message and "UBND Xã Suối Hiệp (22702)" in message
    with pytest.raises(TemplateError, match="ended on 2025-06-30; for 2025 the new"):
        plan_template("574", "2025")  # the year 2025 ends on the new map
    with pytest.raises(TemplateError, match=r"begins on 2025-07-01; for 2024 its area was reported by "
                                            r"UBND Huyện Diên Khánh \(574\)"):
        plan_template("22651", "2024")
    with pytest.raises(TemplateError, match=r"begins on 2025-03-01; for 2024 its predecessor reports: .*STNMT"):
        plan_template("SNNMT", "2024")


def test_title_block_names_the_unit_with_its_validity(tmp_path: Path) -> None:
    ws = load_workbook(write_template(plan_template("22651", "2026"), tmp_path / "a.xlsx"))[DATA_SHEET]
    assert ws["A5"].value == "Địa bàn:"
    assert ws["B5"].value == "Xã Diên Khánh (mã 22651, hiệu lực từ 01/07/2025)"
    ws = load_workbook(write_template(plan_template("SXD", "2026"), tmp_path / "b.xlsx"))[DATA_SHEET]
    assert ws["A5"].value == "Phạm vi:"
    assert ws["B5"].value.startswith("Tỉnh Khánh Hòa (mã 56, hiệu lực từ 01/07/2025): 65 xã, phường, đặc khu")
    ws = load_workbook(write_template(plan_template("SXD", "2024"), tmp_path / "c.xlsx"))[DATA_SHEET]
    assert ws["B5"].value.startswith("Tỉnh Khánh Hòa (mã 56, hiệu lực đến 30/06/2025): 9 đơn vị cấp huyện")
    # The dropdown lists the names of the period's units only (no district in 2026).
    lists = load_workbook(tmp_path / "b.xlsx")["Danh mục"]
    names = {c.value for c in lists["A"][1:] if c.value}
    assert "Xã Diên Khánh" in names and "Huyện Diên Khánh" not in names


def test_cli_all_writes_one_template_per_reporter_valid_then(tmp_path: Path, monkeypatch, capsys) -> None:
    import argparse
    import json

    from orchestration.cli.template import template_command

    monkeypatch.setenv("DOTHI_HOME", str(tmp_path / "home"))
    args = argparse.Namespace(all=True, reporter=None, period="2026-H1", out=tmp_path / "out", json=True)
    assert template_command(args) == 0
    written = json.loads(capsys.readouterr().out)["templates"]
    reference = load_reference()
    kinds = [reference.reporters[t["reporter_code"]].kind for t in written]
    assert kinds.count("locality") == 65
    assert {t["reporter_code"] for t in written if t["reporter_kind"] == "department"} == {
        "SXD", "SNNMT", "SKHCN", "CTK", "STC", "KHAWASCO"}
    assert not {t["reporter_code"] for t in written} & {str(c) for c in range(568, 577)}
    assert all(Path(t["path"]).exists() for t in written)
    args = argparse.Namespace(all=False, reporter="574", period="2026", out=None, json=True)
    assert template_command(args) == 2
    assert "for 2026 the new People's Committees report" in json.loads(capsys.readouterr().out)["error"]
