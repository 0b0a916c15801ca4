"""Run the suites: frames from DuckDB -> GX pandas datasource -> plain outcomes -> quality tables.

GX's SQL datasource is broken on DuckDB here (stack notes, pitfall 8), so every table is read into a
pandas frame and validated in an ephemeral GX context. GX costs ~6 s to import: it is imported inside
``validate_frames`` only, never when this module is imported.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from expectations.results import ExpectationOutcome, SuiteOutcome, plain
from expectations.store import write_outcomes
from expectations.suites import SuiteError, SuiteSpec, expand_expectations, load_suites

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# GX names severities its own way; dothi's "error" is GX's "critical".
_GX_SEVERITY = {"error": "critical", "warning": "warning"}
_DATASOURCE = "dothi_warehouse"
_DOCS_SITE = "dothi"


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    # fetchall, not fetchone: DuckDB 2 refuses new work on a connection with an unfinished result.
    rows = conn.execute(
        "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return bool(rows)


def read_frames(
    conn: duckdb.DuckDBPyConnection, qualified_tables: list[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The tables that can be read, as pandas frames, and why each other one can't."""
    frames: dict[str, pd.DataFrame] = {}
    unavailable: dict[str, str] = {}
    for qualified in dict.fromkeys(qualified_tables):
        schema, table = qualified.split(".", 1)
        if not _table_exists(conn, schema, table):
            unavailable[qualified] = f"table {qualified} does not exist yet"
            continue
        try:
            frames[qualified] = conn.table(qualified).df()
        except duckdb.Error as exc:  # e.g. a view over a table that is gone
            unavailable[qualified] = f"table {qualified} could not be read: {exc}"
    return frames, unavailable


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _exception_message(exception_info: Any) -> str | None:
    """GX reports either one {raised_exception, exception_message} or one such dict per metric."""
    if not isinstance(exception_info, dict):
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for info in infos:
        if isinstance(info, dict) and (info.get("raised_exception") or info.get("exception_message")):
            return str(info.get("exception_message") or "exception raised (no message)")
    return None


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


def _gx_context() -> Any:
    # Before the import: GX reads the variable when the context starts.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    with warnings.catch_warnings():
        # GX's own imports of deprecated stdlib modules; nothing the caller can act on.
        warnings.simplefilter("ignore", DeprecationWarning)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _validate_suite(
    context: Any, datasource: Any, spec: SuiteSpec, frame: pd.DataFrame, expectations: list[dict[str, Any]]
) -> SuiteOutcome:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite = gx.ExpectationSuite(name=spec.name, meta={"table": spec.qualified_table})
    # Outcomes keep the suite file's order, whatever order GX returns results in.
    ordered: dict[int, ExpectationOutcome] = {}
    positions: list[int] = []
    for position, exp in enumerate(expectations):
        try:
            config = ExpectationConfiguration(
                type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"],
                severity=_GX_SEVERITY[exp["meta"]["severity"]],
            )
            suite.add_expectation(config.to_domain_obj())
        except Exception as exc:  # noqa: BLE001 - a bad expectation in the JSON is an execution error
            ordered[position] = _outcome(spec, exp, success=False, error=f"invalid expectation: {exc}")
            continue
        positions.append(position)

    if positions:
        # The store gives expectations new ids: match GX's results to ours through the stored order.
        suite = context.suites.add(suite)
        if len(suite.expectations) != len(positions):
            raise SuiteError(f"suite {spec.name}: GX merged identical expectations; make them distinct")
        position_of_id = {str(e.id): p for e, p in zip(suite.expectations, positions, strict=True)}
        asset = datasource.add_dataframe_asset(name=spec.table)
        batch = asset.add_batch_definition_whole_dataframe("whole_table")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
        )
        index_columns = list(dict.fromkeys(
            [*spec.row_keys, *(c for c in spec.context_columns if c in frame.columns)]
        ))
        result = validation.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns},
        )
        for r in result.results:
            position = position_of_id[str(r.expectation_config.id)]
            # Pitfall 8: an exception inside GX comes back as success=False; it is not a data finding.
            error = _exception_message(r.exception_info)
            ordered[position] = _outcome(
                spec, expectations[position], success=bool(r.success) and error is None,
                result=r.result, error=error,
            )
    return SuiteOutcome(spec.name, spec.table, [ordered[i] for i in sorted(ordered)])


def validate_frames(
    specs: list[SuiteSpec],
    frames: Mapping[str, pd.DataFrame],
    data_docs_dir: Path | None = None,
    unavailable: Mapping[str, str] | None = None,
) -> list[SuiteOutcome]:
    """Validate each suite against its frame (keyed by qualified table name).

    A suite whose table (or reference table) has no frame is skipped, with the reason from
    ``unavailable`` when given.
    """
    unavailable = unavailable or {}

    def why(table: str) -> str:
        return unavailable.get(table, f"table {table} does not exist yet")

    planned: list[tuple[SuiteSpec, pd.DataFrame, list[dict[str, Any]]]] = []
    outcomes: dict[str, SuiteOutcome] = {}
    for spec in specs:
        frame = frames.get(spec.qualified_table)
        if frame is None:
            reason = why(spec.qualified_table)
            outcomes[spec.name] = SuiteOutcome(spec.name, spec.table, skipped_reason=reason)
            continue
        missing_refs = [t for t in spec.reference_tables if frames.get(t) is None]
        if missing_refs:
            reasons = "; ".join(why(t) for t in missing_refs)
            outcomes[spec.name] = SuiteOutcome(
                spec.name, spec.table, skipped_reason=f"cannot expand the suite's templates: {reasons}"
            )
            continue
        missing_keys = [k for k in spec.row_keys if k not in frame.columns]
        if missing_keys:
            # GX only notices a missing key column when a row fails: refuse the suite up front.
            outcomes[spec.name] = _error_outcomes(
                spec, list(spec.expectations),
                f"table {spec.qualified_table} lacks row key column(s) {', '.join(missing_keys)}",
            )
            continue
        try:
            refs = {t: _records(frames[t]) for t in spec.reference_tables}
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
        planned.append((spec, frame, expectations))

    if planned:
        context = _gx_context()
        datasource = context.data_sources.add_pandas(_DATASOURCE)
        for spec, frame, expectations in planned:
            try:
                outcomes[spec.name] = _validate_suite(context, datasource, spec, frame, expectations)
            except Exception as exc:  # noqa: BLE001 - one broken suite must not hide the others' results
                log.exception("GX suite %s could not run", spec.name)
                outcomes[spec.name] = _error_outcomes(spec, expectations, f"suite could not run: {exc}")
        if data_docs_dir is not None:
            build_data_docs(context, data_docs_dir)
    return [outcomes[s.name] for s in specs]


def build_data_docs(context: Any, data_docs_dir: Path) -> Path | None:
    """A filesystem Data Docs site of this run's suites and results; a failure here only logs."""
    try:
        data_docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(_DOCS_SITE, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        context.build_data_docs(site_names=[_DOCS_SITE])
    except Exception:  # noqa: BLE001 - docs are a by-product; never lose the validation for them
        log.warning("building GX Data Docs in %s failed", data_docs_dir, exc_info=True)
        return None
    return data_docs_dir / "index.html"


def validate_warehouse(
    warehouse: Path,
    run_id: str,
    data_docs_dir: Path | None = None,
    *,
    suites_dir: Path | None = None,
) -> list[SuiteOutcome]:
    """Validate the warehouse's guarded tables and replace ``quality.gx_*`` with this run's results.

    The DuckDB file is opened twice, briefly: to read the frames, and to write the results. It is
    closed while GX runs, so another writer is not locked out for the whole validation.
    """
    specs = load_suites(suites_dir)
    needed = [s.qualified_table for s in specs] + [t for s in specs for t in s.reference_tables]
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as conn:
        frames, unavailable = read_frames(conn, needed)
    read_done = time.perf_counter()
    validated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC in a `timestamp` column
    outcomes = validate_frames(specs, frames, data_docs_dir, unavailable)
    validate_done = time.perf_counter()
    with duckdb.connect(str(warehouse)) as conn:
        findings, _ = write_outcomes(conn, outcomes, run_id, validated_at)
    log.info(
        "GX validation of %s: read %.2f s, validate %.2f s (GX import included on first use), "
        "write %.2f s; %d findings",
        warehouse, read_done - started, validate_done - read_done, time.perf_counter() - validate_done,
        findings,
    )
    return outcomes
