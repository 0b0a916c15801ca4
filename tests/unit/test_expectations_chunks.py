"""Chunked validation (Parquet snapshot, GX batches of a few rows, uniqueness in DuckDB) finds exactly
what one GX batch over the whole pandas frame finds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from expectations import plan
from expectations.gx_engine import GxEngine
from expectations.merge import ChunkMerger, map_success
from expectations.results import SuiteOutcome
from expectations.run import validate_frames, validate_warehouse
from expectations.suites import load_suites

CHUNK = 7  # 60 rows: nine batches

# Row 30 is out of range (second chunk and later); codes of rows 3 and 41 collide (chunks 1 and 6);
# (a, b) of rows 10 and 52 collide; row 47 has no code (ignored by uniqueness, fails not-null).
TABLE_SQL = """
create schema intermediate;
create table intermediate.checks as
select 'k' || i as check_key,
       case when i in (3, 41) then 'DUP' when i = 47 then null else 'c' || i end as code,
       i % 3 as grp,
       case when i = 30 then 150.0 when i = 33 then -1.0 else (i * 7 % 100)::double end as value,
       case when i in (10, 52) then 'x' else 'a' || i end as a,
       case when i in (10, 52) then 1 else i end as b,
       case when i % 4 = 0 then 'late' else 'on_time' end as status,
       'unused ' || i as wide_text
from range(60) t(i) order by i
"""

RULE = {"severity": "error", "description": "d"}


def _exp(exp_type: str, rule: str, **kwargs: object) -> dict:
    return {"type": exp_type, "kwargs": kwargs, "meta": {"rule_code": rule, **RULE}}


def _eq(column: str, value: object) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "==", "parameter": value}


EXPECTATIONS = [
    _exp("expect_column_values_to_be_between", "RANGE", column="value", min_value=0, max_value=100),
    _exp("expect_column_values_to_be_between", "RANGE_GRP0", column="value", min_value=0, max_value=100,
         row_condition=_eq("grp", 0)),
    _exp("expect_column_values_to_be_between", "RANGE_GRP1", column="value", min_value=0, max_value=100,
         row_condition=_eq("grp", 1)),
    _exp("expect_column_values_to_not_be_null", "NOT_NULL", column="code"),
    _exp("expect_column_values_to_be_unique", "UNIQUE", column="code"),
    _exp("expect_column_values_to_be_unique", "UNIQUE_NOT_GRP2", column="code",
         row_condition={"type": "comparison", "column": {"name": "grp"}, "operator": "!=", "parameter": 2}),
    _exp("expect_compound_columns_to_be_unique", "COMPOUND", column_list=["a", "b"]),
    _exp("expect_column_values_to_not_be_in_set", "MOSTLY", column="status", value_set=["late"], mostly=0.7),
    _exp("expect_column_values_to_not_be_in_set", "NOT_MOSTLY", column="status", value_set=["late"], mostly=0.8),
    _exp("expect_column_max_to_be_between", "MAX", column="value", max_value=100),
    _exp("expect_table_row_count_to_equal", "ROWS", value=60),
]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("gx_chunks")
    warehouse = tmp / "w.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(TABLE_SQL)
    suites = tmp / "suites"
    suites.mkdir()
    (suites / "checks.json").write_text(json.dumps({
        "name": "checks",
        "meta": {"table": "intermediate.checks", "row_keys": ["check_key"], "context_columns": ["grp"]},
        "expectations": EXPECTATIONS,
    }))
    return warehouse, suites


@pytest.fixture(scope="module")
def single_batch(setup) -> SuiteOutcome:
    """The reference: the whole table as one pandas frame, one GX batch, GX computing everything."""
    warehouse, suites = setup
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frame = conn.table("intermediate.checks").df()
    (outcome,) = validate_frames(load_suites(suites), {"intermediate.checks": frame}, chunk_rows=10**9)
    return outcome


@pytest.fixture(scope="module")
def chunked(setup) -> tuple[SuiteOutcome, list[int]]:
    warehouse, suites = setup
    sizes: list[int] = []
    original = GxEngine.validate

    def spy(self, suite_name, expectations, frame, index_columns):
        sizes.append(len(frame))
        assert "wide_text" not in frame.columns  # only the columns the suite reads
        return original(self, suite_name, expectations, frame, index_columns)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(GxEngine, "validate", spy)
        mp.setenv(plan.CHUNK_ROWS_ENV, str(CHUNK))
        (outcome,) = validate_warehouse(warehouse, run_id="chunked", suites_dir=suites)
    return outcome, sizes


def _view(outcome: SuiteOutcome) -> list[tuple]:
    return [(o.rule_code, o.success, o.error, o.element_count, o.unexpected_count,
             None if o.unexpected_percent is None else round(o.unexpected_percent, 9), o.unexpected_rows)
            for o in outcome.outcomes]


def test_the_table_was_read_in_small_batches(chunked) -> None:
    _, sizes = chunked
    assert sizes.count(60) == 1  # the whole-table expectations (max, row count): one batch
    assert max(s for s in sizes if s != 60) == CHUNK and sizes.count(CHUNK) >= 8


def test_chunked_findings_equal_one_batch(single_batch: SuiteOutcome, chunked) -> None:
    outcome, _ = chunked
    assert not single_batch.execution_errors, [o.error for o in single_batch.execution_errors]
    assert _view(outcome) == _view(single_batch)


def test_the_planted_problems_are_found(chunked) -> None:
    by_rule = {o.rule_code: o for o in chunked[0].outcomes}
    keys = {rule: [r["check_key"] for r in o.unexpected_rows] for rule, o in by_rule.items()}
    assert keys["RANGE"] == ["k30", "k33"] and keys["RANGE_GRP0"] == ["k30", "k33"] and keys["RANGE_GRP1"] == []
    assert by_rule["RANGE_GRP0"].element_count == 20
    assert keys["UNIQUE"] == ["k3", "k41"] and keys["NOT_NULL"] == ["k47"]
    assert by_rule["UNIQUE"].unexpected_rows[0] == {"check_key": "k3", "code": "DUP", "grp": 0}
    assert keys["UNIQUE_NOT_GRP2"] == []  # k41 is in group 2: alone once the condition applies
    assert keys["COMPOUND"] == ["k10", "k52"]
    assert by_rule["MOSTLY"].success and by_rule["MOSTLY"].unexpected_count == 15
    assert not by_rule["NOT_MOSTLY"].success
    assert not by_rule["MAX"].success and by_rule["ROWS"].success


def test_findings_are_stored_with_json_row_keys(setup, chunked) -> None:
    warehouse, _ = setup
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select rule_code, row_key from quality.gx_findings where rule_code = 'UNIQUE' order by row_key"
        ).fetchall()
    assert rows == [("UNIQUE", '{"check_key": "k3"}'), ("UNIQUE", '{"check_key": "k41"}')]


def test_chunk_rows_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plan.CHUNK_ROWS_ENV, raising=False)
    assert plan.chunk_rows() == plan.DEFAULT_CHUNK_ROWS
    monkeypatch.setenv(plan.CHUNK_ROWS_ENV, "1000")
    assert plan.chunk_rows() == 1000 and plan.chunk_rows(5) == 5
    with pytest.raises(ValueError):
        plan.chunk_rows(0)


def test_merge_recomputes_success_with_mostly() -> None:
    merger = ChunkMerger()
    # Each chunk alone passes "mostly 0.7"; together 7 of 20 fail (0.65 < 0.7).
    merger.add(True, {"element_count": 10, "missing_count": 0, "unexpected_count": 2,
                      "unexpected_index_list": [{"k": 1}, {"k": 2}]}, None)
    merger.add(False, {"element_count": 10, "missing_count": 0, "unexpected_count": 5,
                       "unexpected_index_list": [{"k": i} for i in range(3, 8)]}, None)
    success, result, error = merger.outcome(0.7)
    assert (success, error, result["unexpected_count"], result["unexpected_percent"]) == (False, None, 7, 35.0)
    assert [r["k"] for r in result["unexpected_index_list"]] == list(range(1, 8))
    assert map_success(0, 0, 1.0) and map_success(10, 3, 0.7) and not map_success(10, 4, 0.7)


def test_columns_and_conditions() -> None:
    assert plan.expectation_columns({"column": "v", "row_condition": _eq("g", 1)}) == {"v", "g"}
    assert plan.expectation_columns({"column": "v", "row_condition": "g == 1"}) is None  # text: unknown
    assert plan.scan_filter(_eq("g", 1)) == ("g", 1)
    assert plan.scan_filter({**_eq("g", 1), "operator": "!="}) is None
    sql, params = plan.condition_sql({"type": "and", "conditions": [
        _eq("g", 1), {"type": "nullity", "column": {"name": "v"}, "is_null": False}]}) or ("", [])
    assert sql == '(("g" = ?) and ("v" is not null))' and params == [1]
