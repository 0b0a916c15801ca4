"""The harness's formatting and the baselines' agreement on a tiny scale (nothing here is timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.baselines import floor, pandas_refresh
from benchmarks.baselines.convert import convert
from benchmarks.generate import Scale, generate, merge_seeds, quarterly
from benchmarks.run import (
    by_stage,
    comparison_rows,
    fmt_rate,
    fmt_seconds,
    markdown_table,
    ratio,
    report,
    stage_of,
    stage_peaks,
)


def test_ratios_and_units() -> None:
    assert ratio(30.0, 10.0) == "3.0×"
    assert ratio(None, 10.0) == "—" and ratio(3.0, 0.0) == "—"
    assert fmt_seconds(1.234) == "1.23 s" and fmt_seconds(75.0) == "75.0 s" and fmt_seconds(None) == "—"
    assert fmt_rate(10_000, 2.0) == "5.0 k/s" and fmt_rate(50, 1.0) == "50/s" and fmt_rate(None, 1.0) == "—"
    assert comparison_rows(60.0, 4.0, 30.0) == [
        ["dothi / floor", "15.0×"],
        ["dothi / pandas", "2.0×"],
        ["pandas / floor", "7.5×"],
    ]


def test_markdown_table_aligns_columns() -> None:
    text = markdown_table(["run", "wall"], [["dothi", "1.0 s"], ["floor", "12.50 s"]])
    lines = text.splitlines()
    assert lines[0] == "| run   | wall    |"
    assert lines[1] == "|-------|---------|"
    assert len({len(line) for line in lines}) == 1


def test_steps_map_to_stages() -> None:
    steps = {
        "intake": 2.0,
        "dbt_warehouse": 20.0,
        "dbt_dq_findings": 8.0,
        "quality__gx_findings": 6.0,
        "gx_suite_checks": 0.5,
        "reports__refresh_summary": 0.1,
        "publish_warehouse": 1.0,
    }
    assert stage_of("dbt_warehouse") == "dbt build" and stage_of("something_else") == "other"
    assert by_stage(steps) == {"intake": 2.0, "dbt build": 28.0, "quality": 6.5, "report": 0.1, "publish": 1.0}


def test_stage_peaks_come_from_the_samples_inside_each_stage() -> None:
    windows = {"intake": (10.0, 20.0), "dbt_warehouse": (20.5, 40.0), "dbt_dq_findings": (41.0, 45.0),
               "reports__dashboard": (46.0, 50.0)}
    mb = 2**20
    timeline = [(5.0, 9000 * mb), (12.0, 300 * mb), (19.9, 700 * mb), (30.0, 1500 * mb), (42.0, 1800 * mb),
                (47.0, 400 * mb), (55.0, 9000 * mb)]
    # outside every step (start-up, shutdown) counts for no stage; a stage takes the max over its steps
    assert stage_peaks(windows, timeline) == {"intake": 700.0, "dbt build": 1800.0, "report": 400.0}


def _meas(seconds: float | None, **output: object) -> dict:
    return {
        "label": "x",
        "seconds": seconds,
        "peak_rss_mb": 100.0,
        "returncode": 0,
        "load_before": 1.0,
        "load_after": 1.5,
        "output": output,
        "note": "",
    }


def test_report_renders_every_section() -> None:
    result = {
        "when": "today",
        "code": "commit abc",
        "notes": ["a note"],
        "machine": {
            "cpu": "cpu × 2",
            "ram": "8 GiB",
            "os": "linux",
            "python": "3.11",
            "versions": "duckdb 2",
            "commit": "abc",
        },
        "baselines": {"floor": _meas(2.0, rows_read=1000), "pandas": _meas(10.0)},
        "dothi": {
            "full": {**_meas(40.0, run_id="r"), "stage_peak_mb": {"intake": 321.0}},
            "noop": _meas(30.0),
            "steps": {"intake": 5.0},
            "stages": {"intake": 5.0},
            "noop_stages": {"intake": 0.1},
            "counts": {"raw_figures": 990},
        },
    }
    text = report("tiny", {"files": 3, "rows": 1000}, result)
    assert "| dothi / floor  | 20.0× |" in text and "| dothi / pandas | 4.0×  |" in text
    assert "## dothi by stage" in text and "- a note" in text and "commit abc" in text
    assert "| 321 MB " in text  # the intake's peak, in the stage table


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    out = tmp_path_factory.mktemp("bench")
    scale = Scale(
        "tiny",
        provinces=1,  # under Khánh Hòa: province rows and gaps on the programme's map
        units=4,
        indicators=8,
        periods=quarterly(2022, 2022),
        departments=2,
        xlsx_share=0.3,
        bad_row_share=0.05,
        seed=3,
    )
    generate("tiny", out, workers=1, scale=scale)
    root = out / "tiny"
    merge_seeds(root / "reference", out / "seeds")
    convert(sorted((root / "inbox").glob("*.xlsx")), out / "canon")
    return root / "inbox", out / "canon", out / "seeds"


def test_floor_and_pandas_do_the_same_job(tiny: tuple[Path, Path, Path]) -> None:
    inbox, canon, seeds = tiny
    by_floor = floor.run(inbox, canon, seeds)
    by_pandas = pandas_refresh.refresh(inbox, canon, seeds)
    keys = ("rows_read", "figures", "rows_rejected", "consolidated", "disagreements", "gaps",
            "consolidated_province", "gaps_province")
    assert {k: by_floor[k] for k in keys} == {k: by_pandas[k] for k in keys}
    rejected, gaps = by_floor["rows_rejected"], by_floor["gaps"]
    assert isinstance(rejected, int) and isinstance(gaps, int) and rejected > 0 and gaps > 0
    assert isinstance(by_floor["consolidated_province"], int) and by_floor["consolidated_province"] > 0


DBT_UNIT_TESTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "values"


def _dbt_unit_test(name: str) -> dict:
    import yaml

    tests = yaml.safe_load((DBT_UNIT_TESTS / "_values__unit_tests.yml").read_text(encoding="utf-8"))["unit_tests"]
    return next(t for t in tests if t["name"] == name)


def _csv(path: Path, header: list[str], rows: list[dict]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def _files_for(given: dict[str, list[dict]], root: Path, extra_figures: list[dict]) -> tuple[Path, Path]:
    """Seeds and one department's submission holding a dbt unit test's given rows (its localities'
    consolidated values and the department's province totals), so the baselines start from files."""
    from benchmarks.baselines import province_code

    province = province_code()
    seeds, inbox = root / "seeds", root / "inbox"
    seeds.mkdir()
    inbox.mkdir()
    units = {r["locality_code"]: r for r in given["int_units__by_period"]}
    _csv(seeds / "localities.csv",
         ["locality_key", "locality_code", "level", "name_vi", "name_en", "short_name_vi", "parent_code",
          "parent_key", "valid_from", "valid_to"],
         [{"locality_key": f"{province}@2020-01-01", "locality_code": province, "level": "province",
           "name_vi": "Tỉnh Thử", "name_en": "Test Province", "short_name_vi": "Thử", "valid_from": "2020-01-01"}]
         + [{"locality_key": f"{code}@2020-01-01", "locality_code": code, "level": "district",
             "name_vi": f"Huyện Thử {code}", "name_en": f"Test district {code}", "short_name_vi": f"Thử {code}",
             "parent_code": province, "parent_key": f"{province}@2020-01-01", "valid_from": "2020-01-01"}
            for code in units])
    _csv(seeds / "programmes.csv", ["programme_code", "map_code"],
         [{"programme_code": "NQ06_2021_2025", "map_code": "nq06_map"}])
    _csv(seeds / "locality_aliases.csv", ["alias", "locality_key"], [])
    reporter = {"reporter_code": "CTK", "kind": "department", "name_vi": "Cục Thống kê",
                "name_en": "Statistics Office", "short_name_vi": "Thống kê"}
    localities = [{"reporter_code": f"UB{code}", "kind": "locality", "locality_code": code,
                   "name_vi": f"UBND {code}", "name_en": f"People's Committee {code}",
                   "short_name_vi": f"UB {code}"} for code in units]
    _csv(seeds / "reporters.csv", ["reporter_code", "kind", "locality_code", "name_vi", "name_en", "short_name_vi"],
         [reporter, *localities])
    _csv(seeds / "reporter_aliases.csv", ["alias", "reporter_code"], [])
    _csv(seeds / "indicators.csv",
         ["indicator_code", "name_vi", "name_en", "aggregation", "weight_indicator_code", "numerator_indicator_code",
          "denominator_indicator_code", "rate_scale", "responsible_reporter_code", "tolerance_pct", "direction"],
         [{**r, "name_vi": f"Chỉ tiêu {r['indicator_code']}", "name_en": f"Indicator {r['indicator_code']}",
           "responsible_reporter_code": "CTK", "tolerance_pct": 2, "direction": "higher"}
          for r in given["indicators"]])
    _csv(seeds / "targets.csv", ["programme_code", "locality_code", "indicator_code", "target_value", "target_year"],
         [{"programme_code": "NQ06_2021_2025", "locality_code": province, "indicator_code": r["indicator_code"],
           "target_value": 1, "target_year": 2030} for r in given["indicators"]])
    figures = [{**r, "reporter": "CTK"} for r in given["int_values__localities"]] + [
        {**r, "reporter": "CTK", "value": r["department_value"]}
        for r in given["int_values__by_channel"] if r["locality_code"] == province
    ]
    header = ["reporter", "period", "submitted", "locality", "indicator", "value", "numerator", "denominator"]
    by_file: dict[str, list[dict]] = {}
    for r in [*figures, *extra_figures]:
        by_file.setdefault(r["reporter"], []).append(
            {**r, "locality": r["locality_code"], "indicator": r["indicator_code"], "submitted": "10/01/2025"})
    for who, rows in by_file.items():
        _csv(inbox / f"report_{who}.csv", header, rows)
    return inbox, seeds


def _province_rows_of_both_baselines(inbox: Path, seeds: Path, tmp_path: Path) -> tuple[set, set]:
    import duckdb

    from benchmarks.baselines import province_code

    floor.run(inbox, None, seeds, tmp_path / "floor.duckdb")
    with duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True) as conn:
        by_floor = conn.execute(
            "select indicator_code, period, value, numerator, denominator from consolidated where locality_code = ?",
            [province_code()],
        ).fetchall()
    tables: dict = {}
    pandas_refresh.refresh(inbox, None, seeds, tables)
    cons = tables["consolidated"]
    rows = cons[cons["locality_code"] == province_code()][["indicator_code", "period", "value", "numerator",
                                                            "denominator"]]
    by_pandas = [tuple(None if v != v else v for v in r) for r in rows.itertuples(index=False)]  # NaN → None

    def rounded(rows: list) -> set:
        return {tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows}

    return rounded(by_floor), rounded(by_pandas)


def test_baselines_make_dothis_province_rows(tmp_path: Path) -> None:
    """The baselines' province rows are dothi's: the rows of dbt's own pinned case for int_values__province
    (sum only when complete, ratio of sums, ratio of the indicator sums, weighted with an earlier period's
    weight, else the department's total), from the same figures sent as a file."""
    test = _dbt_unit_test("province_aggregation_never_averages_rates")
    given = {g["input"].split("'")[1]: g["rows"] for g in test["given"]}
    inbox, seeds = _files_for(given, tmp_path, [])
    expected = set()
    for r in test["expect"]["rows"]:
        computed = r["aggregate_value"] is not None
        value = r["aggregate_value"] if computed else r["province_total_value"]
        if value is not None:
            num, den = (r["aggregate_numerator"], r["aggregate_denominator"]) if computed else (None, None)
            expected.add((r["indicator_code"], r["period"], round(float(value), 9),
                          None if num is None else float(num), None if den is None else float(den)))
    by_floor, by_pandas = _province_rows_of_both_baselines(inbox, seeds, tmp_path)
    assert by_floor == expected
    assert by_pandas == expected


def test_baselines_take_the_chosen_channels_fraction_and_break_weight_ties_like_dothi(tmp_path: Path) -> None:
    """Two more of dothi's details: the consolidated numerator/denominator are the chosen channel's (a
    department value without a fraction beats a locality's value with one: no ratio of sums, weighted
    instead); among earlier weights ending the same day, the smallest sort key (the year before its Q4)."""
    given: dict[str, list[dict]] = {
        "int_units__by_period": [{"locality_code": "568"}, {"locality_code": "569"}],
        "indicators": [
            {"indicator_code": "RATE", "aggregation": "ratio", "weight_indicator_code": "POP", "rate_scale": 100},
            {"indicator_code": "POP", "aggregation": "sum"},
        ],
        "int_values__localities": [
            {"locality_code": "568", "indicator_code": "RATE", "period": "2023-Q1", "value": 40, "numerator": 44,
             "denominator": 110},
            {"locality_code": "569", "indicator_code": "RATE", "period": "2023-Q1", "value": 30},
            {"locality_code": "568", "indicator_code": "POP", "period": "2023-Q1", "value": 110},
            {"locality_code": "569", "indicator_code": "POP", "period": "2022", "value": 300},
            {"locality_code": "569", "indicator_code": "POP", "period": "2022-Q4", "value": 200},
        ],
        "int_values__by_channel": [],
    }
    self_report = {"reporter": "UB569", "locality_code": "569", "indicator_code": "RATE", "period": "2023-Q1",
                   "value": 31, "numerator": 93, "denominator": 300}
    inbox, seeds = _files_for(given, tmp_path, [self_report])
    by_floor, by_pandas = _province_rows_of_both_baselines(inbox, seeds, tmp_path)
    weighted = round((40 * 110 + 30 * 300) / (110 + 300), 9)  # 569 weighs its 2022 value, not 2022-Q4's
    assert by_floor == by_pandas == {("RATE", "2023-Q1", weighted, None, None)}


def test_floor_reads_a_header_only_file_for_a_missing_dialect(tmp_path: Path) -> None:
    sql = floor.render(tmp_path, None, tmp_path)
    assert "empty/A.csv" in sql and "empty/canon.csv" in sql and "{A}" not in sql and "{REF}" not in sql


def test_revised_submission_is_a_real_revision_of_a_sample_file() -> None:
    """The incremental benchmark's input: same reporter and period, a later date, one value changed."""
    from datetime import date

    from benchmarks.revision import revised_submission
    from sources.reference import load_reference
    from sources.submission import parse_submission

    inbox = Path(__file__).resolve().parents[2] / "sources" / "sample" / "submissions"
    name, data = revised_submission(inbox)
    original_name = name.replace("_dieu_chinh_bench", "")
    reference, today = load_reference(), date(2026, 1, 1)
    before = parse_submission((inbox / original_name).read_bytes(), original_name, today=today, reference=reference)
    after = parse_submission(data, name, today=today, reference=reference)
    assert (after.meta.reporter_code, after.meta.periods) == (before.meta.reporter_code, before.meta.periods)
    assert after.meta.submitted_at is not None and before.meta.submitted_at is not None
    assert after.meta.submitted_at > before.meta.submitted_at
    changed = [
        (a.indicator_code, b.value, a.value)
        for a, b in zip(after.figures, before.figures, strict=True)
        if a.value != b.value
    ]
    assert len(changed) == 1
    (_, old, new), = changed
    assert old is not None and new == pytest.approx(old * 1.01, rel=1e-2)


def test_a_failed_run_fails_the_harness() -> None:
    from benchmarks.run import failed_runs

    ok = {"label": "dothi refresh", "returncode": 0, "seconds": 10.0}
    timed_out = {"label": "pandas script", "returncode": -9, "seconds": None, "note": "stopped after 5 s"}
    broken = {"label": "dothi incremental refresh", "returncode": 1, "seconds": None}
    assert failed_runs({"dothi": {"full": ok, "incremental": broken}, "baselines": {"floor": ok}}) == [
        "dothi incremental refresh"
    ]
    assert failed_runs({"dothi": {"full": ok}}) == []
    assert failed_runs({"baselines": {"pandas": timed_out}}) == ["pandas script"]


def test_same_job_verdict_locates_a_difference_from_the_figures() -> None:
    from benchmarks.run import same_job_verdict

    out = {"figures": 10, "rows_rejected": 2, "consolidated": 100, "consolidated_province": 0,
           "disagreements": 3, "gaps": 7, "gaps_province": 0}
    base = {"floor": {"output": out}, "pandas": {"output": {**out, "disagreements": 4}}}
    counts = {"raw_figures": 10, "raw_rejected_rows": 2, "fct_indicator_values": 105,
              "fct_indicator_values_province": 5, "disagreements": 3, "fct_target_gaps_with_actual": 8,
              "fct_target_gaps_with_actual_province": 0}
    lines = same_job_verdict(base, counts)
    assert lines[0] == "- figures: equal (10) in dothi, floor, pandas."
    assert "consolidated: **differ**" in lines[2] and "lies in the programme's province rows only" in lines[2]
    assert lines[3][2:] == "disagreements: **differ** — dothi 3, floor 3, pandas 4."
    assert "lies in the rows below the province" in lines[4]


def test_baselines_skip_headings_like_dothi(tmp_path: Path) -> None:
    """A row with no figure and no known indicator is a heading or signature line: dothi skips it
    (sources/submission.py _is_heading; tests/unit/test_sources_formats.py
    test_column_numbering_row_and_section_headings_are_skipped), so it is no rejected row; an unknown
    indicator with a value is one."""
    given: dict[str, list[dict]] = {
        "int_units__by_period": [{"locality_code": "568"}],
        "indicators": [{"indicator_code": "POP", "aggregation": "sum"}],
        "int_values__localities": [{"locality_code": "568", "indicator_code": "POP", "period": "2024", "value": 1}],
        "int_values__by_channel": [],
    }
    rows = [{"reporter": "CTK", "locality_code": "568", "indicator_code": code, "period": "2024", "value": value}
            for code, value in (("I. Nhà ở", None), ("NOT_AN_INDICATOR", 5))]
    inbox, seeds = _files_for(given, tmp_path, rows)
    by_floor, by_pandas = floor.run(inbox, None, seeds), pandas_refresh.refresh(inbox, None, seeds)
    assert (by_floor["rows_read"], by_floor["figures"], by_floor["rows_rejected"]) == (3, 1, 1)
    assert (by_pandas["rows_read"], by_pandas["figures"], by_pandas["rows_rejected"]) == (3, 1, 1)
