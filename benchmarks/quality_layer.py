"""Benchmark (not a test): how long the quality layer adds to a refresh, and GX pandas vs SQL datasource.

    python -m benchmarks.quality_layer                    # refreshes the sample into a temp DOTHI_HOME first
    python -m benchmarks.quality_layer --home /tmp/h      # reuse a home that already holds a sample refresh
    python -m benchmarks.quality_layer --gx-sql-path DIR  # DIR holds duckdb-engine (not in the lock), for the
                                                          # SQL-datasource comparison: uv pip install --target DIR
                                                          # --no-deps duckdb-engine

Measures, on one warehouse:
1. dbt: one `dbt build` of the whole project, with each node's own time from run_results.json, split into the
   quality layer (check models, rule compilation, reconciliation/completeness marts, findings history,
   progress extras, their tests and unit tests) and the rest.
2. Great Expectations: the import, the blocking intake check (raw suites only), and validate_warehouse
   (read frames, validate, write findings) — the same calls the Dagster assets make.
3. GX pandas datasource vs SQL datasource (duckdb-engine + SQLAlchemy) on the same table and expectations.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt_project"
# Nodes that exist only because of the quality layer (names as in dbt's unique_id).
QUALITY_NODES = (
    "int_dq_rule_inputs",
    "int_checks__rules",
    "int_checks__outliers",
    "int_checks__consistency_over_time",
    "int_dq_rule_catalogue",
    "int_dq_findings",
    "int_progress__projection",
    "fct_reconciliation",
    "fct_reporting_completeness",
    "fct_dq_issues",
    "int_checks__value_range",
    "int_checks__rate_consistency",
    "int_expected_submissions",
    "int_reconciliation",
    "dq_rules",
    "dq_indicator_settings",
    "dq_checks",
)


def _is_quality(unique_id: str) -> bool:
    # Tests are named after their model; unit tests are "unit_test.dothi.<model>.<test>".
    return any(f".{name}." in unique_id + "." or f"_{name}_" in unique_id for name in QUALITY_NODES)


def refresh_sample(home: Path) -> None:
    env = {**os.environ, "DOTHI_HOME": str(home), "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "refresh", "--sample", "--json"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def time_dbt(warehouse: Path, target: Path) -> dict[str, float]:
    env = {**os.environ, "DOTHI_WAREHOUSE": str(warehouse)}
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--target-path", str(target), "--quiet"],
        cwd=DBT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    results = json.loads((target / "run_results.json").read_text())["results"]
    quality = sum(r["execution_time"] for r in results if _is_quality(r["unique_id"]))
    total = sum(r["execution_time"] for r in results)
    return {
        "dbt_build_wall_s": wall,
        "node_time_total_s": total,
        "node_time_quality_s": quality,
        "nodes": len(results),
        "nodes_quality": sum(1 for r in results if _is_quality(r["unique_id"])),
    }


def time_gx(warehouse: Path, docs: Path) -> dict[str, float]:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    started = time.perf_counter()
    import great_expectations  # noqa: F401 - timed on purpose

    out: dict[str, float] = {"gx_import_s": time.perf_counter() - started}
    from expectations import load_suites, validate_warehouse
    from orchestration.defs.quality import validate_intake

    intake = [s for s in load_suites() if s.schema == "raw"]
    started = time.perf_counter()
    validate_intake(warehouse, intake)
    out["gx_intake_check_s"] = time.perf_counter() - started
    started = time.perf_counter()
    validate_warehouse(warehouse, run_id="bench", data_docs_dir=docs)
    out["gx_validate_warehouse_with_docs_s"] = time.perf_counter() - started
    started = time.perf_counter()
    validate_warehouse(warehouse, run_id="bench", data_docs_dir=None)
    out["gx_validate_warehouse_s"] = time.perf_counter() - started
    return out


def _expectations(gx: Any) -> list[Any]:
    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column=c)
        for c in ("file_sha256", "row_number", "reporter_code", "locality_code", "indicator_code", "period")
    ] + [gx.expectations.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=3_000_000)]


def _exception_message(info: Any) -> str | None:
    infos = [info] if isinstance(info, dict) and "raised_exception" in info else list((info or {}).values())
    for item in infos:
        if isinstance(item, dict) and item.get("raised_exception"):
            return str(item.get("exception_message") or "exception raised")[:300]
    return None


def compare_datasources(warehouse: Path, gx_sql_path: str | None, repeat: int = 3) -> dict[str, Any]:
    """Same suite on raw.figures through the pandas datasource and through the SQL datasource."""
    import duckdb
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    suite = context.suites.add(gx.ExpectationSuite(name="bench_raw_figures", expectations=_expectations(gx)))
    out: dict[str, Any] = {}

    timings: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            frame = conn.table("raw.figures").df()
        batch = (
            context.data_sources.add_or_update_pandas("bench_pandas")
            .add_dataframe_asset(f"figures_{len(timings)}")
            .add_batch_definition_whole_dataframe("all")
        )
        result = batch.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        timings.append(time.perf_counter() - started)
    out["pandas_s"] = min(timings)
    out["pandas_success"] = bool(result.success)
    out["rows"] = len(frame)

    if gx_sql_path:
        sys.path.insert(0, gx_sql_path)
    try:
        import duckdb_engine  # noqa: F401
    except ImportError as exc:
        out["sql"] = f"not measured: duckdb-engine is not installed ({exc})"
        return out
    timings, errors = [], []
    for i in range(repeat):
        started = time.perf_counter()
        try:
            source = context.data_sources.add_or_update_sql(
                f"bench_sql_{i}", connection_string=f"duckdb:///{warehouse}"
            )
            asset = source.add_table_asset(f"figures_{i}", table_name="figures", schema_name="raw")
            result = asset.add_batch_definition_whole_table("all").get_batch().validate(suite)
            errors += [
                str(r.exception_info)[:300]
                for r in result.results
                if "raised_exception" in str(r.exception_info) and "True" in str(r.exception_info)
            ]
            out["sql_success"] = bool(result.success)
        except Exception as exc:  # noqa: BLE001 - the point is to record how it fails
            errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        timings.append(time.perf_counter() - started)
    out["sql_s"] = min(timings)
    out["sql_errors"] = errors[:3]
    out["sql_error_count"] = len(errors)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a DOTHI_HOME holding a sample refresh (default: make one)")
    parser.add_argument("--gx-sql-path", help="folder with duckdb-engine for the SQL-datasource comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            started = time.perf_counter()
            refresh_sample(home)
            print(f"sample refresh (whole job, for scale): {time.perf_counter() - started:.1f} s")
        # Work on a copy: the benchmark never writes into someone's warehouse.
        warehouse = Path(tmp) / "warehouse.duckdb"
        warehouse.write_bytes((home / "warehouse.duckdb").read_bytes())
        report: dict[str, Any] = {}
        report |= time_dbt(warehouse, Path(tmp) / "target")
        report |= time_gx(warehouse, Path(tmp) / "gx_docs")
        report["datasources"] = compare_datasources(warehouse, args.gx_sql_path)
    quality = report["node_time_quality_s"] + report["gx_intake_check_s"] + report["gx_validate_warehouse_with_docs_s"]
    report["quality_layer_added_s"] = quality
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
