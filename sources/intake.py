"""Run the intake: every file in the inbox → archive → parse → raw tables (or quarantine).

Idempotent on identical bytes: a file whose SHA-256 is already in raw.submissions (or was seen earlier
in this run) is archived and removed from the inbox without adding rows. One bad file never stops the
others.

Files go through in batches (sources/parallel.py parses them, on every core when there are many; results
keep inbox order, so a pooled run loads exactly what a serial one does). Per batch, in this order:
the archived bytes are made durable (one sync), the batch is journalled in archive/pending/ (one synced
write), quarantined files are copied out, the rows go in (one transaction), and only then are the inbox
files removed. A run that dies later (its working copy of the warehouse discarded) leaves the journal,
and the next intake re-loads those files from the archive first: once, because a file already in
raw.submissions is never loaded again.

Batches start at one file and double up to ``BATCH_FILES`` (or ``BATCH_ROWS`` rows): a small inbox
is loaded file by file as before, a large one pays one commit and one sync per few hundred files.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from sources.approvals import load_approvals
from sources.faults import fault_point
from sources.geography_checks import check_geography
from sources.home import DothiHome
from sources.inbox import (
    InboxNote,
    PendingFile,
    Signature,
    clear_pending,
    inbox_entry_notes,
    list_inbox,
    log_inbox_notes,
    quarantine,
    read_pending,
    remove_if_unchanged,
    shown_name,
    stable_files,
    sync_paths,
    verify_unchanged,
    write_pending,
)
from sources.load import ensure_raw_schema, ingested_shas, load_batch
from sources.memory import WRITE_MEMORY_LIMIT, release_unused_memory
from sources.parallel import configured_workers, prepare_files, prepare_journalled
from sources.prepare import VIETNAM, IntakeJob, Prepared, local_naive
from sources.reference import Reference, load_reference

__all__ = ["VIETNAM", "FileOutcome", "IntakeReport", "local_naive", "run_intake"]

log = logging.getLogger(__name__)

BATCH_FILES = 512
BATCH_ROWS = 200_000
DUPLICATE = "these exact bytes were already received"
# Notes about a regular file this run did not take: it stays in the inbox and is read by a later run.
LEFT_KINDS = frozenset({"still_being_written", "open_for_writing", "changed_while_read"})


@dataclass(frozen=True)
class FileOutcome:
    file_name: str
    sha256: str | None
    status: str  # accepted | accepted_with_rejections | quarantined | duplicate | error
    reason: str | None
    rows_accepted: int = 0
    rows_rejected: int = 0
    recovered: bool = False  # re-loaded from the archive after an interrupted run


@dataclass
class IntakeReport:
    run_id: str
    files_seen: int = 0
    accepted: int = 0
    accepted_with_rejections: int = 0
    quarantined: int = 0
    duplicates: int = 0
    errors: int = 0  # unexpected failures (e.g. disk, database); the file stays in the inbox for a retry
    recovered: int = 0  # files re-loaded from the archive journal (a previous run died before publishing)
    rows_accepted: int = 0
    rows_rejected: int = 0
    left_in_inbox: int = 0  # files not taken this run (still being written, changed while read): see notes
    # Inbox entries not read, or read with a remark (folders, FIFOs, symlinks, undecodable names, files
    # still being written): {"name", "kind", "reason"}, for the summary and logs/runs.jsonl.
    inbox_notes: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)

    def note(self, note: InboxNote) -> None:
        log.warning("inbox: %s", note.line())
        self.inbox_notes.append(note.to_dict())
        self.left_in_inbox += int(note.kind in LEFT_KINDS)

    def add(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)
        self.files_seen += 1
        counter = {
            "accepted": "accepted",
            "accepted_with_rejections": "accepted_with_rejections",
            "quarantined": "quarantined",
            "duplicate": "duplicates",
            "error": "errors",
        }[outcome.status]
        setattr(self, counter, getattr(self, counter) + 1)
        self.recovered += int(outcome.recovered)
        self.rows_accepted += outcome.rows_accepted
        self.rows_rejected += outcome.rows_rejected

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _outcome(item: Prepared, recovered: bool = False) -> FileOutcome:
    if item.status in ("quarantined", "error"):
        return FileOutcome(item.name, item.sha256, item.status, item.reason, recovered=recovered)
    return FileOutcome(
        item.name, item.sha256, item.status, None, item.rows_accepted, item.rows_rejected, recovered=recovered
    )


def _error(item: Prepared, exc: BaseException) -> Prepared:
    return dataclasses.replace(item, status="error", reason=f"{type(exc).__name__}: {exc}", rows=None)


def _quarantine_copy(job: IntakeJob, item: Prepared) -> None:
    if item.sha256 is None or item.archive_path is None:
        raise OSError(f"{item.name} was never archived")
    data = (job.home.root / item.archive_path).read_bytes()
    ext = "." + item.archive_path.rsplit(".", 1)[1]
    quarantine(job.home, data, item.sha256, ext, item.name, item.reason or "", job.now)


def _load(conn: duckdb.DuckDBPyConnection, job: IntakeJob, items: list[Prepared]) -> list[Prepared]:
    """Quarantine copies, then every file's rows in one transaction; on failure, file by file, so one
    file the database refuses does not keep the others out. Returns the items, failed ones as errors."""
    out: list[Prepared] = []
    for item in items:
        try:
            if item.status == "quarantined":  # before the rows: a loaded file has its quarantine copy
                _quarantine_copy(job, item)
            out.append(item)
        except Exception as exc:
            log.exception("could not quarantine %s", item.name)
            out.append(_error(item, exc))
    try:
        load_batch(conn, [item.rows for item in out if item.rows is not None])
        return out
    except Exception:
        log.exception("loading a batch of %d file(s) failed; retrying file by file", len(out))
    return [item if item.rows is None else _load_one(conn, item) for item in out]


def _load_one(conn: duckdb.DuckDBPyConnection, item: Prepared) -> Prepared:
    try:
        load_batch(conn, [item.rows] if item.rows is not None else [])
        return item
    except Exception as exc:
        log.exception("loading %s failed", item.name)
        return _error(item, exc)


def _batch_sizes() -> Iterator[int]:
    size = 1
    while True:
        yield size
        size = min(size * 2, BATCH_FILES)


def batches(items: Iterable[Prepared]) -> Iterator[list[Prepared]]:
    """Consecutive items, 1, 2, 4 … ``BATCH_FILES`` files per batch, cut early at ``BATCH_ROWS`` rows."""
    sizes = _batch_sizes()
    size, batch, rows = next(sizes), [], 0
    for item in items:
        batch.append(item)
        rows += item.row_count
        if len(batch) >= size or rows >= BATCH_ROWS:
            yield batch
            size, batch, rows = next(sizes), [], 0
    if batch:
        yield batch


class _Removal:
    """Removes a loaded batch's inbox files in a thread while the next batch is parsed (unlinking
    thousands of files is system time the loop need not wait for). Joined before the next batch is
    journalled, so batches still complete strictly one after another. A file that changed since it was
    checked is kept (``kept``: notes for the report)."""

    def __init__(self, paths: list[tuple[Path, Signature | None]], loaded: bool) -> None:
        self.kept: list[InboxNote] = []
        self._thread = threading.Thread(target=self._run, args=(paths, loaded), name="intake-removal", daemon=True)
        self._thread.start()

    def _run(self, paths: list[tuple[Path, Signature | None]], loaded: bool) -> None:
        for path, signature in paths:
            try:
                why = remove_if_unchanged(path, signature)
            except OSError:  # loaded and archived already: the next run sees a duplicate
                log.exception("could not remove %s from the inbox", shown_name(path.name))
                continue
            if why is not None:
                self.kept.append(InboxNote(shown_name(path.name), "changed_after_load", why))
        if loaded:
            fault_point("intake.after_load")

    def join(self) -> None:
        self._thread.join()


def _unchanged(
    batch: list[Prepared], signatures: dict[Path, Signature]
) -> tuple[list[Prepared], dict[Path, Signature | None], list[InboxNote]]:
    """The items whose inbox file still holds the bytes read (re-stat, re-hash); the others are left in
    the inbox for the next run, with a note, and nothing of them is loaded."""
    kept: list[Prepared] = []
    checked: dict[Path, Signature | None] = {}
    notes: list[InboxNote] = []
    for item in batch:
        if item.path is None or item.sha256 is None:
            kept.append(item)
            continue
        signature, why = verify_unchanged(item.path, item.sha256, signatures.get(item.path))
        if why is not None:
            notes.append(InboxNote(shown_name(item.path.name), "changed_while_read", why))
            continue
        checked[item.path] = signature
        kept.append(item)
    return kept, checked, notes


def _zip_notes(item: Prepared) -> list[InboxNote]:
    """The members of a zip that are not reports: named, for the summary and the run log."""
    return [InboxNote(name, "zip_member_skipped", f"{why}; skipped") for name, why in item.skipped]


def _journal_entry(unit: Prepared, job: IntakeJob) -> PendingFile:
    return PendingFile(unit.sha256 or "", unit.archive_path or "", unit.name, unit.mtime or job.now, job.now,
                       job.run_id, unit.container)


def _ingest_batch(
    conn: duckdb.DuckDBPyConnection,
    job: IntakeJob,
    batch: list[Prepared],
    seen: set[str],
    signatures: dict[Path, Signature] | None = None,
) -> tuple[list[FileOutcome], _Removal, list[InboxNote]]:
    """Bytes checked against the inbox → archive durable → journal → quarantine copies + rows loaded →
    inbox files removed (started), each only if unchanged since it was checked. A zip of reports is one
    inbox file and one submission per member (``Prepared.units``)."""
    batch, checked, notes = _unchanged(batch, signatures or {})
    units = [(i, unit) for i, item in enumerate(batch) for unit in item.units]
    archived = [item.archive_path for item in batch if item.archive_path]
    archived += [unit.archive_path for _, unit in units if unit.archive_path]
    sync_paths(job.home, archived)  # nothing is lost from here on
    for item in batch:
        notes.extend(_zip_notes(item))
    fresh: list[Prepared] = []
    outcomes: dict[int, FileOutcome] = {}
    for k, (_, item) in enumerate(units):
        if item.sha256 is None or item.status == "error":  # not read or not parsed: stays in the inbox
            outcomes[k] = _outcome(item)
        elif item.sha256 in seen:
            outcomes[k] = FileOutcome(item.name, item.sha256, "duplicate", DUPLICATE)
        else:
            seen.add(item.sha256)
            fresh.append(item)
    if fresh:
        # Journalled before loading: if this run dies after the inbox files are gone, the next run re-loads them.
        write_pending(job.home, [_journal_entry(f, job) for f in fresh])
        fault_point("intake.after_archive")
    loaded = iter(_load(conn, job, fresh))
    for k in range(len(units)):
        if k not in outcomes:
            outcomes[k] = _outcome(next(loaded))
    failed = {units[k][0] for k, outcome in outcomes.items() if outcome.status == "error"}
    failed |= {i for i, item in enumerate(batch) if item.status == "error"}  # incl. a zip with no unit
    done = [(item.path, checked.get(item.path)) for i, item in enumerate(batch)
            if i not in failed and item.path is not None]
    return [outcomes[k] for k in range(len(units))], _Removal(done, bool(fresh)), notes


def _journalled_units(job: IntakeJob, item: Prepared, seen: set[str]) -> list[Prepared]:
    """A journalled file, or the members of a journalled zip (journalled by an earlier version as one
    file): those are journalled on their own before they load, and the zip's entry is cleared."""
    if item.status != "unpacked":
        return [item]
    members = [m for m in item.members if m.sha256 is None or m.sha256 not in seen]
    if fresh := [m for m in members if m.sha256 is not None]:
        write_pending(job.home, [_journal_entry(m, job) for m in fresh])
    if item.sha256:
        clear_pending(job.home, {item.sha256})
    return members


def _recover(
    conn: duckdb.DuckDBPyConnection, job: IntakeJob, reference: Reference, seen: set[str],
    workers: int | None = None,
) -> list[FileOutcome]:
    """Re-load journalled files that are archived but absent from the warehouse (a run died before it
    published them); drop journal entries the warehouse already holds."""
    outcomes: list[FileOutcome] = []
    done: set[str] = set()
    todo: list[PendingFile] = []
    for entry in read_pending(job.home):
        if entry.sha256 in seen:
            done.add(entry.sha256)
        else:
            todo.append(entry)
    prepared = prepare_journalled(todo, job, reference, workers)  # parsed in workers, as the inbox is
    for batch in batches(prepared):
        units = [unit for item in batch for unit in _journalled_units(job, item, seen)]
        for item in _load(conn, job, units):
            if item.status != "error" and item.sha256:
                seen.add(item.sha256)
                log.warning("recovered %s (%s) from the archive journal", item.name, item.sha256[:12])
            outcomes.append(_outcome(item, recovered=True))
    clear_pending(job.home, done)
    return outcomes


def run_intake(
    home: DothiHome,
    run_id: str,
    now: datetime | None = None,
    warehouse: Path | None = None,
    *,
    workers: int | None = None,
) -> IntakeReport:
    """Ingest every file waiting in ``home.inbox`` into the raw tables of the warehouse.

    ``workers``: parser processes (default: ``DOTHI_INTAKE_WORKERS``, else one per core for a large
    inbox; see sources/parallel.py). The result does not depend on it.

    Raises ``ReferenceDataError`` before touching anything when the geography seeds are inconsistent
    (crosswalk shares that do not sum to one): the whole refresh is refused, naming the rows."""
    check_geography()
    home.ensure()
    job = IntakeJob(home, run_id, local_naive(now or datetime.now(VIETNAM)))
    reference = load_reference()
    report = IntakeReport(run_id=run_id)
    conn = duckdb.connect(str(warehouse or home.warehouse), config={"memory_limit": WRITE_MEMORY_LIMIT})
    removal: _Removal | None = None
    try:
        ensure_raw_schema(conn)
        load_approvals(conn, home)  # the approval log (DOTHI_HOME/control), whole, every run
        seen = ingested_shas(conn)
        for outcome in _recover(conn, job, reference, seen, configured_workers(workers)):
            report.add(outcome)
        for note in inbox_entry_notes(home):  # folders, FIFOs, symlinks, undecodable names: named, never opened
            report.note(note)
        scan = stable_files(list_inbox(home))  # only files that are complete: no writer, settled
        for note in scan.notes:
            report.note(note)
        items = prepare_files(scan.files, job, reference, configured_workers(workers))
        with closing(items):
            for batch in batches(items):  # waiting for this batch overlaps the previous batch's removals
                if removal is not None:
                    removal.join()
                    for note in removal.kept:
                        report.note(note)
                    removal = None
                notes: list[InboxNote] = []
                try:
                    outcomes, removal, notes = _ingest_batch(conn, job, batch, seen, scan.signatures)
                except Exception as exc:  # disk or database trouble: leave the files for the next run
                    log.exception("intake failed for a batch of %d file(s)", len(batch))
                    outcomes = [_outcome(_error(item, exc)) for item in batch]
                for outcome in outcomes:
                    report.add(outcome)
                for note in notes:
                    report.note(note)
    finally:
        if removal is not None:
            removal.join()
            for note in removal.kept:
                report.note(note)
        conn.close()
        release_unused_memory()  # the rest of the run (dbt, GX, reports) happens in this process's shadow
    try:
        log_inbox_notes(home, run_id, [InboxNote(**n) for n in report.inbox_notes])
    except OSError:
        log.exception("could not write the inbox notes to the run log")
    return report
