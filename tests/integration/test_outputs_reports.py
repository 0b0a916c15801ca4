"""After `dothi refresh --sample`: reports/ holds the Excel report, the dashboard and dbt docs; the
marts carry their docs as DuckDB comments; the Dagster UI has the metadata a person needs."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.integration


def test_refresh_writes_every_report(sample_refresh) -> None:
    reports = sample_refresh.home / "reports"
    for name in ("progress_report.vi.xlsx", "progress_report.en.xlsx", "dashboard.vi.html", "dashboard.en.html",
                 "current_report.vi.xlsx", "current_report.en.xlsx", "current_dashboard.vi.html",
                 "current_dashboard.en.html", "dbt_docs/index.html"):
        assert (reports / name).is_file(), name
    assert (reports / "dbt_docs" / "index.html").stat().st_size > 100_000  # --static embeds manifest + catalog


def test_excel_report_content(sample_refresh) -> None:
    workbook = load_workbook(sample_refresh.home / "reports" / "progress_report.vi.xlsx")
    assert workbook.sheetnames[:3] == ["Tổng hợp", "Tổng kết NQ06", "Bản đồ"]
    districts = ["Nha Trang", "Cam Ranh", "Cam Lâm", "Vạn Ninh", "Ninh Hòa", "Khánh Vĩnh", "Diên Khánh", "Khánh Sơn",
                 "Trường Sa"]
    # Resolution 06's map: the nine districts, never the 295 unit versions nor old Ninh Thuận's districts
    assert workbook.sheetnames[3:12] == districts
    assert workbook.sheetnames[12:] == ["Lỗi dữ liệu", "Nộp báo cáo", "Đối chiếu", "Nguồn chỉ tiêu"]
    summary = workbook["Tổng hợp"]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert any("mô phỏng" in t for t in texts)  # synthetic sample, said on every sheet
    assert "tạm (giả định)" in texts and "chính thức" in texts
    findings = workbook["Lỗi dữ liệu"]
    rules = {str(c.value) for row in findings.iter_rows() for c in row}
    assert "Số liệu địa phương và sở ngành không thống nhất" in rules  # planted problem 1
    submissions = [str(c.value) for row in workbook["Nộp báo cáo"].iter_rows() for c in row]
    assert "2024" in submissions and "2025-H1" in submissions  # Khánh Sơn late 2024, Trường Sa missing 2025-H1
    # the province once (Resolution 06's row), not once per map
    header = next(r for r in range(1, 20) if summary.cell(r, 1).value == "Chỉ tiêu")
    indicators = []
    for r in range(header + 1, summary.max_row + 1):
        if summary.cell(r, 1).value is None:
            break
        indicators.append(summary.cell(r, 1).value)
    assert len(indicators) == len(set(indicators)) > 5
    review = workbook["Tổng kết NQ06"]
    rows = [[c.value for c in row] for row in review.iter_rows()]
    first = next(i for i, r in enumerate(rows) if r[0] == "Địa bàn")
    units = [r[0] for r in rows[first + 1:] if r[0]]
    assert units[0] == "Khánh Hòa" and set(units) <= {"Khánh Hòa", *districts}
    statuses = {r[rows[first].index("Kết quả")] for r in rows[first + 1:] if r[0]}
    assert statuses <= {"Đạt", "Không đạt", "Chưa đủ số liệu", "Không có dữ liệu"}


def test_rolled_up_figures_are_marked_in_the_nq06_report(sample_refresh) -> None:
    """Every figure of Resolution 06's map rolled up from the new units carries † in the report (none in a
    sample without 2025-H2 reports: then no figure is marked)."""
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        rolled = conn.execute(
            "select locality_code, period, value, coalesce(is_complete, true) from marts.fct_indicator_values_nq06_map"
            " where map_method = 'rolled_up_from_new_units' and value is not null").fetchall()
    workbook = load_workbook(sample_refresh.home / "reports" / "progress_report.en.xlsx")
    marked = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, float) and "†" in c.number_format]
    if not rolled:
        assert not marked
        return
    assert marked
    incomplete = [r for r in rolled if not r[3]]
    if incomplete:
        assert any("⚠" in c.number_format for c in marked)


def test_current_report_content(sample_refresh) -> None:
    workbook = load_workbook(sample_refresh.home / "reports" / "current_report.vi.xlsx")
    assert workbook.sheetnames == ["Tổng hợp", "Đơn vị", "Bản đồ", "Số liệu", "Lỗi dữ liệu", "Nộp báo cáo",
                                   "Nguồn chỉ tiêu"]
    for ws in workbook.worksheets:
        assert any("MỌI MỤC TIÊU 2026–2030" in str(c.value) for row in ws.iter_rows(max_row=8) for c in row)
    codes = {str(c.value) for row in workbook["Bản đồ"].iter_rows() for c in row[:1]}
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        units = {code for (code,) in conn.execute(
            "select locality_code from marts.dim_locality where parent_key = '56@2025-07-01'").fetchall()}
    assert len(units) == 65
    assert units <= codes and not codes & {str(c) for c in range(568, 577)}


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
        # A metadata entry's .value is typed as the union of every kind: read as what each entry holds.
        metadata: dict[str, Any] = {k: v.value for k, v in event.asset_materialization.metadata.items()}
        assert metadata["open_findings"] > 0
        assert "| locality | indicator |" in metadata["worst_gaps"]
        assert "placeholder" in metadata["worst_gaps"]
        assert metadata["is_synthetic"] is True
        assert metadata["current_path"].endswith("current_report.vi.xlsx")
        assert sum(metadata["final_review"].values()) > 0
        records = instance.fetch_observations(dg.AssetKey(["marts", "fct_target_gaps"]), limit=1).records
        assert records and (observation := records[0].asset_observation) is not None
        row_count = observation.metadata["dagster/row_count"]
        assert isinstance(row_count, dg.IntMetadataValue) and (row_count.value or 0) > 0
