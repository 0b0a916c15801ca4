"""The error findings a run published for the first time, read from the published warehouse."""

from __future__ import annotations

from pathlib import Path

FINDING_COLUMNS = (
    "issue_id", "rule_code", "severity", "family", "reporter_code", "locality_code", "indicator_code",
    "period", "message_vi", "message_en", "file_name", "row_number", "first_seen_at",
)


def new_error_findings(warehouse: Path, run_id: str) -> list[dict]:
    """Open findings of severity error whose ``first_seen_run_id`` is this run (marts.fct_dq_issues).

    [] when the warehouse does not exist yet. A later publish keeps a finding's first run, so this
    answers the same after another refresh, as long as the finding is still open.
    """
    if not warehouse.exists():
        return []
    import duckdb
    from duckdb import ColumnExpression as Col
    from duckdb import ConstantExpression as Const

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        relation = (
            conn.table("marts.fct_dq_issues")
            .filter(
                (Col("status") == Const("open"))
                & (Col("severity") == Const("error"))
                & (Col("first_seen_run_id") == Const(run_id))
            )
            .project(", ".join(FINDING_COLUMNS))
            .order("rule_code, reporter_code, locality_code, indicator_code, period")
        )
        return [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in relation.fetchall()]
