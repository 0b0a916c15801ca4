"""Benchmark (not a test): how long the GX layer adds to a refresh, GX's import apart.

    python -m expectations.bench --rows 1000 100000

Builds a throw-away warehouse with every guarded table at each size (about 1 % of rows failing),
then times the GX import once and ``validate_warehouse`` per size (read, validate, write).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

import duckdb

# Parameters are sizes only; the SQL is fixed text.
_BUILD_SQL = """
create schema raw; create schema intermediate; create schema reference;
create table reference.indicators as
    select 'IND_' || i as indicator_code, 0.0 as valid_min, 100.0 as valid_max from range(20) t(i);
create table raw.figures as
    select 'sha' || (i // 50) as file_sha256, 'f.csv' as file_name, (i % 50)::integer as row_number,
           case when i % 100 = 0 then null else 'R' end as reporter_code, 'locality' as reporter_kind,
           '568' as locality_code, 'IND_' || (i % 20) as indicator_code, '2024' as period,
           (i % 97)::double as value
    from range($rows) t(i);
create table intermediate.int_checks__value_range as
    select 'vr' || i as check_key, 'IND_' || (i % 20) as indicator_code, '568' as locality_code,
           '2024' as period, case when i % 100 = 0 then 150.0 else (i % 97)::double end as value
    from range($rows) t(i);
create table intermediate.int_checks__rate_consistency as
    select 'rc' || i as check_key, 'IND_1' as indicator_code, 50.0 + (i % 100 = 0)::int * 100 as numerator,
           100.0 as denominator, (i % 100 = 1)::int * 3.0 as deviation_ratio, true as is_share
    from range($rows) t(i);
create table intermediate.int_reconciliation as
    select 're' || i as check_key,
           case when i % 2 = 0 then 'locality_vs_department' else 'aggregate_vs_province_total' end
               as comparison,
           'IND_1' as indicator_code, case when i % 100 = 0 then 2.0 else 0.5 end as diff_over_tolerance
    from range($rows) t(i);
create table intermediate.int_expected_submissions as
    select 'es' || i as check_key, 'R' || i as reporter_code, '2024' as period,
           case i % 100 when 0 then 'missing' when 1 then 'late' else 'on_time' end as submission_status
    from range($rows) t(i);
"""


def build(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as conn:
        # DuckDB binds parameters to the last statement only: run them one by one.
        for statement in filter(str.strip, _BUILD_SQL.split(";")):
            conn.execute(statement, {"rows": rows} if "$rows" in statement else None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--docs", action="store_true", help="also build Data Docs each time")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("expectations").setLevel(logging.INFO)  # GX is chatty at INFO

    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    started = time.perf_counter()
    import great_expectations  # noqa: F401 - timed on purpose

    print(f"import great_expectations: {time.perf_counter() - started:.2f} s")
    from expectations.run import validate_warehouse

    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"w{rows}.duckdb"
            build(path, rows)
            docs = Path(tmp) / f"docs{rows}" if args.docs else None
            started = time.perf_counter()
            outcomes = validate_warehouse(path, run_id=f"bench-{rows}", data_docs_dir=docs)
            elapsed = time.perf_counter() - started
            findings = sum(o.unexpected_count or 0 for s in outcomes for o in s.failures)
            print(f"{rows:>9} rows per table: validate_warehouse {elapsed:.2f} s, {findings} findings")


if __name__ == "__main__":
    main()
