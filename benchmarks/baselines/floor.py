"""Run the floor (floor.sql) on one scale's files: ``python -m benchmarks.baselines.floor <inbox> <canon> <seeds>``.

Prints one JSON line: the script's own wall time and its result counts.
"""

from __future__ import annotations

import glob
import json
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.baselines import dbt_var, province_code

HERE = Path(__file__).resolve().parent
GLOBS = {"A": "BC_*.csv", "B": "BaoCao_*.csv", "C": "report_*.csv"}


def _sql_text(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def render(inbox: Path | None, canon: Path | None, seeds: Path) -> str:
    """floor.sql with its placeholders filled; a dialect without files reads a header-only file."""
    values = {}
    for name, pattern in GLOBS.items():
        pat = str(inbox / pattern) if inbox else ""
        values[name] = _sql_text(pat if inbox and glob.glob(pat) else str(HERE / "empty" / f"{name}.csv"))
    pat = str(canon / "*.csv") if canon else ""
    values["CANON"] = _sql_text(pat if canon and glob.glob(pat) else str(HERE / "empty" / "canon.csv"))
    sql = (HERE / "floor.sql").read_text(encoding="utf-8")
    for name, value in values.items():
        sql = sql.replace("{" + name + "}", value)
    for name, value in (("{PROVINCE_KEY}", f"{province_code()}@{dbt_var('horizon_date')}"),
                        ("{PROVINCE}", province_code()), ("{REORGANISATION}", dbt_var("reorganisation_date"))):
        sql = sql.replace(name, value.replace("'", "''"))
    return sql.replace("{REF}", str(seeds).replace("'", "''"))


def run(inbox: Path | None, canon: Path | None, seeds: Path, database: Path | None = None) -> dict[str, object]:
    """The script's result counts; with ``database``, its tables are kept there (for row diffs)."""
    started = time.perf_counter()
    conn = duckdb.connect(str(database) if database else ":memory:")
    sql = render(inbox, canon, seeds)
    try:
        result = conn.execute(sql.replace("create temp table", "create or replace table") if database else sql)
        counts = dict(zip([d[0] for d in result.description], result.fetchone() or (), strict=False))
    finally:
        conn.close()
    return {"seconds": round(time.perf_counter() - started, 3), **counts}


def main(argv: list[str]) -> int:
    inbox, canon, seeds = (Path(a) if a != "-" else None for a in argv[:3])
    print(json.dumps(run(inbox, canon, seeds)))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
