"""End to end: `dothi refresh --sample` into a temporary DOTHI_HOME, then the marts are checked
from another process, read-only, as a BI tool would open them."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from tests.conftest import REPO, RefreshRun, run_cli

pytestmark = pytest.mark.integration

PLANTED = json.loads((REPO / "sources" / "sample" / "planted_problems.json").read_text(encoding="utf-8"))
DISTRICTS = {str(code) for code in range(568, 577)}
MARTS = [
    "dim_locality", "dim_indicator", "dim_period", "fct_submissions",
    "fct_indicator_values", "fct_target_gaps", "fct_dq_issues",
]


def planted(kind: str) -> dict:
    return next(p for p in PLANTED if p["kind"] == kind)


def mart(run: RefreshRun, name: str, schema: str = "marts") -> pd.DataFrame:
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        return conn.table(f"{schema}.{name}").df()


@pytest.fixture(scope="module")
def issues(sample_refresh: RefreshRun) -> pd.DataFrame:
    return mart(sample_refresh, "fct_dq_issues")


@pytest.fixture(scope="module")
def values(sample_refresh: RefreshRun) -> pd.DataFrame:
    return mart(sample_refresh, "fct_indicator_values")


def test_refresh_prints_a_summary(sample_refresh: RefreshRun) -> None:
    summary = sample_refresh.summary()
    assert summary["this_run"]["files_seen"] == len(list((REPO / "sources/sample/submissions").iterdir()))
    assert summary["files"]["quarantined"] == 1
    assert summary["flags_by_severity"]["error"] > 0
    assert summary["furthest_localities"] and summary["furthest_indicators"]
    assert (sample_refresh.home / "reports" / "refresh_summary.md").exists()
    # Per map (issue 11): Resolution 06's map first (the keys above speak of it), then the merged province;
    # the province is never listed twice, and names come by locality_key.
    assert [m["map_code"] for m in summary["maps"]] == ["nq06_map", "current_map"]
    nq06 = summary["maps"][0]
    assert nq06["furthest_indicators"] == summary["furthest_indicators"]
    keys = [(r["locality_key"], r["indicator_code"]) for r in summary["furthest_indicators"]]
    assert len(keys) == len(set(keys)) and {k for k, _ in keys} == {"56@2020-01-01"}
    assert {r["locality_code"] for r in summary["furthest_localities"]} <= DISTRICTS
    assert set(summary["transition"]) >= {"rolled_up_nq06", "rolled_up_nq06_incomplete",
                                          "rows_refused_out_of_validity", "rows_refused"}
    transition = summary["transition"]
    assert transition["rows_refused"] == summary["flags_by_rule"]["INTAKE_ROW_REJECTED"]
    # The sample plants an old district after its end and a new unit before its start.
    planted_kinds = {p["kind"] for p in PLANTED}
    if {"old_district_after_its_end", "new_unit_before_its_start"} <= planted_kinds:
        assert 2 <= transition["rows_refused_out_of_validity"] < transition["rows_refused"]
    text = (sample_refresh.home / "reports" / "refresh_summary.md").read_text(encoding="utf-8")
    assert "Resolution 06 (old Khánh Hòa, 9 districts; 2025 rolled up from the new units):" in text
    assert "Merged province (65 units; placeholder targets):" in text
    assert "Transition (01/07/2025):" in text


def test_every_mart_has_all_localities_and_the_province(sample_refresh: RefreshRun) -> None:
    for name in ("dim_locality", "fct_indicator_values", "fct_target_gaps"):
        codes = set(mart(sample_refresh, name)["locality_code"])
        assert DISTRICTS | {"56"} <= codes, (name, sorted(codes))
    for name in MARTS:
        assert len(mart(sample_refresh, name)) > 0, name


def test_one_consolidated_value_per_key(values: pd.DataFrame) -> None:
    keys = values[["locality_code", "indicator_code", "period"]]
    assert not keys.duplicated().any()
    assert {"2021", "2022", "2023", "2024", "2025-H1"} <= set(values["period"])


def _flagged(issues: pd.DataFrame, rule: str, **keys: str) -> pd.DataFrame:
    found = issues[issues["rule_code"] == rule]
    for column, value in keys.items():
        found = found[found[column] == value]
    return found


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("channel_disagreement", "CHANNEL_DISAGREEMENT"),
        ("rate_mismatch", "RATE_MISMATCH"),
        ("numerator_exceeds_denominator", "NUMERATOR_GT_DENOMINATOR"),
        ("out_of_range", "VALUE_OUT_OF_RANGE"),
    ],
)
def test_planted_figure_problems_are_flagged(issues: pd.DataFrame, kind: str, rule: str) -> None:
    problem = planted(kind)
    found = _flagged(
        issues, rule,
        locality_code=problem["locality_code"], indicator_code=problem["indicator_code"], period=problem["period"],
    )
    assert len(found) == 1, issues[issues["rule_code"] == rule][["locality_code", "indicator_code", "period"]]
    row = found.iloc[0]
    assert row["severity"] == "error"
    assert row["message_vi"] and row["message_en"]
    assert row["file_name"], "a flag names its source file"


def test_planted_late_and_missing_submissions_are_flagged(issues: pd.DataFrame) -> None:
    late, missing = planted("late_submission"), planted("missing_submission")
    assert len(_flagged(issues, "SUBMISSION_LATE", reporter_code=late["reporter_code"], period=late["period"])) == 1
    assert len(
        _flagged(issues, "SUBMISSION_MISSING", reporter_code=missing["reporter_code"], period=missing["period"])
    ) == 1
    # Exactly the planted ones: every other expected report came in on time.
    assert len(issues[issues["rule_code"] == "SUBMISSION_LATE"]) == 1
    flagged = {
        (r.reporter_code, r.period) for r in issues[issues["rule_code"] == "SUBMISSION_MISSING"].itertuples()
    }
    # From 2025-H2 on, the 65 new People's Committees are expected; the sample carries seven of them (and
    # every department), so the other units are missing once their deadline has passed.
    assert {k for k in flagged if k[1] not in NEW_PERIODS} == {(missing["reporter_code"], missing["period"])}
    assert {k for k in flagged if k[1] in NEW_PERIODS} == _new_units_missing(_new_unit_reports())


NEW_PERIODS = ("2025", "2025-H2", "2026-H1")
DEADLINE_DAYS = {  # period end, locality deadline days (reporting_calendar.csv)
    "2025": (date(2025, 12, 31), 45), "2025-H2": (date(2025, 12, 31), 30), "2026-H1": (date(2026, 6, 30), 30),
}


def _new_unit_reports() -> set[tuple[str, str]]:
    """(reporter, period) of the new units' own reports in the sample (from the files the generator wrote)."""
    from sources.sample import generate as gen

    sample = gen.build_sample()
    return {(s.reporter_code or "", s.period) for s in sample.plan if s.kind == "locality" and s.period in NEW_PERIODS}


def _new_units_missing(received: set[tuple[str, str]]) -> set[tuple[str, str]]:
    reporters = pd.read_csv(REPO / "dbt_project" / "seeds" / "reporters.csv", dtype=str)
    new_units = reporters[(reporters["kind"] == "locality") & (reporters["valid_from"] == "2025-07-01")]
    assert len(new_units) == 65
    today = date.today()
    return {
        (code, period)
        for code in new_units["reporter_code"]
        for period, (end, days) in DEADLINE_DAYS.items()
        if (code, period) not in received and end + timedelta(days=days) < today
    }


def test_rejected_rows_and_quarantine_are_flagged(sample_refresh: RefreshRun, issues: pd.DataFrame) -> None:
    rejected = issues[issues["rule_code"] == "INTAKE_ROW_REJECTED"]
    unresolvable, unparseable = planted("unresolvable_locality"), planted("unparseable_value")
    assert any(unresolvable["suggestion"] in text for text in rejected["message_en"]), rejected["message_en"]
    assert any(unparseable["value_text"] in text for text in rejected["message_vi"]), rejected["message_vi"]
    # 8 and 9, the old district in 2026 (11) and the new ward's 2024 rows (13), and nothing else
    assert len(rejected) == 2 + 1 + planted("new_unit_before_its_start")["rows_rejected"]

    quarantined = planted("unknown_reporter")
    submissions = mart(sample_refresh, "fct_submissions")
    row = submissions[submissions["file_name"] == quarantined["file"]].iloc[0]
    assert row["status"] == "quarantined" and "reporter" in row["reason"].lower()
    assert len(_flagged(issues, "FILE_QUARANTINED", file_name=quarantined["file"])) == 1
    assert (sample_refresh.home / "quarantine" / f"{row['file_sha256']}.reason.txt").exists()


def test_nothing_else_is_flagged(issues: pd.DataFrame) -> None:
    """Every flag in the sample is a planted problem or a stated consequence of one."""
    figure_problems = {
        (p["locality_code"], p["indicator_code"], p["period"])
        for p in PLANTED if p["kind"] in {
            "channel_disagreement", "rate_mismatch", "numerator_exceeds_denominator", "out_of_range",
        }
    }
    figure_rules = {"CHANNEL_DISAGREEMENT", "RATE_MISMATCH", "NUMERATOR_GT_DENOMINATOR", "VALUE_OUT_OF_RANGE"}
    for _, row in issues[issues["rule_code"].isin(figure_rules)].iterrows():
        # Secondary flags are expected on the same figure: 104.5 % necessarily disagrees with the
        # department's 96.8; 12.5/11.0 km implies 113.6 %, so the rate check fails as well.
        assert (row["locality_code"], row["indicator_code"], row["period"]) in figure_problems, row.to_dict()
    assert not len(issues[issues["rule_code"] == "PROVINCE_TOTAL_MISMATCH"]), "province totals add up"
    assert not len(issues[issues["rule_code"] == "REQUIRED_FIELD_MISSING"])


def test_revision_supersedes_and_keeps_history(sample_refresh: RefreshRun, values: pd.DataFrame) -> None:
    revision = planted("revision")
    first, corrected = revision["file"]
    submissions = mart(sample_refresh, "fct_submissions").set_index("file_name")
    assert submissions.loc[first, "status"] == "superseded"
    assert submissions.loc[corrected, "status"] == "accepted"
    figures = mart(sample_refresh, "figures", schema="raw")
    for indicator, change in revision["changes"].items():
        versions = figures[
            (figures["reporter_code"] == "574") & (figures["indicator_code"] == indicator)
            & (figures["period"] == "2023")
        ]
        assert sorted(versions["value"]) == sorted([change["first"], change["corrected"]]), indicator
        live = values[
            (values["locality_code"] == "574") & (values["indicator_code"] == indicator) & (values["period"] == "2023")
        ].iloc[0]
        # The department's figure wins by precedence; the locality's live (corrected) figure is kept beside it.
        locality_side = live["value"] if live["chosen_source"] == "locality" else live["other_value"]
        assert locality_side == pytest.approx(change["corrected"]), indicator


def test_department_wins_and_loser_is_kept(values: pd.DataFrame) -> None:
    problem = planted("channel_disagreement")
    row = values[
        (values["locality_code"] == problem["locality_code"]) & (values["indicator_code"] == problem["indicator_code"])
        & (values["period"] == problem["period"])
    ].iloc[0]
    assert row["chosen_source"] == "department" and row["chosen_reporter_code"] == "KHAWASCO"
    assert row["value"] == pytest.approx(problem["values"]["KHAWASCO"])
    assert row["other_value"] == pytest.approx(problem["values"][problem["locality_code"]])
    assert row["file_name"] and row["row_number"] > 0


def _locality_rows(values: pd.DataFrame, indicator: str, period: str) -> pd.DataFrame:
    rows = values[(values["indicator_code"] == indicator) & (values["period"] == period)]
    return rows[rows["locality_code"].isin(DISTRICTS)]


def _province(values: pd.DataFrame, indicator: str, period: str) -> pd.Series:
    rows = values[(values["indicator_code"] == indicator) & (values["period"] == period)]
    return rows[rows["locality_code"] == "56"].iloc[0]


def test_province_aggregates_by_hand(values: pd.DataFrame) -> None:
    # Sums: population.
    pop = _locality_rows(values, "TOTAL_POP", "2024")
    assert len(pop) == 9
    assert _province(values, "TOTAL_POP", "2024")["value"] == pytest.approx(pop["value"].sum())

    # A rate from summed numerators and denominators, never the average of the rates.
    waste = _locality_rows(values, "SOLID_WASTE_RATE", "2024")
    assert waste["numerator"].notna().all() and len(waste) == 9
    by_hand = waste["numerator"].sum() / waste["denominator"].sum() * 100
    province = _province(values, "SOLID_WASTE_RATE", "2024")
    assert province["value"] == pytest.approx(by_hand, rel=1e-9)
    assert province["chosen_source"] == "aggregate_of_localities"

    # Statistics office urban share: the ratio of the province sums of its two component indicators.
    urban = _locality_rows(values, "URBAN_POP", "2024")["value"].sum()
    total = _locality_rows(values, "TOTAL_POP", "2024")["value"].sum()
    assert _province(values, "URBAN_POP_SHARE_GSO", "2024")["value"] == pytest.approx(urban / total * 100)


def _years(start: date, end: date) -> float:
    # Whole months between period ends, as the model documents (2024-12-31 → 2025-06-30 is 0.5 years).
    return ((end.year - start.year) * 12 + end.month - start.month) / 12


def test_gap_and_progress_by_hand(sample_refresh: RefreshRun) -> None:
    """Province housing floor area per capita against Resolution 06's 27.5 m²/person for 2025, on its own map
    (old Khánh Hòa: the districts' reports to 2025-H1, then the new units rolled up)."""
    gaps = mart(sample_refresh, "fct_target_gaps")
    row = gaps[(gaps["locality_code"] == "56") & (gaps["indicator_code"] == "HOUSING_FLOOR_PC")
               & (gaps["programme_code"] == "NQ06_2021_2025")].iloc[0]
    nq06 = mart(sample_refresh, "fct_indicator_values_nq06_map")
    series = nq06[(nq06["locality_code"] == "56") & (nq06["indicator_code"] == "HOUSING_FLOOR_PC")]
    ends = {"2021": date(2021, 12, 31), "2022": date(2022, 12, 31), "2023": date(2023, 12, 31),
            "2024": date(2024, 12, 31), "2025-H1": date(2025, 6, 30), "2025": date(2025, 12, 31),
            "2025-H2": date(2025, 12, 31), "2026-H1": date(2026, 6, 30)}
    series = series.assign(end=series["period"].map(ends)).sort_values("end")
    baseline, latest = series.iloc[0], series.iloc[-1]
    target, target_end = 27.5, date(2025, 12, 31)

    assert row["period"] == latest["period"] == "2026-H1" and latest["map_method"] == "rolled_up_from_new_units"
    assert row["map_code"] == "nq06_map" and row["crosses_series_break"]
    assert row["actual"] == pytest.approx(latest["value"])
    assert row["target_value"] == pytest.approx(target) and row["target_year"] == 2025
    assert row["gap"] == pytest.approx(target - latest["value"], abs=1e-6)
    assert row["achievement_pct"] == pytest.approx(latest["value"] / target * 100, abs=1e-4)
    assert row["years_remaining"] == pytest.approx(_years(latest["end"], target_end))  # -0.5: the year is over
    observed = (latest["value"] / baseline["value"]) ** (1 / _years(baseline["end"], latest["end"])) - 1
    required = (target / baseline["value"]) ** (1 / _years(baseline["end"], target_end)) - 1
    ratio = observed / required
    assert row["progress_ratio"] == pytest.approx(ratio, rel=1e-6)
    expected_class = (
        "achieved" if latest["value"] >= target else "on_track" if ratio >= 0.95
        else "acceleration_needed" if ratio >= 0.6 else "limited_progress" if ratio >= 0
        else "deterioration"
    )
    assert row["progress_class"] == expected_class
    assert not math.isnan(row["gap"])


def _published_run(run: RefreshRun) -> str:
    return json.loads((run.home / "published.json").read_text(encoding="utf-8"))["run_id"]


def test_second_refresh_is_idempotent(sample_refresh: RefreshRun) -> None:
    before = {name: mart(sample_refresh, name) for name in ("fct_indicator_values", "fct_target_gaps")}
    raw_before = {name: len(mart(sample_refresh, name, "raw")) for name in ("submissions", "figures", "rejected_rows")}
    issues_before = mart(sample_refresh, "fct_dq_issues")["issue_id"].sort_values().tolist()
    published_before = _published_run(sample_refresh)

    # The same files again: each is recognised by its hash, nothing is new, so nothing is rebuilt.
    again = run_cli(sample_refresh.home, "refresh", "--sample", "--json")
    assert again.returncode == 0, again.stderr[-4000:]
    this_run = again.summary()["this_run"]
    files = len(list((REPO / "sources/sample/submissions").iterdir()))
    assert this_run["duplicates_skipped"] == this_run["files_seen"] == files
    assert this_run["nothing_new"] is True
    assert _published_run(again) == published_before
    # A night with nothing new ends "unchanged", not "failed": status does not call it a failed refresh.
    events = [json.loads(line) for line in (again.home / "logs" / "runs.jsonl").read_text().splitlines()]
    ended = [e for e in events if e.get("run_id") == again.summary()["run_id"] and e["event"] != "started"]
    assert [e["event"] for e in ended] == ["unchanged"], ended
    assert not (again.home / "work" / again.summary()["run_id"]).exists()
    status = run_cli(again.home, "status", "--json")
    assert json.loads(status.stdout)["last_refresh"]["outcome"] == "unchanged", status.stdout[-2000:]
    assert status.returncode != 3, status.stdout[-2000:]  # 3: the last refresh failed

    # A forced rebuild from the same inputs gives the same warehouse.
    full = run_cli(sample_refresh.home, "refresh", "--full", "--json")
    assert full.returncode == 0, full.stderr[-4000:]
    assert _published_run(full) != published_before
    assert {name: len(mart(full, name, "raw")) for name in raw_before} == raw_before
    assert mart(full, "fct_dq_issues")["issue_id"].sort_values().tolist() == issues_before
    for name, frame in before.items():
        keys = ["locality_code", "indicator_code"] + (
            ["period"] if name == "fct_indicator_values" else ["map_code", "programme_code"]  # a row per programme
        )
        pd.testing.assert_frame_equal(
            frame.sort_values(keys).reset_index(drop=True),
            mart(full, name).sort_values(keys).reset_index(drop=True),
            check_like=True,
        )


# ---------------------------------------------------------------- the reorganised province (issue 11 §7)


def test_planted_old_district_in_2026_is_rejected_naming_its_successors(sample_refresh: RefreshRun) -> None:
    problem = planted("old_district_after_its_end")
    rejected = mart(sample_refresh, "rejected_rows", "raw")
    row = rejected[(rejected["value_raw"] == problem["locality_text"]) & (rejected["period"] == problem["period"])]
    assert len(row) == 1 and row.iloc[0]["field"] == "locality"
    reason = row.iloc[0]["reason"]
    assert "ended on 2025-06-30" in reason
    for code, name in problem["successors"].items():
        assert f"{name} ({code})" in reason


def test_planted_reused_code_in_2024_means_the_old_commune(
    sample_refresh: RefreshRun, values: pd.DataFrame
) -> None:
    problem = planted("reused_code_before_reorganisation")
    figures = mart(sample_refresh, "figures", "raw")
    row = figures[(figures["file_name"] == problem["file"]) & (figures["locality_code"] == problem["locality_text"])]
    assert len(row) == 1
    assert row.iloc[0]["locality_key"] == problem["locality_key"] == "22411@2020-01-01"
    assert "Phường Cam Phúc Bắc" in row.iloc[0]["locality_reading"]
    live = values[(values["locality_code"] == "22411") & (values["period"] == "2024")]
    assert live["value"].tolist() == [pytest.approx(problem["value"])]


def test_planted_new_unit_before_its_start_is_refused_naming_its_predecessors(
    sample_refresh: RefreshRun, issues: pd.DataFrame
) -> None:
    problem = planted("new_unit_before_its_start")
    rejected = mart(sample_refresh, "rejected_rows", "raw")
    rows = rejected[rejected["file_name"] == problem["file"]]
    assert len(rows) == problem["rows_rejected"] and set(rows["field"]) == {"locality"}
    for reason in rows["reason"]:
        assert "began on 2025-07-01" in reason and f"{problem['predecessor']} (22411)" in reason
    figures = mart(sample_refresh, "figures", "raw")
    assert not len(figures[(figures["reporter_code"] == "22411") & (figures["period"] == "2024")])
    assert not len(_flagged(issues, "SUBMISSION_LATE", reporter_code="22411"))  # never due for 2024


def test_planted_split_commune_is_mapped_forward_with_placeholder_shares(sample_refresh: RefreshRun) -> None:
    problem = planted("split_commune_piece")
    figures = mart(sample_refresh, "figures", "raw")
    reported = figures[
        (figures["file_name"] == problem["file"]) & (figures["indicator_code"] == problem["indicator_code"])
    ]
    by_key = reported.set_index("locality_key")
    seeds = REPO / "dbt_project" / "seeds"
    crosswalk = pd.read_csv(seeds / "crosswalk_units.csv", dtype=str)
    shares = pd.read_csv(seeds / "crosswalk_shares.csv", dtype={"share": float}).set_index(
        ["old_locality_key", "new_locality_key"]
    )["share"]
    current = mart(sample_refresh, "fct_indicator_values_current_map")
    for code in problem["current_units"]:
        key = f"{code}@2025-07-01"
        pieces = crosswalk[(crosswalk["new_locality_key"] == key) & (crosswalk["effective_date"] == "2025-07-01")]
        num = den = 0.0
        for old in pieces["old_locality_key"]:
            share = shares.get((old, key), 1.0)
            num += share * by_key.loc[old, "numerator"]
            den += share * by_key.loc[old, "denominator"]
        row = current[
            (current["locality_code"] == code) & (current["indicator_code"] == problem["indicator_code"])
            & (current["period"] == "2024")
        ].iloc[0]
        assert row["uses_placeholder_share"], code
        assert row["pieces_reported"] == row["pieces_expected"] == len(pieces), code
        assert row["value"] == pytest.approx(num / den * 100, rel=1e-9), code
    assert problem["split_commune"] + "@2020-01-01" in set(reported["locality_key"])


def test_nq06_map_rolls_the_new_units_up_to_the_nine_districts(
    sample_refresh: RefreshRun, values: pd.DataFrame
) -> None:
    nq06 = mart(sample_refresh, "fct_indicator_values_nq06_map")
    crosswalk = pd.read_csv(REPO / "dbt_project" / "seeds" / "crosswalk_units.csv", dtype=str)
    localities = pd.read_csv(REPO / "dbt_project" / "seeds" / "localities.csv", dtype=str).set_index("locality_key")
    pieces = crosswalk[crosswalk["effective_date"] == "2025-07-01"].assign(
        district=lambda f: f["old_locality_key"].map(localities["parent_key"]).str.split("@").str[0]
    )
    for period in ("2025", "2025-H2"):
        rolled = nq06[(nq06["period"] == period) & nq06["locality_code"].isin(DISTRICTS | {"56"})]
        assert set(rolled["map_method"]) == {"rolled_up_from_new_units"}
        assert (rolled["completeness_share"] == 1).all(), rolled[rolled["completeness_share"] < 1]
        for district in DISTRICTS:
            units = set(pieces[pieces["district"] == district]["new_code"])
            pop = values[(values["indicator_code"] == "TOTAL_POP") & (values["period"] == period)
                         & values["locality_code"].isin(units)]["value"].sum()
            row = rolled[(rolled["locality_code"] == district) & (rolled["indicator_code"] == "TOTAL_POP")].iloc[0]
            assert row["value"] == pytest.approx(pop)
            for indicator in ("URBANIZATION_RATE", "HOUSING_FLOOR_PC", "CLEAN_WATER_RATE"):  # the series goes on
                h1 = nq06[(nq06["locality_code"] == district) & (nq06["indicator_code"] == indicator)
                          & (nq06["period"] == "2025-H1")].iloc[0]["value"]
                now = rolled[(rolled["locality_code"] == district) & (rolled["indicator_code"] == indicator)]
                assert abs(now.iloc[0]["value"] - h1) < 2, (district, indicator, period)


def test_programme_review_reads_2025_from_the_new_units(sample_refresh: RefreshRun) -> None:
    review = mart(sample_refresh, "fct_programme_review")
    nq06 = review[(review["programme_code"] == "NQ06_2021_2025") & (review["review_period"] == "2025")]
    assert len(nq06) and nq06["is_rolled_up"].all()
    assert set(nq06["review_status"]) == {"met", "not_met"}
    province = nq06[nq06["locality_code"] == "56"].set_index("indicator_code")
    assert province.loc["URBANIZATION_RATE", "review_status"] == "not_met"  # 63.4 % against 65 %
    assert (province["pieces_reported"] == 41).all()


def test_the_dbt_profile_times_every_model_the_refresh_built(sample_refresh: RefreshRun) -> None:
    """benchmarks.dbt_profile reads dbt's own execution time of each model from the run's Dagster events."""
    import duckdb

    from benchmarks.dbt_profile import dbt_node_times, render

    run_id, times, checks = dbt_node_times(sample_refresh.home / "dagster", sample_refresh.summary()["run_id"])
    assert run_id == sample_refresh.summary()["run_id"]
    models = {t.node.removeprefix("model.dothi.") for t in times if t.node.startswith("model.")}
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        tables = conn.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
    marts = {name for (name,) in tables}
    assert marts and marts <= models, f"marts without a timing: {sorted(marts - models)}"
    assert all(t.seconds >= 0 for t in times) and times == sorted(times, key=lambda t: -t.seconds)
    assert checks.get("dbt_warehouse", 0) > 100 and checks.get("dbt_dq_findings", 0) > 0
    assert times[0].node.removeprefix("model.dothi.") in render(run_id, times, checks, top=1)
