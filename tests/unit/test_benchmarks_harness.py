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
        provinces=2,
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
    keys = ("rows_read", "figures", "rows_rejected", "consolidated", "disagreements", "gaps")
    assert {k: by_floor[k] for k in keys} == {k: by_pandas[k] for k in keys}
    rejected, gaps = by_floor["rows_rejected"], by_floor["gaps"]
    assert isinstance(rejected, int) and isinstance(gaps, int) and rejected > 0 and gaps > 0


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
