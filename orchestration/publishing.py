"""Atomic publishing of the warehouse, the single-writer lock, and the run audit log.

Readers (BI tools) open ``DOTHI_HOME/warehouse.duckdb`` read-only and DuckDB refuses a writer while
any reader holds the file. So a refresh never writes the published file:

1. ``begin_run`` takes ``refresh.lock`` (``flock``: the kernel drops it when the holder dies, even by
   SIGKILL), removes working copies left by dead runs, and copies the published file to
   ``work/<run_id>/warehouse.duckdb``: the raw layer is append-only history, so it must carry over.
2. Every step of the run reads and writes that working copy (``DothiHomeResource.build_warehouse``).
3. ``publish`` (the job's last asset) records the run in ``raw.refresh_runs``, exports the marts to
   Parquet, checkpoints and closes the copy (no WAL left), keeps the live file as
   ``warehouse.previous.duckdb`` (a hard link) and ``os.replace``s the copy over ``warehouse.duckdb``.
   A reader that had the old file open keeps reading that old inode, unchanged, until it reconnects.
4. ``end_run`` releases the lock. A run that failed leaves its working copy for inspection; the next
   run removes it. A run that never reaches ``publish`` changes nothing readers can see.

Everything here is POSIX (flock, rename over an open file): Linux and macOS servers.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sources.faults import fault_point
from sources.home import DothiHome
from sources.inbox import clear_pending
from sources.raw_export import export_raw

if TYPE_CHECKING:  # duckdb (and pyarrow, via sources.load) are imported where used: not at definitions load
    import duckdb

log = logging.getLogger(__name__)

VIETNAM = timezone(timedelta(hours=7), "ICT")
AS_OF_ENV = "DOTHI_AS_OF_DATE"
LOCK_WAIT_ENV = "DOTHI_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 600.0  # seconds; a refresh of a year of submissions takes 1–2 minutes
KEEP_EXPORTS_ENV = "DOTHI_KEEP_EXPORTS"
KEEP_PUBLISHES_ENV = "DOTHI_KEEP_PUBLISHES"
DEFAULT_KEEP_PUBLISHES = 3  # previous publishes kept in publishes/ besides the live one
DEFAULT_KEEP_EXPORTS = 14
WAREHOUSE_NAME = "warehouse.duckdb"
MARTS_SCHEMA = "marts"


def published_inputs_path(home: DothiHome) -> Path:
    return home.root / "published_inputs.json"


def published_inputs(home: DothiHome) -> dict:
    """The inputs recorded by the last publish ({} when unknown: then a run always rebuilds)."""
    try:
        return json.loads(published_inputs_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def now_local() -> datetime:
    """Naive Vietnam time: the clock of every timestamp in the raw layer."""
    return datetime.now(VIETNAM).replace(tzinfo=None)


def run_day() -> date:
    """The day a run reports as of: ``DOTHI_AS_OF_DATE`` (re-running a past day, a rebuild) or today in Vietnam.

    Fixed once when the run starts and handed to dbt (``DOTHI_DBT_AS_OF_DATE``, macros/as_of_date.sql): a refresh
    that runs across midnight, or a server clock in UTC (seven hours behind), must not judge deadlines by two days.
    """
    raw = os.environ.get(AS_OF_ENV, "").strip()
    if not raw:
        return now_local().date()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{AS_OF_ENV}={raw!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-12-31") from None


def lock_wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT


def _safe_run_id(run_id: str) -> str:
    # Dagster run ids are UUIDs; never let anything else shape a path.
    return re.sub(r"[^A-Za-z0-9_-]", "_", run_id)[:80] or "run"


def _ident(name: str) -> str:
    """A quoted SQL identifier (table names come from DuckDB's own catalog, never from submissions)."""
    return '"' + name.replace('"', '""') + '"'


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- audit log of every run (including those that never published) ---------------------------------


def append_run_event(home: DothiHome, event: str, run_id: str, **details: object) -> None:
    """One JSON line in logs/runs.jsonl: started | published | failed | abandoned | busy."""
    home.logs.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"at": now_local().isoformat(timespec="seconds"), "event": event, "run_id": run_id, **details},
        ensure_ascii=False,
        default=str,
    )
    with (home.logs / "runs.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_run_events(home: DothiHome) -> list[dict]:
    """Every line of logs/runs.jsonl, oldest first (a torn last line, from a kill mid-write, skipped)."""
    events: list[dict] = []
    with contextlib.suppress(OSError), (home.logs / "runs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            with contextlib.suppress(ValueError):
                events.append(json.loads(line))
    return events


# --- the single-writer lock ------------------------------------------------------------------------


class RefreshBusy(RuntimeError):
    """Another refresh holds the lock and did not finish within the wait."""


class RefreshLock:
    """An exclusive ``flock`` on ``DOTHI_HOME/refresh.lock``, which also names its holder.

    The file is never deleted (deleting a locked file lets two processes lock two different files);
    its content is only informative: whether it is held is what the kernel says.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, run_id: str, wait: float, on_wait: Callable[[dict], None] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # O_CLOEXEC by default: dbt never inherits it
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                holder = _read_holder(fd)
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise RefreshBusy(busy_message(holder, wait)) from None
                if not announced and on_wait is not None:
                    on_wait(holder)
                    announced = True
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        info = {
            "pid": os.getpid(),
            "run_id": run_id,
            "host": socket.gethostname(),
            "since": now_local().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def lock_holder(path: Path) -> dict | None:
    """The holder's pid/run id when the lock is held right now, else None (a dead holder holds nothing)."""
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def busy_message(holder: dict | None, waited: float) -> str:
    who = (
        f"run {holder.get('run_id', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"since {holder.get('since', '?')})"
        if holder
        else "another process"
    )
    return (
        f"another refresh is already running: {who}; waited {waited:.0f} s. Only one refresh writes at a "
        f"time: try again when it has finished (or wait longer with {LOCK_WAIT_ENV}=<seconds> / "
        "`dothi refresh --wait <seconds>`)."
    )


# --- a run's working copy --------------------------------------------------------------------------


# A run's note (work/<run>/nothing_new.json) from the intake when nothing changed since the last publish,
# and the run event it then ends with.
NOTHING_NEW_NOTE = "nothing_new"
UNCHANGED = "unchanged"


@dataclass
class RunScope:
    """What one refresh run owns while it holds the lock."""

    home: DothiHome
    run_id: str
    trigger: str
    working: Path
    lock: RefreshLock
    started_at: datetime = field(default_factory=now_local)
    as_of_date: date = field(default_factory=run_day)  # the day every dbt invocation of the run reports as of
    copy_seconds: float = 0.0
    cleaned: list[str] = field(default_factory=list)

    @property
    def work_dir(self) -> Path:
        return self.working.parent

    @property
    def published(self) -> bool:
        # publish() removes the working directory once the copy is live.
        return not self.work_dir.exists()

    def write_note(self, name: str, data: dict) -> None:
        """Hand a step's summary to the publish step (e.g. the intake report)."""
        _write_atomic(self.work_dir / f"{name}.json", json.dumps(data, ensure_ascii=False, default=str))

    def read_note(self, name: str) -> dict:
        path = self.work_dir / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def clean_stale(home: DothiHome, keep: str | None = None) -> list[str]:
    """Remove working copies and half-written exports of runs that are no longer running.

    Only called while holding the lock, so no live run owns any of them. A dbt process orphaned by a
    killed run may still be writing into its old copy: on POSIX it keeps its unlinked inode, harmlessly.
    """
    removed: list[str] = []
    if home.work.is_dir():
        for child in home.work.iterdir():
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
                removed.append(child.name)
    # The path dbt is given (resources.dbt_warehouse), left pointing at the folder of a killed run.
    if home.dbt_run_link.is_symlink() and not home.dbt_run_link.exists():
        home.dbt_run_link.unlink()
    if home.exports.is_dir():
        for child in home.exports.glob(".tmp-*"):
            shutil.rmtree(child, ignore_errors=True)
    for leftover in home.root.glob(f".{WAREHOUSE_NAME}*.tmp"):
        leftover.unlink(missing_ok=True)
    return removed


def begin_run(
    home: DothiHome,
    run_id: str,
    trigger: str = "unknown",
    wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
) -> RunScope:
    """Take the lock (waiting at most ``wait`` seconds), clean up after dead runs, make the working copy."""
    lock = RefreshLock(home.lock_file)
    wait = lock_wait_seconds() if wait is None else wait
    try:
        lock.acquire(run_id, wait, on_wait)
    except RefreshBusy as exc:
        append_run_event(home, "busy", run_id, trigger=trigger, message=str(exc))
        raise
    try:
        work_dir = home.work / _safe_run_id(run_id)
        working = work_dir / WAREHOUSE_NAME
        # Logged the moment the lock is held, before any slow step: a run killed while it copies the
        # warehouse is still known to have started, so status and the next refresh see it died.
        append_run_event(
            home, "started", run_id, trigger=trigger, pid=os.getpid(), working=str(working.relative_to(home.root)),
        )
        cleaned = clean_stale(home, keep=_safe_run_id(run_id))
        for stale in cleaned:
            append_run_event(home, "abandoned", stale, note="working copy of a dead or failed run removed")
        work_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        if not working.exists() and home.warehouse.exists():
            tmp = work_dir / f".{WAREHOUSE_NAME}.tmp"
            shutil.copyfile(home.warehouse, tmp)
            wal = home.warehouse.with_name(WAREHOUSE_NAME + ".wal")
            if wal.exists():  # left by a pre-publishing (in-place) version: carry it so DuckDB replays it
                shutil.copyfile(wal, working.with_name(WAREHOUSE_NAME + ".wal"))
            os.replace(tmp, working)
        scope = RunScope(home, run_id, trigger, working, lock, copy_seconds=time.monotonic() - started)
        scope.cleaned = cleaned
        _repair_pointers(home)
        return scope
    except BaseException as exc:
        try:  # it logged "started": end it, or status would count it dead for ever
            append_run_event(
                home, "failed", run_id, trigger=trigger, step="working_copy", error=f"{type(exc).__name__}: {exc}",
                note="nothing published; the live warehouse is unchanged",
            )
        finally:
            lock.release()
        raise


def end_run(scope: RunScope, error: str | None = None, step: str | None = None) -> None:
    """Release the lock. A run that found nothing new is logged "unchanged" and its working copy removed;
    another that did not publish is logged "failed" with its failed step and error (its working copy stays
    until the next run, for inspection)."""
    try:
        if not scope.published and step is None and (scope.work_dir / f"{NOTHING_NEW_NOTE}.json").exists():
            append_run_event(
                scope.home, UNCHANGED, scope.run_id, trigger=scope.trigger,
                note="nothing new since the last refresh; the live warehouse stays as published",
            )
            shutil.rmtree(scope.work_dir, ignore_errors=True)
        elif not scope.published:
            append_run_event(
                scope.home, "failed", scope.run_id, trigger=scope.trigger, step=step, error=error,
                note="nothing published; the live warehouse is unchanged",
            )
    finally:
        scope.lock.release()


# --- publishing ------------------------------------------------------------------------------------


def _mart_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _last_published_run(conn: duckdb.DuckDBPyConnection) -> str | None:
    row = conn.execute(
        "select run_id from raw.refresh_runs order by published_at desc nulls last limit 1"
    ).fetchone()
    return row[0] if row else None


def _export_marts(conn: duckdb.DuckDBPyConnection, names: list[str], target: Path) -> None:
    """One Parquet file per mart (and the raw hand-off, raw/), written to a temporary folder renamed into
    place when complete."""
    tmp = target.with_name(f".tmp-{target.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in names:
        conn.table(f"{MARTS_SCHEMA}.{_ident(name)}").write_parquet(str(tmp / f"{name}.parquet"))
    export_raw(conn, tmp / "raw")  # the raw hand-off to another engine (README, "Beyond one machine")
    os.replace(tmp, target)


def _point_latest(home: DothiHome, export_name: str) -> None:
    """exports/LATEST (a text file, for any tool) and exports/latest (a symlink), both swapped atomically."""
    _write_atomic(home.exports / "LATEST", export_name + "\n")
    link_tmp = home.exports / ".latest.tmp"
    link_tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        os.symlink(export_name, link_tmp)
        os.replace(link_tmp, home.exports / "latest")


def _prune_exports(home: DothiHome, keep_name: str) -> None:
    try:
        keep = max(1, int(os.environ.get(KEEP_EXPORTS_ENV, DEFAULT_KEEP_EXPORTS)))
    except ValueError:
        keep = DEFAULT_KEEP_EXPORTS
    runs = sorted(p for p in home.exports.iterdir() if p.is_dir() and not p.is_symlink() and p.name[0].isdigit())
    for old in runs[:-keep]:
        if old.name != keep_name:
            shutil.rmtree(old, ignore_errors=True)


def _published_info(home: DothiHome, row: dict) -> dict:
    return {
        "run_id": row["run_id"],
        "published_at": str(row["published_at"]),
        "previous_run_id": row.get("previous_run_id"),
        "warehouse": WAREHOUSE_NAME,
        "sha256": sha256_file(home.warehouse),
        "size": home.warehouse.stat().st_size,
        "mart_rows": json.loads(row.get("mart_rows") or "{}"),
        "exports_dir": row.get("exports_dir"),
    }


def _repair_pointers(home: DothiHome) -> None:
    """After a run killed between the rename and its bookkeeping, point published.json and
    exports/latest at what is actually live (the file names its own publishing run)."""
    if not home.warehouse.exists():
        return
    import duckdb

    try:
        with duckdb.connect(str(home.warehouse), read_only=True) as conn:
            rows = conn.execute(
                "select run_id, published_at, previous_run_id, mart_rows, exports_dir from raw.refresh_runs "
                "order by published_at desc nulls last limit 1"
            ).fetchall()
            live_shas = {sha for (sha,) in conn.execute("select file_sha256 from raw.submissions").fetchall()}
    except duckdb.Error:
        return  # a warehouse from before publishing existed: nothing to repair
    clear_pending(home, live_shas)  # journal entries a killed publish made live but did not clear
    if not rows:
        return
    live = dict(zip(("run_id", "published_at", "previous_run_id", "mart_rows", "exports_dir"), rows[0], strict=True))
    try:
        current = json.loads(home.published_info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    if current.get("run_id") == live["run_id"]:
        return
    _write_atomic(home.published_info, json.dumps(_published_info(home, live), ensure_ascii=False, indent=2))
    if live["exports_dir"] and (home.root / live["exports_dir"]).is_dir():
        _point_latest(home, Path(live["exports_dir"]).name)
    append_run_event(home, "repaired", live["run_id"], note="pointers updated after an interrupted publish")


@dataclass(frozen=True)
class Publication:
    run_id: str
    warehouse: Path
    previous_run_id: str | None
    sha256: str
    mart_rows: dict[str, int]
    exports_dir: Path
    seconds: float
    pending_cleared: int


def publish(scope: RunScope, intake: dict | None = None) -> Publication:
    """Make the run's working copy the live warehouse, atomically. Call only as the run's last step."""
    import duckdb

    from sources.load import ensure_raw_schema
    from sources.memory import WRITE_MEMORY_LIMIT

    home, started = scope.home, time.monotonic()
    if not scope.lock.held:
        raise RuntimeError("publish called without holding the refresh lock")
    intake = intake or {}
    stamp = now_local()
    export_name = f"{stamp:%Y%m%dT%H%M%S}_{_safe_run_id(scope.run_id)[:8]}"
    export_dir = home.exports / export_name
    home.exports.mkdir(parents=True, exist_ok=True)

    # Bounded: the Parquet export streams, and unbounded DuckDB would cache ~1.5 GB at national scale.
    with duckdb.connect(str(scope.working), config={"memory_limit": WRITE_MEMORY_LIMIT}) as conn:
        ensure_raw_schema(conn)
        names = _mart_names(conn)
        if not names:
            raise RuntimeError("the working copy has no marts: refusing to publish it")
        mart_rows: dict[str, int] = {}
        for n in names:
            (counted,) = conn.execute(f"select count(*) from {MARTS_SCHEMA}.{_ident(n)}").fetchall()  # a count: one row
            mart_rows[n] = counted[0]
        previous = _last_published_run(conn)
        shas = {sha for (sha,) in conn.execute("select file_sha256 from raw.submissions").fetchall()}
        row = {
            "run_id": scope.run_id,
            "trigger": scope.trigger,
            "started_at": scope.started_at,
            "published_at": stamp,
            "previous_run_id": previous,
            "files_seen": intake.get("files_seen"),
            "files_accepted": intake.get("accepted"),
            "files_with_rejections": intake.get("accepted_with_rejections"),
            "files_quarantined": intake.get("quarantined"),
            "files_duplicate": intake.get("duplicates"),
            "files_recovered": intake.get("recovered"),
            "files_error": intake.get("errors"),
            "rows_accepted": intake.get("rows_accepted"),
            "rows_rejected": intake.get("rows_rejected"),
            "mart_rows": json.dumps(mart_rows),
            "exports_dir": str(export_dir.relative_to(home.root)),
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        columns = list(row)
        conn.execute(
            f"insert into raw.refresh_runs ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )
        _export_marts(conn, names, export_dir)
        conn.execute("checkpoint")
    # Closed and checkpointed: the file is complete on its own (a WAL beside it would be lost in the rename).
    if scope.working.with_name(WAREHOUSE_NAME + ".wal").exists():
        raise RuntimeError("the working copy still has a WAL after checkpoint: not publishing")
    with duckdb.connect(str(scope.working), read_only=True) as check:  # it opens, and holds what we wrote
        check.execute("select count(*) from raw.refresh_runs where run_id = ?", [scope.run_id]).fetchone()
    with scope.working.open("rb") as handle:
        os.fsync(handle.fileno())

    fault_point("publish.before_replace")
    if home.warehouse.exists():
        _keep_live(home)  # the live file joins publishes/ (a hard link) before it is replaced
        _link_or_copy(home.warehouse, home.previous_warehouse)
    # A WAL beside the published name could only come from an old in-place writer; its content was
    # carried into the working copy at begin_run, and a reader must never pair it with the new file.
    home.warehouse.with_name(WAREHOUSE_NAME + ".wal").unlink(missing_ok=True)
    os.replace(scope.working, home.warehouse)
    _fsync_dir(home.root)
    fault_point("publish.after_replace")

    _write_atomic(home.published_info, json.dumps(_published_info(home, row), ensure_ascii=False, indent=2))
    # What the live warehouse was built from (dbt project, day): lets the next run see it has nothing to do.
    _write_atomic(published_inputs_path(home), json.dumps(scope.read_note("inputs")))
    _point_latest(home, export_name)
    _prune_exports(home, export_name)
    _keep_live(home)
    prune_publishes(home)
    cleared = clear_pending(home, shas)
    shutil.rmtree(scope.work_dir, ignore_errors=True)
    info = json.loads(home.published_info.read_text(encoding="utf-8"))
    seconds = time.monotonic() - started
    append_run_event(
        home, "published", scope.run_id, trigger=scope.trigger, previous_run_id=previous, sha256=info["sha256"],
        exports=row["exports_dir"], seconds=round(seconds, 3), pending_cleared=cleared,
    )
    return Publication(
        scope.run_id, home.warehouse, previous, info["sha256"], mart_rows, export_dir, seconds, cleared
    )


# --- kept publishes (publishes/<run>.duckdb): what `dothi rollback` can republish ------------------
# Every published warehouse is hard-linked into publishes/ (the same inode as the live file: no extra
# space until it is replaced), with a JSON of its published.json beside it. A publish prunes the oldest
# beyond DOTHI_KEEP_PUBLISHES previous ones; warehouse.previous.duckdb stays the one replaced last.


def publishes_dir(home: DothiHome) -> Path:
    return home.root / "publishes"


def keep_publishes() -> int:
    try:
        return max(1, int(os.environ.get(KEEP_PUBLISHES_ENV, DEFAULT_KEEP_PUBLISHES)))
    except ValueError:
        return DEFAULT_KEEP_PUBLISHES


def _link_or_copy(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)  # the same inode: readers of the file are unaffected
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _file_info(path: Path) -> dict | None:
    """published.json's fields for a warehouse file, read from its own raw.refresh_runs (None: no run)."""
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            rows = conn.execute(
                "select run_id, published_at, previous_run_id, mart_rows, exports_dir from raw.refresh_runs "
                "order by published_at desc nulls last limit 1"
            ).fetchall()
    except duckdb.Error:
        return None
    if not rows:
        return None
    row = dict(zip(("run_id", "published_at", "previous_run_id", "mart_rows", "exports_dir"), rows[0], strict=True))
    return {
        "run_id": row["run_id"], "published_at": str(row["published_at"]), "previous_run_id": row["previous_run_id"],
        "mart_rows": json.loads(row["mart_rows"] or "{}"), "exports_dir": row["exports_dir"],
    }


def _keep(home: DothiHome, path: Path, info: dict | None = None) -> None:
    info = info or _file_info(path)
    if info is None:
        return
    folder = publishes_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_run_id(str(info["run_id"]))
    if not (folder / f"{name}.duckdb").exists():
        _link_or_copy(path, folder / f"{name}.duckdb")
    if not (folder / f"{name}.json").exists():
        _write_atomic(folder / f"{name}.json", json.dumps(info, ensure_ascii=False, indent=2, default=str))


def _keep_live(home: DothiHome) -> None:
    """The live warehouse (and, in a home from before publishes/, warehouse.previous.duckdb) kept."""
    if home.warehouse.exists() and not any(k.live for k in kept_publishes(home)):
        info = _file_info(home.warehouse)  # the file names its own publishing run
        if info is not None:
            _keep(home, home.warehouse, info)
    if home.previous_warehouse.exists() and not publishes_dir(home).joinpath(".adopted").exists():
        _keep(home, home.previous_warehouse)
        publishes_dir(home).joinpath(".adopted").touch()


@dataclass(frozen=True)
class KeptPublish:
    run_id: str
    published_at: str
    mart_rows: dict[str, int]
    exports_dir: str | None
    path: Path
    live: bool

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "published_at": self.published_at, "mart_rows": self.mart_rows,
                "exports_dir": self.exports_dir, "path": str(self.path), "live": self.live}


def kept_publishes(home: DothiHome) -> list[KeptPublish]:
    """Kept publishes, newest published first; ``live`` marks the one readers see now."""
    folder = publishes_dir(home)
    live_inode = home.warehouse.stat().st_ino if home.warehouse.exists() else None
    try:  # a home restored by copy has no hard links left: then published.json names the live run
        live_run = json.loads(home.published_info.read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError):
        live_run = None
    out: list[KeptPublish] = []
    for meta in folder.glob("*.json") if folder.is_dir() else []:
        path = meta.with_suffix(".duckdb")
        if not path.exists():
            continue
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out.append(KeptPublish(
            str(info["run_id"]), str(info["published_at"]), dict(info.get("mart_rows") or {}),
            info.get("exports_dir"), path, path.stat().st_ino == live_inode or info["run_id"] == live_run,
        ))
    return sorted(out, key=lambda k: k.published_at, reverse=True)


def prune_publishes(home: DothiHome) -> list[str]:
    """Drop the oldest kept publishes beyond DOTHI_KEEP_PUBLISHES previous ones (never the live one)."""
    previous = [k for k in kept_publishes(home) if not k.live]
    removed: list[str] = []
    for old in previous[keep_publishes():]:
        old.path.unlink(missing_ok=True)
        old.path.with_suffix(".json").unlink(missing_ok=True)
        removed.append(old.run_id)
    return removed


def _repoint_exports(home: DothiHome, kept: KeptPublish) -> str:
    """exports/latest to the kept publish's own export when still there, else a fresh export of its marts."""
    import duckdb

    if kept.exports_dir and (home.root / kept.exports_dir).is_dir():
        name = Path(kept.exports_dir).name
    else:
        name = f"{now_local():%Y%m%dT%H%M%S}_{_safe_run_id(kept.run_id)[:8]}_rollback"
        home.exports.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(kept.path), read_only=True) as conn:
            _export_marts(conn, _mart_names(conn), home.exports / name)
    _point_latest(home, name)
    return str((home.exports / name).relative_to(home.root))


def republish(home: DothiHome, kept: KeptPublish, lock: RefreshLock) -> dict:
    """Make a kept publish the live warehouse again, atomically (a rename, as publish does).

    Returns the new published.json. The replaced warehouse stays in publishes/ (a rollback can be undone).
    """
    if not lock.held:
        raise RuntimeError("republish called without holding the refresh lock")
    if _file_info(kept.path) is None:
        raise RuntimeError(f"{kept.path} does not open as a published warehouse: not republishing it")
    _keep_live(home)
    exports_dir = _repoint_exports(home, kept)
    if home.warehouse.exists():
        _link_or_copy(home.warehouse, home.previous_warehouse)
    tmp = home.root / f".{WAREHOUSE_NAME}.rollback.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(kept.path, tmp)
    except OSError:
        shutil.copyfile(kept.path, tmp)
    home.warehouse.with_name(WAREHOUSE_NAME + ".wal").unlink(missing_ok=True)
    os.replace(tmp, home.warehouse)
    _fsync_dir(home.root)
    info = {
        "run_id": kept.run_id, "published_at": kept.published_at, "previous_run_id": None,
        "warehouse": WAREHOUSE_NAME, "sha256": sha256_file(home.warehouse), "size": home.warehouse.stat().st_size,
        "mart_rows": kept.mart_rows, "exports_dir": exports_dir,
        "republished_at": now_local().isoformat(timespec="seconds"),
    }
    _write_atomic(home.published_info, json.dumps(info, ensure_ascii=False, indent=2))
    # The next refresh must rebuild: the inputs recorded were those of the replaced warehouse.
    published_inputs_path(home).unlink(missing_ok=True)
    return info


def publish_rebuilt(home: DothiHome, rebuilt: Path, lock: RefreshLock) -> tuple[KeptPublish, KeptPublish | None, dict]:
    """Keep a rebuilt warehouse in publishes/ and make it live (the rename a rollback does), so a rollback
    undoes it. Returns (the rebuilt publish, the one it replaced, the new published.json). ValueError when
    the file does not open as a published warehouse."""
    if not lock.held:
        raise RuntimeError("publish_rebuilt called without holding the refresh lock")
    own = _file_info(rebuilt)  # the rebuild's own refresh run names the file
    if own is None:
        raise ValueError(f"{rebuilt} does not open as a published warehouse")
    replaced = next((k for k in kept_publishes(home) if k.live), None)
    _keep(home, rebuilt, own)
    kept = next(k for k in kept_publishes(home) if k.path.name == f"{_safe_run_id(str(own['run_id']))}.duckdb")
    return kept, replaced, republish(home, kept, lock)
