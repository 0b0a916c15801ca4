"""`dothi status [--json]`: the last refresh, the warehouse's age, the inbox, quarantine, open errors, the
lock, the next scheduled run; exits non-zero when something needs a person (outputs/status.py).

Fast by design (well under a second): no Dagster or dbt import. Dagster's run history is read straight
from its SQLite run storage, read-only, only to list runs it still shows in progress.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from orchestration.cli.environment import export_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="where things stand (last refresh, warehouse age, inbox, quarantine, open errors, lock, next run); "
        "exits 3 (a run failed or died), 4 (stale or no warehouse), 5 (open errors or quarantined files)",
    )
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    parser.set_defaults(handler=lambda args: status_command(args.json))


def dagster_runs_in_progress(dagster_home: Path) -> list[str]:
    """Run ids Dagster's default SQLite run storage shows as not started / starting / started."""
    db = dagster_home / "history" / "runs.db"
    if not db.exists():
        return []
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
            rows = conn.execute(
                "select run_id from runs where status in ('NOT_STARTED', 'STARTING', 'STARTED') "
                "order by create_timestamp"
            ).fetchall()
    except sqlite3.Error:
        return []  # another storage (Postgres) or a schema we don't know: the UI shows it
    return [run_id for (run_id,) in rows]


def status_command(as_json: bool) -> int:
    home = export_environment()
    from orchestration.publishing import VIETNAM, lock_holder
    from orchestration.schedule import next_run
    from outputs.status import collect, render_text

    now = datetime.now(VIETNAM)
    status = collect(
        home,
        now,
        lock_holder=lock_holder(home.lock_file),
        next_run=next_run(now),
        in_progress_runs=dagster_runs_in_progress(home.dagster_home),
    )
    print(json.dumps(status.to_dict(), ensure_ascii=False, default=str) if as_json else render_text(status))
    return status.exit_code
