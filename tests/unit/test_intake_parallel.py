"""The intake's batches, journal and worker pool: a pooled run loads exactly what a serial run loads."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from sources.home import DothiHome
from sources.inbox import PendingFile, clear_pending, read_pending, sha256_hex, write_pending
from sources.intake import BATCH_FILES, batches, run_intake
from sources.parallel import WORKERS_ENV, _dispatched, configured_workers, stop_worker_server
from sources.prepare import Prepared
from tests.conftest import REPO

NOW = datetime(2026, 11, 15, 9, 0)  # after the sample's last period (2026-H1)
SAMPLE = REPO / "sources" / "sample" / "submissions"
DUPLICATE_OF = "KHAWASCO_nuoc_sach_2024.csv"


def _inbox(root: Path) -> DothiHome:
    """The whole bundled sample (every format; one unknown reporter → quarantined), a byte-for-byte
    copy of one file (→ duplicate) and a file that is not a table (→ quarantined)."""
    home = DothiHome(root).ensure()
    for path in sorted(SAMPLE.iterdir()):
        shutil.copy2(path, home.inbox / path.name)  # copy2: same mtime, same submitted_at fallback
    shutil.copy2(SAMPLE / DUPLICATE_OF, home.inbox / "zz_resent.csv")
    (home.inbox / "garbage.xlsx").write_bytes(b"\x00\x01 not a workbook")
    os.utime(home.inbox / "garbage.xlsx", (1.7e9, 1.7e9))
    return home


def _tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return {
            table: sorted(conn.execute(f"select * from raw.{table}").fetchall(), key=repr)
            for table in ("submissions", "figures", "rejected_rows")
        }


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _journal(home: DothiHome) -> list[tuple]:
    return [(e.sha256, e.archive_path, e.file_name, e.mtime, e.received_at) for e in read_pending(home)]


def test_pooled_run_equals_serial_run(tmp_path) -> None:
    serial_home, pooled_home = _inbox(tmp_path / "serial"), _inbox(tmp_path / "pooled")
    serial = run_intake(serial_home, "run", now=NOW, workers=1)
    pooled = run_intake(pooled_home, "run", now=NOW, workers=2)

    assert pooled.to_dict() == serial.to_dict()
    assert serial.files_seen == len(list(SAMPLE.iterdir())) + 2
    statuses = {o.file_name: o.status for o in serial.outcomes}
    assert statuses["zz_resent.csv"] == "duplicate" and statuses[DUPLICATE_OF] == "accepted"
    assert statuses["garbage.xlsx"] == statuses["BQLDA_XYZ_von_dau_tu_2024.xlsx"] == "quarantined"
    assert [o.file_name for o in serial.outcomes] == sorted(statuses)  # inbox name order

    assert _tables(pooled_home.warehouse) == _tables(serial_home.warehouse)
    assert _files(pooled_home.quarantine) == _files(serial_home.quarantine)
    assert len(_files(serial_home.quarantine)) == 4  # two files, each with its reason
    assert _files(pooled_home.archive).keys() == _files(serial_home.archive).keys()
    assert _journal(pooled_home) == _journal(serial_home)
    assert len(_journal(serial_home)) == serial.files_seen - 1  # every file but the duplicate
    assert list(serial_home.inbox.iterdir()) == list(pooled_home.inbox.iterdir()) == []


def test_a_worker_crash_quarantines_the_file_and_the_run_goes_on(tmp_path, monkeypatch) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    names = ["CamRanh_BaoCao_2024.csv", "KhanhSon2024.csv"]
    for name in names:
        shutil.copy2(SAMPLE / name, home.inbox / name)
    monkeypatch.setenv("DOTHI_FAULT_POINT", "intake.parse_worker")  # every worker dies on its first file
    report = run_intake(home, "run", now=NOW, workers=2)
    assert [(o.file_name, o.status) for o in report.outcomes] == [(n, "quarantined") for n in names]
    assert all("the reader crashed on this file" in (o.reason or "") for o in report.outcomes)
    assert list(home.inbox.iterdir()) == [] and len(list(home.quarantine.glob("*.reason.txt"))) == 2
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.submissions where status = 'quarantined'").fetchone() == (2,)


def _exit_at_start(*args: object) -> None:
    os._exit(3)


def test_workers_that_cannot_start_leave_the_files_for_the_next_run(tmp_path, monkeypatch) -> None:
    """No file is to blame when no worker can start: nothing is quarantined for it, nothing is parsed
    unbounded in this process; the files stay in the inbox, each with the reason."""
    from sources import parallel

    monkeypatch.setattr(parallel, "_serve", _exit_at_start)  # every worker exits before it is ready
    home = DothiHome(tmp_path / "home").ensure()
    names = ["CamRanh_BaoCao_2024.csv", "KhanhSon2024.csv"]
    for name in names:
        shutil.copy2(SAMPLE / name, home.inbox / name)
    report = run_intake(home, "run", now=NOW, workers=2)
    assert [(o.file_name, o.status) for o in report.outcomes] == [(n, "error") for n in names]
    assert all("the parser processes cannot start" in (o.reason or "") for o in report.outcomes)
    assert list(home.quarantine.iterdir()) == [] and sorted(p.name for p in home.inbox.iterdir()) == names


def test_workers_setting(monkeypatch) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert configured_workers() is None  # decided by the inbox size
    assert configured_workers(3) == 3
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert configured_workers() == 2
    monkeypatch.setenv(WORKERS_ENV, "0")
    assert configured_workers() == 1
    monkeypatch.setenv(WORKERS_ENV, "many")
    assert configured_workers() is None


def _item(n: int, rows: int = 0) -> Prepared:
    return Prepared(f"f{n}", None, None, None, None, "accepted", None, None, rows, 0)


def test_batches_start_small_and_double() -> None:
    sizes = [len(b) for b in batches(_item(n) for n in range(2000))]
    assert sizes[:11] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512] and max(sizes) == BATCH_FILES
    assert sum(sizes) == 2000
    assert [len(b) for b in batches([_item(0, 250_000), _item(1, 250_000), _item(2), _item(3)])] == [1, 1, 2]


def _entry(n: int) -> PendingFile:
    sha = sha256_hex(str(n).encode())
    return PendingFile(sha, f"archive/{sha[:2]}/{sha}.csv", f"f{n}.csv", datetime(2025, 1, 1, tzinfo=UTC), NOW, "r")


def test_the_journal_is_one_file_per_batch_and_clears_by_entry(tmp_path) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    write_pending(home, [_entry(1), _entry(2), _entry(3)])
    write_pending(home, [_entry(4)])
    legacy = _entry(5)  # one <sha>.json per file, as earlier versions wrote
    legacy_json = {**legacy.__dict__, "mtime": legacy.mtime.isoformat(), "received_at": NOW.isoformat()}
    home.pending.joinpath(f"{legacy.sha256}.json").write_text(json.dumps(legacy_json))
    assert len(list(home.pending.glob("*.json"))) == 3
    assert {e.sha256 for e in read_pending(home)} == {_entry(n).sha256 for n in range(1, 6)}

    assert clear_pending(home, {_entry(2).sha256, _entry(4).sha256, legacy.sha256, "not-a-sha"}) == 3
    assert {e.file_name for e in read_pending(home)} == {"f1.csv", "f3.csv"}
    assert len(list(home.pending.glob("*.json"))) == 1  # emptied journal files are gone
    assert clear_pending(home, {_entry(1).sha256, _entry(3).sha256}) == 2
    assert read_pending(home) == [] and list(home.pending.glob("*.json")) == []


@pytest.mark.parametrize("count", [0, 1])
def test_write_pending_of_nothing_or_one(tmp_path, count) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    write_pending(home, [_entry(n) for n in range(count)])
    assert read_pending(home) == [_entry(n) for n in range(count)]


def test_a_file_the_database_refuses_does_not_keep_its_batch_out(tmp_path) -> None:
    from sources.intake import _load
    from sources.load import ensure_raw_schema
    from sources.prepare import IntakeJob, read_and_prepare
    from sources.reference import load_reference

    home = DothiHome(tmp_path / "home").ensure()
    for name in ("a.csv", "b.csv", "c.csv"):  # b repeats a's bytes: its submissions row breaks the primary key
        shutil.copy2(SAMPLE / ("KhanhSon2024.csv" if name == "c.csv" else DUPLICATE_OF), home.inbox / name)
    job = IntakeJob(home, "run", NOW)
    items = [read_and_prepare(home.inbox / n, job, load_reference()) for n in ("a.csv", "b.csv", "c.csv")]
    with duckdb.connect(str(home.warehouse)) as conn:
        ensure_raw_schema(conn)
        loaded = _load(conn, job, items)
        names = conn.execute("select file_name from raw.submissions order by 1").fetchall()
    assert [(i.name, i.status) for i in loaded] == [("a.csv", "accepted"), ("b.csv", "error"), ("c.csv", "accepted")]
    assert "ConstraintException" in (loaded[1].reason or "") and names == [("a.csv",), ("c.csv",)]


def _results(produced: list[int], closed: list[bool], fail_at: int | None = None) -> Generator[int, None, None]:
    try:
        for n in range(5):
            if n == fail_at:
                raise RuntimeError(f"worker result {n} unreadable")
            produced.append(n)
            yield n
    finally:
        closed.append(True)


def test_the_dispatcher_collects_results_while_the_loader_is_busy() -> None:
    produced: list[int] = []
    closed: list[bool] = []
    results = _dispatched(_results(produced, closed))
    assert next(results) == 0
    # The caller is "loading" item 0 and asks for nothing: the dispatcher still collects the others
    # (a plain generator would stay at the first).
    deadline = time.monotonic() + 10
    while len(produced) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert produced == [0, 1, 2, 3, 4]
    assert list(results) == [1, 2, 3, 4] and closed == [True]


def test_the_dispatcher_raises_a_failure_in_the_caller_and_stops_when_the_caller_stops() -> None:
    produced: list[int] = []
    closed: list[bool] = []
    failing = _dispatched(_results(produced, closed, fail_at=2))
    with pytest.raises(RuntimeError, match="worker result 2 unreadable"):
        list(failing)
    assert closed == [True]

    closed.clear()
    early = _dispatched(_results([], closed))
    assert next(early) == 0
    early.close()  # the caller stops (e.g. the run is cancelled): the workers are stopped, the thread ends
    assert closed == [True]
    assert not [t for t in threading.enumerate() if t.name == "intake-dispatch"]


def test_the_worker_server_stops_after_the_intake_and_a_later_intake_starts_another(tmp_path) -> None:
    first = DothiHome(tmp_path / "first").ensure()
    shutil.copy2(SAMPLE / DUPLICATE_OF, first.inbox / DUPLICATE_OF)
    assert run_intake(first, "run", now=NOW, workers=1).accepted == 1
    pid = _server_pid()
    assert pid is not None and _alive(pid)

    stop_worker_server()
    assert _server_pid() is None and not _alive(pid)

    second = DothiHome(tmp_path / "second").ensure()
    shutil.copy2(SAMPLE / DUPLICATE_OF, second.inbox / DUPLICATE_OF)
    assert run_intake(second, "run", now=NOW, workers=1).accepted == 1


def _server_pid() -> int | None:
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)  # CPython's own record of its server


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
