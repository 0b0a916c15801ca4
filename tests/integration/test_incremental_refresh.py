"""Incremental refresh (issue 5): after the shared sample refresh, one revised submission and one new file
are refreshed incrementally; a copy of that home is then rebuilt with `dothi refresh --full`. Every mart
and intermediate table must be identical, row for row, and the incremental models must really have
rebuilt only the touched periods. Also: the dbt unit tests, left out of the nightly build, pass here.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, RefreshRun, run_cli

pytestmark = pytest.mark.integration

SAMPLE = REPO / "sources" / "sample" / "submissions"
INCREMENTAL_MODELS = (
    "int_figures__versioned", "int_figures__current", "int_values__by_channel", "int_values__localities",
    "int_values__consolidated", "int_reconciliation", "int_checks__value_range", "int_checks__rate_consistency",
    "int_checks__rules",
)
# Run ids and clock times of this refresh differ between the two homes by nature; the watermark is the
# incremental bookkeeping itself. Figures' run ids are identical (the full rebuild re-reads the same raw rows).
# fct_dq_family_counts.new_this_run counts first_seen_run_id = last_seen_run_id: as volatile as those.
VOLATILE = {
    "watermark_ingested_at", "detected_at", "first_seen_run_id", "first_seen_at", "last_seen_run_id",
    "last_seen_at", "resolved_run_id", "resolved_at", "new_this_run",
}
# run_id there is the refresh's, not the figure's: the findings, their families (int_findings__*) and history
FINDINGS_FAMILY_PREFIX = "int_findings__"
VOLATILE_RUN_ID = {"int_dq_findings", "fct_dq_issues"}


@dataclass
class Refreshes:
    before: RefreshRun  # the shared sample refresh (read only)
    incremental: RefreshRun  # + one revision and one new file, incremental
    full: RefreshRun  # a copy of the incremental home, then `dothi refresh --full`


def _copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("work"))
    return dst


def _rewrite_csv(src: Path, dst: Path, encoding: str, edit) -> None:
    with src.open(encoding=encoding, newline="") as f:
        rows = list(csv.reader(f))
    rows = [rows[0], *(edit(i, row) for i, row in enumerate(rows[1:]))]
    with dst.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _drop_files(inbox: Path) -> None:
    inbox.mkdir(parents=True, exist_ok=True)

    # The transport department revises its 2024 report (a department file touches every locality of the
    # period): sent later, one value changed, one left blank (the figure is now missing).
    def revise(i: int, row: list[str]) -> list[str]:
        row[2] = "10/03/2025"
        if i == 0:
            row[6] = "21.0"
        if i == 1:
            row[6] = ""
        return row

    _rewrite_csv(SAMPLE / "SoGTVT-2024.csv", inbox / "SoGTVT-2024_dieu_chinh.csv", "utf-8-sig", revise)

    # Trường Sa's 2025-H1 report, missing from the sample, arrives: a new file for a period of its own.
    def half_year(i: int, row: list[str]) -> list[str]:
        row[1], row[2] = "2025-H1", "20/07/2025"
        return row

    _rewrite_csv(SAMPLE / "truong_sa_report_2024.csv", inbox / "truong_sa_report_2025_6thang.csv", "utf-8", half_year)


@pytest.fixture(scope="module")
def refreshes(sample_refresh: RefreshRun, tmp_path_factory) -> Refreshes:
    base = tmp_path_factory.mktemp("incremental")
    home = _copy_home(sample_refresh.home, base / "incremental")
    _drop_files(home / "inbox")
    # The next night: a day has passed since the sample refresh, so reports may have become late or missing.
    tomorrow = date.fromisoformat(os.environ["DOTHI_AS_OF_DATE"]) + timedelta(days=1)
    next_day = {"DOTHI_AS_OF_DATE": tomorrow.isoformat()}
    incremental = run_cli(home, "refresh", "--json", env_extra=next_day)
    assert incremental.returncode == 0, f"STDOUT:\n{incremental.stdout[-4000:]}\nSTDERR:\n{incremental.stderr[-8000:]}"
    full_home = _copy_home(home, base / "full")
    full = run_cli(full_home, "refresh", "--full", "--json", env_extra=next_day)
    assert full.returncode == 0, f"STDOUT:\n{full.stdout[-4000:]}\nSTDERR:\n{full.stderr[-8000:]}"
    return Refreshes(sample_refresh, incremental, full)


def _query(run: RefreshRun, sql: str) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _watermark_periods(run: RefreshRun, model: str) -> dict:
    rows = _query(run, f"""
        select watermark_ingested_at, list(distinct period order by period)
        from intermediate.{model}
        group by 1 order by 1""")
    return dict(rows)


def test_the_new_files_went_in(refreshes: Refreshes) -> None:
    summary = refreshes.incremental.summary()
    assert summary["this_run"]["files_seen"] == 2
    statuses = dict(_query(refreshes.incremental, "select file_name, status from marts.fct_submissions"))
    assert statuses["SoGTVT-2024_dieu_chinh.csv"].startswith("accepted")
    assert statuses["truong_sa_report_2025_6thang.csv"].startswith("accepted")
    # The revision is the consolidated value now (department over locality), as revision 2.
    [(value, revision, file_name)] = _query(refreshes.incremental, """
        select value, revision, file_name from marts.fct_indicator_values
        where locality_code = '568' and indicator_code = 'TRANSPORT_LAND_RATIO' and period = '2024'""")
    assert (value, revision, file_name) == (21.0, 2, "SoGTVT-2024_dieu_chinh.csv")
    # Trường Sa's 2025-H1 report is no longer missing.
    [(status,)] = _query(refreshes.incremental, """
        select status from marts.fct_reporting_completeness where reporter_code = '576' and period = '2025-H1'""")
    assert status in ("on_time", "late")


def test_each_night_reports_as_of_its_own_day(refreshes: Refreshes) -> None:
    """The run's day (DOTHI_AS_OF_DATE, else today in Vietnam) reaches dbt as var('as_of_date')."""
    sql = "select distinct as_of_date from marts.fct_reporter_freshness"
    [(before,)] = _query(refreshes.before, sql)
    [(incremental,)] = _query(refreshes.incremental, sql)
    assert before.isoformat() == os.environ["DOTHI_AS_OF_DATE"]
    assert incremental == before + timedelta(days=1)
    assert _query(refreshes.full, sql) == [(incremental,)]


def test_only_the_touched_periods_were_rebuilt(refreshes: Refreshes) -> None:
    """Evidence that the refresh ran incrementally: the untouched periods keep the first build's watermark."""
    [(first,)] = _query(refreshes.before, "select max(ingested_at) from raw.figures")
    [(second,)] = _query(refreshes.incremental, "select max(ingested_at) from raw.figures")
    assert second > first
    for model in INCREMENTAL_MODELS:
        by_watermark = _watermark_periods(refreshes.incremental, model)
        assert set(by_watermark) == {first, second}, (model, by_watermark)
        # The rows of 2021-2023 and of the new map's periods (2025, 2025-H2, 2026-H1) were kept; 2024
        # (revision) and 2025-H1 (new file) were rebuilt.
        assert by_watermark[first] == ["2021", "2022", "2023", "2025", "2025-H2", "2026-H1"], (model, by_watermark)
        assert {"2024", "2025-H1"} <= set(by_watermark[second]), (model, by_watermark)
        # `dothi refresh --full` rebuilt every row.
        assert set(_watermark_periods(refreshes.full, model)) == {second}, model


def _comparable_tables(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return conn.execute("""
        select schema_name, table_name from duckdb_tables()
        where database_name = 'inc' and schema_name in ('intermediate', 'marts')
        order by all""").fetchall()


def _select_list(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = conn.execute(f"""
        select column_name, data_type from duckdb_columns()
        where database_name = 'inc' and schema_name = '{schema}' and table_name = '{table}'
        order by column_index""").fetchall()
    keep = [
        (name, type_) for name, type_ in columns
        if name not in VOLATILE
        and not (name == "run_id" and (table in VOLATILE_RUN_ID or table.startswith(FINDINGS_FAMILY_PREFIX)))
    ]
    # Sums over rows in another physical order may differ in the last bits of a double: compare doubles to 9
    # decimals (a difference of two equal sums, ~1e-14, is 0) and then to 10 significant digits (9 decimals are
    # too fine for a standard deviation of populations, ~10^5).
    def rounded(n: str) -> str:
        x = f'round("{n}", 9)'
        return (f'case when "{n}" is null or isinf("{n}") or isnan("{n}") or {x} = 0 then {x} '
                f'else round({x}, 9 - cast(floor(log10(abs({x}))) as integer)) end as "{n}"')
    return ", ".join(rounded(n) if t in ("DOUBLE", "FLOAT") else f'"{n}"' for n, t in keep)


def test_incremental_equals_full_rebuild(refreshes: Refreshes) -> None:
    with duckdb.connect() as conn:
        conn.execute(f"attach '{refreshes.incremental.warehouse}' as inc (read_only)")
        conn.execute(f"attach '{refreshes.full.warehouse}' as ful (read_only)")
        tables = _comparable_tables(conn)
        names = {t for _, t in tables}
        assert set(INCREMENTAL_MODELS) <= names and {"fct_indicator_values", "fct_reconciliation"} <= names
        assert names == {t for _, t in conn.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'ful'"
            " and schema_name in ('intermediate', 'marts')").fetchall()}
        differences = {}
        for schema, table in tables:
            columns = _select_list(conn, schema, table)
            inc, ful = (f"select {columns} from {db}.{schema}.{table}" for db in ("inc", "ful"))
            only_inc = conn.execute(f"select * from ({inc} except all {ful}) limit 3").fetchall()
            only_ful = conn.execute(f"select * from ({ful} except all {inc}) limit 3").fetchall()
            if only_inc or only_ful:
                differences[f"{schema}.{table}"] = {"incremental only": only_inc, "full only": only_ful}
        assert not differences, differences


def test_full_refresh_keeps_the_findings_history(refreshes: Refreshes) -> None:
    """fct_dq_issues has full_refresh=false: `dothi refresh --full` must not restart the history."""
    sql = "select issue_id, first_seen_run_id, first_seen_at from marts.fct_dq_issues order by all"
    before = _query(refreshes.before, sql)
    full = {row[0]: row for row in _query(refreshes.full, sql)}
    assert before and all(full.get(row[0]) == row for row in before)
    # The revision blanked a figure and changed another: some findings moved; none was forgotten.
    statuses = dict(_query(refreshes.full, "select status, count(*) from marts.fct_dq_issues group by 1"))
    assert sum(statuses.values()) >= len(before)


def test_dbt_unit_tests_pass(sample_refresh: RefreshRun, tmp_path: Path) -> None:
    """The nightly build leaves the unit tests out (--exclude-resource-type unit_test): they run here, against
    a copy of the sample warehouse (unit tests read the column types of their inputs from it)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_refresh.warehouse, warehouse)
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME"}}
    env["DOTHI_WAREHOUSE"] = str(warehouse)
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "test", "--select", "test_type:unit",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=REPO / "dbt_project", env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert "PASS=" in proc.stdout and " ERROR=0" in proc.stdout
    passed = int(proc.stdout.rsplit("PASS=", 1)[1].split()[0])
    assert passed >= 15, proc.stdout[-2000:]
