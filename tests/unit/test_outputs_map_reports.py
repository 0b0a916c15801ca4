"""The two reports on their own maps, from small hand-made marts with both maps in them: Resolution 06's
report shows the nine districts and old Khánh Hòa only, the current report the 65 units and the merged
province only; figures rolled up from the new units are marked, incomplete roll-ups never look complete."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from outputs import views
from outputs.dashboard import render_current_dashboard, render_dashboard
from outputs.excel_report import write_current_report, write_excel_report
from outputs.labels import Lang
from outputs.marts import CURRENT_MAP, NQ06_MAP, MartSet, on_map

URB = "URBANIZATION_RATE"


def _dim_locality() -> pd.DataFrame:
    rows = [  # key, code, short name, name_en, level, parent, province
        ("56@2020-01-01", "56", "Khánh Hòa", "Khanh Hoa Province", "province", None, True),
        ("568@2020-01-01", "568", "Nha Trang", "Nha Trang City", "district", "56@2020-01-01", False),
        ("569@2020-01-01", "569", "Cam Ranh", "Cam Ranh City", "district", "56@2020-01-01", False),
        # an old commune whose code the new map reuses: on neither report
        ("22411@2020-01-01", "22411", "Cam Phúc Bắc", "Cam Phuc Bac Ward", "commune", "569@2020-01-01", False),
        ("58@2020-01-01", "58", "Ninh Thuận", "Ninh Thuan Province", "province", None, True),
        ("582@2020-01-01", "582", "Phan Rang-Tháp Chàm", "Phan Rang-Thap Cham City", "district", "58@2020-01-01",
         False),
        ("56@2025-07-01", "56", "Khánh Hòa", "Khanh Hoa Province", "province", None, True),
        ("22333@2025-07-01", "22333", "Bắc Nha Trang", "Bac Nha Trang Ward", "commune", "56@2025-07-01", False),
        ("22411@2025-07-01", "22411", "Bắc Cam Ranh", "Bac Cam Ranh Ward", "commune", "56@2025-07-01", False),
    ]
    frame = pd.DataFrame(rows, columns=["locality_key", "locality_code", "short_name_vi", "name_en", "level",
                                        "parent_key", "is_province"])
    return frame.assign(name_vi=frame["short_name_vi"])


def _values(map_code: str, rows: list[tuple]) -> pd.DataFrame:
    columns = ["locality_code", "period", "value", "map_method", "is_rolled_up", "pieces_expected",
               "pieces_reported", "completeness_share", "is_complete", "uses_placeholder_share", "obs_status"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(map_code=map_code, indicator_code=URB, unit="%", is_synthetic=True,
                        locality_key=frame["locality_code"] + "@x")


def _gaps(map_code: str, rows: list[tuple], target: float, programme: str, year: int) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["locality_code", "period", "actual", "achievement_pct", "progress_class"])
    return frame.assign(
        map_code=map_code, indicator_code=URB, is_province=frame["locality_code"] == "56", unit="%",
        target_value=target, target_year=year, programme_code=programme,
        is_placeholder=map_code == "current_map", target_source="test", gap=1.0, required_yearly_change=1.0,
        crosses_series_break=False, series_break_note_vi=None, series_break_note_en=None,
    )


@pytest.fixture
def marts() -> MartSet:
    as_reported = "as_reported"
    rolled = "rolled_up_from_new_units"
    nq06 = _values("nq06_map", [
        ("56", "2024", 60.0, as_reported, False, 9, 9, 1.0, True, False, None),
        ("56", "2025-H2", 62.0, rolled, True, 41, 41, 1.0, True, False, "b"),
        ("568", "2024", 80.0, as_reported, False, 1, 1, 1.0, True, False, None),
        ("568", "2025-H2", 81.5, rolled, True, 2, 1, 0.5, False, False, None),
        ("569", "2024", 50.0, as_reported, False, 1, 1, 1.0, True, False, None),
        ("569", "2025-H2", 51.25, rolled, True, 3, 3, 1.0, True, True, None),
    ])
    current = _values("current_map", [
        ("56", "2025-H2", 55.0, as_reported, False, 65, 65, 1.0, True, False, "b"),
        ("22333", "2025-H2", 90.0, as_reported, False, 1, 1, 1.0, True, False, None),
        ("22411", "2025-H2", 70.0, as_reported, False, 1, 1, 1.0, True, False, None),
        ("22411", "2025-H1", 12345.0, "mapped_forward_from_old_communes", True, 2, 2, 1.0, True, True, None),
    ])
    gaps = pd.concat([
        _gaps("nq06_map", [("56", "2025-H2", 62.0, 95.4, "acceleration_needed"),
                           ("568", "2025-H2", 81.5, 99.0, "on_track"),
                           ("569", "2025-H2", 51.25, 70.0, "limited_progress")], 65.0, "NQ06_2021_2025", 2025),
        _gaps("current_map", [("56", "2025-H2", 55.0, 78.6, "unable_to_assess"),
                              ("22333", "2025-H2", 90.0, 100.0, "achieved"),
                              ("22411", "2025-H2", 70.0, 80.0, "deterioration")], 70.0, "KH_2026_2030", 2030),
    ], ignore_index=True)
    gaps["locality_key"] = gaps["locality_code"] + "@x"
    review = pd.DataFrame({
        "programme_code": ["NQ06_2021_2025"] * 3 + ["KH_2026_2030"],
        "map_code": ["nq06_map"] * 3 + ["current_map"],
        "locality_code": ["56", "568", "569", "22333"], "indicator_code": [URB] * 4,
        "target_value": [65.0, 85.0, 50.0, 70.0], "target_year": [2025, 2025, 2025, 2030],
        "is_placeholder": [False, True, True, True], "review_period": ["2025", "2025", "2025", "2030"],
        "actual": [66.0, 81.5, 49.0, None], "unit": ["%"] * 4, "is_met": [True, None, False, None],
        "review_status": ["met", "incomplete", "not_met", "in_progress"], "is_rolled_up": [True, True, True, False],
        "pieces_expected": [41, 2, 3, None], "pieces_reported": [41, 1, 3, None],
        "completeness_share": [1.0, 0.5, 1.0, None], "uses_placeholder_share": [False, False, True, False],
        "obs_status": [None, None, None, None],
    })
    as_reported_values = pd.DataFrame({
        "locality_code": ["56"], "indicator_code": [URB], "period": ["2024"], "value": [60.0], "unit": ["%"],
        "other_source": [None], "other_value": [None], "chosen_reporter_code": ["SXD"], "is_synthetic": [True],
    })
    return MartSet(warehouse="memory", frames={
        "dim_locality": _dim_locality(),
        "dim_indicator": pd.DataFrame({"indicator_code": [URB], "name_vi": ["Tỷ lệ đô thị hóa"],
                                       "name_en": ["Urbanization rate"], "unit": ["%"], "sort_order": [10],
                                       "tolerance_pct": [3.0]}),
        "dim_period": pd.DataFrame({
            "period": ["2024", "2025-H1", "2025-H2"], "sort_key": [202410, 202501, 202502],
            "end_date": pd.to_datetime(["2024-12-31", "2025-06-30", "2025-12-31"])}),
        "fct_indicator_values": as_reported_values,
        "fct_indicator_values_nq06_map": nq06,
        "fct_indicator_values_current_map": current,
        "fct_target_gaps": gaps,
        "fct_programme_review": review,
    }, missing=["fct_dq_issues", "fct_submissions", "fct_reconciliation", "fct_reporting_completeness"])


def _cells(path: Path) -> dict[str, list]:
    workbook = load_workbook(path)
    return {ws.title: [c for row in ws.iter_rows() for c in row if c.value is not None] for ws in workbook.worksheets}


def _texts(cells: list) -> list[str]:
    return [str(c.value) for c in cells]


def test_each_map_view_holds_only_its_units(marts: MartSet) -> None:
    nq06, current = on_map(marts, NQ06_MAP), on_map(marts, CURRENT_MAP)
    assert [code for code, _ in views.localities(nq06, "en")] == ["56", "568", "569"]
    assert [code for code, _ in views.localities(current, "en")] == ["56", "22333", "22411"]
    assert set(nq06.frames["fct_target_gaps"]["map_code"]) == {"nq06_map"}
    assert set(current.frames["fct_indicator_values"]["period"]) == {"2025-H2"}  # from 2025-H2 on
    assert views.locality_name(nq06, "22411", "en") == "22411"  # two versions, two names: the code, not a guess
    assert views.locality_name(nq06, "582", "en") == "Phan Rang-Thap Cham City"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_nq06_workbook_marks_rolled_up_and_incomplete_figures(tmp_path: Path, marts: MartSet, lang: Lang) -> None:
    cells = _cells(write_excel_report(marts, tmp_path / "r.xlsx", lang))
    names = list(cells)
    assert names[:3] == (["Tổng hợp", "Tổng kết NQ06", "Bản đồ"] if lang == "vi" else ["Summary", "Final review",
                                                                                       "Map"])
    districts = ["Nha Trang", "Cam Ranh"] if lang == "vi" else ["Nha Trang City", "Cam Ranh City"]
    assert all(d in names for d in districts)
    assert not any(n.startswith(("Bắc", "Bac", "Phan Rang", "Cam Phúc")) for n in names), names  # no other map
    every = [t for sheet in cells.values() for t in _texts(sheet)]
    rolled = "tổng hợp từ đơn vị hành chính mới" if lang == "vi" else "rolled up from the new units"
    assert any(rolled in t for t in every)
    # the province's current-map row (target 70, 2030) is not in Resolution 06's report
    summary = cells[names[0]]
    assert 65 in [c.value for c in summary] and 70 not in [c.value for c in summary]
    assert 55.0 not in [c.value for sheet in cells.values() for c in sheet]  # the merged province's figure
    # Nha Trang's 2025-H2: a number, marked rolled up (†) and incomplete (⚠) in its format, with its completeness
    nha_trang = cells[districts[0]]
    figure = [c for c in nha_trang if c.value == 81.5 and "†" in c.number_format]
    assert figure, [(c.value, c.number_format) for c in nha_trang if c.value == 81.5]
    assert all(isinstance(c.value, float) and "⚠" in c.number_format for c in figure)
    assert any(c.comment is not None and ("1/2" in c.comment.text or "1 of 2" in c.comment.text) for c in figure)
    assert 50 in [c.value for c in nha_trang]  # completeness share shown (%)
    incomplete = "CHƯA ĐỦ: 1/2 đơn vị có số liệu (50 %)" if lang == "vi" else "INCOMPLETE: 1 of 2 units reported (50 %)"
    assert any(incomplete in t for t in _texts(nha_trang))
    # Cam Ranh: a placeholder share (§); the province's 2025-H2: a series break (b)
    assert any(c.value == 51.25 and "§" in c.number_format for c in cells[districts[1]])
    assert any(c.value == 62.0 and "(b)" in c.number_format for c in summary)


def test_nq06_final_review_sheet(tmp_path: Path, marts: MartSet) -> None:
    workbook = load_workbook(write_excel_report(marts, tmp_path / "r.xlsx", "en"))
    rows = [[c.value for c in row] for row in workbook["Final review"].iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "Locality")
    body = [r for r in rows[header + 1:] if r[0]]
    assert [r[0] for r in body] == ["Khanh Hoa Province", "Nha Trang City", "Cam Ranh City"]  # province first
    columns = rows[header]
    result = columns.index("Result")
    assert [r[result] for r in body] == ["Met", "Incomplete", "Not met"]
    nha_trang = dict(zip(columns, body[1], strict=False))
    assert nha_trang["Completeness (%)"] == 50 and "INCOMPLETE" in nha_trang["Figure notes"]
    assert nha_trang["Target status"] == "placeholder" and nha_trang["Marks"] == "†⚠"
    assert body[2][columns.index("Marks")] == "†§"
    assert not any("22333" in str(v) or "Bac Nha Trang" in str(v) for r in rows for v in r)  # KH_2026_2030's row
    assert any(r[0] == "Met 1 · not met 1 · incomplete 1 · no data 0" for r in rows)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_current_workbook_is_the_65_units_map(tmp_path: Path, marts: MartSet, lang: Lang) -> None:
    cells = _cells(write_current_report(marts, tmp_path / "c.xlsx", lang))
    every = [t for sheet in cells.values() for t in _texts(sheet)]
    banner = "MỌI MỤC TIÊU 2026–2030" if lang == "vi" else "EVERY 2026–2030 TARGET IN THIS REPORT IS A PLACEHOLDER"
    assert all(any(banner in t for t in _texts(sheet)) for sheet in cells.values())  # on every sheet
    units = cells["Đơn vị" if lang == "vi" else "Units"]
    codes = {c.value for c in units if c.column == 1 and str(c.value).isdigit()}
    assert codes == {"22333", "22411"}
    values = [c.value for sheet in cells.values() for c in sheet]
    assert 12345.0 not in values  # mapped forward, before 2025-H2: not in the current report
    assert 81.5 not in values and 51.25 not in values  # Resolution 06's districts stay out
    assert not any(t == "Nha Trang City" or t == "Cam Ranh City" for t in every)
    # the comparison: the merged province beside old Khánh Hòa's area rolled up (†, series break)
    summary = cells[list(cells)[0]]
    assert any(c.value == 62.0 and "†" in c.number_format for c in summary)
    assert 55.0 in [c.value for c in summary]


def test_nq06_dashboard_marks_and_map(marts: MartSet) -> None:
    html = render_dashboard(marts, "en")
    assert 'data-map="nq06_map"' in html
    assert "rolled up from the new units" in html
    assert "INCOMPLETE: 1 of 2 units reported (50 %)" in html
    assert re.search(r'<td class="cell"[^>]*title="[^"]*INCOMPLETE[^"]*">99⚠?[^<]*</td>', html) or \
        "99*†⚠" in html or "99†⚠" in html
    svg_map = html.split('class="map-group active"', 1)[1].split("</svg>", 1)[0]
    units = re.findall(r'<path data-unit="(\d+)" data-class="(\w+)"', svg_map)
    assert len(units) == 9 and dict(units)["568"] == "on_track" and dict(units)["570"] == "no_data"
    assert 'data-unit="22333"' not in html and "Bac Nha Trang" not in html
    review = html.split('id="review-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-status="(\w+)"', review) == ["met", "incomplete", "not_met"]
    assert not re.search(r"""(src|href)=["']?https?://""", html)


def test_current_dashboard_is_its_own_page(marts: MartSet) -> None:
    html = render_current_dashboard(marts, "vi")
    assert 'data-map="current_map"' in html and 'id="placeholder-banner"' in html
    svg_map = html.split('class="map-group active"', 1)[1].split("</svg>", 1)[0]
    units = dict(re.findall(r'<path data-unit="(\d+)" data-class="(\w+)"', svg_map))
    assert len(units) == 65 and units["22333"] == "achieved" and units["22411"] == "deterioration"
    assert 'data-locality="568"' not in html and "Nha Trang City" not in html
    comparison = html.split('id="comparison-table"', 1)[1].split("</table>", 1)[0]
    assert "†" in comparison and "tổng hợp từ đơn vị hành chính mới" in comparison
    assert "12.345" not in html  # the mapped-forward 2025-H1 figure
    assert 'href="dashboard.vi.html"' in html


def test_a_figure_is_only_marked_when_it_was_rolled_up(marts: MartSet) -> None:
    """The as-reported 2024 figures carry no mark; dropping the roll-up columns drops the marks."""
    nq06 = on_map(marts, NQ06_MAP)
    assert views.flags_of(nq06, "568", URB, "2024") is views.NO_FLAGS
    flags = views.flags_of(nq06, "568", URB, "2025-H2")
    assert flags.rolled_up and not flags.complete and views.figure_marks(flags) == "†⚠"
    status = views.status_table(nq06, "568", "en")
    assert status is not None
    assert status.loc[0, "figure_marks"] == "†⚠" and status.loc[0, "completeness_pct"] == 50
