"""docs/bi.md: every example question runs against the sample warehouse and returns what it says it does.

Questions 11–13 are one per map (issue 11): Resolution 06's final review (nine districts + old Khánh Hòa),
the 65 units of the merged province, and the comparison on the comparable territory.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.integration

BI_DOC = Path(__file__).resolve().parents[2] / "docs" / "bi.md"
HEADING = "## Questions, answered in SQL"
DISTRICTS = {str(code) for code in range(568, 577)}
OLD_KHANH_HOA, MERGED = "56@2020-01-01", "56@2025-07-01"
REVIEW_STATUSES = {"met", "not_met", "incomplete", "no_data", "in_progress"}


def _questions() -> list[tuple[str, str]]:
    """(heading, first sql block) of every ### section under the questions heading."""
    text = BI_DOC.read_text(encoding="utf-8").split(HEADING, 1)[1]
    out = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        block = re.search(r"^```sql\n(.*?)^```", section, re.S | re.M)
        assert block, f"{title}: no sql block"
        out.append((title, block.group(1)))
    return out


QUESTIONS = _questions()
# Columns each answer must have (a BI tool binds to them).
COLUMNS = {
    "1": {"map_code", "locality", "locality_key", "achievement_pct", "is_placeholder"},
    "3": {"map_code", "locality_key", "name_vi", "target_status"},
    "6": {"period", "locality_key", "value", "is_rolled_up", "obs_status"},
    "8": {"map_code", "locality_key", "progress_class"},
    "9": {"map_code", "programme_code", "indicator_code", "localities"},
    "10": {"locality_key", "file_name", "row_number"},
    "11": {"level", "locality_code", "locality", "indicator_code", "target_value", "actual", "review_status",
           "is_met", "figure", "completeness_share", "is_placeholder", "obs_status"},
    "12": {"locality_key", "unit", "period", "urbanization_rate", "map_method", "is_rolled_up",
           "pieces_reported", "pieces_expected", "completeness_share", "is_complete", "obs_status"},
    "13": {"indicator_code", "period", "old_khanh_hoa_territory", "is_rolled_up", "old_territory_completeness",
           "merged_province", "merged_completeness", "obs_status"},
}


def _run(sample_refresh, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        return conn.sql(sql).df()


def _number(title: str) -> str:
    return title.split(".")[0]


def test_there_are_thirteen_questions_numbered_in_order() -> None:
    assert [_number(t) for t, _ in QUESTIONS] == [str(n) for n in range(1, 14)]


def test_names_are_joined_by_locality_key() -> None:
    for title, sql in QUESTIONS:
        assert "using (locality_code)" not in sql, f"{title}: joins on the code alone"


@pytest.mark.parametrize(("title", "sql"), QUESTIONS, ids=[_number(t) for t, _ in QUESTIONS])
def test_question_runs(sample_refresh, title: str, sql: str) -> None:
    answer = _run(sample_refresh, sql)
    assert len(answer), f"{title}: no rows on the sample"
    missing = COLUMNS.get(_number(title), set()) - set(answer.columns)
    assert not missing, f"{title}: missing columns {missing}"


def _answer(sample_refresh, number: str) -> pd.DataFrame:
    sql = next(sql for title, sql in QUESTIONS if _number(title) == number)
    return _run(sample_refresh, sql)


def test_province_rows_speak_of_one_unit_version_per_map(sample_refresh) -> None:
    province = _answer(sample_refresh, "3")
    by_map = province.groupby("map_code")["locality_key"].unique().to_dict()
    assert list(by_map["nq06_map"]) == [OLD_KHANH_HOA]
    assert list(by_map.get("current_map", [MERGED])) == [MERGED]
    assert not province.duplicated(["map_code", "name_vi"]).any()
    series = _answer(sample_refresh, "6")
    assert set(series["locality_key"]) == {OLD_KHANH_HOA}
    assert series["period"].is_unique


def test_final_review_is_nine_districts_and_old_khanh_hoa(sample_refresh) -> None:
    review = _answer(sample_refresh, "11")
    assert set(review["locality_code"]) == DISTRICTS | {"56"}
    assert set(review.loc[review["level"] == "district", "locality_code"]) == DISTRICTS
    assert set(review["level"]) == {"province", "district"}
    assert set(review["review_status"]) <= REVIEW_STATUSES
    assert review.iloc[0]["level"] == "province"  # the province first
    # Rolled-up figures say so; an incomplete roll-up is never reported as met.
    rolled = review[review["figure"].fillna("").str.startswith("rolled up")]
    assert (rolled["completeness_share"].notna()).all()
    assert not ((review["review_status"] == "met") & (review["completeness_share"] < 1)).any()
    assert not ((review["review_status"] == "met") & (review["actual"].isna())).any()


def test_current_map_lists_the_65_units(sample_refresh) -> None:
    units = _answer(sample_refresh, "12")
    assert len(units) == 65 and units["locality_key"].is_unique
    assert units["locality_key"].str.endswith("@2025-07-01").all()
    assert set(units["old_province_code"]) == {"56", "58"}
    assert (units["old_province_code"] == "56").sum() == 41
    valued = units[units["urbanization_rate"].notna()]
    assert valued["completeness_share"].notna().all()


def test_comparison_on_the_comparable_territory(sample_refresh) -> None:
    compared = _answer(sample_refresh, "13")
    assert set(compared["indicator_code"]) <= {"URBANIZATION_RATE", "TOTAL_POP", "URBAN_POP"}
    assert compared["old_khanh_hoa_territory"].notna().any()
    assert not compared.duplicated(["indicator_code", "period"]).any()
    # Up to 2025-H1 old Khánh Hòa's own figures; the merged province has none before its map began unless
    # mapped forward (then its method says so).
    early = compared[compared["period"].isin(["2021", "2022", "2023", "2024", "2025-H1"])]
    assert (early["old_territory_method"].dropna() == "as_reported").all()
    assert set(early["merged_method"].dropna()) <= {"mapped_forward_from_old_communes"}
