"""Which rejected rows (``raw.recovered_rows``) and quarantined files (``raw.recovered_files``) were already
recovered, as views every query can name.

A warehouse published before these tables existed, opened read-only, cannot gain them: the view is then
empty, so the queries stay literal SQL whatever the warehouse's age.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

VIEW = "_recovered_keys"
FILES_VIEW = "_recovered_files"
_KEYS = pa.schema([("file_sha256", pa.string()), ("row_number", pa.int32())])
_TS = pa.timestamp("us")
# What the queries read of a recovered file's current state.
_FILES = pa.schema([
    ("file_sha256", pa.string()), ("file_name", pa.string()), ("archive_path", pa.string()),
    ("sheet_name", pa.string()), ("submitted_at", _TS), ("received_at", _TS), ("ingested_at", _TS),
    ("status", pa.string()), ("reporter_raw", pa.string()),
])


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [name]
    ).fetchall()
    return bool(found and found[0][0])


def has_recovered_table(conn: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(conn, "recovered_rows")


def has_recovered_files_table(conn: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(conn, "recovered_files")


@contextmanager
def recovered_keys(conn: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """Registers ``_recovered_keys(file_sha256, row_number)`` for the duration of the block."""
    if has_recovered_table(conn):
        keys = conn.execute("select file_sha256, row_number from raw.recovered_rows").to_arrow_table()
    else:
        keys = _KEYS.empty_table()
    conn.register(VIEW, keys)
    try:
        yield VIEW
    finally:
        conn.unregister(VIEW)


@contextmanager
def recovered_files(conn: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """Registers ``_recovered_files`` (the recovered quarantined files' state now) for the duration of the block."""
    if has_recovered_files_table(conn):
        files = conn.execute(
            "select file_sha256, file_name, archive_path, sheet_name, submitted_at, received_at, ingested_at, "
            "status, reporter_raw from raw.recovered_files"
        ).to_arrow_table()
    else:
        files = _FILES.empty_table()
    conn.register(FILES_VIEW, files)
    try:
        yield FILES_VIEW
    finally:
        conn.unregister(FILES_VIEW)
