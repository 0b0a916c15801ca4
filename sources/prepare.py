"""One file → what it adds to the raw layer (or why it is quarantined), ready to load.

Pure but for the archive write, so it runs the same in-process or in a worker process (sources/parallel.py):
the result carries column lists rather than thousands of dataclasses, and loads identically either way.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sources.formats import extension_for
from sources.home import DothiHome
from sources.inbox import InboxFile, archive, display_name, read_inbox_file
from sources.load import FileRecord, FileRows, columns
from sources.reference import Reference
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
class IntakeJob:
    """What every file of a run shares."""

    home: DothiHome
    run_id: str
    now: datetime  # naive local time of the run


@dataclass(frozen=True)
class Prepared:
    """One file read, archived (not yet synced) and parsed."""

    name: str  # display name
    path: Path | None  # the inbox file (None when re-read from the archive)
    sha256: str | None  # None: the file could not even be read
    archive_path: str | None
    mtime: datetime | None  # aware (UTC)
    status: str  # accepted | accepted_with_rejections | quarantined | error
    reason: str | None
    rows: FileRows | None = None
    rows_accepted: int = 0
    rows_rejected: int = 0

    @property
    def row_count(self) -> int:
        return self.rows_accepted + self.rows_rejected


def quarantined(
    item: InboxFile, ext: str, archive_path: str, error: QuarantineError, job: IntakeJob, received_at: datetime
) -> Prepared:
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
        ingested_at=job.now,
        run_id=job.run_id,
        status="quarantined",
        reason=error.reason,
        rows_read=None,
        rows_accepted=0,
        rows_rejected=0,
        is_synthetic=None,
        title_block=error.title_block,
    )
    return Prepared(
        item.name, item.path, item.sha256, archive_path, item.mtime, "quarantined", error.reason,
        FileRows(record.row()),
    )


def _accepted(item: InboxFile, archive_path: str, sub: Submission, job: IntakeJob, received_at: datetime) -> Prepared:
    meta = sub.meta
    # No date in the file: the file's modification time stands in, so revisions still order.
    submitted_at = meta.submitted_at or local_naive(item.mtime)
    figures = [f if f.submitted_at else dataclasses.replace(f, submitted_at=submitted_at) for f in sub.figures]
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
        ingested_at=job.now,
        run_id=job.run_id,
        status=sub.status,
        reason=None,
        rows_read=meta.rows_read,
        rows_accepted=len(figures),
        rows_rejected=sub.rows_rejected,
        is_synthetic=meta.is_synthetic,
        title_block=meta.title_block,
    )
    rows = FileRows(record.row(), columns(figures), columns(sub.rejected))
    return Prepared(
        item.name, item.path, item.sha256, archive_path, item.mtime, sub.status, None, rows,
        len(figures), sub.rows_rejected,
    )


def unreadable(exc: BaseException) -> QuarantineError:
    return QuarantineError(
        f"the file could not be read ({type(exc).__name__}: {exc}); check it opens in Excel and re-send it as .xlsx"
    )


def prepare(
    item: InboxFile, ext: str, archive_path: str, job: IntakeJob, received_at: datetime, reference: Reference
) -> Prepared:
    """Parse archived bytes into rows, or into a quarantine record."""
    try:
        sub = parse_submission(item.data, item.name, today=job.now.date(), reference=reference)
    except QuarantineError as error:
        return quarantined(item, ext, archive_path, error, job, received_at)
    except Exception as exc:  # a reader bug on one odd file must not stop the run
        log.exception("unexpected error reading %s", item.name)
        return quarantined(item, ext, archive_path, unreadable(exc), job, received_at)
    return _accepted(item, archive_path, sub, job, received_at)


def read_and_archive(path: Path, job: IntakeJob) -> tuple[InboxFile, str, str]:
    """(file, extension, archive path): the bytes are archived first, nothing is lost from here on
    (durable once the batch is synced, before the inbox file is removed)."""
    item = read_inbox_file(path)
    ext = extension_for(item.data)
    return item, ext, archive(job.home, item.data, item.sha256, ext, sync=False)


def failed(path: Path, exc: BaseException) -> Prepared:
    """Disk trouble (or a file swapped while we looked): the file stays in the inbox for the next run."""
    return Prepared(display_name(path.name), path, None, None, None, "error", f"{type(exc).__name__}: {exc}")


def read_and_prepare(path: Path, job: IntakeJob, reference: Reference) -> Prepared:
    try:
        item, ext, archive_path = read_and_archive(path, job)
    except Exception as exc:
        log.exception("intake failed for %s", path.name)
        return failed(path, exc)
    return prepare(item, ext, archive_path, job, job.now, reference)


def crashed(path: Path, job: IntakeJob, why: str) -> Prepared:
    """The parser took its worker process down on this file: quarantine it (read here, not parsed)."""
    try:
        item, ext, archive_path = read_and_archive(path, job)
    except Exception as exc:
        return failed(path, exc)
    error = QuarantineError(
        f"the file could not be read (the reader crashed on it: {why}); check it opens in Excel and re-send it as .xlsx"
    )
    return quarantined(item, ext, archive_path, error, job, job.now)
