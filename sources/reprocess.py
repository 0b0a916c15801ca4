"""Recover rejected rows from the archive: the rows a fix (an alias, a new unit, a corrected range) now lets in.

Intake ingests identical bytes once, so adding an alias does not by itself bring back the rows already
refused. This re-reads, from ``archive/``, the files that still have rejected rows not yet recovered, parses
them as intake did (the same reader, the original ingestion time as "now" and the original submission time,
so periods and dates read as they did), and loads only the rows that were rejected before and now become
figures: never a row already accepted, never a second copy. The identity rule is bypassed deliberately for
these files only: no raw.submissions row is added, the figures carry the original file's lineage (same
file_sha256, file name, sheet, row number, submitted_at); ``ingested_at``/``run_id`` are the recovering run's.
Each recovered row gets one raw.recovered_rows entry (append-only), which is what closes its
INTAKE_ROW_REJECTED findings in dbt and keeps a second pass from recovering it again.

Quarantined files too: a file quarantined for a reason the reference data can fix (its reporter, in the title
block or the reporter column, was unknown: ``FIXABLE_QUARANTINE``) is re-read from ``archive/`` (intake archives
every file before it quarantines it; ``quarantine/`` holds a copy for people) the same way. When it now reads
as accepted (or accepted with rejections), its state goes to raw.recovered_files (append-only, one row per
file: the raw.submissions row stays 'quarantined' and staging takes the latest state), its figures and rejected
rows to raw.figures / raw.rejected_rows with its own lineage; FILE_QUARANTINED then resolves in dbt. A file
quarantined because it is unreadable, too large, or crashed its reader is never re-read here: no seed can fix
it. Once published, ``file_away_quarantine_copies`` moves the copies of recovered files to
``quarantine/recovered/`` (kept, never deleted: the archive holds the same bytes).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.home import DothiHome
from sources.inbox import InboxFile, sha256_hex
from sources.load import FIGURE_SCHEMA, REJECTED_SCHEMA, SUBMISSION_SCHEMA, FileRows, ensure_raw_schema
from sources.load import _batch_table as batch_table
from sources.prepare import VIETNAM, IntakeJob, Prepared, prepare
from sources.recovered_rows import has_recovered_files_table, recovered_files, recovered_keys
from sources.reference import Reference, load_reference
from sources.zip_members import with_container

log = logging.getLogger(__name__)

RECOVERED_SCHEMA = pa.schema(
    [
        ("file_sha256", pa.string()),
        ("file_name", pa.string()),
        ("sheet_name", pa.string()),
        ("row_number", pa.int32()),
        ("rejected_fields", pa.string()),
        ("recovered_at", pa.timestamp("us")),
        ("run_id", pa.string()),
    ]
)

RECOVERED_FILE_SCHEMA = pa.schema(
    [
        *SUBMISSION_SCHEMA,
        ("previous_status", pa.string()),
        ("previous_reason", pa.string()),
        ("recovered_at", pa.timestamp("us")),
        ("recovered_run_id", pa.string()),
    ]
)

# The quarantine reasons a change of the seeds can fix (sources/submission.py `_file_reporter`): an unknown or
# ambiguous reporter. Every other reason (unreadable, no data rows, limits, a crashed reader...) stays.
FIXABLE_QUARANTINE = ("reporter in the title block:", "reporter column:")


@dataclass(frozen=True)
class RecoveredFile:
    file_name: str
    file_sha256: str
    rows_recovered: int
    rows_still_rejected: int
    note: str | None = None  # why the file could not be re-read (it is left as it was)
    kind: str = "rows"  # rows: rejected rows of an accepted file | file: a quarantined file
    status: str | None = None  # a quarantined file: its status now (accepted...), None when left quarantined


@dataclass
class ReprocessReport:
    run_id: str
    dry_run: bool
    files_read: int = 0
    rows_recovered: int = 0
    rows_still_rejected: int = 0
    quarantined_read: int = 0  # quarantined files re-read
    files_recovered: int = 0  # of them, accepted now
    files_still_quarantined: int = 0
    files: list[RecoveredFile] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "dry_run": self.dry_run, "files_read": self.files_read,
            "rows_recovered": self.rows_recovered, "rows_still_rejected": self.rows_still_rejected,
            "quarantined_read": self.quarantined_read, "files_recovered": self.files_recovered,
            "files_still_quarantined": self.files_still_quarantined,
            "files": [f.__dict__ for f in self.files],
        }


@dataclass(frozen=True)
class _Candidate:
    sha256: str
    file_name: str
    archive_path: str | None
    sheet_name: str | None
    submitted_at: datetime | None
    received_at: datetime | None
    ingested_at: datetime
    rows: dict[int, str]  # rejected row number → its rejected fields, comma-separated


def _candidates(conn: duckdb.DuckDBPyConnection) -> list[_Candidate]:
    """Files with rejected rows that are neither recovered nor accepted since (oldest first). A warehouse
    published before raw.recovered_rows existed (a dry run does not create it) has recovered nothing."""
    with recovered_keys(conn), recovered_files(conn):
        found = conn.execute(
            """
            select s.file_sha256, s.file_name, s.archive_path, s.sheet_name, s.submitted_at, s.received_at,
                   s.ingested_at, r.row_number, string_agg(distinct r.field, ',' order by r.field)
            from raw.rejected_rows r
            join (select file_sha256, file_name, archive_path, sheet_name, submitted_at, received_at, ingested_at
                  from raw.submissions
                  where status = 'accepted_with_rejections'
                  union all
                  select file_sha256, file_name, archive_path, sheet_name, submitted_at, received_at, ingested_at
                  from _recovered_files
                  where status = 'accepted_with_rejections') s using (file_sha256)
            where not exists (select 1 from _recovered_keys v
                              where v.file_sha256 = r.file_sha256 and v.row_number = r.row_number)
              and not exists (select 1 from raw.figures f
                              where f.file_sha256 = r.file_sha256 and f.row_number = r.row_number)
            group by all
            order by s.ingested_at, s.file_sha256, r.row_number
            """
        ).fetchall()
    by_file: dict[str, _Candidate] = {}
    for sha, name, archive_path, sheet, submitted, received, ingested, row, fields in found:
        if sha not in by_file:
            by_file[sha] = _Candidate(sha, name, archive_path, sheet, submitted, received, ingested, {})
        by_file[sha].rows[int(row)] = fields
    return list(by_file.values())


def _aware(moment: datetime) -> datetime:
    """A naive Vietnam time as an aware UTC one (the clock of ``InboxFile.mtime``)."""
    return moment.replace(tzinfo=VIETNAM).astimezone(UTC)


def _prepare_archived(
    home: DothiHome, sha: str, file_name: str, archive_path: str | None, submitted_at: datetime | None,
    received_at: datetime | None, ingested_at: datetime, run_id: str | None, reference: Reference,
) -> tuple[Prepared | None, str | None]:
    """The archived file as intake reads it today (``run_id`` stamps its submission record), or why not."""
    if not archive_path:
        return None, "the file has no archived copy"
    try:
        data = (home.root / archive_path).read_bytes()
    except OSError as exc:
        return None, f"the archived copy cannot be read ({type(exc).__name__}: {exc})"
    if sha256_hex(data) != sha:
        return None, f"the archived bytes of {archive_path} do not match their hash"
    # The original ingestion time as "now" and the original submission time as the file's mtime: the file
    # reads as it did (periods, clamped dates, the submitted_at fallback), only the reference has changed.
    mtime = _aware(submitted_at or ingested_at)
    item = InboxFile(Path(archive_path), file_name, data, sha, mtime)
    job = IntakeJob(home, run_id or "", ingested_at)
    ext = "." + archive_path.rsplit(".", 1)[1]
    return prepare(item, ext, archive_path, job, received_at or ingested_at, reference), None


def _reread(home: DothiHome, cand: _Candidate, run_id: str, reference: Reference) -> tuple[pa.Table | None, str | None]:
    """The file's figures as intake reads them today, or why it could not be re-read."""
    prepared, why = _prepare_archived(home, cand.sha256, cand.file_name, cand.archive_path, cand.submitted_at,
                                      cand.received_at, cand.ingested_at, run_id, reference)
    if prepared is None:
        return None, why
    if prepared.rows is None or prepared.status not in ("accepted", "accepted_with_rejections"):
        return None, f"the file no longer reads as it did ({prepared.status}: {prepared.reason})"
    if prepared.rows.submission.get("sheet_name") != cand.sheet_name:
        return None, "the file reads from another sheet than it did: left as it was"
    figures = prepared.rows.figures
    if not figures:
        return pa.Table.from_pylist([], schema=FIGURE_SCHEMA), None
    count = len(figures["row_number"])
    lineage = {"file_sha256": [cand.sha256] * count, "file_name": [cand.file_name] * count,
               "sheet_name": [cand.sheet_name] * count}
    columns = {**figures, **lineage, "ingested_at": [None] * count, "run_id": [None] * count}
    return pa.table({c.name: pa.array(columns[c.name], type=c.type) for c in FIGURE_SCHEMA}, schema=FIGURE_SCHEMA), None


@dataclass(frozen=True)
class _Quarantined:
    sha256: str
    file_name: str
    archive_path: str | None
    submitted_at: datetime | None
    received_at: datetime | None
    ingested_at: datetime
    run_id: str | None
    reason: str | None
    title_block: str | None


def _quarantined_candidates(conn: duckdb.DuckDBPyConnection) -> list[_Quarantined]:
    """Quarantined files not yet recovered whose reason the seeds can fix (oldest first)."""
    with recovered_files(conn):
        found = conn.execute(
            """
            select s.file_sha256, s.file_name, s.archive_path, s.submitted_at, s.received_at, s.ingested_at,
                   s.run_id, s.reason, s.title_block
            from raw.submissions s
            where s.status = 'quarantined'
              and not exists (select 1 from _recovered_files v where v.file_sha256 = s.file_sha256)
            order by s.ingested_at, s.file_sha256
            """
        ).fetchall()
    return [_Quarantined(*row) for row in found if (row[7] or "").startswith(FIXABLE_QUARANTINE)]


def _with_original_container(submission: dict[str, object], title_block: str | None) -> dict[str, object]:
    """A zip member keeps the record of its zip (``_zip_archive``) from its first reading."""
    try:
        before = json.loads(title_block or "{}")
    except ValueError:
        return submission
    if not isinstance(before, dict) or "_zip_archive" not in before:
        return submission
    return with_container(submission, before["_zip_archive"])


def _reread_quarantined(
    home: DothiHome, cand: _Quarantined, run_id: str, now: datetime, reference: Reference
) -> tuple[dict[str, object] | None, FileRows | None, str | None]:
    """(raw.recovered_files row, its rows stamped by this run) when the file reads as accepted now, else why not.
    The record keeps the first arrival's lineage (times, run); the rows carry the recovering run's."""
    prepared, why = _prepare_archived(home, cand.sha256, cand.file_name, cand.archive_path, cand.submitted_at,
                                      cand.received_at, cand.ingested_at, cand.run_id, reference)
    if prepared is None or prepared.rows is None:
        return None, None, why or "the file could not be re-read"
    if prepared.status not in ("accepted", "accepted_with_rejections"):
        return None, None, f"still {prepared.status}: {prepared.reason}"
    submission = _with_original_container(prepared.rows.submission, cand.title_block)
    record = {**submission, "previous_status": "quarantined", "previous_reason": cand.reason,
              "recovered_at": now, "recovered_run_id": run_id}
    stamped = FileRows({**submission, "ingested_at": now, "run_id": run_id}, prepared.rows.figures,
                       prepared.rows.rejected)
    return record, stamped, None


def recover_rejected_rows(
    warehouse: Path, home: DothiHome, run_id: str, now: datetime, *, dry_run: bool = False,
    reference: Reference | None = None,
) -> ReprocessReport:
    """Re-read the archived files with open rejections; load the rows that now resolve (unless ``dry_run``).

    ``now``: naive Vietnam time of the recovering run. The caller holds the single-writer lock when writing."""
    reference = reference or load_reference()
    report = ReprocessReport(run_id, dry_run)
    conn = duckdb.connect(str(warehouse), read_only=dry_run)
    try:
        if not dry_run:
            ensure_raw_schema(conn)
        return _recover(conn, home, run_id, now, reference, report)
    finally:
        conn.close()


def _recover(
    conn: duckdb.DuckDBPyConnection, home: DothiHome, run_id: str, now: datetime, reference: Reference,
    report: ReprocessReport,
) -> ReprocessReport:
    recovered_figures: list[pa.Table] = []
    recovered_rows: list[dict[str, object]] = []
    for cand in _candidates(conn):
        report.files_read += 1
        table, why = _reread(home, cand, run_id, reference)
        if table is None:
            log.warning("reprocess: %s (%s): %s", cand.file_name, cand.sha256[:12], why)
            report.files.append(RecoveredFile(cand.file_name, cand.sha256, 0, len(cand.rows), why))
            report.rows_still_rejected += len(cand.rows)
            continue
        rows = table.column("row_number").to_pylist()
        keep = [i for i, row in enumerate(rows) if row in cand.rows]  # rejected before, a figure now
        table = table.take(pa.array(keep, type=pa.int64()))
        table = table.set_column(table.schema.get_field_index("ingested_at"), "ingested_at",
                                 pa.array([now] * len(keep), type=pa.timestamp("us")))
        table = table.set_column(table.schema.get_field_index("run_id"), "run_id",
                                 pa.array([run_id] * len(keep), type=pa.string()))
        got = {rows[i] for i in keep}
        for row in sorted(got):
            recovered_rows.append({"file_sha256": cand.sha256, "file_name": cand.file_name,
                                   "sheet_name": cand.sheet_name, "row_number": row,
                                   "rejected_fields": cand.rows[row], "recovered_at": now, "run_id": run_id})
        recovered_figures.append(table)
        report.rows_recovered += len(got)
        report.rows_still_rejected += len(cand.rows) - len(got)
        report.files.append(RecoveredFile(cand.file_name, cand.sha256, len(got), len(cand.rows) - len(got)))
    records, files = _recover_quarantined(conn, home, run_id, now, reference, report)
    if not report.dry_run and (recovered_rows or records):
        figures = pa.concat_tables([*recovered_figures, batch_table(FIGURE_SCHEMA, files, "figures")])
        _load(conn, {
            "raw.figures": figures,
            "raw.rejected_rows": batch_table(REJECTED_SCHEMA, files, "rejected"),
            "raw.recovered_rows": pa.Table.from_pylist(recovered_rows, schema=RECOVERED_SCHEMA),
            "raw.recovered_files": pa.Table.from_pylist(records, schema=RECOVERED_FILE_SCHEMA),
        })
    return report


def _recover_quarantined(
    conn: duckdb.DuckDBPyConnection, home: DothiHome, run_id: str, now: datetime, reference: Reference,
    report: ReprocessReport,
) -> tuple[list[dict[str, object]], list[FileRows]]:
    """The quarantined files that read as accepted now: their raw.recovered_files rows, and their rows."""
    records: list[dict[str, object]] = []
    files: list[FileRows] = []
    for cand in _quarantined_candidates(conn):
        report.quarantined_read += 1
        record, rows, why = _reread_quarantined(home, cand, run_id, now, reference)
        if record is None or rows is None:
            log.info("reprocess: %s (%s) stays quarantined: %s", cand.file_name, cand.sha256[:12], why)
            report.files_still_quarantined += 1
            report.files.append(RecoveredFile(cand.file_name, cand.sha256, 0, 0, why, kind="file"))
            continue
        accepted, rejected = (n if isinstance(n := record[k], int) else 0 for k in ("rows_accepted", "rows_rejected"))
        report.files_recovered += 1
        report.files.append(RecoveredFile(cand.file_name, cand.sha256, accepted, rejected, kind="file",
                                          status=str(record["status"])))
        records.append(record)
        files.append(rows)
    return records, files


def _load(conn: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Figures, rejected rows and recovery marks in one transaction: recovered once, or not at all. Each
    target is a literal here; its rows come from the Arrow table registered under a fixed view name."""
    views = {target: "_reprocess_" + target.split(".")[1] for target in tables}
    for target, table in tables.items():
        conn.register(views[target], table)
    try:
        conn.execute("begin transaction")
        try:
            for target, view in views.items():
                if tables[target].num_rows:
                    cols = ", ".join(tables[target].schema.names)
                    conn.execute(f"insert into {target} ({cols}) select {cols} from {view}")
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    finally:
        for view in views.values():
            conn.unregister(view)


def file_away_quarantine_copies(home: DothiHome, warehouse: Path) -> list[str]:
    """Move the quarantine/ copies of the files the published warehouse has recovered to quarantine/recovered/
    (with a line in their reason note): quarantine/ then lists only what still waits for a person. Nothing is
    deleted, and the archive keeps the same bytes. Idempotent; run after a publish, under the lock."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        found = conn.execute(
            "select file_sha256, recovered_at from raw.recovered_files"
        ).fetchall() if has_recovered_files_table(conn) else []
    moved: list[str] = []
    target = home.quarantine / "recovered"
    for sha, recovered_at in found:
        copies = sorted(p for p in home.quarantine.glob(f"{sha}*") if p.is_file())
        if not copies:
            continue
        target.mkdir(parents=True, exist_ok=True)
        for path in copies:
            if path.name.endswith(".reason.txt"):
                with path.open("a", encoding="utf-8") as note:
                    note.write(f"recovered: {recovered_at} by `dothi reprocess` (raw.recovered_files)\n")
            path.replace(target / path.name)
            moved.append(path.name)
    return moved
