"""GX suites end to end on a hand-made warehouse: rows that must flag, rows that must not."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from expectations import SuiteOutcome, summarise, validate_warehouse

# Tables in the shapes agreed with the dbt engineer (only the columns the suites and findings use,
# plus a few others), no constraints, so broken rows can exist.
FULL_WAREHOUSE_SQL = """
create schema raw; create schema intermediate; create schema reference;

create table reference.indicators (indicator_code varchar, unit varchar, valid_min double, valid_max double);
insert into reference.indicators values
    ('URBANIZATION_RATE', '%', 0, 100),
    ('WATER_PER_CAPITA', 'l/person/day', 20, 400),
    ('NO_MAX', 'unit', 0, null),       -- only a lower limit
    ('NO_LIMITS', 'unit', null, null); -- nothing to check: no expectation

create table raw.figures (
    file_sha256 varchar, file_name varchar, sheet_name varchar, row_number integer,
    reporter_code varchar, reporter_kind varchar, locality_code varchar, indicator_code varchar,
    period varchar, value double, unit varchar, numerator double, denominator double, note varchar,
    value_raw varchar, number_reading varchar, submitted_at timestamp, ingested_at timestamp,
    run_id varchar);
insert into raw.figures (file_sha256, file_name, row_number, reporter_code, reporter_kind,
                         locality_code, indicator_code, period, value, ingested_at) values
    ('aaa', 'a.csv', 2, 'NHA_TRANG', 'locality', '568', 'URBAN_POP', '2024', 1.0, now()),
    ('aaa', 'a.csv', 3, null, 'locality', '568', 'URBAN_POP', '2024', 2.0, now()),
    ('aaa', 'a.csv', 4, 'NHA_TRANG', 'locality', '568', null, null, null, now()),
    (null, 'x.csv', 5, 'SXD', 'department', '568', 'URBAN_POP', '2024', 3.0, now()),
    ('bbb', 'b.csv', 2, 'SXD', 'department', '56', 'URBAN_POP', '2024', null, now());

create table intermediate.int_checks__value_range (
    check_key varchar, file_sha256 varchar, file_name varchar, row_number integer,
    reporter_code varchar, reporter_kind varchar, locality_code varchar, indicator_code varchar,
    period varchar, value double, valid_min double, valid_max double, unit varchar);
insert into intermediate.int_checks__value_range (check_key, file_name, row_number, locality_code,
                                                  indicator_code, period, value) values
    ('vr1', 'a.csv', 2, '568', 'URBANIZATION_RATE', '2024', 55),
    ('vr2', 'a.csv', 3, '568', 'URBANIZATION_RATE', '2024', 120),  -- above 100
    ('vr3', 'a.csv', 4, '568', 'WATER_PER_CAPITA', '2024', 10),    -- below 20
    ('vr4', 'a.csv', 5, '568', 'WATER_PER_CAPITA', '2024', 150),
    ('vr5', 'a.csv', 6, '568', 'URBANIZATION_RATE', '2024', null), -- missing is not out of range
    ('vr6', 'a.csv', 7, '568', 'NO_MAX', '2024', -5),              -- below 0
    ('vr7', 'a.csv', 8, '568', 'NO_MAX', '2024', 1e9),
    ('vr8', 'a.csv', 9, '568', 'NOT_IN_CATALOGUE', '2024', 999),
    ('vr9', 'a.csv', 10, '568', 'NO_LIMITS', '2024', -1),
    ('vr10', 'a.csv', 11, '568', 'URBANIZATION_RATE', '2024', 100); -- limits are inclusive

create table intermediate.int_checks__rate_consistency (
    check_key varchar, file_sha256 varchar, file_name varchar, row_number integer,
    reporter_code varchar, reporter_kind varchar, locality_code varchar, indicator_code varchar,
    period varchar, value double, numerator double, denominator double, rate_scale double,
    computed_value double, abs_deviation double, consistency_tolerance double,
    deviation_ratio double, is_share boolean);
insert into intermediate.int_checks__rate_consistency (check_key, locality_code, indicator_code,
                                                       period, numerator, denominator,
                                                       deviation_ratio, is_share) values
    ('rc1', '568', 'CLEAN_WATER_RATE', '2024', 50, 100, 0.2, true),
    ('rc2', '568', 'CLEAN_WATER_RATE', '2023', 120, 100, 0.1, true),   -- share above its whole
    ('rc3', '568', 'GREEN_LAND_PC', '2024', 120, 100, 0.0, false),     -- not a share: fine
    ('rc4', '569', 'CLEAN_WATER_RATE', '2024', 80, 100, 3.5, true),    -- rate off its parts
    ('rc5', '570', 'CLEAN_WATER_RATE', '2024', null, 100, null, true), -- nothing to compare
    ('rc6', '571', 'GREEN_LAND_PC', '2024', 5, 1, 1.0, null),          -- at tolerance: fine
    ('rc7', '572', 'CLEAN_WATER_RATE', '2024', 100, 100, 1.0001, true); -- equal parts fine, rate not

create table intermediate.int_reconciliation (
    check_key varchar, comparison varchar, locality_code varchar, indicator_code varchar,
    period varchar, locality_value double, department_value double, abs_diff double,
    rel_diff_pct double, tolerance_pct double, diff_over_tolerance double, status varchar);
insert into intermediate.int_reconciliation (check_key, comparison, locality_code, indicator_code,
                                             period, diff_over_tolerance, status) values
    ('re1', 'locality_vs_department', '568', 'URBAN_POP', '2024', 0.5, 'minor'),
    ('re2', 'locality_vs_department', '569', 'URBAN_POP', '2024', 2.4, 'major'),
    ('re3', 'locality_vs_department', '570', 'URBAN_POP', '2024', null, 'locality_only'),
    ('re4', 'aggregate_vs_province_total', '56', 'URBAN_POP', '2024', 1.0, 'consistent'),
    ('re5', 'aggregate_vs_province_total', '56', 'TOTAL_POP', '2024', 1.7, 'major'),
    ('re6', 'locality_vs_department', '571', 'URBAN_POP', '2024', 1.0, 'minor');

create table intermediate.int_expected_submissions (
    check_key varchar, reporter_code varchar, reporter_kind varchar, period varchar,
    period_end_date date, deadline_date date, first_submitted_at timestamp, file_sha256 varchar,
    file_name varchar, submission_status varchar, days_late integer);
insert into intermediate.int_expected_submissions values
    ('es1', 'NHA_TRANG', 'locality', '2024', '2024-12-31', '2025-02-14', '2025-02-01 09:00', 'aaa',
     'a.csv', 'on_time', 0),
    ('es2', 'CAM_RANH', 'locality', '2024', '2024-12-31', '2025-02-14', '2025-03-01 09:00', 'ccc',
     'c.csv', 'late', 15),
    ('es3', 'SXD', 'department', '2024', '2024-12-31', '2025-03-01', null, null, null, 'missing', null),
    ('es4', 'SGTVT', 'department', '2023', '2023-12-31', '2024-03-01', '2024-03-02 08:00', 'ddd',
     'd.csv', 'late', 1);
"""


def make_warehouse(path: Path, sql: str) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute(sql)
    return path


def by_suite(outcomes: list[SuiteOutcome]) -> dict[str, SuiteOutcome]:
    return {s.suite_name: s for s in outcomes}


def failing_keys(suite: SuiteOutcome, rule_code: str) -> dict[str | None, set]:
    """Per column, the row keys (one value, or a tuple for compound keys) that broke ``rule_code``."""
    out: dict[str | None, set] = {}
    for o in suite.outcomes:
        if o.rule_code == rule_code and o.failed:
            keys = {tuple(r[k] for k in o.row_keys) for r in o.unexpected_rows}
            out.setdefault(o.column, set()).update(k[0] if len(k) == 1 else k for k in keys)
    return out


def all_failing(suite: SuiteOutcome, rule_code: str) -> set:
    return set().union(*failing_keys(suite, rule_code).values()) if failing_keys(suite, rule_code) else set()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SuiteOutcome], Path]:
    tmp = tmp_path_factory.mktemp("gx_full")
    warehouse = make_warehouse(tmp / "warehouse.duckdb", FULL_WAREHOUSE_SQL)
    docs = tmp / "reports" / "data_docs"
    started = time.perf_counter()
    outcomes = validate_warehouse(warehouse, run_id="run-1", data_docs_dir=docs)
    # Not a timed assertion: a figure for the report (`pytest -s` shows it).
    print(f"\nvalidate_warehouse (first call, GX import included): {time.perf_counter() - started:.2f} s")
    return warehouse, outcomes, docs


def test_no_execution_errors_and_nothing_skipped(full_run) -> None:
    _, outcomes, _ = full_run
    assert [s.suite_name for s in outcomes] == [
        "expected_submissions", "rate_consistency", "raw_figures", "reconciliation", "value_range",
    ]
    for suite in outcomes:
        assert not suite.skipped, suite.skipped_reason
        assert suite.execution_errors == [], [o.error for o in suite.execution_errors]


def test_required_fields(full_run) -> None:
    suite = by_suite(full_run[1])["raw_figures"]
    assert failing_keys(suite, "REQUIRED_FIELD_MISSING") == {
        "file_sha256": {(None, 5)},
        "reporter_code": {("aaa", 3)},
        "indicator_code": {("aaa", 4)},
        "period": {("aaa", 4)},
    }
    passed = {o.column for o in suite.outcomes if o.success}
    assert passed == {"row_number", "reporter_kind", "locality_code"}
    # Context columns travel with the finding.
    (row,) = next(o for o in suite.outcomes if o.column == "reporter_code").unexpected_rows
    assert row["file_name"] == "a.csv" and row["indicator_code"] == "URBAN_POP"


def test_value_range_is_expanded_per_indicator(full_run) -> None:
    suite = by_suite(full_run[1])["value_range"]
    # NO_LIMITS has neither bound: no expectation; the three others one each, in seed order.
    assert [o.kwargs["row_condition"]["parameter"] for o in suite.outcomes] == [
        "URBANIZATION_RATE", "WATER_PER_CAPITA", "NO_MAX",
    ]
    assert all_failing(suite, "VALUE_OUT_OF_RANGE") == {"vr2", "vr3", "vr6"}
    rate = suite.outcomes[0]
    assert rate.element_count == 4  # vr1, vr2, vr5 (null), vr10 of URBANIZATION_RATE
    assert rate.unexpected_rows == [
        {"check_key": "vr2", "value": 120.0, "file_name": "a.csv", "row_number": 3,
         "locality_code": "568", "indicator_code": "URBANIZATION_RATE", "period": "2024",
         "reporter_code": None},
    ]
    assert "URBANIZATION_RATE must lie within [0, 100]" in rate.description


def test_rate_consistency(full_run) -> None:
    suite = by_suite(full_run[1])["rate_consistency"]
    assert all_failing(suite, "NUMERATOR_GT_DENOMINATOR") == {"rc2"}
    assert all_failing(suite, "RATE_MISMATCH") == {"rc4", "rc7"}
    pair = next(o for o in suite.outcomes if o.rule_code == "NUMERATOR_GT_DENOMINATOR")
    assert pair.column == "denominator,numerator"
    assert pair.unexpected_rows[0]["numerator"] == 120.0 and pair.unexpected_rows[0]["denominator"] == 100.0


def test_reconciliation(full_run) -> None:
    suite = by_suite(full_run[1])["reconciliation"]
    assert all_failing(suite, "CHANNEL_DISAGREEMENT") == {"re2"}
    assert all_failing(suite, "PROVINCE_TOTAL_MISMATCH") == {"re5"}


def test_expected_submissions(full_run) -> None:
    suite = by_suite(full_run[1])["expected_submissions"]
    assert all_failing(suite, "SUBMISSION_MISSING") == {"es3"}
    assert all_failing(suite, "SUBMISSION_LATE") == {"es2", "es4"}
    # A warning alone does not fail the suite; the missing report (error) does.
    assert suite.worst_severity == "error" and not suite.passed
    assert suite.findings_by_severity() == {"error": 1, "warning": 2}


def test_summary_and_check_metadata(full_run) -> None:
    outcomes = full_run[1]
    assert summarise(outcomes) == {
        # required fields, range, num > den, rate mismatch, channels, province total, missing report
        "error_rows": 4 + 3 + 1 + 2 + 1 + 1 + 1,
        "warning_rows": 2,
        "execution_errors": 0,
        "failed_suites": 5,
        "skipped_suites": 0,
    }
    meta = by_suite(outcomes)["rate_consistency"].check_metadata()
    assert meta["rule:NUMERATOR_GT_DENOMINATOR"] == 1 and meta["rule:RATE_MISMATCH"] == 2
    assert meta["error_rows"] == 3 and meta["rows_checked"] == 7
    assert meta["failing_keys"] == "rc2, rc4, rc7"
    for suite in outcomes:
        for value in suite.check_metadata().values():
            assert isinstance(value, int | float | str)
    raw_meta = by_suite(outcomes)["raw_figures"].check_metadata()
    assert "aaa:3" in str(raw_meta["failing_keys"])


def test_quality_tables(full_run) -> None:
    warehouse, _, _ = full_run
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        findings = conn.execute(
            "select rule_code, severity, table_name, check_key, row_key, observed, run_id"
            " from quality.gx_findings order by rule_code, row_key"
        ).fetchall()
        results = conn.execute(
            "select suite_name, table_name, rule_code, success, raised_exception, element_count,"
            " unexpected_count from quality.gx_results"
        ).fetchall()
    assert {r[6] for r in findings} == {"run-1"}
    keys = {(r[0], r[3] if r[3] is not None else r[4]) for r in findings}
    assert keys == {
        ("CHANNEL_DISAGREEMENT", "re2"), ("PROVINCE_TOTAL_MISMATCH", "re5"),
        ("NUMERATOR_GT_DENOMINATOR", "rc2"), ("RATE_MISMATCH", "rc4"), ("RATE_MISMATCH", "rc7"),
        ("VALUE_OUT_OF_RANGE", "vr2"), ("VALUE_OUT_OF_RANGE", "vr3"), ("VALUE_OUT_OF_RANGE", "vr6"),
        ("SUBMISSION_MISSING", "es3"), ("SUBMISSION_LATE", "es2"), ("SUBMISSION_LATE", "es4"),
        ("REQUIRED_FIELD_MISSING", '{"file_sha256": null, "row_number": 5}'),
        ("REQUIRED_FIELD_MISSING", '{"file_sha256": "aaa", "row_number": 3}'),
        ("REQUIRED_FIELD_MISSING", '{"file_sha256": "aaa", "row_number": 4}'),
    }
    assert len(findings) == 15  # row aaa:4 lacks two fields: two findings
    for rule, severity, table, check_key, row_key, observed, _ in findings:
        assert severity == ("warning" if rule == "SUBMISSION_LATE" else "error")
        if table == "figures":
            assert check_key is None
        else:
            assert json.loads(row_key) == {"check_key": check_key} and table.startswith("int_")
        assert isinstance(json.loads(observed), dict)
    vr2 = next(json.loads(r[5]) for r in findings if r[3] == "vr2")
    assert vr2["value"] == 120 and vr2["indicator_code"] == "URBANIZATION_RATE"
    assert len(results) == 7 + 3 + 2 + 2 + 2
    assert not any(r[4] for r in results)
    failed = {(r[0], r[2], r[6]) for r in results if r[3] is False and r[2] != "REQUIRED_FIELD_MISSING"}
    assert ("value_range", "VALUE_OUT_OF_RANGE", 1) in failed
    assert ("reconciliation", "PROVINCE_TOTAL_MISMATCH", 1) in failed


def test_data_docs_built(full_run) -> None:
    docs = full_run[2]
    assert (docs / "index.html").is_file()
    assert list((docs / "validations").rglob("*.html"))


def test_second_run_replaces_the_first(full_run, tmp_path: Path) -> None:
    warehouse, _, _ = full_run
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    started = time.perf_counter()
    validate_warehouse(copy, run_id="run-2")
    print(f"\nvalidate_warehouse (GX already imported, no docs): {time.perf_counter() - started:.2f} s")
    with duckdb.connect(str(copy), read_only=True) as conn:
        runs = conn.execute(
            "select distinct run_id from quality.gx_findings"
            " union select distinct run_id from quality.gx_results"
        ).fetchall()
        count = conn.execute("select count(*) from quality.gx_findings").fetchone()
    assert runs == [("run-2",)]
    assert count == (15,)


PARTIAL_WAREHOUSE_SQL = """
create schema raw; create schema intermediate; create schema reference;
-- a view whose table is gone: exists, but cannot be read
create table reference.gone (indicator_code varchar, valid_min double, valid_max double);
create view reference.indicators as select * from reference.gone;
drop table reference.gone;
create table raw.figures (file_sha256 varchar, row_number integer, reporter_code varchar,
    reporter_kind varchar, locality_code varchar, indicator_code varchar, period varchar);
insert into raw.figures values ('aaa', 2, 'SXD', 'department', '56', 'URBAN_POP', '2024');
create table intermediate.int_checks__value_range (check_key varchar, indicator_code varchar,
    value double);
insert into intermediate.int_checks__value_range values ('vr1', 'URBANIZATION_RATE', 500);
-- deviation_ratio is missing: RATE_MISMATCH cannot run (an execution error, not a finding)
create table intermediate.int_checks__rate_consistency (check_key varchar, numerator double,
    denominator double, is_share boolean);
insert into intermediate.int_checks__rate_consistency values ('rc1', 3, 2, true), ('rc2', 1, 2, true);
-- no check_key: the suite refuses to run rather than lose the failing rows' keys
create table intermediate.int_reconciliation (comparison varchar, diff_over_tolerance double);
insert into intermediate.int_reconciliation values ('locality_vs_department', 9);
"""


@pytest.fixture(scope="module")
def partial_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SuiteOutcome]]:
    warehouse = make_warehouse(tmp_path_factory.mktemp("gx_partial") / "w.duckdb", PARTIAL_WAREHOUSE_SQL)
    return warehouse, validate_warehouse(warehouse, run_id="run-p")


def test_missing_tables_are_skipped_with_a_note(partial_run) -> None:
    suites = by_suite(partial_run[1])
    assert suites["expected_submissions"].skipped_reason == (
        "table intermediate.int_expected_submissions does not exist yet"
    )
    assert (suites["value_range"].skipped_reason or "").startswith(
        "cannot expand the suite's templates: table reference.indicators could not be read"
    )
    assert suites["value_range"].outcomes == []
    assert suites["raw_figures"].passed and not suites["raw_figures"].skipped
    assert str(suites["expected_submissions"].check_metadata()["skipped_reason"]).startswith("table ")


def test_execution_errors_are_not_findings(partial_run) -> None:
    warehouse, outcomes = partial_run
    rates = by_suite(outcomes)["rate_consistency"]
    pair, mismatch = rates.outcomes
    assert pair.failed and all_failing(rates, "NUMERATOR_GT_DENOMINATOR") == {"rc1"}
    assert mismatch.raised_exception and not mismatch.failed and mismatch.unexpected_rows == []
    assert "deviation_ratio" in (mismatch.error or "")
    recon = by_suite(outcomes)["reconciliation"]
    assert [o.raised_exception for o in recon.outcomes] == [True, True]
    assert "check_key" in (recon.outcomes[0].error or "")
    assert rates.worst_severity == "error" and not rates.passed
    assert summarise(outcomes)["execution_errors"] == 3
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        findings = conn.execute("select rule_code, check_key from quality.gx_findings").fetchall()
        skipped = conn.execute(
            "select suite_name, details from quality.gx_results where expectation_type is null order by 1"
        ).fetchall()
        errors = conn.execute(
            "select rule_code, exception_message from quality.gx_results where raised_exception"
        ).fetchall()
    assert findings == [("NUMERATOR_GT_DENOMINATOR", "rc1")]
    assert [s for s, _ in skipped] == ["expected_submissions", "value_range"]
    assert "does not exist yet" in json.loads(skipped[0][1])["skipped_reason"]
    assert sorted(r for r, _ in errors) == [
        "CHANNEL_DISAGREEMENT", "PROVINCE_TOTAL_MISMATCH", "RATE_MISMATCH",
    ]


def test_an_invalid_expectation_is_an_execution_error_not_a_crash(partial_run, tmp_path: Path) -> None:
    warehouse, _ = partial_run
    suites = tmp_path / "suites"
    suites.mkdir()
    rule = {"rule_code": "R", "severity": "error", "description": "d"}
    (suites / "s.json").write_text(json.dumps({
        "name": "s", "meta": {"table": "raw.figures", "row_keys": ["file_sha256", "row_number"]},
        "expectations": [
            {"type": "expect_nonsense", "kwargs": {"column": "period"}, "meta": rule},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "period"}, "meta": rule},
        ],
    }))
    (suite,) = validate_warehouse(warehouse, run_id="run-bad", suites_dir=suites)
    bad, good = suite.outcomes
    assert bad.raised_exception and "invalid expectation" in (bad.error or "")
    assert good.success and good.element_count == 1
