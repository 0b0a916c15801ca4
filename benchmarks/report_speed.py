"""How long the Excel reports take on a published warehouse: ``write_reports`` with the dashboards and dbt
docs left out, best of N, each run in a fresh process (so the peak RSS is the run's own).

    python -m benchmarks.report_speed var/warehouse.duckdb --runs 3

The reports are written under a temporary directory, never beside the warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_ONE_RUN = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from outputs.bundle import write_reports
start = time.perf_counter()
write_reports(Path(sys.argv[1]), Path(sys.argv[2]), dashboard=False, dbt_docs=False,
              generated_at=dt.datetime(2025, 9, 1, 8, 30))
print(json.dumps({"wall_s": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(warehouse: Path, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="report-speed-") as reports:
            done = subprocess.run([sys.executable, "-c", _ONE_RUN, str(warehouse), reports], check=True,
                                  capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(results, key=lambda r: r["wall_s"])
    return {"best_wall_s": round(best["wall_s"], 2), "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results)),
            "runs": runs, "load_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.warehouse.resolve(), args.runs)))


if __name__ == "__main__":
    main()
