"""Run the suites: warehouse tables -> Parquet snapshots -> GX batches of bounded size -> quality tables.

GX's SQL datasource is broken on DuckDB here (stack notes, pitfall 8), so GX validates pandas frames
(pandas datasource). At national scale (~4 M figures) no table may be held whole in pandas (2 GB for
the whole refresh), so each table is copied to Parquet with only the columns its suites read, and read
back in chunks of ``DOTHI_GX_CHUNK_ROWS`` rows (default 250,000). How each expectation type runs —
chunked, pushed down to DuckDB, or as one batch — is in ``expectations/plan.py``.

GX costs ~6 s to import: it is imported inside ``validate_frames`` only (``gx_engine``), never when this
module is imported.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from expectations import plan
from expectations.merge import ChunkMerger
from expectations.pushdown import can_push_down, uniqueness
from expectations.results import ExpectationOutcome, SuiteOutcome, plain
from expectations.source import TableSource, bounded_memory, snapshot
from expectations.store import write_outcomes
from expectations.suites import SuiteError, SuiteSpec, expand_expectations, load_suites
from sources.memory import release_unused_memory

if TYPE_CHECKING:
    import pandas as pd

    from expectations.gx_engine import GxEngine, Verdict

log = logging.getLogger(__name__)


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    # fetchall, not fetchone: DuckDB 2 refuses new work on a connection with an unfinished result.
    rows = conn.execute(
        "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return bool(rows)


def read_frames(
    conn: duckdb.DuckDBPyConnection,
    qualified_tables: list[str],
    columns: Mapping[str, Collection[str] | None] | None = None,
    directory: Path | None = None,
) -> tuple[dict[str, TableSource], dict[str, str]]:
    """Snapshots of the tables that can be read, and why each other one can't.

    No longer pandas frames: each table is copied to Parquet (only ``columns[table]`` when given) in
    ``directory``, or in a temporary folder that goes with the source. ``validate_frames`` reads them
    back in chunks, after ``conn`` is closed.
    """
    columns = columns or {}
    sources: dict[str, TableSource] = {}
    unavailable: dict[str, str] = {}
    with bounded_memory(conn):
        for qualified in dict.fromkeys(qualified_tables):
            schema, table = qualified.split(".", 1)
            if not _table_exists(conn, schema, table):
                unavailable[qualified] = f"table {qualified} does not exist yet"
                continue
            try:
                sources[qualified] = snapshot(conn, qualified, directory, columns.get(qualified))
            except duckdb.Error as exc:  # e.g. a view over a table that is gone
                unavailable[qualified] = f"table {qualified} could not be read: {exc}"
    return sources, unavailable


def needed_columns(specs: list[SuiteSpec]) -> dict[str, set[str] | None]:
    """Per table, the columns its suites read (None: all of them, e.g. reference tables)."""
    wanted: dict[str, set[str] | None] = {}
    for spec in specs:
        cols: set[str] | None = {*spec.row_keys, *spec.context_columns}
        for exp in spec.expectations:
            found = plan.expectation_columns(exp["kwargs"])
            cols = None if found is None or cols is None else cols | found
        before = wanted.get(spec.qualified_table, set())
        wanted[spec.qualified_table] = None if cols is None or before is None else before | cols
        for ref in spec.reference_tables:
            wanted[ref] = None
    return wanted


def _column_of(kwargs: Mapping[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    if "column_list" in kwargs:
        return ",".join(map(str, kwargs["column_list"]))
    return None


def _outcome(
    spec: SuiteSpec, exp: dict[str, Any], *, success: bool, result: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> ExpectationOutcome:
    result = result or {}
    meta = exp["meta"]
    pct = result.get("unexpected_percent")
    return ExpectationOutcome(
        suite_name=spec.name,
        table_name=spec.table,
        expectation_type=exp["type"],
        column=_column_of(exp["kwargs"]),
        rule_code=meta["rule_code"],
        severity=meta["severity"],
        success=success,
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=None if pct is None else float(pct),
        # Dicts of key + involved columns; a bare frame index only if GX ignored the key columns.
        unexpected_rows=[plain(r) if isinstance(r, dict) else {"_index": plain(r)}
                         for r in result.get("unexpected_index_list") or []],
        error=error,
        description=meta["description"],
        kwargs=plain(exp["kwargs"]),
        row_keys=spec.row_keys,
    )


def _error_outcomes(spec: SuiteSpec, expectations: list[dict[str, Any]], message: str) -> SuiteOutcome:
    return SuiteOutcome(spec.name, spec.table,
                        [_outcome(spec, e, success=False, error=message) for e in expectations])


def _run_group(
    engine: GxEngine, spec: SuiteSpec, source: TableSource, expectations: list[dict[str, Any]],
    stored: Mapping[int, Any], positions: list[int], rows: int, where: tuple[str, Any] | None,
) -> dict[int, Verdict]:
    """GX over the source in batches of ``rows``; each expectation's verdict merged across batches."""
    index_columns = [*spec.row_keys, *(c for c in spec.context_columns if c in source.columns)]
    columns = plan.suite_columns(source.columns, index_columns, [expectations[p] for p in positions])
    group = [stored[p] for p in positions]
    mergers = {p: ChunkMerger() for p in positions}
    try:
        for frame in source.chunks(columns, rows, where):
            verdicts = engine.validate(spec.name, group, frame, index_columns)
            for p in positions:
                mergers[p].add(*verdicts[str(stored[p].id)])
    except duckdb.Error:
        if where is None:
            raise
        # The narrowing filter did not bind (e.g. a type mismatch): GX filters the whole table itself.
        return _run_group(engine, spec, source, expectations, stored, positions, rows, None)
    return {p: mergers[p].outcome(expectations[p]["kwargs"].get("mostly")) for p in positions}


def _validate_suite(
    engine: GxEngine, spec: SuiteSpec, source: TableSource, expectations: list[dict[str, Any]], rows: int,
    for_docs: bool,
) -> SuiteOutcome:
    stored, errors = engine.add_suite(spec, expectations)
    verdicts: dict[int, Verdict] = {p: (False, {}, e) for p, e in errors.items()}
    index_columns = [*spec.row_keys, *(c for c in spec.context_columns if c in source.columns)]
    # Expectations sharing a scan run together: (chunk rows, narrowing filter) -> positions.
    groups: dict[tuple[int, tuple[str, Any] | None], list[int]] = {}
    for position in stored:
        exp_type, kwargs = expectations[position]["type"], expectations[position]["kwargs"]
        if exp_type in plan.PUSHDOWN and can_push_down(exp_type, kwargs, source):
            try:
                verdicts[position] = (*uniqueness(exp_type, kwargs, source, index_columns), None)
            except duckdb.Error as exc:  # e.g. a column the table lacks
                verdicts[position] = (False, {}, f"{exp_type} in DuckDB: {exc}")
        elif engine.is_chunkable(exp_type):
            where = plan.scan_filter(kwargs.get("row_condition")) if source.is_snapshot else None
            groups.setdefault((rows, where), []).append(position)
        else:
            groups.setdefault((sys.maxsize, None), []).append(position)
    for (size, where), positions in groups.items():
        verdicts |= _run_group(engine, spec, source, expectations, stored, positions, size, where)
    if for_docs and stored:
        engine.store_for_docs(spec.name, {stored[p]: verdicts[p] for p in sorted(stored)})
    # Outcomes keep the suite file's order.
    return SuiteOutcome(spec.name, spec.table, [
        _outcome(spec, expectations[p], success=verdicts[p][0] and verdicts[p][2] is None,
                 result=verdicts[p][1], error=verdicts[p][2])
        for p in sorted(verdicts)
    ])


def validate_frames(
    specs: list[SuiteSpec],
    frames: Mapping[str, TableSource | pd.DataFrame],
    data_docs_dir: Path | None = None,
    unavailable: Mapping[str, str] | None = None,
    *,
    chunk_rows: int | None = None,
) -> list[SuiteOutcome]:
    """Validate each suite against its table (keyed by qualified name): a snapshot or a pandas frame.

    A suite whose table (or reference table) is missing is skipped, with the reason from
    ``unavailable`` when given. ``chunk_rows`` overrides ``DOTHI_GX_CHUNK_ROWS``.
    """
    unavailable = unavailable or {}
    sources = {name: f if isinstance(f, TableSource) else TableSource.of_frame(name, f)
               for name, f in frames.items() if f is not None}

    def why(table: str) -> str:
        return unavailable.get(table, f"table {table} does not exist yet")

    planned: list[tuple[SuiteSpec, TableSource, list[dict[str, Any]]]] = []
    outcomes: dict[str, SuiteOutcome] = {}
    for spec in specs:
        source = sources.get(spec.qualified_table)
        if source is None:
            outcomes[spec.name] = SuiteOutcome(spec.name, spec.table, skipped_reason=why(spec.qualified_table))
            continue
        missing_refs = [t for t in spec.reference_tables if t not in sources]
        if missing_refs:
            reasons = "; ".join(why(t) for t in missing_refs)
            outcomes[spec.name] = SuiteOutcome(
                spec.name, spec.table, skipped_reason=f"cannot expand the suite's templates: {reasons}"
            )
            continue
        missing_keys = [k for k in spec.row_keys if k not in source.columns]
        if missing_keys:
            # GX only notices a missing key column when a row fails: refuse the suite up front.
            outcomes[spec.name] = _error_outcomes(
                spec, list(spec.expectations),
                f"table {spec.qualified_table} lacks row key column(s) {', '.join(missing_keys)}",
            )
            continue
        try:
            refs = {t: sources[t].records() for t in spec.reference_tables}
            expectations = expand_expectations(spec, refs)
        except SuiteError as exc:
            outcomes[spec.name] = _error_outcomes(spec, list(spec.expectations), str(exc))
            continue
        if not expectations:
            outcomes[spec.name] = SuiteOutcome(
                spec.name, spec.table,
                skipped_reason=f"no expectations after expanding from {', '.join(spec.reference_tables)}",
            )
            continue
        planned.append((spec, source, expectations))

    if planned:
        from expectations.gx_engine import GxEngine

        engine = GxEngine()
        rows = plan.chunk_rows(chunk_rows)
        for spec, source, expectations in planned:
            try:
                outcomes[spec.name] = _validate_suite(engine, spec, source, expectations, rows,
                                                      for_docs=data_docs_dir is not None)
            except Exception as exc:  # noqa: BLE001 - one broken suite must not hide the others' results
                log.exception("GX suite %s could not run", spec.name)
                outcomes[spec.name] = _error_outcomes(spec, expectations, f"suite could not run: {exc}")
        if data_docs_dir is not None:
            engine.build_data_docs(data_docs_dir)
    return [outcomes[s.name] for s in specs]


def validate_tables(
    warehouse: Path, specs: list[SuiteSpec], data_docs_dir: Path | None = None, *, chunk_rows: int | None = None
) -> list[SuiteOutcome]:
    """Validate ``specs`` on the warehouse without storing anything (e.g. the blocking intake check).

    The warehouse is open only while the needed columns are copied out; GX then reads the copies.
    """
    needed = [s.qualified_table for s in specs] + [t for s in specs for t in s.reference_tables]
    with tempfile.TemporaryDirectory(prefix="dothi-gx-") as spool:
        with duckdb.connect(str(warehouse)) as conn:
            sources, unavailable = read_frames(conn, needed, needed_columns(specs), Path(spool))
        outcomes = validate_frames(specs, sources, data_docs_dir, unavailable, chunk_rows=chunk_rows)
    # The chunks pandas validated leave freed pages behind (~130 MB at national scale), and the refresh
    # goes on in this process with dbt beside it.
    release_unused_memory()
    return outcomes


def validate_warehouse(
    warehouse: Path,
    run_id: str,
    data_docs_dir: Path | None = None,
    *,
    suites_dir: Path | None = None,
    chunk_rows: int | None = None,
) -> list[SuiteOutcome]:
    """Validate the warehouse's guarded tables and replace ``quality.gx_*`` with this run's results.

    The DuckDB file is opened twice, briefly: to copy out the columns the suites read, and to write
    the results. It is closed while GX runs, so another writer is not locked out for the validation.
    """
    specs = load_suites(suites_dir)
    started = time.perf_counter()
    validated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC in a `timestamp` column
    outcomes = validate_tables(warehouse, specs, data_docs_dir, chunk_rows=chunk_rows)
    validate_done = time.perf_counter()
    with duckdb.connect(str(warehouse)) as conn:
        findings, _ = write_outcomes(conn, outcomes, run_id, validated_at)
    log.info(
        "GX validation of %s: copy out and validate %.2f s (GX import included on first use), "
        "write %.2f s; %d findings",
        warehouse, validate_done - started, time.perf_counter() - validate_done, findings,
    )
    return outcomes
