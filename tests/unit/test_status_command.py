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


def _freshness_tables(home: DothiHome, newest_file_days_ago: float, overdue: list[tuple[str, int, int]]) -> None:
    """raw.submissions / raw.figures with their newest ingested_at, and marts.fct_reporter_freshness with
    the given (reporter_code, periods_missing, oldest_missing_days_overdue) rows plus one reporter on time."""
    newest = now_local() - timedelta(days=newest_file_days_ago)
    with duckdb.connect(str(home.warehouse)) as conn:
        conn.execute("create schema raw")
        for table in ("submissions", "figures"):
            conn.execute(f"create table raw.{table} (file_sha256 varchar, ingested_at timestamp)")
            conn.execute(f"insert into raw.{table} values ('a', ?), ('b', ?)", [newest - timedelta(days=30), newest])
        conn.execute(
            "create table marts.fct_reporter_freshness (reporter_code varchar, reporter_name_vi varchar, "
            "reporter_name_en varchar, periods_missing integer, oldest_missing_days_overdue integer, "
            "last_due_period varchar, last_received_at timestamp, as_of_date date)")
        rows = [*overdue, ("ontime", 0, None)]
        for code, missing, days in rows:
            conn.execute("insert into marts.fct_reporter_freshness values (?, ?, ?, ?, ?, '2025', ?, current_date)",
                         [code, f"UBND {code}", f"{code} People's Committee", missing, days,
                          None if code == "560" else newest])


def test_status_shows_overdue_reporters_worst_first(tmp_path) -> None:
    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=1)
    _freshness_tables(home, newest_file_days_ago=0.5,
                      overdue=[("568", 1, 40), ("560", 3, 200), ("569", 2, 200), ("570", 1, 10), ("571", 1, 9),
                               ("572", 1, 8)])
    code, status, seconds = _status(home.root)
    overdue = status["overdue_reporters"]
    assert overdue["count"] == 6 and overdue["expected_reporters"] == 7
    # Worst first: the most days overdue, then the most periods missing; five named.
    assert [r["reporter_code"] for r in overdue["worst"]] == ["560", "569", "568", "570", "571"]
    assert overdue["worst"][0]["reporter_name_vi"] == "UBND 560" and overdue["worst"][0]["last_received_at"] is None
    # A reporter overdue is data a person must chase, like an open error: exit 5.
    assert code == DATA_NEEDS_PERSON
    assert any("6 of 7 reporter(s) overdue" in a["en"] and "đơn vị quá hạn" in a["vi"] for a in status["attention"])
    assert {t["table"]: t["status"] for t in status["raw_freshness"]} == {"submissions": "pass", "figures": "pass"}
    assert seconds < 1.0, f"dothi status took {seconds:.2f} s"


@pytest.mark.parametrize(("days_ago", "expected", "code"), [(3, "warn", OK), (8, "error", DATA_NEEDS_PERSON)])
def test_status_measures_raw_freshness_as_dbt_declares_it(tmp_path, days_ago, expected, code) -> None:
    from outputs.raw_freshness import declared_rules

    home = DothiHome(tmp_path / "home")
    _publish_fake(home, hours_ago=1)
    _freshness_tables(home, newest_file_days_ago=days_ago, overdue=[])
    got, status, _ = _status(home.root)
    rules = {r.table: r for r in declared_rules()}  # the thresholds of _raw__sources.yml, not copies of them
    by_table = {t["table"]: t for t in status["raw_freshness"]}
    assert set(by_table) == set(rules) >= {"submissions", "figures"}
    for table, rule in rules.items():
        measured = by_table[table]
        assert (measured["warn_after_hours"], measured["error_after_hours"]) == (rule.warn_after_hours,
                                                                                 rule.error_after_hours)
        assert measured["loaded_at_field"] == rule.loaded_at_field == "ingested_at"
        assert measured["status"] == expected and abs(measured["age_hours"] - days_ago * 24) < 0.1
    assert got == code, status["attention"]
    # A warn is shown, not a reason to call someone: a quiet week between deadlines is normal.
    assert any("no new row in raw.submissions" in a["en"] for a in status["attention"]) == (expected == "error")


def test_declared_freshness_follows_the_yml_overrides(tmp_path) -> None:
    from outputs.raw_freshness import TableRule, declared_rules

    yml = tmp_path / "sources.yml"
    yml.write_text("""
version: 2
sources:
  - name: raw
    loaded_at_field: ingested_at
    freshness: {warn_after: {count: 2, period: day}, error_after: {count: 7, period: day}}
    tables:
      - name: submissions
      - name: rejected_rows
        freshness: null
      - name: figures
        loaded_at_field: loaded_at
        config:
          freshness: {warn_after: {count: 12, period: hour}}
  - name: other
    tables: [{name: x}]
""", encoding="utf-8")
    assert declared_rules(yml) == [TableRule("submissions", "ingested_at", 48.0, 168.0),
                                   TableRule("figures", "loaded_at", 12.0, None)]
