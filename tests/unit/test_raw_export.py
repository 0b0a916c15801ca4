"""The raw hand-off (sources/raw_export.py): every source table as <schema>/<table>.parquet, values exact."""

from __future__ import annotations

from datetime import datetime

import duckdb

from sources.raw_export import export_raw, main


def _warehouse(path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw; create schema quality; create schema marts")
        conn.execute(
            "create table raw.figures (file_sha256 varchar, value double, note varchar, ingested_at timestamp)"
        )
        conn.execute(
            "insert into raw.figures values ('a', 1.25, 'Nha Trang City People''s Committee', '2025-03-10 08:00:00'),"
            " ('b', null, null, '2025-03-10 08:00:01')"
        )
        conn.execute("create table quality.gx_results (run_id varchar, success boolean)")
        conn.execute("insert into quality.gx_results values ('r1', true)")
        conn.execute("create table marts.fct_x (x integer)")
        conn.execute("create view raw.a_view as select 1 as x")


def test_every_source_table_round_trips(tmp_path) -> None:
    _warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        written = export_raw(conn, tmp_path / "raw")
    # Base tables of the source schemas only: no mart, no view.
    assert [p.relative_to(tmp_path / "raw").as_posix() for p in written] == [
        "quality/gx_results.parquet", "raw/figures.parquet"]
    with duckdb.connect() as conn:
        path = str(tmp_path / "raw" / "raw" / "figures.parquet")
        rows = conn.execute("select * from read_parquet(?) order by 1", [path]).fetchall()
    assert rows == [
        ("a", 1.25, "Nha Trang City People's Committee", datetime(2025, 3, 10, 8, 0, 0)),
        ("b", None, None, datetime(2025, 3, 10, 8, 0, 1)),
    ]


def test_cli_writes_the_hand_off(tmp_path, capsys) -> None:
    _warehouse(tmp_path / "w.duckdb")
    assert main([str(tmp_path / "w.duckdb"), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "quality" / "gx_results.parquet").is_file()
    assert "figures.parquet" in capsys.readouterr().out
