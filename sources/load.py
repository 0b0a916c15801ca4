"""Write submissions into the DuckDB raw layer (append-only), one transaction per batch of files.

A file's rows travel as plain column lists (from wherever it was parsed, possibly a worker process); a
batch becomes one Arrow table per raw table, inserted with one ``insert … select`` each, in one
transaction. No SQL is ever built from submitted text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime

import duckdb
import pyarrow as pa

from sources.raw_schema import ALL_DDL, MIGRATIONS, RAW_SCHEMA
from sources.submission import Figure, RejectedRow


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    for ddl in ALL_DDL:
        conn.execute(ddl)
    for ddl in MIGRATIONS:  # a warehouse created before these columns existed gets them in place
        conn.execute(ddl)


def ingested_shas(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Every file hash the warehouse holds: read once per run instead of one select per file."""
    return {sha for (sha,) in conn.execute("select file_sha256 from raw.submissions").fetchall()}


@dataclass(frozen=True)
class FileRecord:
    """One raw.submissions row."""

    file_sha256: str
    file_name: str
    archive_path: str | None
    file_size: int
    file_format: str | None
    encoding: str | None
    sheet_name: str | None
    reporter_code: str | None
    reporter_raw: str | None
    reporter_kind: str | None
    periods: str | None
    submitted_at: datetime | None
    received_at: datetime
    ingested_at: datetime
    run_id: str | None
    status: str
    reason: str | None
    rows_read: int | None
    rows_accepted: int | None
    rows_rejected: int | None
    is_synthetic: bool | None
    title_block: dict[str, object] | None

    def row(self) -> dict[str, object]:
        """As a raw.submissions row (the title block as JSON text)."""
        out = dict(self.__dict__)
        if self.title_block is not None:
            out["title_block"] = json.dumps(self.title_block, ensure_ascii=False)
        return out


_TS = pa.timestamp("us")
SUBMISSION_SCHEMA = pa.schema(
    [
        ("file_sha256", pa.string()),
        ("file_name", pa.string()),
        ("archive_path", pa.string()),
        ("file_size", pa.int64()),
        ("file_format", pa.string()),
        ("encoding", pa.string()),
        ("sheet_name", pa.string()),
        ("reporter_code", pa.string()),
        ("reporter_raw", pa.string()),
        ("reporter_kind", pa.string()),
        ("periods", pa.string()),
        ("submitted_at", _TS),
        ("received_at", _TS),
        ("ingested_at", _TS),
        ("run_id", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("rows_read", pa.int32()),
        ("rows_accepted", pa.int32()),
        ("rows_rejected", pa.int32()),
        ("is_synthetic", pa.bool_()),
        ("title_block", pa.string()),
    ]
)
_LINEAGE = [
    ("file_sha256", pa.string()),
    ("file_name", pa.string()),
    ("sheet_name", pa.string()),
]
_STAMP = [("ingested_at", _TS), ("run_id", pa.string())]
FIGURE_SCHEMA = pa.schema(
    [
        *_LINEAGE,
        ("row_number", pa.int32()),
        ("reporter_code", pa.string()),
        ("reporter_kind", pa.string()),
        ("locality_code", pa.string()),
        ("locality_key", pa.string()),
        ("locality_reading", pa.string()),
        ("indicator_code", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("note", pa.string()),
        ("value_raw", pa.string()),
        ("number_reading", pa.string()),
        ("submitted_at", _TS),
        *_STAMP,
    ]
)
REJECTED_SCHEMA = pa.schema(
    [
        *_LINEAGE,
        ("row_number", pa.int32()),
        ("field", pa.string()),
        ("value_raw", pa.string()),
        ("reason", pa.string()),
        ("suggestion", pa.string()),
        ("row_data", pa.string()),
        ("reporter_code", pa.string()),
        ("period", pa.string()),
        *_STAMP,
    ]
)


Columns = dict[str, list[object]]
_LINEAGE_COLUMNS = ("file_sha256", "file_name", "sheet_name", "ingested_at", "run_id")  # from the submission row


def columns(items: Sequence[Figure] | Sequence[RejectedRow]) -> Columns:
    """A file's rows as one list per field: cheap to pickle from a worker, and Arrow is then built once
    per batch (a few large arrays) instead of once per file (thousands of tiny ones)."""
    if not items:
        return {}
    names = [f.name for f in fields(items[0])]
    return dict(zip(names, map(list, zip(*(item.__dict__.values() for item in items), strict=True)), strict=True))


@dataclass(frozen=True)
class FileRows:
    """What one file adds to the raw layer."""

    submission: dict[str, object]  # FileRecord.row()
    figures: Columns = field(default_factory=dict)  # columns(figures)
    rejected: Columns = field(default_factory=dict)  # columns(rejected rows)


def _batch_table(schema: pa.Schema, files: Sequence[FileRows], part: str) -> pa.Table:
    """The batch's rows of one raw table; the lineage columns repeat each file's submission values."""
    parts = [(f.submission, getattr(f, part)) for f in files]
    counts = [len(next(iter(cols.values()), ())) for _, cols in parts]
    arrays = []
    for column in schema:
        values: list[object] = []
        for (submission, cols), count in zip(parts, counts, strict=True):
            if count:
                values += [submission[column.name]] * count if column.name in _LINEAGE_COLUMNS else cols[column.name]
        arrays.append(pa.array(values, type=column.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _view(target: str) -> str:
    return f"_intake_{target.replace('.', '_')}"


def _insert(conn: duckdb.DuckDBPyConnection, target: str, table: pa.Table) -> None:
    """``target`` is a literal at every call; the rows come from the table registered as its view."""
    if table.num_rows:
        cols, view = ", ".join(table.schema.names), _view(target)
        conn.execute(f"insert into {target} ({cols}) select {cols} from {view}")


def load_batch(conn: duckdb.DuckDBPyConnection, files: Sequence[FileRows]) -> None:
    """Insert the files' submission rows, figures and rejected rows in one transaction (all or none)."""
    if not files:
        return
    submissions = pa.Table.from_pylist([f.submission for f in files], schema=SUBMISSION_SCHEMA)
    figures = _batch_table(FIGURE_SCHEMA, files, "figures")
    rejected = _batch_table(REJECTED_SCHEMA, files, "rejected")
    tables = {"raw.submissions": submissions, "raw.figures": figures, "raw.rejected_rows": rejected}
    # Registered outside the transaction: unregistering inside a failed one would raise and hide the cause.
    for target, table in tables.items():
        conn.register(_view(target), table)
    try:
        conn.execute("begin transaction")
        try:
            _insert(conn, "raw.submissions", submissions)
            _insert(conn, "raw.figures", figures)
            _insert(conn, "raw.rejected_rows", rejected)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    finally:
        for target in tables:
            conn.unregister(_view(target))
