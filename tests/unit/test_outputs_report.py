"""Excel report and dashboard from small hand-made marts: labels, placeholders, injection, missing marts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from outputs.dashboard import render_dashboard
from outputs.excel_report import write_excel_report
from outputs.labels import Lang
from outputs.marts import MartSet

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def marts() -> MartSet:
    dim_locality = pd.DataFrame({
        "locality_code": ["56", "568"], "name_vi": ["Tỉnh Khánh Hòa", "Thành phố Nha Trang"],
        "name_en": ["Khanh Hoa Province", "Nha Trang City"], "short_name_vi": ["Khánh Hòa", "Nha Trang"],
        "is_province": [True, False],
    })
    dim_indicator = pd.DataFrame({
        "indicator_code": ["URBANIZATION_RATE", "CLEAN_WATER_RATE"], "name_vi": ["Tỷ lệ đô thị hóa", "Nước sạch"],
        "name_en": ["Urbanization rate", "Clean water"], "unit": ["%", "%"], "sort_order": [10, 90],
        "tolerance_pct": [3.0, 3.0],
    })
    dim_period = pd.DataFrame({
        "period": ["2023", "2024"], "sort_key": [202310, 202410],
        "end_date": pd.to_datetime(["2023-12-31", "2024-12-31"]),
    })
    values = pd.DataFrame({
        "locality_code": ["56", "56", "568", "568"],
        "indicator_code": ["URBANIZATION_RATE"] * 2 + ["CLEAN_WATER_RATE"] * 2,
        "period": ["2023", "2024", "2023", "2024"], "value": [60.0, 62.0, 90.0, 91.0], "unit": ["%"] * 4,
        "chosen_reporter_code": ["SXD", "SXD", "KHAWASCO", "KHAWASCO"],
        "other_source": [None, None, "locality", "locality"], "other_value": [None, None, 90.0, 99.0],
        "is_synthetic": [True] * 4,
    })
    gaps = pd.DataFrame({
        "locality_code": ["56", "568"], "indicator_code": ["URBANIZATION_RATE", "CLEAN_WATER_RATE"],
        "is_province": [True, False], "period": ["2024", "2024"], "actual": [62.0, 91.0], "unit": ["%", "%"],
        "target_value": [65.0, 100.0], "target_year": [2025, 2025], "programme_code": ["NQ06_2021_2025"] * 2,
        "is_placeholder": [False, True], "target_source": ["NQ 09-NQ/TW", "placeholder: no public source"],
        "gap": [3.0, 9.0], "achievement_pct": [95.4, 91.0], "required_yearly_change": [3.0, 9.0],
        "progress_class": ["acceleration_needed", "limited_progress"],
    })
    issues = pd.DataFrame({
        "rule_code": ["CHANNEL_DISAGREEMENT"], "severity": ["error"], "title_vi": ["Không thống nhất"],
        "title_en": ["Disagree"], "reporter_code": ["568"], "locality_code": ["568"],
        "indicator_code": ["CLEAN_WATER_RATE"], "period": ["2024"],
        "message_vi": [EVIL], "message_en": ["<script>alert(1)</script>"], "instruction_vi": ["Liên hệ"],
        "instruction_en": ["Call"], "file_name": [EVIL], "row_number": [9],
    })
    submissions = pd.DataFrame({
        "file_sha256": ["a", "b"], "reporter_code": ["568", "KHAWASCO"], "status": ["accepted", "quarantined"],
        "rows_rejected": [0, 0], "submitted_at": pd.to_datetime(["2025-01-10", "2025-01-11"]),
        "is_synthetic": [True, True],
    })
    return MartSet(
        warehouse="memory",
        frames={"dim_locality": dim_locality, "dim_indicator": dim_indicator, "dim_period": dim_period,
                "fct_indicator_values": values, "fct_target_gaps": gaps, "fct_dq_issues": issues,
                "fct_submissions": submissions},
        missing=["fct_reconciliation", "fct_reporting_completeness"],
    )


def _all_text(path: Path) -> str:
    workbook = load_workbook(path)
    return "\n".join(
        str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_excel_report_sheets_labels_and_safety(tmp_path: Path, marts: MartSet, lang: Lang) -> None:
    path = write_excel_report(marts, tmp_path / "r.xlsx", lang)
    workbook = load_workbook(path)
    summary = "Tổng hợp" if lang == "vi" else "Summary"
    assert workbook.sheetnames[0] == summary
    assert any(name.startswith("Nha Trang") for name in workbook.sheetnames)
    text = _all_text(path)
    assert ("số liệu mô phỏng" if lang == "vi" else "synthetic") in text
    assert ("tạm (giả định)" if lang == "vi" else "placeholder") in text
    assert ("chính thức" if lang == "vi" else "official") in text
    # Numbers are numbers, with the Vietnamese-tagged format.
    ws = workbook[summary]
    numbers = [c for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    assert numbers and all(c.number_format.startswith("[$-42A]") for c in numbers)
    # Formula injection: stored as text with the quote prefix, never as a formula.
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value == EVIL]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert ws.print_title_rows and ws.page_setup.orientation == "landscape"


def test_missing_marts_are_reported_not_fatal(tmp_path: Path, marts: MartSet) -> None:
    del marts.frames["fct_dq_issues"]
    marts.missing.append("fct_dq_issues")
    text = _all_text(write_excel_report(marts, tmp_path / "r.xlsx", "en"))
    assert "mart fct_dq_issues has not been built" in text
    html = render_dashboard(marts, "en")
    assert "mart fct_dq_issues has not been built" in html


def test_dashboard_is_self_contained_and_escaped(marts: MartSet) -> None:
    html = render_dashboard(marts, "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)=["']?https?://""", html)  # nothing fetched from the network
    assert html.count("<svg") >= 4
    assert "synthetic" in html and "placeholder" in html


def test_dashboard_lists_at_most_table_rows_max_findings_errors_first(marts: MartSet) -> None:
    from outputs.dashboard import TABLE_ROWS_MAX

    one = marts.frames["fct_dq_issues"]
    many = pd.concat([one.assign(severity="warning", period=str(2000 + i % 20)) for i in range(TABLE_ROWS_MAX + 40)]
                     + [one], ignore_index=True)
    marts.frames["fct_dq_issues"] = many
    html = render_dashboard(marts, "en")
    table = html.split('id="findings-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-severity=") == TABLE_ROWS_MAX
    assert table.count('data-severity="error"') == 1  # the one error is shown, ahead of the warnings
    assert f"Showing the first {TABLE_ROWS_MAX} of {len(many)} rows" in html and "marts.fct_dq_issues" in html
    few = MartSet(warehouse="memory", frames={**marts.frames, "fct_dq_issues": one}, missing=marts.missing)
    assert "Showing" not in render_dashboard(few, "en")


def test_excel_list_sheets_are_capped_with_a_note(tmp_path: Path, marts: MartSet, monkeypatch) -> None:
    import outputs.excel_report as excel_report

    monkeypatch.setattr(excel_report, "EXCEL_ROWS_MAX", 3)
    one = marts.frames["fct_dq_issues"].assign(message_en="kept")
    marts.frames["fct_dq_issues"] = pd.concat([one] * 5, ignore_index=True)
    text = _all_text(write_excel_report(marts, tmp_path / "r.xlsx", "en"))
    assert text.count("kept") == 3
    assert "Showing the first 3 of 5 rows" in text and "marts.fct_dq_issues" in text


def test_per_locality_sheets_and_charts_are_capped_with_a_note(tmp_path: Path, marts: MartSet, monkeypatch) -> None:
    import outputs.views as views

    monkeypatch.setattr(views, "REPORT_LOCALITIES_MAX", 1)  # the province only
    workbook = load_workbook(write_excel_report(marts, tmp_path / "r.xlsx", "en"))
    assert not any(name.startswith("Nha Trang") for name in workbook.sheetnames)
    assert "sheet / chart for 1 of 2 localities" in _all_text(tmp_path / "r.xlsx")
    html = render_dashboard(marts, "en")
    assert "sheet / chart for 1 of 2 localities" in html and 'value="568"' not in html
