"""Read the public marts (read-only) into pandas frames, tolerating marts that are not built yet.

The outputs show exactly what a BI tool would see: only ``marts.*`` is read, never the layers below.
A missing mart is recorded in ``MartSet.missing`` so each output can say so instead of failing.

At commune or national scale the per-figure marts hold millions of rows, and a report shows a few
thousand of them. ``read_marts`` with a ``ReportScope`` lets DuckDB do the filtering, ordering and
counting, and brings into pandas only what a report shows (the localities given a sheet, the top rows
of each list) plus the counts it states. The reduced frames come with the counts over the whole marts
(``MartSet.memo``), so each output can still say "showing N of M".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from duckdb import CaseExpression, CoalesceOperator
from duckdb import ColumnExpression as Col
from duckdb import ConstantExpression as Const
from duckdb import FunctionExpression as Fn

from sources.memory import READ_MEMORY_LIMIT

PROVINCE_CODE = "56"
MARTS = (
    "dim_locality",
    "dim_indicator",
    "dim_period",
    "fct_submissions",
    "fct_indicator_values",
    "fct_target_gaps",
    "fct_dq_issues",
    # Being added by the data-quality work: optional everywhere.
    "fct_reconciliation",
    "fct_reporting_completeness",
)

# memo keys a scoped read fills with figures over the whole marts
SYNTHETIC = "is_synthetic"
OPEN_FINDING_COUNTS = "open_finding_counts"  # frame: rule_code, severity, n
RECONCILIATION_COUNTS = "reconciliation_counts"  # dict: pairs, beyond, differing


@dataclass(frozen=True)
class ReportScope:
    """What a report shows: the first ``localities`` localities (province first, then by code) get
    their figures read; every list is read down to its first ``rows`` rows in report order."""

    localities: int
    rows: int


@dataclass
class MartSet:
    warehouse: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    # Lookups derived from the frames (e.g. locality names per language), built once: outputs call them
    # per row, and at commune scale there are thousands of localities and tens of thousands of rows.
    # A scoped read also puts here the counts over the whole marts (keys above).
    memo: dict[object, object] = field(default_factory=dict, repr=False)
    # Rows in each mart, whatever its frame holds (a scoped read keeps part of it).
    totals: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)

    def has(self, name: str, *columns: str) -> bool:
        frame = self.frames.get(name)
        return frame is not None and all(c in frame.columns for c in columns)

    @property
    def is_synthetic(self) -> bool:
        """True when any figure or file in the warehouse is labelled synthetic (the bundled sample)."""
        if SYNTHETIC in self.memo:
            return bool(self.memo[SYNTHETIC])
        for name in ("fct_indicator_values", "fct_submissions"):
            frame = self.frames.get(name)
            if frame is not None and "is_synthetic" in frame.columns and frame["is_synthetic"].fillna(False).any():
                return True
        return False

    def row_counts(self) -> dict[str, int]:
        return {name: self.totals.get(name, len(frame)) for name, frame in self.frames.items()}


def connect_read_only(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    # A report reads a few thousand rows out of millions: unbounded, DuckDB's cache of the blocks it scans
    # grows to ~1.7 GB at national scale, for a read that takes ~3 s either way.
    return duckdb.connect(str(warehouse), read_only=True, config={"memory_limit": READ_MEMORY_LIMIT})


def ordered_localities(dim: pd.DataFrame) -> pd.DataFrame:
    """The province first, then every other locality in code order: the order of every report."""
    return dim.sort_values(["is_province", "locality_code"], ascending=[False, True])


def read_marts(warehouse: Path | str, names: tuple[str, ...] = MARTS, scope: ReportScope | None = None) -> MartSet:
    """Every mart in ``names`` whole, or with ``scope`` the part of the per-figure marts a report shows."""
    marts = MartSet(warehouse=str(warehouse))
    with connect_read_only(warehouse) as conn:
        tables: dict[str, duckdb.DuckDBPyRelation] = {}
        for name in names:
            try:
                tables[name] = conn.table(f"marts.{name}")
            except duckdb.CatalogException:
                marts.missing.append(name)
        for name, table in tables.items():
            marts.totals[name] = _count(table)
        if scope is None:
            marts.frames = {name: table.df() for name, table in tables.items()}
            return marts
        marts.memo[SYNTHETIC] = any(
            _any_true(tables[name], "is_synthetic") for name in ("fct_indicator_values", "fct_submissions")
            if name in tables
        )
        for name, table in tables.items():
            reduce = _SCOPED.get(name)
            marts.frames[name] = table.df() if reduce is None else reduce(table, marts, scope)
    return marts


def _count(table: duckdb.DuckDBPyRelation) -> int:
    return int(table.aggregate([Fn("count", Const(1))]).fetchall()[0][0])


def _any_true(table: duckdb.DuckDBPyRelation, column: str) -> bool:
    if column not in table.columns:
        return False
    return bool(table.aggregate([Fn("bool_or", Col(column))]).fetchall()[0][0])


def _values_of_shown_localities(table: duckdb.DuckDBPyRelation, marts: MartSet, scope: ReportScope) -> pd.DataFrame:
    dim = marts.frames.get("dim_locality")
    if dim is None:
        return table.df()
    codes = ordered_localities(dim)["locality_code"].head(scope.localities).tolist()
    return table.filter(Col("locality_code").isin(*(Const(c) for c in codes))).df()


def _first_open_findings(table: duckdb.DuckDBPyRelation, marts: MartSet, scope: ReportScope) -> pd.DataFrame:
    """Open findings in report order (errors first), the first ``scope.rows``; counts per rule over all."""
    if "status" in table.columns:
        table = table.filter(CoalesceOperator(Col("status"), Const("open")) == Const("open"))
    marts.memo[OPEN_FINDING_COUNTS] = table.aggregate(
        [Col("rule_code"), Col("severity"), Fn("count", Const(1)).alias("n")], "rule_code, severity"
    ).df()
    severity_rank = (CaseExpression(Col("severity") == Const("error"), Const(0))
                     .when(Col("severity") == Const("warning"), Const(1)).otherwise(Const(9)))
    keys = [severity_rank, *(Col(c) for c in ("rule_code", "locality_code", "indicator_code", "period"))]
    if "issue_id" in table.columns:
        keys.append(Col("issue_id"))  # a total order: the same rows make the cut every time
    return table.sort(*keys).limit(scope.rows).df()


def _largest_disagreements(table: duckdb.DuckDBPyRelation, marts: MartSet, scope: ReportScope) -> pd.DataFrame:
    """Locality-vs-department pairs: the ``scope.rows`` largest differences and the ``scope.rows``
    largest beyond tolerance (the two lists a report shows), with counts over all pairs."""
    pairs = table.filter(
        (Col("comparison") == Const("locality_vs_department"))
        & Col("locality_value").isnotnull() & Col("department_value").isnotnull()
    )
    differing = pairs.filter(CoalesceOperator(Col("rel_diff_pct"), Const(0.0)) > Const(0.0))
    beyond = pairs.filter(CoalesceOperator(Col("is_flagged"), Const(False)))
    marts.memo[RECONCILIATION_COUNTS] = {
        "pairs": _count(pairs), "differing": _count(differing), "beyond": _count(beyond),
    }
    order = [Col("rel_diff_pct").desc(), Col("locality_code"), Col("indicator_code"), Col("period")]
    frames = [differing.sort(*order).limit(scope.rows).df(), beyond.sort(*order).limit(scope.rows).df()]
    return pd.concat(frames, ignore_index=True).drop_duplicates(["locality_code", "indicator_code", "period"])


_SCOPED = {
    "fct_indicator_values": _values_of_shown_localities,
    "fct_dq_issues": _first_open_findings,
    "fct_reconciliation": _largest_disagreements,
}
