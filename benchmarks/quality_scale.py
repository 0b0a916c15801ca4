"""Benchmark (not a test): the Great Expectations step at sample, province and national scale.

    python -m benchmarks.quality_scale --source /tmp/h/warehouse.duckdb --factors 1 13 --out /tmp/qs

Builds, from a real refreshed warehouse (``--source``: the sample's, or the province benchmark's), one
warehouse per factor holding only what the suites read — ``raw.figures`` and the four guarded
``intermediate`` tables repeated ``factor`` times with distinct keys, ``reference.indicators`` with 9
extra indicators (national has 30) — then measures, each in its own subprocess (peak RSS of the process
tree, sampled by ``benchmarks.run.TreeSampler``, and the 1-minute load average before and after):

- ``intake``: the blocking intake check exactly as ``orchestration/defs/quality.py`` runs it
  (``read_frames`` + ``validate_frames`` on the ``raw`` suites);
- ``warehouse``: ``expectations.validate_warehouse`` (every suite, findings written, no Data Docs);
- ``docs``: the same with Data Docs, as the ``gx_findings`` asset runs it (not measured by default);
- ``floor``: the same checks as hand-written DuckDB SQL (counts and the failing rows' keys fetched).

Province's 313 k figures × 13 ≈ national's 4 M. ``--keep`` keeps the built warehouses.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.run import TreeSampler

REPO = Path(__file__).resolve().parents[1]
_EXTRA_INDICATORS = 9
_KEYED = {  # table -> the key column made distinct per copy
    "raw.figures": "file_sha256",
    "intermediate.int_checks__value_range": "check_key",
    "intermediate.int_checks__rate_consistency": "check_key",
    "intermediate.int_reconciliation": "check_key",
    "intermediate.int_expected_submissions": "check_key",
}


def build(source: Path, dest: Path, factor: int) -> dict[str, int]:
    """``dest`` with the guarded tables of ``source`` repeated ``factor`` times; row counts per table."""
    dest.unlink(missing_ok=True)
    with duckdb.connect(str(dest)) as conn:
        conn.execute(f"attach '{source}' as src (read_only)")
        for schema in ("raw", "intermediate", "reference"):
            conn.execute(f"create schema {schema}")
        # Copies with an odd number use 9 synthetic indicators (same limits) in place of the first 9 real ones.
        conn.execute(
            "create temp table renamed as select indicator_code from src.reference.indicators "
            f"where valid_min is not null or valid_max is not null order by indicator_code limit {_EXTRA_INDICATORS}"
        )
        conn.execute(
            "create table reference.indicators as select * from src.reference.indicators union all "
            "select * replace (indicator_code || '_X' as indicator_code) from src.reference.indicators "
            "where indicator_code in (select indicator_code from renamed)"
        )
        counts = {}
        for table, key in _KEYED.items():
            columns = {r[0] for r in conn.execute(f"describe src.{table}").fetchall()}
            replace = [f"case when k = 0 then {key} else {key} || '-' || k end as {key}"]
            if "indicator_code" in columns and factor > 1:
                replace.append(
                    "case when k % 2 = 1 and indicator_code in (select indicator_code from renamed) "
                    "then indicator_code || '_X' else indicator_code end as indicator_code"
                )
            conn.execute(
                f"create table {table} as select * exclude (k) replace ({', '.join(replace)}) "
                f"from range({factor}) r(k), src.{table} order by k"
            )
            (row,) = conn.execute(f"select count(*) from {table}").fetchall()  # a count: one row
            counts[table] = row[0]
    return counts


# The shipped suites as plain SQL: failing rows' keys (what gx_findings holds), per rule.
_FLOOR_SQL = {
    "REQUIRED_FIELD_MISSING": """select file_sha256, row_number from raw.figures where file_sha256 is null
        or row_number is null or reporter_code is null or reporter_kind is null or locality_code is null
        or indicator_code is null or period is null""",
    "VALUE_OUT_OF_RANGE": """select v.check_key from intermediate.int_checks__value_range v
        join reference.indicators i using (indicator_code)
        where v.value < i.valid_min or v.value > i.valid_max""",
    "NUMERATOR_GT_DENOMINATOR": """select check_key from intermediate.int_checks__rate_consistency
        where is_share and numerator > denominator""",
    "RATE_MISMATCH": """select check_key from intermediate.int_checks__rate_consistency
        where deviation_ratio < 0 or deviation_ratio > 1""",
    "CHANNEL_DISAGREEMENT": """select check_key, comparison from intermediate.int_reconciliation
        where diff_over_tolerance > 1""",
    "SUBMISSION": """select check_key, submission_status from intermediate.int_expected_submissions
        where submission_status in ('missing', 'late')""",
}


def child(what: str, warehouse: Path) -> dict:
    """Runs in the measured subprocess; returns what it found."""
    started = time.perf_counter()
    if what == "floor":
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            found = {rule: len(conn.execute(sql).fetchall()) for rule, sql in _FLOOR_SQL.items()}
        return {"seconds": time.perf_counter() - started, "failing_rows": found}

    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations  # noqa: F401 - timed apart: every refresh pays it once

    imported = time.perf_counter()
    from expectations import load_suites, summarise, validate_warehouse
    from expectations.run import read_frames, validate_frames

    if what == "intake":  # orchestration/defs/quality.py: validate_intake
        specs = [s for s in load_suites() if s.schema == "raw"]
        needed = [s.qualified_table for s in specs] + [t for s in specs for t in s.reference_tables]
        with duckdb.connect(str(warehouse)) as conn:
            frames, unavailable = read_frames(conn, needed)
        outcomes = validate_frames(specs, frames, None, unavailable)
    elif what == "docs":  # as the gx_findings asset runs it: with Data Docs
        with tempfile.TemporaryDirectory() as docs:
            outcomes = validate_warehouse(warehouse, run_id="bench", data_docs_dir=Path(docs))
    else:
        outcomes = validate_warehouse(warehouse, run_id="bench")
    done = time.perf_counter()
    return {"gx_import_s": imported - started, "seconds": done - imported, "totals": summarise(outcomes),
            "rules": {r: n for s in outcomes for r, n in s.findings_by_rule().items()}}


def measure(what: str, warehouse: Path) -> dict:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.quality_scale", "--child", what, str(warehouse)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{what} on {warehouse} failed:\n{stderr[-3000:]}")
    out = json.loads(stdout.strip().splitlines()[-1])
    return out | {"what": what, "wall_s": round(wall, 2), "peak_rss_mb": round(peak / 2**20),
                  "load_before": load_before, "load_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="a refreshed warehouse (read only)")
    parser.add_argument("--factors", type=int, nargs="+", default=[1])
    parser.add_argument("--what", nargs="+", default=["floor", "intake", "warehouse"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/quality-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the built warehouses")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    if args.source is None:
        parser.error("--source is required")
    args.out.mkdir(parents=True, exist_ok=True)
    for factor in args.factors:
        warehouse = args.out / f"quality-x{factor}.duckdb"
        started = time.perf_counter()
        counts = build(args.source, warehouse, factor)
        print(json.dumps({"factor": factor, "rows": counts, "build_s": round(time.perf_counter() - started, 1)}))
        for what in args.what:
            print(json.dumps({"factor": factor} | measure(what, warehouse)), flush=True)
        if not args.keep:
            warehouse.unlink()
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
