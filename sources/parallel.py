"""Read, archive and parse inbox files on every core, results in inbox order.

Parsing is pure CPU work per file, so worker processes take it (threads would share one GIL). Workers
start with ``forkserver`` (else ``spawn``), never a plain fork of the caller: the caller is a Dagster
process with threads. Each worker gets the run's Reference once (initializer), reads and hashes the
files itself (no bytes shuttled through the parent) and returns compact results (column lists).

A worker that dies on a file (a crash in a C reader, the OOM killer) must not stop the run: the files of
the broken chunks are retried one at a time, and the one that takes its worker down again is quarantined.

``DOTHI_INTAKE_WORKERS``: ``1`` (or ``0``) parses in-process; ``N`` forces N workers whatever the inbox
size; unset: one worker per available core once the inbox holds more than ``POOL_THRESHOLD`` files
(below that, the pool's start-up costs more than it saves).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from pathlib import Path

from sources.faults import fault_point
from sources.prepare import IntakeJob, Prepared, crashed, read_and_prepare
from sources.reference import Reference

log = logging.getLogger(__name__)

WORKERS_ENV = "DOTHI_INTAKE_WORKERS"
POOL_THRESHOLD = 200
CHUNK = 8  # files per task: fewer round trips, still a fine-grained balance between workers
PING_TIMEOUT = 300  # seconds for a fresh pool to run an empty task (spawning on a loaded machine is slow)
AHEAD = 512  # files read ahead of the loader at most (bounds memory; keeps workers busy while it loads)

_job: IntakeJob | None = None
_reference: Reference | None = None


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


def _init(job: IntakeJob, reference: Reference, environ: dict[str, str]) -> None:
    global _job, _reference
    _job, _reference = job, reference
    # A forkserver started earlier in this process would hand workers its own, older environment.
    os.environ.clear()
    os.environ.update(environ)


def _work(paths: list[Path]) -> list[Prepared]:
    assert _job is not None and _reference is not None, "worker not initialised"
    out = []
    for path in paths:
        fault_point("intake.parse_worker")  # tests: a worker dying mid-file
        out.append(read_and_prepare(path, _job, _reference))
    return out


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sources.parallel"])  # imported once, in the server, not per worker
        return ctx
    return multiprocessing.get_context("spawn")


class _Unusable(Exception):
    """The pool cannot run anything (its workers fail to start): no file is to blame."""


def _ping() -> bool:
    return _job is not None


class _Pool:
    def __init__(self, job: IntakeJob, reference: Reference, workers: int) -> None:
        self.job, self.reference, self.workers = job, reference, workers
        self.executor = self._executor()

    def _executor(self) -> ProcessPoolExecutor:
        args = (self.job, self.reference, dict(os.environ))
        return ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=_init, initargs=args)

    def settle(self) -> None:
        """Shut down, waiting: every submitted future is then done, cancelled or failed."""
        self.executor.shutdown(wait=True, cancel_futures=True)

    def restart(self) -> None:
        """A fresh pool, checked with an empty task; raises _Unusable when even that fails."""
        self.settle()
        self.executor = self._executor()
        try:
            healthy = self.executor.submit(_ping).result(timeout=PING_TIMEOUT)
        except Exception:
            healthy = False
        if not healthy:
            raise _Unusable

    def solo(self, path: Path) -> Prepared:
        """One file on its own (after a crash): quarantined if it takes a healthy pool down again."""
        try:
            return self.executor.submit(_work, [path]).result()[0]
        except BrokenProcessPool as exc:
            self.restart()
            log.error("the reader crashed on %s; quarantining it", path.name)
            return crashed(path, self.job, str(exc) or "its worker process exited")


def _succeeded(future: Future[list[Prepared]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _pooled(paths: Iterator[Path], job: IntakeJob, reference: Reference, workers: int) -> Iterator[Prepared]:
    pool = _Pool(job, reference, workers)
    inflight: deque[tuple[list[Path], Future[list[Prepared]]]] = deque()
    suspects: deque[tuple[Path, Prepared | None]] = deque()  # after a crash: (file, its result if it had one)

    def fill() -> None:
        while len(inflight) * CHUNK < AHEAD and (chunk := list(islice(paths, CHUNK))):
            inflight.append((chunk, pool.executor.submit(_work, chunk)))

    try:
        fill()
        while inflight or suspects:
            if suspects:
                path, known = suspects[0]
                result = known if known is not None else pool.solo(path)
                suspects.popleft()
                yield result
                if not suspects:
                    fill()
                continue
            chunk, future = inflight[0]
            try:
                results = future.result()
            except BrokenProcessPool:
                # Every unfinished task failed with the pool: retry those files one at a time.
                pool.settle()
                for files, settled in inflight:
                    known = settled.result() if _succeeded(settled) else [None] * len(files)
                    suspects.extend(zip(files, known, strict=True))
                inflight.clear()
                pool.restart()
                continue
            inflight.popleft()
            yield from results
            fill()
    except _Unusable:
        log.error("the parser processes cannot start; parsing in this process instead")
        for path, known in suspects:
            yield known if known is not None else read_and_prepare(path, job, reference)
        yield from (read_and_prepare(path, job, reference) for path in paths)
    finally:
        pool.settle()


def prepare_files(
    paths: Iterable[Path], job: IntakeJob, reference: Reference, workers: int | None = None
) -> Iterator[Prepared]:
    """Every file read, archived (unsynced) and parsed, in the order given: with ``workers`` > 1 in a
    process pool, else in this process. ``paths`` is consumed lazily (at most ``AHEAD`` files ahead)."""
    paths = iter(paths)
    if workers is None:  # decide from the inbox size, looking no further than needed
        head = list(islice(paths, POOL_THRESHOLD + 1))
        workers = available_cores() if len(head) > POOL_THRESHOLD else 1
        paths = chain(head, paths)
    if workers <= 1:
        return (read_and_prepare(path, job, reference) for path in paths)
    log.info("parsing with %d worker processes", workers)
    return _pooled(paths, job, reference, workers)
