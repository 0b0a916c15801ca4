"""Publishing, the single-writer lock and intake recovery, on small warehouses (no dbt): fast."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.publishing import RefreshBusy, begin_run, end_run, lock_holder, publish
from orchestration.resources import DothiHomeResource
from sources.home import DothiHome
from sources.inbox import read_pending
from sources.intake import run_intake
from tests.conftest import REPO
from tests.reliability import corpus

NOW = datetime(2025, 6, 15, 9, 0)


def _python(code: str, home: DothiHome, **env: str) -> subprocess.Popen[str]:
    environ = {**os.environ, "DOTHI_HOME": str(home.root), **env}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=environ,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _line(proc: subprocess.Popen[str]) -> str:
    """The child's next line on stdout (every child here is started with stdout=PIPE)."""
    assert proc.stdout is not None
    return proc.stdout.readline().strip()


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _build_marts(path: Path, value: int) -> None:
    """What dbt would have built: one mart."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create or replace table marts.fct_x as select ? as v", [value])


def _refresh(home: DothiHome, run_id: str, value: int) -> None:
    scope = begin_run(home, run_id, trigger="test", wait=0)
    try:
        run_intake(home, run_id, now=NOW, warehouse=scope.working)
        _build_marts(scope.working, value)
        publish(scope, intake={"files_seen": 0})
    finally:
        end_run(scope)


def _value(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as conn:
        (row,) = conn.execute("select v from marts.fct_x").fetchall()
        return row[0]


@pytest.fixture
def home(tmp_path) -> DothiHome:
    return DothiHome(tmp_path / "home").ensure()


HOLD_LOCK = """
    import sys, time
    from orchestration.publishing import begin_run
    from sources.home import DothiHome
    scope = begin_run(DothiHome.from_env(), "holder-run", trigger="test", wait=0)
    print("held", flush=True)
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
"""


def test_second_writer_gets_a_clear_message_and_a_killed_holder_leaves_no_stale_lock(home) -> None:
    holder = _python(HOLD_LOCK, home)
    try:
        assert _line(holder) == "held"
        info = lock_holder(home.lock_file)
        assert info and info["run_id"] == "holder-run" and info["pid"] == holder.pid
        started = time.monotonic()
        with pytest.raises(RefreshBusy, match=f"run holder-run \\(pid {holder.pid}"):
            begin_run(home, "second", wait=1.0)
        assert 0.9 <= time.monotonic() - started < 10
    finally:
        holder.send_signal(signal.SIGKILL)  # no clean-up code runs
        holder.wait()
    assert lock_holder(home.lock_file) is None  # the kernel released it
    scope = begin_run(home, "after-kill", wait=0)
    assert scope.cleaned == ["holder-run"]  # the dead run's working directory is gone
    end_run(scope)
    events = [json.loads(line)["event"] for line in (home.logs / "runs.jsonl").read_text().splitlines()]
    assert events == ["started", "busy", "started", "abandoned", "failed"]  # "started" as soon as the lock is held


def test_a_waiting_writer_starts_when_the_holder_finishes(home) -> None:
    holder = _python(HOLD_LOCK.replace("time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)",
                                       "time.sleep(1.5)"), home)
    assert _line(holder) == "held"
    waited: list[dict] = []
    started = time.monotonic()
    scope = begin_run(home, "waiter", wait=60, on_wait=waited.append)
    assert 0.5 < time.monotonic() - started < 30 and waited[0]["run_id"] == "holder-run"
    end_run(scope)
    holder.wait()


def test_publish_is_atomic_for_a_reader_holding_the_old_file(home) -> None:
    _refresh(home, "run-1", 1)
    reader = _python(
        """
        import duckdb, os, sys
        conn = duckdb.connect(os.environ["DOTHI_HOME"] + "/warehouse.duckdb", read_only=True)
        print(conn.execute("select v from marts.fct_x").fetchone()[0], flush=True)
        import time; time.sleep(120)
        """,
        home,
    )
    try:
        assert _line(reader) == "1"
        _refresh(home, "run-2", 2)  # would fail with a DuckDB lock error if it wrote the published file
    finally:
        reader.kill()
        reader.wait()
    assert _value(home.warehouse) == 2 and _value(home.previous_warehouse) == 1

    info = json.loads(home.published_info.read_text())
    assert info["run_id"] == "run-2" and info["previous_run_id"] == "run-1"
    assert info["mart_rows"] == {"fct_x": 1}
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        runs = conn.execute("select run_id, previous_run_id from raw.refresh_runs order by published_at").fetchall()
    assert runs == [("run-1", None), ("run-2", "run-1")]
    latest = (home.exports / "LATEST").read_text().strip()
    assert (home.exports / "latest").resolve() == (home.exports / latest).resolve()
    assert duckdb.read_parquet(str(home.exports / latest / "fct_x.parquet")).fetchall() == [(2,)]
    assert not list(home.work.iterdir()) and not list(home.root.glob("*.wal"))


def test_reader_keeps_its_snapshot_until_it_reconnects(home) -> None:
    _refresh(home, "run-1", 1)
    reader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            """
            import duckdb, sys
            conn = duckdb.connect(sys.argv[1], read_only=True)
            print(conn.execute("select v from marts.fct_x").fetchone()[0], flush=True)
            sys.stdin.readline()
            print(conn.execute("select v from marts.fct_x").fetchone()[0], flush=True)
            conn.close()
            print(duckdb.connect(sys.argv[1], read_only=True).execute("select v from marts.fct_x").fetchone()[0])
            """
        ), str(home.warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert _line(reader) == "1"
    _refresh(home, "run-2", 2)
    out, _ = reader.communicate("\n", timeout=60)
    assert out.split() == ["1", "2"]  # the old snapshot while connected, the new one after reconnecting


@pytest.mark.parametrize("point", ["publish.before_replace", "publish.after_replace"])
def test_killed_during_publish(home, point) -> None:
    _refresh(home, "run-1", 1)
    before = home.warehouse.read_bytes()
    proc = _python(
        """
        from orchestration.publishing import begin_run, publish
        from sources.home import DothiHome
        import duckdb
        home = DothiHome.from_env()
        scope = begin_run(home, "killed-run", wait=0)
        with duckdb.connect(str(scope.working)) as conn:
            conn.execute("create or replace table marts.fct_x as select 2 as v")
        publish(scope)
        """,
        home,
        DOTHI_FAULT_POINT=point,
    )
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert lock_holder(home.lock_file) is None
    if point == "publish.before_replace":
        assert home.warehouse.read_bytes() == before  # untouched, byte for byte
    else:
        assert _value(home.warehouse) == 2 and _value(home.previous_warehouse) == 1
        assert json.loads(home.published_info.read_text())["run_id"] == "run-1"  # not yet updated
    _refresh(home, "run-3", 3)  # no manual clean-up needed
    assert _value(home.warehouse) == 3
    assert not list(home.work.iterdir()) and not list(home.exports.glob(".tmp-*"))


def test_next_begin_run_repairs_pointers_after_a_kill_between_rename_and_bookkeeping(home) -> None:
    _refresh(home, "run-1", 1)
    proc = _python(
        """
        from orchestration.publishing import begin_run, publish
        from sources.home import DothiHome
        import duckdb
        scope = begin_run(DothiHome.from_env(), "killed-run", wait=0)
        with duckdb.connect(str(scope.working)) as conn:
            conn.execute("create or replace table marts.fct_x as select 2 as v")
        publish(scope)
        """,
        home,
        DOTHI_FAULT_POINT="publish.after_replace",
    )
    proc.communicate(timeout=120)
    scope = begin_run(home, "next", wait=0)
    end_run(scope)
    assert json.loads(home.published_info.read_text())["run_id"] == "killed-run"
    assert "killed-run"[:8] in (home.exports / "LATEST").read_text()


def test_a_file_loaded_by_a_run_that_never_published_is_recovered_once(home) -> None:
    (home.inbox / "sxd.csv").write_bytes(corpus.good_csv())
    scope = begin_run(home, "dies", wait=0)
    report = run_intake(home, "dies", now=NOW, warehouse=scope.working)
    assert report.accepted == 1 and not list(home.inbox.iterdir())  # gone from the inbox...
    end_run(scope)  # ...and the run dies before publishing: its working copy is discarded
    assert [p.file_name for p in read_pending(home)] == ["sxd.csv"]

    scope = begin_run(home, "recovers", wait=0)
    report = run_intake(home, "recovers", now=NOW, warehouse=scope.working)
    assert (report.recovered, report.accepted, report.files_seen) == (1, 1, 1)
    _build_marts(scope.working, 1)
    publish(scope, intake=report.to_dict())
    end_run(scope)
    assert read_pending(home) == []

    (home.inbox / "again.csv").write_bytes(corpus.good_csv())  # the same bytes sent again
    scope = begin_run(home, "later", wait=0)
    report = run_intake(home, "later", now=NOW, warehouse=scope.working)
    end_run(scope)
    assert (report.recovered, report.duplicates) == (0, 1)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*), min(run_id) from raw.submissions").fetchone() == (1, "recovers")
        assert conn.execute("select count(*) from raw.figures").fetchone() == (2,)
        assert conn.execute("select files_recovered from raw.refresh_runs").fetchone() == (1,)


def test_kill_between_archive_and_load_then_recovery(home) -> None:
    (home.inbox / "sxd.csv").write_bytes(corpus.good_csv())
    proc = _python(
        """
        from datetime import datetime
        from sources.home import DothiHome
        from sources.intake import run_intake
        run_intake(DothiHome.from_env(), "killed", now=datetime(2025, 6, 15, 9))
        """,
        home,
        DOTHI_FAULT_POINT="intake.after_archive",
    )
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert len(read_pending(home)) == 1 and (home.inbox / "sxd.csv").exists()
    report = run_intake(home, "next", now=NOW)
    # Journal and inbox both name the file: loaded once (recovered), the inbox copy seen as a duplicate.
    assert (report.recovered, report.accepted, report.duplicates) == (1, 1, 1)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.figures").fetchone() == (2,)


def test_every_dagster_run_goes_through_the_lock(home, monkeypatch) -> None:
    """The gate is the run's resource, so the schedule, the sensor and the UI are held to it too."""
    seen: list[Path] = []

    def probe(dothi_home) -> None:
        seen.append(dothi_home.build_warehouse())
        assert (lock_holder(home.lock_file) or {}).get("pid") == os.getpid()

    probe.__annotations__ = {"dothi_home": DothiHomeResource, "return": None}  # module uses string annotations
    probe_asset = dg.asset(probe)
    resources = {"dothi_home": DothiHomeResource(root=str(home.root))}
    assert dg.materialize([probe_asset], resources=resources).success
    assert seen[0].parent.parent == home.work and seen[0].name == "warehouse.duckdb"
    assert lock_holder(home.lock_file) is None  # released by the resource's teardown

    holder = _python(HOLD_LOCK, home)
    try:
        assert _line(holder) == "held"
        monkeypatch.setenv("DOTHI_LOCK_WAIT", "0")
        result = dg.materialize([probe_asset], resources=resources, raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not result.success and len(seen) == 1
    messages = [str(error.to_string()) for e in result.all_events
                if (error := getattr(e.event_specific_data, "error", None))]
    assert any("another refresh is already running: run holder-run" in m for m in messages), messages
