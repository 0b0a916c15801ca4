"""Write submissions into the DuckDB raw layer (append-only), one transaction per file.

Rows go in through Arrow tables registered on the connection; no SQL is ever built from submitted
text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from sources.raw_schema import ALL_DDL, RAW_SCHEMA
from sources.submission import Figure, RejectedRow


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    for ddl in ALL_DDL:
        conn.execute(ddl)


def already_ingested(conn: duckdb.DuckDBPyConnection, sha: str) -> bool:
    return conn.execute("select 1 from raw.submissions where file_sha256 = ?", [sha]).fetchone() is not None


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


_TS = pa.timestamp("us")
_SUBMISSION_TYPES: dict[str, pa.DataType] = {
    "file_sha256": pa.string(),
    "file_name": pa.string(),
    "archive_path": pa.string(),
    "file_size": pa.int64(),
    "file_format": pa.string(),
    "encoding": pa.string(),
    "sheet_name": pa.string(),
    "reporter_code": pa.string(),
    "reporter_raw": pa.string(),
    "reporter_kind": pa.string(),
    "periods": pa.string(),
    "submitted_at": _TS,
    "received_at": _TS,
    "ingested_at": _TS,
    "run_id": pa.string(),
    "status": pa.string(),
    "reason": pa.string(),
    "rows_read": pa.int32(),
    "rows_accepted": pa.int32(),
    "rows_rejected": pa.int32(),
    "is_synthetic": pa.bool_(),
    "title_block": pa.string(),
}
_FIGURE_TYPES: dict[str, pa.DataType] = {
    "file_sha256": pa.string(),
    "file_name": pa.string(),
    "sheet_name": pa.string(),
    "row_number": pa.int32(),
    "reporter_code": pa.string(),
    "reporter_kind": pa.string(),
    "locality_code": pa.string(),
    "indicator_code": pa.string(),
    "period": pa.string(),
    "value": pa.float64(),
    "unit": pa.string(),
    "numerator": pa.float64(),
    "denominator": pa.float64(),
    "note": pa.string(),
    "value_raw": pa.string(),
    "number_reading": pa.string(),
    "submitted_at": _TS,
    "ingested_at": _TS,
    "run_id": pa.string(),
}
_REJECTED_TYPES: dict[str, pa.DataType] = {
    "file_sha256": pa.string(),
    "file_name": pa.string(),
    "sheet_name": pa.string(),
    "row_number": pa.int32(),
    "field": pa.string(),
    "value_raw": pa.string(),
    "reason": pa.string(),
    "suggestion": pa.string(),
    "row_data": pa.string(),
    "reporter_code": pa.string(),
    "period": pa.string(),
    "ingested_at": _TS,
    "run_id": pa.string(),
}


def _table(types: dict[str, pa.DataType], rows: list[dict[str, object]]) -> pa.Table:
    schema = pa.schema(list(types.items()))
    return pa.Table.from_pylist(rows, schema=schema)


def _insert(
    conn: duckdb.DuckDBPyConnection, target: str, types: dict[str, pa.DataType], rows: list[dict[str, object]]
) -> None:
    if not rows:
        return
    view = f"_intake_{target.replace('.', '_')}"
    conn.register(view, _table(types, rows))
    try:
        cols = ", ".join(types)
        conn.execute(f"insert into {target} ({cols}) select {cols} from {view}")
    finally:
        conn.unregister(view)


def load_file(
    conn: duckdb.DuckDBPyConnection,
    record: FileRecord,
    figures: Sequence[Figure] = (),
    rejected: Sequence[RejectedRow] = (),
) -> None:
    """Insert one file's submission row, figures and rejected rows atomically."""
    lineage = {
        "file_sha256": record.file_sha256,
        "file_name": record.file_name,
        "sheet_name": record.sheet_name,
        "ingested_at": record.ingested_at,
        "run_id": record.run_id,
    }
    submission_row = {
        **record.__dict__,
        "title_block": json.dumps(record.title_block, ensure_ascii=False)
        if record.title_block is not None
        else None,
    }
    figure_rows = [{**lineage, **f.__dict__} for f in figures]
    rejected_rows = [{**lineage, **r.__dict__} for r in rejected]
    conn.execute("begin transaction")
    try:
        _insert(conn, "raw.submissions", _SUBMISSION_TYPES, [submission_row])
        _insert(conn, "raw.figures", _FIGURE_TYPES, figure_rows)
        _insert(conn, "raw.rejected_rows", _REJECTED_TYPES, rejected_rows)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
