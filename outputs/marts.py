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

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from duckdb import CaseExpression, CoalesceOperator
from duckdb import ColumnExpression as Col
from duckdb import ConstantExpression as Const
from duckdb import FunctionExpression as Fn

from sources.memory import READ_MEMORY_LIMIT, REPORT_TEXT_CHARS

PROVINCE_CODE = "56"
MARTS = (
    "dim_locality",
    "dim_indicator",
    "dim_period",
    "fct_submissions",
    "fct_indicator_values",
    "fct_indicator_values_nq06_map",
    "fct_indicator_values_current_map",
    "fct_target_gaps",
    "fct_programme_review",
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
class ReportMap:
    """A fixed map a report is drawn on: its units (the province version and the units under it), the mart
    of its figures, the boundary layer of its map, and the programme assessed on it.

    Since 01/07/2025 a code alone is ambiguous ('56' is old Khánh Hòa and the merged province; commune codes
    are reused): a report shows the units of ONE map, keyed by code within that map."""

    code: str  # fct_target_gaps.map_code
    values_mart: str
    province_key: str  # dim_locality.locality_key of the map's province
    unit_level: str  # dim_locality.level of the units under it
    layer: str  # outputs.maps layer
    programme_code: str
    values_from: str | None = None  # ISO date: only periods ending after it (the current map: from 2025-H2)


NQ06_MAP = ReportMap("nq06_map", "fct_indicator_values_nq06_map", "56@2020-01-01", "district",
                     "districts_before_2025", "NQ06_2021_2025")
CURRENT_MAP = ReportMap("current_map", "fct_indicator_values_current_map", "56@2025-07-01", "commune",
                        "units_2025", "KH_2026_2030", values_from="2025-06-30")
REPORT_MAPS = (NQ06_MAP, CURRENT_MAP)


def map_units(dim: pd.DataFrame, report_map: ReportMap) -> pd.DataFrame:
    """The unit versions of a map: its province and the units of its level directly under it."""
    if not {"locality_key", "parent_key", "level"} <= set(dim.columns):
        return dim  # a dim of one locality per code (hand-made marts, old warehouses)
    keep = (dim["locality_key"] == report_map.province_key) | (
        (dim["parent_key"] == report_map.province_key) & (dim["level"] == report_map.unit_level))
    return dim[keep]


def map_periods(periods: pd.DataFrame | None, report_map: ReportMap) -> list[str] | None:
    """The periods a map's report shows (None: all of them)."""
    if report_map.values_from is None or periods is None or "end_date" not in periods.columns:
        return None
    ends = pd.to_datetime(periods["end_date"])
    return sorted(str(p) for p in periods.loc[ends > pd.Timestamp(report_map.values_from), "period"])


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
    # Set on the view of one map (``on_map``): the report's units, figures and gaps are that map's.
    report_map: ReportMap | None = None

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


# memo entries computed over the whole marts: a map's view keeps them
_WHOLE_MART_MEMO = (SYNTHETIC, OPEN_FINDING_COUNTS, RECONCILIATION_COUNTS)


def on_map(marts: MartSet, report_map: ReportMap) -> MartSet:
    """The marts as one map's report sees them: ``dim_locality`` holds the map's units only (province
    first), ``fct_indicator_values`` the map's figures (``fct_indicator_values_nq06_map`` or
    ``…_current_map``, in the map's periods), ``fct_target_gaps`` the map's rows. The whole frames stay
    under ``dim_locality_all`` and ``fct_indicator_values_as_reported``; so every view keyed by code
    reads one map and a unit of the other map cannot leak in."""
    frames = dict(marts.frames)
    missing = [name for name in marts.missing if name != "fct_indicator_values"]
    memo: dict[object, object] = {key: marts.memo[key] for key in _WHOLE_MART_MEMO if key in marts.memo}
    memo[SYNTHETIC] = marts.is_synthetic
    dim = marts.get("dim_locality")
    if dim is not None:
        frames["dim_locality_all"] = dim
        frames["dim_locality"] = map_units(dim, report_map)
    as_reported = frames.pop("fct_indicator_values", None)
    if as_reported is not None:
        frames["fct_indicator_values_as_reported"] = as_reported
    values = marts.get(report_map.values_mart)
    if values is not None:
        periods = map_periods(marts.get("dim_period"), report_map)
        if periods is not None:
            values = values[values["period"].isin(periods)]
        if dim is not None and "locality_code" in frames["dim_locality"].columns:
            values = values[values["locality_code"].isin(frames["dim_locality"]["locality_code"])]
        frames["fct_indicator_values"] = values
    elif report_map.values_mart not in missing:
        missing.append(report_map.values_mart)
    gaps = marts.get("fct_target_gaps")
    if gaps is not None and "map_code" in gaps.columns:
        frames["fct_target_gaps"] = gaps[gaps["map_code"] == report_map.code]
    review = marts.get("fct_programme_review")
    if review is not None and "map_code" in review.columns:
        frames["fct_programme_review"] = review[review["map_code"] == report_map.code]
    return MartSet(warehouse=marts.warehouse, frames=frames, missing=missing, memo=memo,
                   totals=dict(marts.totals), report_map=report_map)


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
                tables[name] = _bounded_text(conn.table(f"marts.{name}"))
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


def _bounded_text(table: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Every text column cut to ``REPORT_TEXT_CHARS`` characters (with "…"): a report shows a note or a
    finding, never megabytes of it, and a few hundred rows of long submitted text must not exhaust the
    reports' memory limit (a sort of whole rows holds every row it keeps)."""
    if not any(str(t) == "VARCHAR" for t in table.types):
        return table
    limit = Const(REPORT_TEXT_CHARS)
    columns = []
    for name, kind in zip(table.columns, table.types, strict=True):
        column = Col(name)
        if str(kind) == "VARCHAR":
            cut = Fn("concat", Fn("left", column, limit), Const("…"))
            column = CaseExpression(Fn("length", column) > limit, cut).otherwise(column).alias(name)
        columns.append(column)
    return table.select(*columns)


def _count(table: duckdb.DuckDBPyRelation) -> int:
    return int(table.aggregate([Fn("count", Const(1))]).fetchall()[0][0])


def _any_true(table: duckdb.DuckDBPyRelation, column: str) -> bool:
    if column not in table.columns:
        return False
    return bool(table.aggregate([Fn("bool_or", Col(column))]).fetchall()[0][0])


def _shown_units(dim: pd.DataFrame, report_map: ReportMap, scope: ReportScope) -> pd.DataFrame:
    return ordered_localities(map_units(dim, report_map)).head(scope.localities)


def _values_of_shown_localities(table: duckdb.DuckDBPyRelation, marts: MartSet, scope: ReportScope) -> pd.DataFrame:
    """The as-reported figures of the units the reports show (both maps' units, by unit version)."""
    dim = marts.frames.get("dim_locality")
    if dim is None:
        return table.df()
    if "locality_key" in dim.columns and "locality_key" in table.columns:
        keys = sorted({k for m in REPORT_MAPS for k in _shown_units(dim, m, scope)["locality_key"]})
        return table.filter(Col("locality_key").isin(*(Const(k) for k in keys))).df()
    codes = ordered_localities(dim)["locality_code"].head(scope.localities).tolist()
    return table.filter(Col("locality_code").isin(*(Const(c) for c in codes))).df()


def _map_values_reader(
    report_map: ReportMap,
) -> Callable[[duckdb.DuckDBPyRelation, MartSet, ReportScope], pd.DataFrame]:
    """A map mart's figures of its map's units (a fixed map: 10 or 66 units, whatever the scale; its map
    and marks need every unit's figure), in the periods its report shows."""
    def read(table: duckdb.DuckDBPyRelation, marts: MartSet, scope: ReportScope) -> pd.DataFrame:
        dim = marts.frames.get("dim_locality")
        if dim is not None:
            codes = map_units(dim, report_map)["locality_code"].tolist()
            table = table.filter(Col("locality_code").isin(*(Const(c) for c in codes)))
        periods = map_periods(marts.frames.get("dim_period"), report_map)
        if periods is not None:
            table = table.filter(Col("period").isin(*(Const(p) for p in periods or ["-"])))
        return table.df()
    return read


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
    "fct_indicator_values_nq06_map": _map_values_reader(NQ06_MAP),
    "fct_indicator_values_current_map": _map_values_reader(CURRENT_MAP),
    "fct_dq_issues": _first_open_findings,
    "fct_reconciliation": _largest_disagreements,
}
