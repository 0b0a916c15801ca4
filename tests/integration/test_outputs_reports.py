"""After `dothi refresh --sample`: reports/ holds the Excel report, the dashboard and dbt docs; the
marts carry their docs as DuckDB comments; the Dagster UI has the metadata a person needs."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.integration


def test_refresh_writes_every_report(sample_refresh) -> None:
    reports = sample_refresh.home / "reports"
    for name in ("progress_report.vi.xlsx", "progress_report.en.xlsx", "dashboard.vi.html", "dashboard.en.html",
                 "dbt_docs/index.html"):
        assert (reports / name).is_file(), name
    assert (reports / "dbt_docs" / "index.html").stat().st_size > 100_000  # --static embeds manifest + catalog


def test_excel_report_content(sample_refresh) -> None:
    workbook = load_workbook(sample_refresh.home / "reports" / "progress_report.vi.xlsx")
    assert workbook.sheetnames[0] == "Tổng hợp"
    for name in ("Nha Trang", "Trường Sa", "Lỗi dữ liệu", "Nộp báo cáo", "Nguồn chỉ tiêu"):
        assert name in workbook.sheetnames
    summary = workbook["Tổng hợp"]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert any("mô phỏng" in t for t in texts)  # synthetic sample, said on every sheet
    assert "tạm (giả định)" in texts and "chính thức" in texts
    findings = workbook["Lỗi dữ liệu"]
    rules = {str(c.value) for row in findings.iter_rows() for c in row}
    assert "Số liệu địa phương và sở ngành không thống nhất" in rules  # planted problem 1
    submissions = [str(c.value) for row in workbook["Nộp báo cáo"].iter_rows() for c in row]
    assert "2024" in submissions and "2025-H1" in submissions  # Khánh Sơn late 2024, Trường Sa missing 2025-H1


def test_marts_carry_their_docs_as_duckdb_comments(sample_refresh) -> None:
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        tables = conn.table("duckdb_tables").filter("schema_name = 'marts'").select("table_name, comment").fetchall()
        columns = conn.table("duckdb_columns").filter("schema_name = 'marts'").select("comment").fetchall()
    assert tables and all(comment for _, comment in tables), tables
    documented = sum(1 for (comment,) in columns if comment)
    assert documented == len(columns), f"{len(columns) - documented} mart column(s) without a comment"


def test_dagster_metadata_after_the_run(sample_refresh) -> None:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(sample_refresh.home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["reports", "progress_report"]))
        assert event is not None and event.asset_materialization is not None
        metadata = event.asset_materialization.metadata
        assert metadata["open_findings"].value > 0
        assert "| locality | indicator |" in metadata["worst_gaps"].value
        assert "placeholder" in metadata["worst_gaps"].value
        assert metadata["is_synthetic"].value is True
        records = instance.fetch_observations(dg.AssetKey(["marts", "fct_target_gaps"]), limit=1).records
        assert records and records[0].asset_observation.metadata["dagster/row_count"].value > 0
