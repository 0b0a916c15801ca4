"""Write validation outcomes into the warehouse: ``quality.gx_results`` and ``quality.gx_findings``.

Only the latest run is kept (dbt's ``fct_dq_issues`` tracks first/last seen across runs): both tables
are emptied and refilled in one transaction, so a reader never sees half a run. Rows go in through
Arrow, never through SQL text built from data.

- ``gx_results``: one row per expectation run (plus one per skipped suite, with ``expectation_type``
  and ``success`` null and the reason in ``details``).
- ``gx_findings``: one row per failing row of a failed expectation (never for execution errors).
  ``row_key`` is always a JSON object of the row key columns (e.g. ``{"check_key": ...}``), a
  JSON object of the key columns (``{"file_sha256": ..., "row_number": ...}``); ``check_key`` is
  filled when the table has one; ``observed`` is a JSON object of the other columns of the finding.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from expectations.results import ExpectationOutcome, SuiteOutcome, plain

if TYPE_CHECKING:
    import duckdb

QUALITY_SCHEMA = "quality"

FINDINGS_DDL = """
create table if not exists quality.gx_findings (
    run_id           varchar,
    validated_at     timestamp,
    suite_name       varchar,
    expectation_type varchar,
    rule_code        varchar,
    severity         varchar,
    table_name       varchar,
    check_key        varchar,
    row_key          varchar,
    observed         varchar
)
"""

RESULTS_DDL = """
create table if not exists quality.gx_results (
    run_id             varchar,
    validated_at       timestamp,
    suite_name         varchar,
    table_name         varchar,
    expectation_type   varchar,
    column_name        varchar,
    rule_code          varchar,
    severity           varchar,
    success            boolean,
    element_count      bigint,
    unexpected_count   bigint,
    unexpected_percent double,
    raised_exception   boolean,
    exception_message  varchar,
    details            varchar
)
"""

_FINDINGS_COLUMNS = ("run_id", "validated_at", "suite_name", "expectation_type", "rule_code", "severity",
                     "table_name", "check_key", "row_key", "observed")


def _json(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True)


def ensure_quality_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {QUALITY_SCHEMA}")
    conn.execute(FINDINGS_DDL)
    conn.execute(RESULTS_DDL)


def _row_key(outcome: ExpectationOutcome, row: dict[str, Any]) -> str | None:
    # Always a JSON object, so dbt reads every suite's keys the same way (json_text on row_key).
    return json.dumps(plain(outcome.row_key_values(row)), ensure_ascii=False)  # declared key order


def finding_rows(suites: list[SuiteOutcome], run_id: str, validated_at: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for suite in suites:
        for o in suite.failures:
            for r in o.unexpected_rows:
                check_key = r.get("check_key")
                rows.append({
                    "run_id": run_id, "validated_at": validated_at, "suite_name": o.suite_name,
                    "expectation_type": o.expectation_type, "rule_code": o.rule_code,
                    "severity": o.severity, "table_name": o.table_name,
                    "check_key": None if check_key is None else str(check_key),
                    "row_key": _row_key(o, r),
                    "observed": _json({k: v for k, v in r.items() if k not in o.row_keys}),
                })
    return rows


def result_rows(suites: list[SuiteOutcome], run_id: str, validated_at: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for suite in suites:
        base = {"run_id": run_id, "validated_at": validated_at, "suite_name": suite.suite_name,
                "table_name": suite.table_name}
        if suite.skipped:
            rows.append(base | {"details": _json({"skipped_reason": suite.skipped_reason})})
            continue
        for o in suite.outcomes:
            details = {"kwargs": o.kwargs, "description": o.description}
            rows.append(base | {
                "expectation_type": o.expectation_type, "column_name": o.column, "rule_code": o.rule_code,
                "severity": o.severity, "success": o.success, "element_count": o.element_count,
                "unexpected_count": o.unexpected_count, "unexpected_percent": o.unexpected_percent,
                "raised_exception": o.raised_exception, "exception_message": o.error,
                "details": _json(details),
            })
    return rows


def _arrow_tables(
    suites: list[SuiteOutcome], run_id: str, validated_at: dt.datetime
) -> tuple[Any, Any]:
    import pyarrow as pa

    text, ts = pa.string(), pa.timestamp("us")
    findings_schema = pa.schema([(c, ts if c == "validated_at" else text) for c in _FINDINGS_COLUMNS])
    results_schema = pa.schema([
        ("run_id", text), ("validated_at", ts), ("suite_name", text), ("table_name", text),
        ("expectation_type", text), ("column_name", text), ("rule_code", text), ("severity", text),
        ("success", pa.bool_()), ("element_count", pa.int64()), ("unexpected_count", pa.int64()),
        ("unexpected_percent", pa.float64()), ("raised_exception", pa.bool_()),
        ("exception_message", text), ("details", text),
    ])
    findings = pa.Table.from_pylist(finding_rows(suites, run_id, validated_at), schema=findings_schema)
    results = pa.Table.from_pylist(result_rows(suites, run_id, validated_at), schema=results_schema)
    return findings, results


def write_outcomes(
    conn: duckdb.DuckDBPyConnection, suites: list[SuiteOutcome], run_id: str, validated_at: dt.datetime
) -> tuple[int, int]:
    """Replace the quality tables' content with this run; returns (findings, results) row counts."""
    findings, results = _arrow_tables(suites, run_id, validated_at)
    ensure_quality_tables(conn)
    conn.begin()
    try:
        conn.execute("delete from quality.gx_findings")
        conn.execute("delete from quality.gx_results")
        # Relation inserts are positional: the Arrow schemas above follow the DDL's column order.
        conn.from_arrow(findings).insert_into("quality.gx_findings")
        conn.from_arrow(results).insert_into("quality.gx_results")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return findings.num_rows, results.num_rows
