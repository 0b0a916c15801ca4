"""One file → what it adds to the raw layer (or why it is quarantined), ready to load.

Pure but for the archive write, so it runs the same in-process or in a worker process (sources/parallel.py):
the result carries column lists rather than thousands of dataclasses, and loads identically either way.
The bounds of sources/limits.py (file size, cells per sheet, field length) are checked here; the memory
and time limits are the worker's (sources/parallel.py).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sources import limits
from sources.formats import UnreadableFile, extension_for
from sources.home import DothiHome
from sources.inbox import InboxFile, PendingFile, archive, display_name, read_archived, read_inbox_file
from sources.load import FileRecord, FileRows, columns
from sources.reference import Reference
from sources.submission import QuarantineError, Submission, parse_submission
from sources.zip_members import (
    NESTED_ZIP,
    MemberRef,
    member_file,
    no_report_reason,
    ref_from_journal,
    unpack,
    with_container,
)

log = logging.getLogger(__name__)

# Timestamps are stored naive in Vietnam time (UTC+7, no daylight saving): the dates people write
# in their files are local, so mtimes and run times must be on the same clock to compare.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def local_naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


PARSE_FAULT_ENV = "DOTHI_PARSE_FAULT"


def parse_fault(file_name: str) -> None:
    """Fault injection for the isolation tests: ``DOTHI_PARSE_FAULT=<kind>:<file name>[,…]`` makes the
    parse of that one file ``crash`` (abort, as a C reader does), ``hang`` (never return) or ``allocate``
    (ask for more memory than the worker's limit allows; refused outside a memory-limited worker).
    Read at call time; a no-op when unset (see also sources/faults.py)."""
    raw = os.environ.get(PARSE_FAULT_ENV)
    if not raw:
        return
    for spec in raw.split(","):
        kind, _, name = spec.strip().partition(":")
        if name != file_name:
            continue
        if kind == "crash":
            os.abort()
        elif kind == "hang":
            while True:
                time.sleep(3600)
        elif kind == "allocate":
            soft, _ = resource.getrlimit(resource.RLIMIT_AS)
            if soft == resource.RLIM_INFINITY:  # never eat the machine's memory
                raise MemoryError("the allocate fault runs only in a memory-limited worker")
            bytearray(soft)  # the whole allowed address space in one block: refused at once


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
    status: str  # accepted | accepted_with_rejections | quarantined | error | unpacked (a zip) | pending
    reason: str | None
    rows: FileRows | None = None
    rows_accepted: int = 0
    rows_rejected: int = 0
    # A zip of reports ("unpacked"): one item per member, each a submission of its own (path None); a member
    # still to be parsed is "pending" with its ``member``. ``skipped``: (member name, why) not reports.
    members: tuple[Prepared, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    member: MemberRef | None = None
    container: dict[str, str] | None = None  # a member's zip (name, sha256, archive_path, member path)

    @property
    def row_count(self) -> int:
        return self.rows_accepted + self.rows_rejected + sum(m.row_count for m in self.members)

    @property
    def pending(self) -> list[int]:
        """Indexes of the members still to be parsed."""
        return [i for i, m in enumerate(self.members) if m.status == "pending"]

    @property
    def units(self) -> tuple[Prepared, ...]:
        """What is loaded and counted: the members of a zip, else the file itself."""
        return self.members if self.status == "unpacked" else (self,)


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
        submitted_at=min(local_naive(item.mtime), job.now),
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


def _mtime_at_most_now(item: InboxFile, job: IntakeJob, title_block: dict[str, object]) -> datetime:
    mtime = local_naive(item.mtime)
    if mtime <= job.now:
        return mtime
    title_block["_submitted_at_clamped"] = (
        f"the file's modification time {mtime:%Y-%m-%d %H:%M} is after the ingestion time; "
        f"{job.now:%Y-%m-%d %H:%M} is used"
    )
    return job.now


def _accepted(item: InboxFile, archive_path: str, sub: Submission, job: IntakeJob, received_at: datetime) -> Prepared:
    meta = sub.meta
    # No date in the file: the file's modification time stands in, so revisions still order; a clock set to
    # 2099 must not keep this version current over every later correction.
    submitted_at = meta.submitted_at or _mtime_at_most_now(item, job, meta.title_block)
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


ZIP_BASED = (".xlsx", ".zip")  # bounded by sources/formats/zipguard.py rather than by their size on disk


def _input_reason(item: InboxFile, ext: str) -> str | None:
    """Why the file is refused before it is parsed (size, declared sheet size), or None."""
    if ext not in ZIP_BASED and (reason := limits.file_size_reason(len(item.data))):
        return reason
    if ext == ".xlsx":
        return limits.sheet_cells_reason(item.data)
    return None


def _longest_field(sub: Submission) -> tuple[int | None, int]:
    """(row, length) of the longest text that storing this submission would keep."""
    best: tuple[int | None, int] = (None, 0)

    def see(row: int | None, text: str | None) -> None:
        nonlocal best
        if text is not None and len(text) > best[1]:
            best = (row, len(text))

    meta = sub.meta
    see(None, meta.reporter_raw)
    for value in (meta.title_block or {}).values():
        see(None, value if isinstance(value, str) else None)
    for f in sub.figures:
        for text in (f.note, f.value_raw, f.unit):
            see(f.row_number, text)
    for r in sub.rejected:
        see(r.row_number, r.value_raw)
        see(r.row_number, r.reason)
        if r.row_data is not None and len(r.row_data) > best[1]:  # the row as JSON: its fields, one by one
            try:
                fields = json.loads(r.row_data)
            except ValueError:
                fields = {}
            for text in (fields.values() if isinstance(fields, dict) else fields):
                see(r.row_number, text if isinstance(text, str) else None)
    return best


def _unpacked(item: InboxFile, archive_path: str, job: IntakeJob, received_at: datetime) -> Prepared:
    """A zip of reports: the archive checked whole, its members archived, each to be parsed on its own."""
    try:
        found = unpack(job.home, item, archive_path, received_at)
    except UnreadableFile as exc:
        error = QuarantineError(exc.reason, file_format="zip")
        return quarantined(item, ".zip", archive_path, error, job, received_at)
    except Exception as exc:
        log.exception("could not unpack %s", item.name)
        return quarantined(item, ".zip", archive_path, unreadable(exc), job, received_at)
    if not found.members and not found.refused:
        error = QuarantineError(no_report_reason(found.skipped), file_format="zip")
        return quarantined(item, ".zip", archive_path, error, job, received_at)
    members: list[Prepared] = []
    for file, ext, rel, reason in found.refused:
        refused = quarantined(file, ext, rel, QuarantineError(reason), job, received_at)
        container = {"name": item.name, "sha256": item.sha256, "archive_path": archive_path,
                     "member": file.name.split("!", 1)[1]}
        members.append(_in_container(refused, container))
    for ref in found.members:
        members.append(Prepared(ref.name, None, ref.sha256, ref.archive_path, ref.mtime, "pending", None,
                                member=ref))
    members.sort(key=lambda m: m.name)
    return Prepared(item.name, item.path, item.sha256, archive_path, item.mtime, "unpacked", None,
                    members=tuple(members), skipped=tuple(found.skipped))


def _in_container(prepared: Prepared, container: dict[str, str]) -> Prepared:
    """A member's result: not an inbox file (path None), its archive named in its title block."""
    rows = prepared.rows
    if rows is not None:
        rows = dataclasses.replace(rows, submission=with_container(rows.submission, container))
    return dataclasses.replace(prepared, path=None, rows=rows, member=None, container=container)


def prepare_member(ref: MemberRef, job: IntakeJob, reference: Reference) -> Prepared:
    """One member of a zip, parsed as a file (in its own worker task: the same bounds as a file)."""
    try:
        item = member_file(job.home, ref)
    except Exception as exc:
        log.exception("could not read the archived member %s", ref.name)
        return Prepared(ref.name, None, ref.sha256, ref.archive_path, ref.mtime, "error",
                        f"{type(exc).__name__}: {exc}")
    if ref.ext == ".zip":  # a zip inside a zip (re-read from the journal): refused again, never opened
        prepared = quarantined(item, ref.ext, ref.archive_path, QuarantineError(NESTED_ZIP), job, ref.received_at)
    else:
        prepared = prepare(item, ref.ext, ref.archive_path, job, ref.received_at, reference)
    return _in_container(prepared, ref.container())


def member_crashed(ref: MemberRef, job: IntakeJob, reason: str) -> Prepared:
    """``crashed`` for a member of a zip: quarantined with ``reason``, the other members unaffected."""
    try:
        item = member_file(job.home, ref)
    except Exception as exc:
        return Prepared(ref.name, None, ref.sha256, ref.archive_path, ref.mtime, "error",
                        f"{type(exc).__name__}: {exc}")
    prepared = quarantined(item, ref.ext, ref.archive_path, QuarantineError(reason), job, ref.received_at)
    return _in_container(prepared, ref.container())


def prepare(
    item: InboxFile, ext: str, archive_path: str, job: IntakeJob, received_at: datetime, reference: Reference
) -> Prepared:
    """Parse archived bytes into rows, or into a quarantine record (a zip of reports: ``_unpacked``)."""
    if ext == ".zip":
        return _unpacked(item, archive_path, job, received_at)
    if reason := _input_reason(item, ext):
        return quarantined(item, ext, archive_path, QuarantineError(reason), job, received_at)
    try:
        parse_fault(item.name)  # tests: a reader that crashes, hangs or runs out of memory on this file
        sub = parse_submission(item.data, item.name, today=job.now.date(), reference=reference, now=job.now)
    except QuarantineError as error:
        return quarantined(item, ext, archive_path, error, job, received_at)
    except MemoryError as exc:  # the worker's address-space limit (sources/parallel.py) stopped the reader
        log.error("the reader ran out of memory on %s", item.name)
        oom = QuarantineError(limits.out_of_memory_reason(str(exc)))
        return quarantined(item, ext, archive_path, oom, job, received_at)
    except Exception as exc:  # a reader bug on one odd file must not stop the run
        log.exception("unexpected error reading %s", item.name)
        return quarantined(item, ext, archive_path, unreadable(exc), job, received_at)
    row, length = _longest_field(sub)
    if reason := limits.field_length_reason(row, length):
        return quarantined(item, ext, archive_path, QuarantineError(reason), job, received_at)
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


def _too_large_to_read(path: Path) -> str | None:
    """A file over the size limit and too large to hold in a worker's memory is not read at all (it
    stays in the inbox, named, until someone removes it); a smaller oversized one is archived and
    quarantined with the size reason (``prepare``)."""
    try:
        size = path.lstat().st_size
    except OSError:
        return None  # read_inbox_file says what is wrong
    memory = limits.parse_memory_bytes()
    if limits.file_size_reason(size) is None or memory is None or size * 2 <= memory:
        return None
    return f"{limits.file_size_reason(size)}; it is too large even to archive, so it stays in the inbox: remove it"


def read_and_prepare(path: Path, job: IntakeJob, reference: Reference) -> Prepared:
    if reason := _too_large_to_read(path):
        log.error("%s: %s", path.name, reason)
        return Prepared(display_name(path.name), path, None, None, None, "error", reason)
    try:
        item, ext, archive_path = read_and_archive(path, job)
    except Exception as exc:
        log.exception("intake failed for %s", path.name)
        return failed(path, exc)
    return prepare(item, ext, archive_path, job, job.now, reference)


def crashed(path: Path, job: IntakeJob, reason: str) -> Prepared:
    """The parse of this file took its worker down, ran out of memory or ran out of time: quarantine it
    with ``reason`` (read and archived here, never parsed)."""
    if too_large := _too_large_to_read(path):
        return Prepared(display_name(path.name), path, None, None, None, "error", too_large)
    try:
        item, ext, archive_path = read_and_archive(path, job)
    except Exception as exc:
        return failed(path, exc)
    return quarantined(item, ext, archive_path, QuarantineError(reason), job, job.now)


def _journalled_ext(entry: PendingFile) -> str:
    return "." + entry.archive_path.rsplit(".", 1)[1]


def _unrecoverable(entry: PendingFile, exc: BaseException) -> Prepared:
    """Keep the journal entry: the next run tries again."""
    return Prepared(entry.file_name, None, entry.sha256, entry.archive_path, entry.mtime, "error",
                    f"{type(exc).__name__}: {exc}")


def read_journalled(entry: PendingFile, job: IntakeJob, reference: Reference) -> Prepared:
    """A journalled file (archived by a run that died before publishing), re-read from the archive."""
    if entry.container:  # a member of a zip: parsed as it was the first time
        ref = ref_from_journal(entry.container, entry.sha256, entry.archive_path, entry.file_name, entry.mtime,
                               entry.received_at)
        return prepare_member(ref, job, reference)
    try:
        item = read_archived(job.home, entry)
    except Exception as exc:
        log.exception("recovery failed for %s", entry.file_name)
        return _unrecoverable(entry, exc)
    prepared = prepare(item, _journalled_ext(entry), entry.archive_path, job, entry.received_at, reference)
    return dataclasses.replace(prepared, path=None)


def journalled_crashed(entry: PendingFile, job: IntakeJob, reason: str) -> Prepared:
    """``crashed`` for a journalled file."""
    if entry.container:
        ref = ref_from_journal(entry.container, entry.sha256, entry.archive_path, entry.file_name, entry.mtime,
                               entry.received_at)
        return member_crashed(ref, job, reason)
    try:
        item = read_archived(job.home, entry)
    except Exception as exc:
        return _unrecoverable(entry, exc)
    prepared = quarantined(
        item, _journalled_ext(entry), entry.archive_path, QuarantineError(reason), job, entry.received_at
    )
    return dataclasses.replace(prepared, path=None)
