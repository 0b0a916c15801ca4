"""The intake alone (no Dagster, no dbt) on a scale's inbox, stopping cleanly after a time budget.

    DOTHI_HOME=... DOTHI_SEEDS_EXTRA=<scale>/reference python -m benchmarks.intake_only [--max-seconds 1200]

The synthetic scales' reference data (communes, departments, indicators) reaches intake as it reaches a
user's refresh: the ``DOTHI_SEEDS_EXTRA`` overlay (sources/reference.py), not a copy of the dbt project.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def intake_only(max_seconds: float) -> dict[str, object]:
    """The intake alone (no Dagster, no dbt), stopping cleanly after ``max_seconds``."""
    import sources.intake as intake
    from sources.home import DothiHome

    home = DothiHome.from_env().ensure()
    started = time.perf_counter()
    files = intake.list_inbox(home)
    original = intake.list_inbox
    deadline = started + max_seconds
    done = 0

    def bounded(_home: DothiHome):  # stop handing out files once the time budget is spent
        nonlocal done
        for path in files:
            if time.perf_counter() > deadline:
                return
            done += 1
            yield path

    intake.list_inbox = bounded  # type: ignore[assignment]
    try:
        report = intake.run_intake(home, run_id="bench-intake-only")
    finally:
        intake.list_inbox = original
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 2),
        "files_total": len(files),
        "files_done": report.files_seen,
        "complete": report.files_seen == len(files),
        "rows_accepted": report.rows_accepted,
        "rows_rejected": report.rows_rejected,
        "quarantined": report.quarantined,
        "files_per_second": round(report.files_seen / elapsed, 1) if elapsed else None,
        "rows_per_second": round((report.rows_accepted + report.rows_rejected) / elapsed) if elapsed else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=1200)
    args = parser.parse_args(argv)
    print(json.dumps(intake_only(args.max_seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
