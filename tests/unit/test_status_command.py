"""`dothi status` and the warehouse freshness check on real homes (real files, a real DuckDB warehouse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.publishing import VIETNAM, append_run_event, now_local
from orchestration.schedule import next_run
from outputs.status import DATA_NEEDS_PERSON, OK, RUN_FAILED, STALE, collect
from sources.home import DothiHome
from tests.conftest import REPO


def _status(home: Path, **env: str) -> tuple[int, dict, float]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "DOTHI_WAREHOUSE"}}
    environ.update(DOTHI_HOME=str(home), **env)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "status", "--json"], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - started
    return proc.returncode, json.loads(proc.stdout), seconds


def _publish_fake(home: DothiHome, hours_ago: float, open_errors: int = 0) -> None:
    """A published warehouse as a refresh leaves it: the file, published.json, and the run's log lines."""
    home.ensure()
    with duckdb.connect(str(home.warehouse)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_dq_family_counts (family varchar, open_errors integer)")
        conn.execute("insert into marts.fct_dq_family_counts values ('range', ?), ('unit', 0)", [open_errors])
    stamp = now_local() - timedelta(hours=hours_ago)
    home.published_info.write_text(json.dumps({"run_id": "r1", "published_at": stamp.isoformat(), "mart_rows": {}}))
    append_run_event(home, "started", "r1", trigger="cli", pid=1)
    append_run_event(home, "published", "r1", trigger="cli")


def test_fresh_home_needs_a_refresh(tmp_path) -> None:
    code, status, seconds = _status(tmp_path / "home")
    assert code == STALE and status["warehouse_age_hours"] is None and status["last_refresh"] is None
    assert status["next_run"].endswith("01:00+07:00")
    assert seconds < 1.0, f"dothi status took {seconds:.2f} s"


def test_healthy_home_exits_zero(tmp_path) -> None:
    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=2)
    code, status, seconds = _status(home.root)
    assert code == OK, status["attention"]
    assert status["last_refresh"]["outcome"] == "published" and status["open_errors"] == 0
    assert 1.9 < status["warehouse_age_hours"] < 2.1 and status["lock_holder"] is None
    assert seconds < 1.0, f"dothi status took {seconds:.2f} s"


def test_stale_home_and_its_configurable_age(tmp_path) -> None:
    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=30)
    assert _status(home.root)[0] == STALE
    assert _status(home.root, DOTHI_MAX_WAREHOUSE_AGE_H="48")[0] == OK


def test_failed_last_run_and_data_needing_a_person(tmp_path) -> None:
    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=1, open_errors=2)
    (home.quarantine / "abc.csv").write_text("x")
    (home.quarantine / "abc.reason.txt").write_text("reason")
    code, status, _ = _status(home.root)
    assert code == DATA_NEEDS_PERSON and status["open_errors"] == 2 and status["quarantine"] == ["abc.csv"]
    append_run_event(home, "started", "r2", trigger="schedule", pid=2)
    append_run_event(home, "failed", "r2", step="dbt_warehouse", error="Out of Memory Error: failed to allocate")
    code, status, _ = _status(home.root)
    assert code == RUN_FAILED  # the most urgent reason wins; all are listed
    assert status["last_refresh"]["step"] == "dbt_warehouse" and "Out of Memory" in status["last_refresh"]["error"]
    assert len(status["attention"]) == 3


def test_a_run_that_took_the_lock_and_never_ended_is_dead(tmp_path) -> None:
    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=1)
    append_run_event(home, "started", "killed", trigger="cli", pid=999999)
    status = collect(home, datetime.now(VIETNAM), lock_holder=None, next_run=None, in_progress_runs=["killed"])
    assert status.dead_runs == ["killed"] and status.exit_code == RUN_FAILED
    # While it holds the lock, it is the running refresh, not a dead one.
    status = collect(home, datetime.now(VIETNAM), lock_holder={"run_id": "killed"}, next_run=None,
                     in_progress_runs=["killed"])
    assert status.dead_runs == [] and status.in_progress_runs == [] and status.exit_code == OK


def test_next_run_is_the_schedules_next_tick() -> None:
    assert next_run(datetime(2026, 3, 1, 0, 30, tzinfo=VIETNAM)) == datetime(2026, 3, 1, 1, 0, tzinfo=VIETNAM)
    assert next_run(datetime(2026, 3, 1, 1, 0, tzinfo=VIETNAM)) == datetime(2026, 3, 2, 1, 0, tzinfo=VIETNAM)
    # Another cron goes through Dagster's own iterator.
    assert next_run(datetime(2026, 3, 1, 1, 0, tzinfo=VIETNAM), "30 */6 * * *").hour == 6


@pytest.mark.parametrize(("hours_ago", "passed"), [(3, True), (30, False)])
def test_freshness_check_warns_on_an_old_warehouse(tmp_path, monkeypatch, hours_ago, passed) -> None:
    from orchestration.defs.freshness import freshness_definitions, warehouse_not_stale

    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=hours_ago)
    monkeypatch.setenv("DOTHI_HOME", str(home.root))
    job = freshness_definitions().resolve_job_def("warehouse_freshness")
    outcome = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    (evaluation,) = outcome.get_asset_check_evaluations()
    assert evaluation.passed is passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.check_name == warehouse_not_stale.check_key.name
    # Age from the file when published.json is gone (e.g. a warehouse copied in by hand).
    home.published_info.unlink()
    old = time.time() - hours_ago * 3600
    os.utime(home.warehouse, (old, old))
    (evaluation,) = job.execute_in_process(instance=dg.DagsterInstance.ephemeral()).get_asset_check_evaluations()
    assert evaluation.passed is passed
