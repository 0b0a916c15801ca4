"""The refresh summary speaks per map, names units by locality_key and counts the transition (a tiny warehouse)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from outputs.summary import MAP_TITLES, RefreshSummary, build_summary

GAP_COLUMNS = (
    "map_code varchar, locality_key varchar, locality_code varchar, indicator_code varchar, is_province boolean, "
    "period varchar, actual double, target_value double, target_year integer, achievement_pct double, "
    "progress_class varchar, is_placeholder boolean, actual_is_rolled_up boolean, actual_pieces_reported integer, "
    "actual_pieces_expected integer"
)
MAP_COLUMNS = (
    "locality_key varchar, indicator_code varchar, period varchar, value double, is_rolled_up boolean, "
    "is_complete boolean, pieces_reported integer, pieces_expected integer"
)
REFUSED = (
    "file SXD_2026.xlsx, row 9, field locality (\"Huyện Diên Khánh\"): 'Huyện Diên Khánh' (574) ended on "
    "2025-06-30; for 2026 report its successors: Xã Diên Khánh (22651), …"
)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_submissions as select 'accepted' as status")
        conn.execute("create table marts.fct_dq_issues (status varchar, severity varchar, rule_code varchar, "
                     "message_en varchar)")
        conn.execute("insert into marts.fct_dq_issues values "
                     "('open', 'error', 'INTAKE_ROW_REJECTED', ?), "
                     "('open', 'error', 'INTAKE_ROW_REJECTED', 'file a.csv, row 3, field value: not a number'), "
                     "('resolved', 'error', 'INTAKE_ROW_REJECTED', ?)", [REFUSED, REFUSED])
        # Two versions per code: the names must come by locality_key.
        conn.execute("create table marts.dim_locality (locality_key varchar, locality_code varchar, name_vi varchar)")
        conn.execute("insert into marts.dim_locality values "
                     "('56@2020-01-01', '56', 'Tỉnh Khánh Hòa (cũ)'), ('56@2025-07-01', '56', 'Tỉnh Khánh Hòa'), "
                     "('574@2020-01-01', '574', 'Huyện Diên Khánh'), "
                     "('22411@2020-01-01', '22411', 'Phường Cam Phúc Bắc'), "
                     "('22411@2025-07-01', '22411', 'Phường Bắc Cam Ranh')")
        conn.execute(f"create table marts.fct_target_gaps ({GAP_COLUMNS})")
        conn.execute("""insert into marts.fct_target_gaps values
            ('nq06_map', '56@2020-01-01', '56', 'URBANIZATION_RATE', true, '2025', 60, 65, 2025, 92.3,
             'acceleration_needed', false, true, 40, 41),
            ('nq06_map', '574@2020-01-01', '574', 'URBANIZATION_RATE', false, '2025', 40, 65, 2025, 61.5,
             'limited_progress', true, true, 6, 6),
            ('current_map', '56@2025-07-01', '56', 'URBANIZATION_RATE', true, '2026', 55, 70, 2030, 78.6,
             'acceleration_needed', true, false, 65, 65),
            ('current_map', '22411@2025-07-01', '22411', 'URBANIZATION_RATE', false, '2026', 50, 70, 2030, 71.4,
             'acceleration_needed', true, false, 1, 1),
            ('current_map', '22411@2025-07-01', '22411', 'CLEAN_WATER_RATE', false, '2026', 99, 95, 2030, 104,
             'achieved', true, false, 1, 1)""")
        conn.execute("create table marts.fct_indicator_values (locality_key varchar, is_province boolean)")
        conn.execute("insert into marts.fct_indicator_values values ('574@2020-01-01', false), "
                     "('22411@2020-01-01', false), ('22411@2025-07-01', false), ('56@2025-07-01', true)")
        for name in ("fct_indicator_values_nq06_map", "fct_indicator_values_current_map"):
            conn.execute(f"create table marts.{name} ({MAP_COLUMNS})")
        conn.execute("""insert into marts.fct_indicator_values_nq06_map values
            ('56@2020-01-01', 'URBANIZATION_RATE', '2025', 60, true, false, 40, 41),
            ('574@2020-01-01', 'URBANIZATION_RATE', '2025', 40, true, true, 6, 6),
            ('574@2020-01-01', 'URBANIZATION_RATE', '2024', 39, false, true, 1, 1)""")
        conn.execute("""insert into marts.fct_indicator_values_current_map values
            ('56@2025-07-01', 'URBANIZATION_RATE', '2026', 55, false, true, 65, 65),
            ('22411@2025-07-01', 'URBANIZATION_RATE', '2026', 50, false, true, 1, 1)""")
        conn.execute("create table marts.fct_programme_review (programme_code varchar, map_code varchar, "
                     "review_period varchar, review_status varchar)")
        conn.execute("""insert into marts.fct_programme_review values
            ('NQ06_2021_2025', 'nq06_map', '2025', 'met'), ('NQ06_2021_2025', 'nq06_map', '2025', 'not_met'),
            ('NQ06_2021_2025', 'nq06_map', '2025', 'not_met'), ('NQ06_2021_2025', 'nq06_map', '2025', 'incomplete'),
            ('NT_NQ17_2018_2020', 'nq06_map', '2020', 'no_data'),
            ('KH_2026_2030', 'current_map', '2030', 'in_progress')""")
    return path


def test_summary_speaks_per_map_with_names_by_key(warehouse: Path) -> None:
    summary = build_summary(warehouse)
    assert [m["map_code"] for m in summary.maps] == ["nq06_map", "current_map"]
    nq06, current = summary.maps
    # One province line per map, never the province twice in one list.
    assert [r["locality_key"] for r in nq06["furthest_indicators"]] == ["56@2020-01-01"]
    assert [r["locality_key"] for r in current["furthest_indicators"]] == ["56@2025-07-01"]
    assert [r["locality_name_vi"] for r in current["furthest_localities"]] == ["Phường Bắc Cam Ranh"]
    # The keys of earlier versions: Resolution 06's map.
    assert summary.furthest_indicators == nq06["furthest_indicators"]
    assert summary.furthest_localities == nq06["furthest_localities"]
    assert summary.localities_with_values == 3  # unit versions, not codes

    text = summary.to_text()
    assert f"{MAP_TITLES['nq06_map']}:" in text and f"{MAP_TITLES['current_map']}:" in text
    assert text.index(MAP_TITLES["nq06_map"]) < text.index(MAP_TITLES["current_map"])
    assert "Tỉnh Khánh Hòa (cũ) (56) · URBANIZATION_RATE 2025" in text
    assert "[rolled up, 40/41 units, incomplete]" in text
    assert "[rolled up, 6/6 units]" in text
    assert "Phường Bắc Cam Ranh (22411)" in text and "Cam Phúc Bắc" not in text
    assert "Districts furthest from target" in text and "Units furthest from target" in text


def test_final_review_of_the_ended_programme_per_map(warehouse: Path) -> None:
    """Resolution 06's final review is stated on its map; a programme still running has no review line."""
    summary = build_summary(warehouse)
    assert [r["programme_code"] for r in summary.reviews] == ["NQ06_2021_2025", "NT_NQ17_2018_2020"]
    text = summary.to_text()
    assert "Final review of 2025 (NQ06_2021_2025, targets per unit): 1 incomplete, 1 met, 2 not met" in text
    assert text.index("Final review of 2025") < text.index(MAP_TITLES["current_map"])
    assert "NT_NQ17" not in text and "KH_2026_2030" not in text


def test_transition_counts(warehouse: Path) -> None:
    summary = build_summary(warehouse)
    assert summary.transition == {
        "rolled_up_nq06": 2, "rolled_up_nq06_incomplete": 1,
        "mapped_forward_current": 0, "mapped_forward_current_incomplete": 0,
        "rows_refused_out_of_validity": 1, "rows_refused": 2,
    }
    assert ("Transition (01/07/2025): 2 figure(s) on Resolution 06's map rolled up from the new units "
            "(1 incomplete)") in summary.to_text()
    assert "1 row(s) refused for a unit outside its validity (of 2 rejected row(s))" in summary.to_text()


def test_json_round_trip_and_older_summaries(warehouse: Path) -> None:
    summary = build_summary(warehouse)
    again = RefreshSummary(**json.loads(json.dumps(summary.to_dict())))
    assert again.to_text() == summary.to_text()
    # A summary JSON written before the maps were split still prints (the CLI reads it back).
    old = {k: v for k, v in summary.to_dict().items() if k not in {"maps", "transition", "reviews"}}
    text = RefreshSummary(**old).to_text()
    assert "furthest from target" in text and "Transition" not in text
