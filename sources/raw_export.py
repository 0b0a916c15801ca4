"""The raw hand-off as Parquet: every table dbt reads as a source (intake's `raw.*`, Great Expectations'
`quality.*`) written to `<dir>/<schema>/<table>.parquet`.

Publish writes it beside the marts (`exports/<run>/raw/`) on every refresh: the same dbt project on a
Spark cluster (or any engine that reads Parquet) starts from these files (README, "Beyond one machine";
the dbt macro `attach_raw_parquet` declares them as Spark tables). Plain Python and DuckDB, no Dagster.

Sơ đồ bàn giao dữ liệu thô: mỗi bảng nguồn của dbt (raw.*, quality.*) thành một tệp Parquet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

# The schemas dbt's sources read (dbt_project/models/staging/*/_*__sources.yml).
SOURCE_SCHEMAS = ("raw", "quality")


def _quoted(name: str) -> str:
    """A quoted identifier (names come from DuckDB's own catalog, never from submissions)."""
    return '"' + name.replace('"', '""') + '"'


def source_tables(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every base table in the source schemas, in a stable order."""
    rows = conn.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in (?, ?) and table_type = 'BASE TABLE' order by table_schema, table_name",
        list(SOURCE_SCHEMAS),
    ).fetchall()
    return [(schema, name) for schema, name in rows]


def export_raw(conn: duckdb.DuckDBPyConnection, target: Path) -> list[Path]:
    """Write every source table to `<target>/<schema>/<table>.parquet`; returns the files written.

    Types are DuckDB's own Parquet mapping (timestamps with time zone as UTC instants, decimals as
    decimals), so another engine reads the values exactly."""
    written = []
    for schema, name in source_tables(conn):
        folder = target / schema
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.parquet"
        conn.table(f"{_quoted(schema)}.{_quoted(name)}").write_parquet(str(path))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m sources.raw_export WAREHOUSE DIR`: the hand-off of an existing warehouse, by hand."""
    import argparse

    import duckdb

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    with duckdb.connect(str(args.warehouse), read_only=True) as conn:
        for path in export_raw(conn, args.target):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
