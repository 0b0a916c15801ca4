"""Which rejected rows were already recovered (``raw.recovered_rows``), as a view every query can name.

A warehouse published before ``raw.recovered_rows`` existed, opened read-only, cannot gain the table: the
view is then empty, so the queries stay literal SQL whatever the warehouse's age.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

VIEW = "_recovered_keys"
_KEYS = pa.schema([("file_sha256", pa.string()), ("row_number", pa.int32())])


def has_recovered_table(conn: duckdb.DuckDBPyConnection) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'recovered_rows'"
    ).fetchone()
    return bool(found and found[0])


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
