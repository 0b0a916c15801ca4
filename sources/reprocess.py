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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.home import DothiHome
from sources.inbox import InboxFile, sha256_hex
from sources.load import FIGURE_SCHEMA, ensure_raw_schema
from sources.prepare import VIETNAM, IntakeJob, prepare
from sources.recovered_rows import recovered_keys
from sources.reference import Reference, load_reference

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




@dataclass(frozen=True)
class RecoveredFile:
    file_name: str
    file_sha256: str
    rows_recovered: int
    rows_still_rejected: int
    note: str | None = None  # why the file could not be re-read (it is left as it was)


@dataclass
class ReprocessReport:
    run_id: str
    dry_run: bool
    files_read: int = 0
    rows_recovered: int = 0
    rows_still_rejected: int = 0
    files: list[RecoveredFile] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "dry_run": self.dry_run, "files_read": self.files_read,
            "rows_recovered": self.rows_recovered, "rows_still_rejected": self.rows_still_rejected,
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
    with recovered_keys(conn):
        found = conn.execute(
            """
            select s.file_sha256, s.file_name, s.archive_path, s.sheet_name, s.submitted_at, s.received_at,
                   s.ingested_at, r.row_number, string_agg(distinct r.field, ',' order by r.field)
            from raw.rejected_rows r
            join raw.submissions s using (file_sha256)
            where s.status = 'accepted_with_rejections'
              and not exists (select 1 from _recovered_keys v
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


def _reread(home: DothiHome, cand: _Candidate, run_id: str, reference: Reference) -> tuple[pa.Table | None, str | None]:
    """The file's figures as intake reads them today, or why it could not be re-read."""
    if not cand.archive_path:
        return None, "the file has no archived copy"
    path = home.root / cand.archive_path
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"the archived copy cannot be read ({type(exc).__name__}: {exc})"
    if sha256_hex(data) != cand.sha256:
        return None, f"the archived bytes of {cand.archive_path} do not match their hash"
    # The original ingestion time as "now" and the original submission time as the file's mtime: the file
    # reads as it did (periods, clamped dates, the submitted_at fallback), only the reference has changed.
    mtime = _aware(cand.submitted_at or cand.ingested_at)
    item = InboxFile(Path(cand.archive_path), cand.file_name, data, cand.sha256, mtime)
    job = IntakeJob(home, run_id, cand.ingested_at)
    ext = "." + cand.archive_path.rsplit(".", 1)[1]
    prepared = prepare(item, ext, cand.archive_path, job, cand.received_at or cand.ingested_at, reference)
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
    if not report.dry_run and recovered_rows:
        _load(conn, pa.concat_tables(recovered_figures), pa.Table.from_pylist(recovered_rows, schema=RECOVERED_SCHEMA))
    return report


def _load(conn: duckdb.DuckDBPyConnection, figures: pa.Table, recovered: pa.Table) -> None:
    """The figures and their recovery marks in one transaction: a row is recovered once, or not at all."""
    conn.register("_reprocess_figures", figures)
    conn.register("_reprocess_recovered", recovered)
    try:
        conn.execute("begin transaction")
        try:
            cols = ", ".join(figures.schema.names)
            conn.execute(f"insert into raw.figures ({cols}) select {cols} from _reprocess_figures")
            cols = ", ".join(recovered.schema.names)
            conn.execute(f"insert into raw.recovered_rows ({cols}) select {cols} from _reprocess_recovered")
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    finally:
        conn.unregister("_reprocess_figures")
        conn.unregister("_reprocess_recovered")
