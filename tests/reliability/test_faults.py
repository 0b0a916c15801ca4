"""Fault injection with the real pipeline (Dagster + dbt + GX), on a few sample files so a refresh is short.

An uninterrupted reference home is refreshed twice (the second time with a BI-style reader holding the
warehouse open and a second refresh started alongside). A second home goes through SIGKILLs during
intake, during dbt and after the rename, each followed by checks that the published warehouse is intact
and nothing is stuck; its clean refresh must then equal the reference, table by table (row counts and
content checksums, run-specific columns aside). Kills inside publish are also tested, without dbt, in
test_publishing.py, to keep the suite short: every real refresh costs ~40-50 s of CPU.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil
import pytest

from orchestration.publishing import begin_run, end_run, lock_holder
from sources.home import DothiHome
from sources.inbox import read_pending
from tests.conftest import REPO

pytestmark = pytest.mark.integration

SAMPLE = REPO / "sources" / "sample" / "submissions"
# Locality and department channels, a revision (…_dieu_chinh) and a quarantined file (unknown reporter).
BATCH_1 = [
    "BC_chi_tieu_do_thi_NhaTrang_2023.xlsx",
    "BC_chi_tieu_do_thi_NhaTrang_2024.xlsx",
    "KHAWASCO_nuoc_sach_2024.csv",
    "DienKhanh_BC_2023.xlsx",
    "DienKhanh_BC_2023_dieu_chinh.xlsx",
    "BQLDA_XYZ_von_dau_tu_2024.xlsx",
]
BATCH_2 = ["KHAWASCO_nuoc_sach_2023.csv", "CamRanh_BaoCao_2024.csv"]
# Columns that name the run or the moment it ran: everything else must match an uninterrupted run.
VOLATILE = re.compile(
    r"run_id|ingested_at|received_at|detected_at|validated_at|published_at|started_at|resolved_at|seen|pid"
)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "DOTHI_WAREHOUSE", "DOTHI_FAULT_POINT"}}
    env.update(DOTHI_HOME=str(home), GX_ANALYTICS_ENABLED="false", **extra)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "refresh", "--json", *args],
        cwd=REPO, env=_env(home, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def refresh(home: Path, *args: str, **extra: str) -> tuple[int, str, str]:
    proc = start(home, *args, **extra)
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def drop(home: Path, names: list[str]) -> None:
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(SAMPLE / name, home / "inbox" / name)  # copy2: same mtime, same submitted_at fallback


def state(warehouse: Path) -> dict[str, tuple[int, int]]:
    """(rows, content checksum) of every raw and marts table."""
    out: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts') and table_name <> 'refresh_runs' order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            frame = conn.table(f'{schema}."{table}"').df()
            frame = frame[[c for c in frame.columns if not VOLATILE.search(c)]]
            frame = frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
            out[f"{schema}.{table}"] = (len(frame), int(pd.util.hash_pandas_object(frame, index=False).sum()))
    return out


def assert_clean(home: Path, running: set[str] | None = None) -> None:
    """Nothing stuck, nothing half-written, nothing pending (``running``: work dirs of runs not ended)."""
    h = DothiHome(home)
    assert lock_holder(h.lock_file) is None
    assert {p.name for p in h.work.iterdir()} <= (running or set()) if h.work.exists() else True
    assert read_pending(h) == []
    assert not list(home.glob("*.wal")) and not list(home.glob(".*.tmp"))
    info = json.loads(h.published_info.read_text())
    with duckdb.connect(str(h.warehouse), read_only=True) as conn:
        live = conn.execute("select run_id from raw.refresh_runs order by published_at desc limit 1").fetchall()[0][0]
    assert info["run_id"] == live


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """Uninterrupted: batch 1; then batch 2 while a reader holds the warehouse and a second refresh tries to run."""
    home = tmp_path_factory.mktemp("reference")
    drop(home, BATCH_1)
    code, out, err = refresh(home)
    assert code == 0, err[-4000:]
    first = state(home / "warehouse.duckdb")

    reader = subprocess.Popen(
        [sys.executable, "-c", (
            "import duckdb, sys\n"
            "c = duckdb.connect(sys.argv[1], read_only=True)\n"
            "q = 'select count(*), sum(value) from marts.fct_indicator_values'\n"
            "print(c.execute(q).fetchall(), flush=True)\n"
            "sys.stdin.readline()\n"
            "print(c.execute(q).fetchall(), flush=True)\n"
        ), str(home / "warehouse.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert reader.stdout is not None  # started with stdout=PIPE
    before = reader.stdout.readline().strip()
    drop(home, BATCH_2)
    winner = start(home)
    deadline = time.monotonic() + 300
    while lock_holder(home / "refresh.lock") is None:  # the winner holds the lock once its run starts
        assert winner.poll() is None and time.monotonic() < deadline, winner.communicate()[1][-4000:]
        time.sleep(0.2)
    loser = refresh(home, "--wait", "0")
    out, err = winner.communicate(timeout=600)
    assert winner.returncode == 0, err[-4000:]
    during, _ = reader.communicate("\n", timeout=60)
    return {
        "home": home, "first": first, "second": state(home / "warehouse.duckdb"), "loser": loser,
        "reader": (before, during.strip()), "summary": json.loads(out.strip().splitlines()[-1]),
    }


def test_reader_holding_the_warehouse_does_not_break_the_refresh(reference) -> None:
    before, during = reference["reader"]
    assert before == during  # a consistent old snapshot for as long as it stays connected
    with duckdb.connect(str(reference["home"] / "warehouse.duckdb"), read_only=True) as conn:
        now = str(conn.execute("select count(*), sum(value) from marts.fct_indicator_values").fetchall())
    assert now != before  # and the new one after reconnecting
    assert_clean(reference["home"])


def test_two_refreshes_at_once_one_runs_the_other_says_why(reference) -> None:
    code, _, err = reference["loser"]
    assert code == 75
    assert "another refresh is already running: run " in err and "try again when it has finished" in err
    assert reference["summary"]["this_run"]["files_seen"] == len(BATCH_2)


def test_published_warehouse_is_the_contract(reference) -> None:
    home = reference["home"]
    info = json.loads((home / "published.json").read_text())
    exports = home / "exports" / "latest"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        runs = conn.execute("select run_id, previous_run_id, files_seen from raw.refresh_runs order by published_at")
        (first, second) = runs.fetchall()
        assert second[1] == first[0] and second[2] == len(BATCH_2) and info["run_id"] == second[0]
        for mart, rows in info["mart_rows"].items():
            assert len(duckdb.read_parquet(str(exports / f"{mart}.parquet")).fetchall()) == rows, mart
        # Which run published each submission, and which file superseded which.
        subs = conn.execute(
            "select s.file_name, s.status, r.run_id is not null from marts.fct_submissions s "
            "left join raw.refresh_runs r using (run_id) order by 1"
        ).fetchall()
    assert all(published for *_, published in subs)
    assert ("DienKhanh_BC_2023.xlsx", "superseded", True) in subs
    assert (home / "warehouse.previous.duckdb").exists()


def _kill_during_dbt(home: Path) -> None:
    proc = start(home)
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 300
    while not any("dbt" in " ".join(cmd) and "build" in cmd for cmd in map(_cmdline, _children(me))):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-4000:]
        time.sleep(0.1)
    orphans = _children(me)
    proc.send_signal(signal.SIGKILL)  # only the refresh: its dbt child lives on, as after an OOM kill
    proc.communicate()
    for child in orphans:  # don't leave it burning CPU for the rest of the suite
        try:
            child.wait(timeout=60)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.Error:
            pass


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:  # gone or a zombie meanwhile
        return []


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


def test_sigkill_at_every_stage_then_clean_refresh_equals_uninterrupted(reference, tmp_path) -> None:
    home = tmp_path / "faulty"
    drop(home, BATCH_1)
    h = DothiHome(home)

    # 1. During intake, after the first file is loaded and gone from the inbox.
    code, _, _ = refresh(home, DOTHI_FAULT_POINT="intake.after_load")
    assert code == -signal.SIGKILL
    assert not h.warehouse.exists() and lock_holder(h.lock_file) is None
    assert len(read_pending(h)) == 1 and len(list(h.inbox.iterdir())) == len(BATCH_1) - 1

    # 2. During dbt.
    _kill_during_dbt(home)
    assert not h.warehouse.exists() and lock_holder(h.lock_file) is None
    assert list(h.inbox.iterdir()) == [] and len(read_pending(h)) == len(BATCH_1)  # all journalled

    # (Kills just before and just after the rename are also covered, fast, in test_publishing.py.)

    # 3. A clean refresh: everything recovered from the journal, once.
    code, out, err = refresh(home)
    assert code == 0, err[-4000:]
    assert json.loads(out.strip().splitlines()[-1])["this_run"]["files_recovered"] == len(BATCH_1)
    assert state(h.warehouse) == reference["first"]
    assert_clean(home)
    events = [json.loads(line)["event"] for line in (h.logs / "runs.jsonl").read_text().splitlines()]
    assert events.count("abandoned") == 2 and events[-1] == "published"

    # 4. Killed after the rename, before the bookkeeping: the new warehouse is live and whole.
    drop(home, BATCH_2)
    published = h.warehouse.read_bytes()
    code, _, _ = refresh(home, DOTHI_FAULT_POINT="publish.after_replace")
    assert code == -signal.SIGKILL
    assert h.previous_warehouse.read_bytes() == published
    assert state(h.warehouse) == reference["second"]

    # 5. The next run's start repairs the pointers and removes the dead run's leftovers (cheap: the
    #    full refresh after such a kill is in test_publishing.py).
    end_run(begin_run(h, "next-run", wait=0))
    assert state(h.warehouse) == reference["second"]
    assert_clean(home, running={"next-run"})  # a run that did not publish keeps its copy until the next one
