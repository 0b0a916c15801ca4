"""Read, archive and parse inbox files in worker processes with a memory and a time limit; results in
inbox order.

Every untrusted parse runs in a worker process, even for a one-file night: a reader that crashes (a C or
Rust reader aborting), asks for more memory than it may have, or never returns costs only that file.
Each worker limits its own address space (``RLIMIT_AS``, ``DOTHI_PARSE_MEMORY_MB``), and the parent
kills a worker that spends longer than ``DOTHI_PARSE_TIMEOUT_S`` on one file and starts another
(sources/limits.py). The file is then quarantined with the reason: *the reader crashed on this file*,
*ran out of memory (limit N MB)*, *took longer than N s*. A worker that dies for no reason it can tell
(a crash) gets its file once more, in a fresh worker, before the file is blamed.

Workers start with ``forkserver`` (else ``spawn``), never a plain fork of the caller: the caller is a
Dagster process with threads. Each worker gets the run's Reference once, reads and hashes its files
itself (no bytes shuttled through the parent) and returns compact results (column lists), one file at a
time, so a death or a timeout always names exactly one file. Results are yielded in the order given,
so a pooled run loads exactly what a one-worker run loads. A worker's stderr goes to a file the parent
reads (a Rust reader's "memory allocation of N bytes failed" tells an out-of-memory from a crash) and
copies to its own stderr.

``DOTHI_INTAKE_WORKERS``: ``N`` (≥ 1; ``0`` counts as 1) workers whatever the inbox size; unset: one
worker, or one per available core once the inbox holds more than ``POOL_THRESHOLD`` files.
``DOTHI_PARSE_IN_PROCESS=1`` parses in the calling process with no bound at all: for debugging a reader
only, never in production (one bad file can then abort the refresh). If worker processes cannot start at
all, no file is parsed: each is reported as an error and stays in the inbox (or the journal) for the
next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import logging
import multiprocessing
import os
import queue
import re
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from itertools import chain, islice
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TypeVar, cast

from sources import limits
from sources.faults import fault_point
from sources.inbox import PendingFile, display_name
from sources.prepare import (
    IntakeJob,
    Prepared,
    crashed,
    journalled_crashed,
    member_crashed,
    prepare_member,
    read_and_prepare,
    read_journalled,
)
from sources.reference import Reference

log = logging.getLogger(__name__)

WORKERS_ENV = "DOTHI_INTAKE_WORKERS"
IN_PROCESS_ENV = "DOTHI_PARSE_IN_PROCESS"
POOL_THRESHOLD = 200
START_TIMEOUT = 300  # seconds for a fresh worker to report ready (spawning on a loaded machine is slow)
START_FAILURES = 3  # workers in a row that die or hang before they are ready: the pool is unusable
AHEAD = 512  # files read ahead of the loader at most (bounds memory; keeps workers busy while it loads)
READY = "ready"
RUST_OOM = re.compile(r"memory allocation of (\d+) bytes failed")

Task = tuple[str, Any]  # ("inbox", Path) | ("journal", PendingFile) | ("member", MemberRef): one zip member
Key = int | tuple[int, int]  # a task's place: its file's sequence number, (file, member index) for a member


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configured_workers(explicit: int | None = None) -> int | None:
    """Workers asked for (argument, else environment); None: decide from the inbox size."""
    if explicit is not None:
        return max(1, explicit)
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return None
    try:
        return max(1, int(raw))
    except ValueError:
        log.warning("ignoring %s=%r: not a number", WORKERS_ENV, raw)
        return None


def in_process() -> bool:
    return os.environ.get(IN_PROCESS_ENV, "").strip().lower() in ("1", "true", "yes")


def _run(task: Task, job: IntakeJob, reference: Reference) -> Prepared:
    kind, what = task
    if kind == "inbox":
        return read_and_prepare(what, job, reference)
    if kind == "member":
        return prepare_member(what, job, reference)
    return read_journalled(what, job, reference)


def _member_tasks(result: Prepared) -> list[tuple[int, Task]]:
    """(member index, task) for each member of an unpacked zip still to be parsed."""
    return [(i, ("member", result.members[i].member)) for i in result.pending]


def _with_member(container: Prepared, index: int, result: Prepared) -> Prepared:
    members = list(container.members)
    members[index] = result
    return dataclasses.replace(container, members=tuple(members))


def _inline(result: Prepared, job: IntakeJob, reference: Reference) -> Prepared:
    """In-process debugging only: a zip's members parsed here, one after another."""
    for index, task in _member_tasks(result):
        result = _with_member(result, index, _run(task, job, reference))
    return result


def _blamed(task: Task, job: IntakeJob, reason: str) -> Prepared:
    """The file's parse failed in a way only the parent saw: quarantine it with ``reason``."""
    kind, what = task
    log.error("%s: %s", _name(task), reason)
    if kind == "member":
        return member_crashed(what, job, reason)
    return crashed(what, job, reason) if kind == "inbox" else journalled_crashed(what, job, reason)


def _not_parsed(task: Task, reason: str) -> Prepared:
    """No worker could take the file: it stays where it is (inbox or journal) for the next run."""
    kind, what = task
    if kind == "inbox":
        return Prepared(display_name(what.name), what, None, None, None, "error", reason)
    if kind == "member":
        return Prepared(what.name, None, what.sha256, what.archive_path, what.mtime, "error", reason)
    entry: PendingFile = what
    return Prepared(entry.file_name, None, entry.sha256, entry.archive_path, entry.mtime, "error", reason)


def _name(task: Task) -> str:
    kind, what = task
    return what.name if kind in ("inbox", "member") else what.file_name


# --- the worker ----------------------------------------------------------------------------------------


def _limit_memory() -> None:
    limit = limits.parse_memory_bytes()
    if limit is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when its parent (the forkserver, which ends with the refresh)
    dies, so a worker stuck on a file never outlives a refresh that was killed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux / not glibc: the worker ends when its pipe closes
        pass


def _serve(conn: Connection, job: IntakeJob, reference: Reference, environ: dict[str, str], stderr: str) -> None:
    _die_with_parent()
    # A forkserver started earlier in this process would hand workers its own, older environment.
    os.environ.clear()
    os.environ.update(environ)
    fd = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker stops
    _limit_memory()
    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        fault_point("intake.parse_worker")  # tests: a worker dying mid-file
        conn.send(_run(task, job, reference))


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sources.parallel"])  # imported once, in the server, not per worker
        return ctx
    return multiprocessing.get_context("spawn")


def stop_worker_server() -> None:
    """Stop the forkserver the parse workers were started from. It holds the preloaded intake (~90 MB) and
    would otherwise keep it for the rest of a refresh, while dbt has its peak; a later pool starts a new one.
    Call it when no pool is running (the refresh's intake step, once it is over)."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own stop (its tests use it): no public one
    if callable(stop):
        stop()


# --- the parent ----------------------------------------------------------------------------------------


class _Unusable(Exception):
    """Worker processes cannot start: no file is to blame."""


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, job: IntakeJob, reference: Reference,
                 stderr: Path) -> None:
        self.stderr, self.offset = stderr, 0
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, job, reference, dict(os.environ), str(stderr)), daemon=True
        )
        self.proc.start()
        child.close()
        self.ready = False
        self.started = time.monotonic()
        self.task: tuple[Key, Task, int] | None = None  # (its place, task, earlier attempts)
        self.deadline: float | None = None

    def give(self, item: tuple[Key, Task, int], timeout: float | None) -> None:
        self.task = item
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.conn.send(item[1])

    def forward_stderr(self) -> str:
        """What the worker wrote to stderr since the last call, copied to ours."""
        try:
            with self.stderr.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except OSError:
            return ""
        self.offset += len(data)
        text = data.decode("utf-8", "replace")
        if text:
            sys.stderr.write(text)
        return text

    def stop(self, kill: bool = False) -> None:
        if not kill and self.proc.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                kill = True
            else:
                self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()
        self.forward_stderr()


def _died(worker: _Worker) -> str:
    """Why a worker died, for the quarantine reason (empty: nothing tells; a crash)."""
    code = worker.proc.exitcode
    if code is not None and code < 0:
        try:
            return f"its worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"its worker process was killed by signal {-code}"
    return f"its worker process exited with code {code}"


def _isolated(
    tasks: Iterator[Task], job: IntakeJob, reference: Reference, workers: int
) -> Generator[Prepared, None, None]:
    first = next(tasks, None)
    if first is None:
        return
    tasks = chain([first], tasks)
    ctx = _context()
    logs = Path(tempfile.mkdtemp(prefix="dothi-parse-"))
    timeout = limits.parse_timeout_s()
    pool: list[_Worker] = []
    spawned = 0
    results: dict[int, Prepared] = {}
    # An unpacked zip waits here until each of its members, parsed as tasks of their own, is back.
    zips: dict[int, tuple[Prepared, int]] = {}  # sequence number → (the zip, members still out)
    retry: deque[tuple[Key, Task, int]] = deque()  # retries and zip members: served before new files
    taken = done = start_failures = 0
    exhausted = False

    def spawn() -> None:
        nonlocal spawned
        spawned += 1
        pool.append(_Worker(ctx, job, reference, logs / f"worker-{spawned}.log"))

    def replace(worker: _Worker, kill: bool) -> None:
        worker.stop(kill=kill)
        pool.remove(worker)
        spawn()

    def place(key: Key, result: Prepared) -> None:
        if isinstance(key, tuple):
            seq, index = key
            container, out = zips.pop(seq)
            container = _with_member(container, index, result)
            if out > 1:
                zips[seq] = (container, out - 1)
            else:
                results[seq] = container
            return
        members = _member_tasks(result)
        if members:
            zips[key] = (result, len(members))
            retry.extend(((key, index), task, 0) for index, task in members)
        else:
            results[key] = result

    def settle(worker: _Worker, result: Prepared) -> None:
        assert worker.task is not None
        key = worker.task[0]
        worker.task, worker.deadline = None, None
        place(key, result)

    try:
        for _ in range(workers):
            spawn()
        while True:
            while done in results:
                yield results.pop(done)
                done += 1
            for worker in pool:
                if not worker.ready or worker.task is not None:
                    continue
                if retry:
                    worker.give(retry.popleft(), timeout)
                elif not exhausted and taken - done < AHEAD:
                    task = next(tasks, None)
                    if task is None:
                        exhausted = True
                        continue
                    worker.give((taken, task, 0), timeout)
                    taken += 1
            if exhausted and not retry and done == taken:
                return
            now = time.monotonic()
            limits_at = [w.deadline for w in pool if w.deadline is not None]
            limits_at += [w.started + START_TIMEOUT for w in pool if not w.ready]
            wait([w.conn for w in pool] + [w.proc.sentinel for w in pool],
                 timeout=max(0.0, min(limits_at) - now) if limits_at else None)
            now = time.monotonic()
            for worker in list(pool):
                message: object = None
                if worker.conn.poll():
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        message = None
                if message == READY:
                    worker.ready, start_failures = True, 0
                    continue
                if isinstance(message, Prepared):
                    worker.forward_stderr()
                    settle(worker, message)
                    continue
                if worker.proc.is_alive() or worker.proc.exitcode is None:
                    if worker.deadline is not None and now >= worker.deadline and worker.task is not None:
                        task = worker.task[1]
                        worker.stop(kill=True)
                        settle(worker, _blamed(task, job, limits.timeout_reason(timeout or 0)))
                        pool.remove(worker)
                        spawn()
                    elif not worker.ready and now >= worker.started + START_TIMEOUT:
                        start_failures += 1
                        replace(worker, kill=True)
                    continue
                # The worker is dead.
                text = worker.forward_stderr()
                if not worker.ready or worker.task is None:
                    start_failures += 1
                    if start_failures >= START_FAILURES:
                        raise _Unusable(text.strip().splitlines()[-1] if text.strip() else _died(worker))
                    replace(worker, kill=True)
                    continue
                seq, task, attempts = worker.task
                oom = RUST_OOM.search(text)
                if oom:
                    asked = int(oom.group(1))
                    detail = f"the reader asked for {asked / limits.MB:,.0f} MB at once"
                    settle(worker, _blamed(task, job, limits.out_of_memory_reason(detail)))
                elif attempts == 0:  # perhaps not this file's fault: once more, in a fresh worker
                    log.warning("a parse worker died on %s (%s); trying it once more", _name(task), _died(worker))
                    retry.append((seq, task, 1))
                    worker.task, worker.deadline = None, None
                else:
                    settle(worker, _blamed(task, job, limits.crashed_reason(_died(worker))))
                replace(worker, kill=True)
    except _Unusable as exc:
        reason = f"the parser processes cannot start ({exc}); the file stays for the next run"
        log.error("%s", reason)
        pending = [*((w.task[0], w.task[1]) for w in pool if w.task), *((k, t) for k, t, _ in retry)]
        retry.clear()
        for key, task in pending:
            if isinstance(key, tuple) or key not in results:
                place(key, _not_parsed(task, reason))
        while done < taken:
            yield results.pop(done)
            done += 1
        for task in tasks:
            yield _not_parsed(task, reason)
    finally:
        for worker in pool:
            worker.stop(kill=worker.task is not None)
        shutil.rmtree(logs, ignore_errors=True)


PREFETCHED = 64  # results a dispatcher thread holds for the loader (bounds memory with AHEAD)
_END = object()
_T = TypeVar("_T")


def _offer(found: queue.Queue[tuple[bool, object]], stop: threading.Event, item: tuple[bool, object]) -> bool:
    """Put ``item`` unless the consumer stopped: False then."""
    while not stop.is_set():
        try:
            found.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _dispatched(results: Generator[_T, None, None]) -> Generator[_T, None, None]:
    """The workers' results, collected by a thread while the caller loads earlier ones.

    A generator only runs when its caller asks for the next item: while the caller loads a batch into
    DuckDB, a worker that finished its file would wait for the next one. The thread hands out files and
    collects results all along (its waits release the GIL); the order and every rule are ``_isolated``'s."""
    found: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=PREFETCHED)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in results:
                if not _offer(found, stop, (True, item)):
                    return
        except BaseException as exc:  # raised again in the caller's thread
            _offer(found, stop, (False, exc))
            return
        finally:
            results.close()  # stops the workers (``_isolated``'s finally), in the thread that ran it
        _offer(found, stop, (True, _END))

    thread = threading.Thread(target=run, name="intake-dispatch", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = found.get()
            if not ok:
                raise cast(BaseException, item)
            if item is _END:
                return
            yield cast(_T, item)
    finally:
        stop.set()
        thread.join()


def _prepare(
    tasks: Iterator[Task], job: IntakeJob, reference: Reference, workers: int | None
) -> Generator[Prepared, None, None]:
    if in_process():
        log.warning("%s is set: parsing in this process, with no memory or time limit", IN_PROCESS_ENV)
        return (_inline(_run(task, job, reference), job, reference) for task in tasks)
    if workers is None:  # decide from the number of files, looking no further than needed
        head = list(islice(tasks, POOL_THRESHOLD + 1))
        workers = available_cores() if len(head) > POOL_THRESHOLD else 1
        tasks = chain(head, tasks)
    if workers > 1:
        log.info("parsing with %d worker processes", workers)
    return _dispatched(_isolated(tasks, job, reference, workers))


def prepare_files(
    paths: Iterable[Path], job: IntakeJob, reference: Reference, workers: int | None = None
) -> Generator[Prepared, None, None]:
    """Every inbox file read, archived (unsynced) and parsed in worker processes, in the order given.
    ``paths`` is consumed lazily (at most ``AHEAD`` files ahead)."""
    return _prepare((("inbox", path) for path in paths), job, reference, workers)


def prepare_journalled(
    entries: Iterable[PendingFile], job: IntakeJob, reference: Reference, workers: int | None = None
) -> Generator[Prepared, None, None]:
    """Journalled files re-read from the archive and parsed in worker processes, in the order given."""
    return _prepare((("journal", entry) for entry in entries), job, reference, workers)
