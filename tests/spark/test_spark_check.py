"""`make spark-check`: the same dbt project on Spark (dbt-spark, session mode, Parquet tables), built from the
raw hand-off that publish writes (exports/<run>/raw/), gives the same marts as DuckDB.

Two nights, as in tests/integration/test_incremental_refresh.py: the sample refresh, then one revision and one
new file. Each night's hand-off (raw + quality Parquet) is built by dbt on both adapters in turn (night 1 the
models, night 2 incrementally: replace_periods, the findings history), with one pinned day. Then every mart
and every seed must hold the same rows on both, numbers within 1e-9. On Spark night 2's build includes the
data tests and the unit tests. Run in its own venv (.venv-spark, requirements-spark.lock); the default `pytest` run
deselects it (marker `spark`). Timings go to <tmp>/spark_check.json and the test's output.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, RefreshRun, run_cli
from tests.integration.test_incremental_refresh import _copy_home, _drop_files

pytest.importorskip("dbt.adapters.spark", reason="the Spark check runs in .venv-spark (make spark-check)")
pytestmark = pytest.mark.spark

DBT_DIR = REPO / "dbt_project"
BIN = Path(sys.executable).parent
TOLERANCE = 1e-9


def _dbt(args: list[str], env: dict[str, str], target_path: Path, log: Path) -> float:
    """One dbt command in dbt_project/; its output appended to `log`. Returns its wall time."""
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ dbt {' '.join(args)}\n")
        out.flush()
        proc = subprocess.run(
            [str(BIN / "dbt"), *args, "--profiles-dir", ".", "--target-path", str(target_path),
             "--log-path", str(target_path / "logs")],
            cwd=DBT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=1800,
        )
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        tail = "".join(line for line in log.read_text(encoding="utf-8").splitlines(True)[-80:]
                       if not line.startswith("\tat "))
        pytest.fail(f"dbt {' '.join(args)} failed ({log}):\n{tail}")
    return seconds


def _load_handoff(warehouse: Path, raw_dir: Path) -> None:
    """The DuckDB side reads the same hand-off as Spark: every <schema>/<table>.parquet as a table."""
    with duckdb.connect(str(warehouse)) as conn:
        for path in sorted(raw_dir.glob("*/*.parquet")):
            schema, table = path.parent.name, path.stem
            conn.execute(f'create schema if not exists "{schema}"')
            conn.execute(f'create or replace table "{schema}"."{table}" as select * from read_parquet(?)', [str(path)])


def _value(v: object) -> object:
    """One value, engine-neutral: numbers as float, timestamps as naive UTC, NaN as null."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int | float | Decimal):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None) if v.tzinfo else v
    return v


def _sort_key(row: tuple) -> tuple:
    return tuple((0, "") if v is None else (1, round(v, 6) if isinstance(v, float) else v) for v in row)


def _rows(
    conn: duckdb.DuckDBPyConnection, relation: str, columns: list[str], params: list | None = None
) -> list[tuple]:
    select = ", ".join(f'"{c}"' for c in columns)
    rows = conn.execute(f"select {select} from {relation}", params or []).fetchall()
    return sorted((tuple(_value(v) for v in row) for row in rows), key=_sort_key)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return a == b


def _spark_files(spark_dir: Path, schema: str, table: str) -> list[str]:
    return sorted(str(p) for p in (spark_dir / "warehouse" / f"{schema}.db" / table).rglob("*.parquet"))


def compare(duck: Path, spark_dir: Path, schema: str, table: str) -> str | None:
    """None when the Spark table holds the DuckDB table's rows (numbers within 1e-9), else what differs."""
    with duckdb.connect(str(duck), read_only=True) as conn:
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
            " order by ordinal_position", [schema, table]).fetchall()]
        expected = _rows(conn, f'"{schema}"."{table}"', columns)
        files = _spark_files(spark_dir, schema, table)
        if not files:
            got: list[tuple] = []
        else:
            spark_columns = {r[0] for r in conn.execute("select name from parquet_schema(?)", [files]).fetchall()}
            if set(columns) - spark_columns:
                return f"columns missing on Spark: {sorted(set(columns) - spark_columns)}"
            got = _rows(conn, "read_parquet(?)", columns, [files])
    if len(expected) != len(got):
        return f"{len(got)} rows on Spark, {len(expected)} on DuckDB"
    for exp, row in zip(expected, got, strict=True):
        bad = [c for c, a, b in zip(columns, exp, row, strict=True) if not _same(a, b)]
        if bad:
            return f"first differing row, columns {bad}: DuckDB {exp} / Spark {row}"
    return None


@pytest.fixture(scope="module")
def check(sample_refresh: RefreshRun, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("spark_check")
    # Night 1: the shared sample refresh. Night 2: a revision and a new file, on a copy of its home.
    night1 = (sample_refresh.home / "exports" / "latest" / "raw").resolve()
    home2 = _copy_home(sample_refresh.home, base / "night2")
    _drop_files(home2 / "inbox")
    day = date.fromisoformat(os.environ["DOTHI_AS_OF_DATE"]) + timedelta(days=1)
    second = run_cli(home2, "refresh", "--json", env_extra={"DOTHI_AS_OF_DATE": day.isoformat()})
    assert second.returncode == 0, f"STDOUT:\n{second.stdout[-4000:]}\nSTDERR:\n{second.stderr[-8000:]}"
    night2 = (home2 / "exports" / "latest" / "raw").resolve()
    for raw in (night1, night2):
        assert (raw / "raw" / "figures.parquet").is_file(), f"publish left no raw hand-off in {raw}"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOTHI_", "DAGSTER_"))}
    env.update({"DOTHI_DBT_AS_OF_DATE": day.isoformat(), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"})
    log = base / "dbt.log"
    timings: dict[str, float] = {}

    # DuckDB: a fresh warehouse that holds only the hand-off, both nights.
    duck = base / "duck" / "warehouse.duckdb"
    duck.parent.mkdir()
    duck_env = {**env, "DOTHI_WAREHOUSE": str(duck)}
    duck_target = base / "duck" / "target"
    _load_handoff(duck, night1)
    timings["duckdb_seed"] = _dbt(["seed"], duck_env, duck_target, log)
    timings["duckdb_run_night1"] = _dbt(["run"], duck_env, duck_target, log)
    _load_handoff(duck, night2)
    timings["duckdb_build_night2"] = _dbt(["build", "--exclude-resource-type", "unit_test"], duck_env, duck_target, log)

    # Spark: session mode, the metastore and warehouse under base/spark, the hand-off as external tables.
    spark_dir = base / "spark"
    spark_dir.mkdir()
    spark_env = {**env, "DOTHI_SPARK_DIR": str(spark_dir)}
    spark_target = base / "spark" / "target"
    spark = ["--target", "spark"]
    attach = ["run-operation", "attach_raw_parquet", *spark, "--args"]
    timings["spark_attach_night1"] = _dbt([*attach, json.dumps({"dir": str(night1)})], spark_env, spark_target, log)
    timings["spark_seed"] = _dbt(["seed", *spark], spark_env, spark_target, log)
    timings["spark_run_night1"] = _dbt(["run", *spark], spark_env, spark_target, log)
    timings["spark_attach_night2"] = _dbt([*attach, json.dumps({"dir": str(night2)})], spark_env, spark_target, log)
    timings["spark_build_night2"] = _dbt(["build", *spark], spark_env, spark_target, log)

    results = json.loads((spark_target / "run_results.json").read_text(encoding="utf-8"))["results"]
    manifest = json.loads((spark_target / "manifest.json").read_text(encoding="utf-8"))
    summary = {"timings_s": {k: round(v, 1) for k, v in timings.items()}, "base": str(base)}
    (base / "spark_check.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return {"duck": duck, "spark_dir": spark_dir, "results": results, "manifest": manifest, "log": log}


def _nodes(check: dict, resource_type: str) -> dict[str, dict]:
    return {n["unique_id"]: n for n in check["manifest"]["nodes"].values()
            if n["resource_type"] == resource_type and n["package_name"] == "dothi"}


def test_every_model_and_test_passed_on_spark(check: dict) -> None:
    statuses = {r["unique_id"]: r["status"] for r in check["results"]}
    models = _nodes(check, "model")
    unit_tests = {u for u in check["manifest"].get("unit_tests", {}) if u.startswith("unit_test.dothi.")}
    assert models and unit_tests
    assert {u: statuses.get(u) for u in models if statuses.get(u) != "success"} == {}
    assert {u: statuses.get(u) for u in unit_tests if statuses.get(u) != "pass"} == {}
    tests = _nodes(check, "test")
    assert {u: statuses.get(u) for u in tests if statuses.get(u) != "pass"} == {}
    print(f"Spark: {len(models)} models, {len(tests)} data tests, {len(unit_tests)} unit tests passed")


@pytest.mark.parametrize("resource_type", ["seed", "model"])
def test_every_mart_and_seed_equals_duckdb(check: dict, resource_type: str) -> None:
    nodes = _nodes(check, resource_type).values()
    tables = sorted((n["schema"], n["alias"]) for n in nodes if n["schema"] in ("marts", "reference"))
    assert tables
    differences = {f"{s}.{t}": d for s, t in tables if (d := compare(check["duck"], check["spark_dir"], s, t))}
    assert differences == {}
    print(f"{len(tables)} {resource_type}s equal on Spark and DuckDB")

