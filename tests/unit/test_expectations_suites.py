"""Suites as data (no GX needed) and the promise that importing the package stays cheap."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from expectations.results import ExpectationOutcome, SuiteOutcome, plain, summarise
from expectations.suites import SuiteError, expand_expectations, load_suite, load_suites, suite_tables

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "dbt_project" / "seeds" / "indicators.csv"


def test_importing_expectations_does_not_import_great_expectations() -> None:
    code = (
        "import sys\n"
        "import expectations, expectations.results, expectations.suites, expectations.store,"
        " expectations.run\n"
        "from expectations import validate_warehouse, suite_tables\n"
        "suite_tables()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shipped_suites_load_with_rule_metadata() -> None:
    specs = {s.name: s for s in load_suites()}
    assert set(specs) == {"raw_figures", "value_range", "rate_consistency", "reconciliation",
                          "expected_submissions"}
    assert suite_tables() == [
        ("expected_submissions", "intermediate", "int_expected_submissions"),
        ("rate_consistency", "intermediate", "int_checks__rate_consistency"),
        ("raw_figures", "raw", "figures"),
        ("reconciliation", "intermediate", "int_reconciliation"),
        ("value_range", "intermediate", "int_checks__value_range"),
    ]
    assert specs["raw_figures"].row_keys == ("file_sha256", "row_number")
    assert {s.row_keys for n, s in specs.items() if n != "raw_figures"} == {("check_key",)}
    assert specs["value_range"].reference_tables == ("reference.indicators",)
    rules = {(e["meta"]["rule_code"], e["meta"]["severity"]) for s in specs.values() for e in s.expectations}
    assert rules == {
        ("REQUIRED_FIELD_MISSING", "error"), ("VALUE_OUT_OF_RANGE", "error"),
        ("NUMERATOR_GT_DENOMINATOR", "error"), ("RATE_MISMATCH", "error"),
        ("CHANNEL_DISAGREEMENT", "error"), ("PROVINCE_TOTAL_MISMATCH", "error"),
        ("SUBMISSION_MISSING", "error"), ("SUBMISSION_LATE", "warning"),
    }


def test_value_range_expands_from_the_real_seed() -> None:
    (spec,) = [s for s in load_suites() if s.name == "value_range"]
    with SEED.open(encoding="utf-8") as fh:
        seed = [
            {**r, "valid_min": float(r["valid_min"]) if r["valid_min"] else None,
             "valid_max": float(r["valid_max"]) if r["valid_max"] else None}
            for r in csv.DictReader(fh)
        ]
    expanded = expand_expectations(spec, {"reference.indicators": seed})
    assert len(expanded) == len(seed)  # every catalogue indicator has limits today
    by_code = {e["kwargs"]["row_condition"]["parameter"]: e for e in expanded}
    water = by_code["WATER_PER_CAPITA"]
    assert (water["kwargs"]["min_value"], water["kwargs"]["max_value"]) == (20.0, 400.0)
    assert water["meta"]["description"] == "WATER_PER_CAPITA must lie within [20, 400]."
    assert water["meta"]["template_params"] == {"indicator_code": "WATER_PER_CAPITA", "valid_max": 400.0,
                                                "valid_min": 20.0}
    assert "expand" not in water["meta"]
    # The template itself is untouched.
    assert spec.expectations[0]["kwargs"]["min_value"] == "{{valid_min}}"


def test_expansion_keeps_types_skips_unbounded_rows_and_reports_missing_columns() -> None:
    (spec,) = [s for s in load_suites() if s.name == "value_range"]
    rows: list[dict[str, object]] = [
        {"indicator_code": "A", "valid_min": 0.0, "valid_max": float("nan")},
        {"indicator_code": "B", "valid_min": None, "valid_max": None},
    ]
    (only,) = expand_expectations(spec, {"reference.indicators": rows})
    assert only["kwargs"]["min_value"] == 0.0 and only["kwargs"]["max_value"] is None
    assert only["meta"]["description"] == "A must lie within [0, -]."
    with pytest.raises(SuiteError, match="lacks column"):
        expand_expectations(spec, {"reference.indicators": [{"indicator_code": "A"}]})
    with pytest.raises(SuiteError, match="not available"):
        expand_expectations(spec, {})


def test_a_suite_without_rule_metadata_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "name": "bad", "meta": {"table": "raw.figures", "row_keys": ["file_sha256"]},
        "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"},
                          "meta": {"rule_code": "X", "severity": "fatal", "description": "d"}}],
    }))
    with pytest.raises(SuiteError, match="severity"):
        load_suite(bad)
    bad.write_text(json.dumps({"name": "bad", "meta": {"table": "figures", "row_keys": ["k"]},
                               "expectations": []}))
    with pytest.raises(SuiteError, match="schema.table"):
        load_suite(bad)


def _outcome(rule: str, severity: str, *, success: bool, rows: int = 0, error: str | None = None
             ) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite_name="s", table_name="t", expectation_type="expect_x", column="c", rule_code=rule,
        severity=severity, success=success, element_count=10, unexpected_count=rows,
        unexpected_percent=rows * 10.0, unexpected_rows=[{"check_key": f"k{i}"} for i in range(rows)],
        error=error, row_keys=("check_key",),
    )


def test_summaries_separate_findings_from_execution_errors() -> None:
    warn_only = SuiteOutcome("w", "t", [_outcome("LATE", "warning", success=False, rows=2),
                                        _outcome("MISSING", "error", success=True)])
    broken = SuiteOutcome("b", "t", [_outcome("MISMATCH", "error", success=False, error="boom")])
    skipped = SuiteOutcome("s", "t", skipped_reason="table x does not exist yet")
    assert warn_only.passed and warn_only.worst_severity == "warning"
    assert not broken.passed and broken.worst_severity == "error" and broken.failures == []
    assert summarise([warn_only, broken, skipped]) == {
        "error_rows": 0, "warning_rows": 2, "execution_errors": 1, "failed_suites": 1, "skipped_suites": 1,
    }
    meta = broken.check_metadata()
    assert meta["execution_errors"] == 1 and "boom" in str(meta["first_execution_error"])
    many = SuiteOutcome("m", "t", [_outcome("R", "error", success=False, rows=25)])
    assert str(many.check_metadata()["failing_keys"]).endswith("(+15 more)")


def test_plain_values() -> None:
    import datetime as dt

    import numpy as np
    import pandas as pd

    mixed = {"a": [np.nan, np.int64(3), pd.NaT, pd.NA, np.float64(1.5)]}
    assert plain(mixed) == {"a": [None, 3, None, None, 1.5]}
    assert plain(pd.Timestamp("2025-02-14 09:00")) == "2025-02-14T09:00:00"
    assert plain(dt.date(2025, 2, 14)) == "2025-02-14"
    assert plain(np.bool_(True)) is True
