"""Run the intake: every file in the inbox → archive → parse → raw tables (or quarantine).

Idempotent on identical bytes: a file whose SHA-256 is already in raw.submissions is archived and
removed from the inbox without adding rows. One bad file never stops the others.

Crash safety: bytes are archived (fsync) and journalled in archive/pending/ before they are parsed;
the inbox file is removed only after its rows are loaded. A run that dies later (its working copy of
the warehouse discarded) leaves the journal entry, and the next intake re-loads the file from the
archive first: once, because a file already in raw.submissions is never loaded again.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from sources.faults import fault_point
from sources.formats import extension_for
from sources.home import DothiHome
from sources.inbox import (
    InboxFile,
    PendingFile,
    archive,
    clear_pending,
    display_name,
    list_inbox,
    quarantine,
    read_archived,
    read_inbox_file,
    read_pending,
    remove_from_inbox,
    write_pending,
)
from sources.load import FileRecord, already_ingested, ensure_raw_schema, load_file
from sources.reference import Reference, load_reference
from sources.submission import QuarantineError, Submission, parse_submission

log = logging.getLogger(__name__)

# Timestamps are stored naive in Vietnam time (UTC+7, no daylight saving): the dates people write
# in their files are local, so mtimes and run times must be on the same clock to compare.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def local_naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


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
    outcomes: list[FileOutcome] = field(default_factory=list)

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


def _quarantine_file(
    conn: duckdb.DuckDBPyConnection,
    home: DothiHome,
    item: InboxFile,
    ext: str,
    archive_path: str,
    error: QuarantineError,
    run_id: str,
    now: datetime,
    received_at: datetime,
) -> FileOutcome:
    quarantine(home, item.data, item.sha256, ext, item.name, error.reason, now)
    record = FileRecord(
        file_sha256=item.sha256,
        file_name=item.name,
        archive_path=archive_path,
        file_size=len(item.data),
        file_format=(error.file_format or ext.lstrip(".")) if ext != ".bin" else "unknown",
        encoding=error.encoding,
        sheet_name=error.sheet_name,
        reporter_code=None,
        reporter_raw=error.reporter_raw,
        reporter_kind=None,
        periods=None,
        submitted_at=local_naive(item.mtime),
        received_at=received_at,
        ingested_at=now,
        run_id=run_id,
        status="quarantined",
        reason=error.reason,
        rows_read=None,
        rows_accepted=0,
        rows_rejected=0,
        is_synthetic=None,
        title_block=error.title_block,
    )
    load_file(conn, record)
    return FileOutcome(item.name, item.sha256, "quarantined", error.reason)


def _accept_file(
    conn: duckdb.DuckDBPyConnection,
    item: InboxFile,
    archive_path: str,
    sub: Submission,
    run_id: str,
    now: datetime,
    received_at: datetime,
) -> FileOutcome:
    meta = sub.meta
    # No date in the file: the file's modification time stands in, so revisions still order.
    submitted_at = meta.submitted_at or local_naive(item.mtime)
    figures = [
        f if f.submitted_at else dataclasses.replace(f, submitted_at=submitted_at) for f in sub.figures
    ]
    record = FileRecord(
        file_sha256=item.sha256,
        file_name=item.name,
        archive_path=archive_path,
        file_size=len(item.data),
        file_format=meta.file_format,
        encoding=meta.encoding,
        sheet_name=meta.sheet_name,
        reporter_code=meta.reporter_code,
        reporter_raw=meta.reporter_raw,
        reporter_kind=meta.reporter_kind,
        periods=",".join(meta.periods) or None,
        submitted_at=submitted_at,
        received_at=received_at,
        ingested_at=now,
        run_id=run_id,
        status=sub.status,
        reason=None,
        rows_read=meta.rows_read,
        rows_accepted=len(figures),
        rows_rejected=sub.rows_rejected,
        is_synthetic=meta.is_synthetic,
        title_block=meta.title_block,
    )
    load_file(conn, record, figures, sub.rejected)
    return FileOutcome(item.name, item.sha256, sub.status, None, len(figures), sub.rows_rejected)


def _ingest(
    conn: duckdb.DuckDBPyConnection,
    home: DothiHome,
    item: InboxFile,
    ext: str,
    archive_path: str,
    run_id: str,
    now: datetime,
    received_at: datetime,
    reference: Reference,
) -> FileOutcome:
    """Parse archived bytes and load them (or quarantine the file): one transaction in the warehouse."""
    try:
        sub = parse_submission(item.data, item.name, today=now.date(), reference=reference)
    except QuarantineError as error:
        return _quarantine_file(conn, home, item, ext, archive_path, error, run_id, now, received_at)
    except Exception as exc:  # a reader bug on one odd file must not stop the run
        log.exception("unexpected error reading %s", item.name)
        error = QuarantineError(
            f"the file could not be read ({type(exc).__name__}: {exc}); "
            "check it opens in Excel and re-send it as .xlsx"
        )
        return _quarantine_file(conn, home, item, ext, archive_path, error, run_id, now, received_at)
    return _accept_file(conn, item, archive_path, sub, run_id, now, received_at)


def _process(
    conn: duckdb.DuckDBPyConnection,
    home: DothiHome,
    path: Path,
    run_id: str,
    now: datetime,
    reference: Reference,
) -> FileOutcome:
    item = read_inbox_file(path)
    ext = extension_for(item.data)
    archive_path = archive(home, item.data, item.sha256, ext)  # first: nothing is lost from here on
    if already_ingested(conn, item.sha256):
        remove_from_inbox(path)
        return FileOutcome(item.name, item.sha256, "duplicate", "these exact bytes were already received")
    # Journalled before parsing: if this run dies after the inbox file is gone, the next run re-loads it.
    write_pending(home, PendingFile(item.sha256, archive_path, item.name, item.mtime, now, run_id))
    fault_point("intake.after_archive")
    outcome = _ingest(conn, home, item, ext, archive_path, run_id, now, now, reference)
    remove_from_inbox(path)
    fault_point("intake.after_load")
    return outcome


def _recover(
    conn: duckdb.DuckDBPyConnection, home: DothiHome, run_id: str, now: datetime, reference: Reference
) -> list[FileOutcome]:
    """Re-load journalled files that are archived but absent from the warehouse (a run died before it
    published them); drop journal entries the warehouse already holds."""
    outcomes: list[FileOutcome] = []
    done: set[str] = set()
    for entry in read_pending(home):
        if already_ingested(conn, entry.sha256):
            done.add(entry.sha256)
            continue
        try:
            item = read_archived(home, entry)
            ext = "." + entry.archive_path.rsplit(".", 1)[1]
            outcome = _ingest(conn, home, item, ext, entry.archive_path, run_id, now, entry.received_at, reference)
            outcomes.append(dataclasses.replace(outcome, recovered=True))
            log.warning("recovered %s (%s) from the archive journal", entry.file_name, entry.sha256[:12])
        except Exception as exc:  # keep the journal entry: the next run tries again
            log.exception("recovery failed for %s", entry.file_name)
            outcomes.append(
                FileOutcome(entry.file_name, entry.sha256, "error", f"{type(exc).__name__}: {exc}", recovered=True)
            )
    clear_pending(home, done)
    return outcomes


def run_intake(
    home: DothiHome, run_id: str, now: datetime | None = None, warehouse: Path | None = None
) -> IntakeReport:
    """Ingest every file waiting in ``home.inbox`` into the raw tables of the warehouse."""
    home.ensure()
    moment = local_naive(now or datetime.now(VIETNAM))
    reference = load_reference()
    report = IntakeReport(run_id=run_id)
    conn = duckdb.connect(str(warehouse or home.warehouse))
    try:
        ensure_raw_schema(conn)
        for outcome in _recover(conn, home, run_id, moment, reference):
            report.add(outcome)
        for path in list_inbox(home):
            try:
                outcome = _process(conn, home, path, run_id, moment, reference)
            except Exception as exc:  # disk or database trouble: leave the file for the next run
                log.exception("intake failed for %s", path.name)
                outcome = FileOutcome(display_name(path.name), None, "error", f"{type(exc).__name__}: {exc}")
            report.add(outcome)
    finally:
        conn.close()
    return report
