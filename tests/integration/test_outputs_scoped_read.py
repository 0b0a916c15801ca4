"""The reports read only what they show (DuckDB filters, orders and counts; pandas gets the top rows),
and say exactly what they said when they read the whole marts: same cells, same dashboard, same counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outputs import bundle, dashboard, excel_report, views
from outputs.marts import CURRENT_MAP, NQ06_MAP, map_periods, on_map, read_marts

pytestmark = pytest.mark.integration

GENERATED_AT = dt.datetime(2026, 1, 2, 3, 4)


@pytest.fixture
def small_caps(monkeypatch) -> None:
    """Caps well below the sample's sizes, so every list and the locality sheets are cut."""
    monkeypatch.setattr(views, "REPORT_LOCALITIES_MAX", 4)
    monkeypatch.setattr(excel_report, "EXCEL_ROWS_MAX", 5)
    monkeypatch.setattr(dashboard, "TABLE_ROWS_MAX", 3)
    monkeypatch.setattr(dashboard, "BARS_MAX", 4)


def _cells(path: Path) -> dict[str, list[tuple]]:
    workbook = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in workbook.worksheets}


def test_scope_reads_a_part_and_counts_the_whole(sample_refresh, small_caps) -> None:
    marts = read_marts(sample_refresh.warehouse, scope=bundle.report_scope())
    whole = read_marts(sample_refresh.warehouse)
    assert marts.row_counts() == whole.row_counts()
    assert len(marts.frames["fct_dq_issues"]) == 5 < marts.totals["fct_dq_issues"]
    assert views.open_finding_total(marts) == views.open_finding_total(whole) > 5
    for report_map in (NQ06_MAP, CURRENT_MAP):  # each map mart read for its map's units only (10, 66)
        units = {code for code, _ in views.localities(on_map(whole, report_map), "en")}
        assert len(units) == (10 if report_map is NQ06_MAP else 66)
        assert set(marts.frames[report_map.values_mart]["locality_code"]) <= units
    assert len(marts.frames[NQ06_MAP.values_mart]) == len(whole.frames[NQ06_MAP.values_mart]) > 0
    current = whole.frames[CURRENT_MAP.values_mart]  # from 2025-H2 on (and the year 2025)
    periods = map_periods(whole.frames["dim_period"], CURRENT_MAP)
    assert periods is not None and "2025-H2" in periods and "2025" in periods and "2025-H1" not in periods
    assert len(marts.frames[CURRENT_MAP.values_mart]) == int(current["period"].isin(periods).sum())
    assert marts.is_synthetic is whole.is_synthetic is True
    rec_scoped = views.reconciliation(marts)
    rec_whole = views.reconciliation(whole)
    assert rec_scoped is not None and rec_whole is not None
    assert views.reconciliation_counts(marts, rec_scoped) == views.reconciliation_counts(whole, rec_whole)
    assert len(rec_scoped) < len(rec_whole)


def test_reports_from_a_scoped_read_equal_reports_from_the_whole_marts(
    sample_refresh, small_caps, tmp_path: Path, monkeypatch
) -> None:
    scoped = bundle.write_reports(sample_refresh.warehouse, tmp_path / "scoped", dbt_docs=False,
                                  generated_at=GENERATED_AT)
    monkeypatch.setattr(bundle, "report_scope", lambda: None)
    whole = bundle.write_reports(sample_refresh.warehouse, tmp_path / "whole", dbt_docs=False,
                                 generated_at=GENERATED_AT)
    assert scoped.open_findings == whole.open_findings > 0
    assert scoped.open_findings_by_severity == whole.open_findings_by_severity
    assert scoped.row_counts == whole.row_counts
    for lang in ("vi", "en"):
        cells = _cells(bundle.excel_path(tmp_path / "scoped", lang))
        assert cells == _cells(bundle.excel_path(tmp_path / "whole", lang))
        notes = [str(v) for rows in cells.values() for row in rows for v in row if v is not None]
        assert any("marts.fct_dq_issues" in note for note in notes), "a cut list says where the rest is"
        html = bundle.dashboard_path(tmp_path / "scoped", lang).read_text(encoding="utf-8")
        assert html == bundle.dashboard_path(tmp_path / "whole", lang).read_text(encoding="utf-8")
        assert _cells(bundle.current_excel_path(tmp_path / "scoped", lang)) == _cells(
            bundle.current_excel_path(tmp_path / "whole", lang))
        current = bundle.current_dashboard_path(tmp_path / "scoped", lang).read_text(encoding="utf-8")
        assert current == bundle.current_dashboard_path(tmp_path / "whole", lang).read_text(encoding="utf-8")


def test_a_worker_process_writes_the_same_workbooks(sample_refresh, tmp_path: Path, monkeypatch) -> None:
    """At scale the second language's Excel report is written by a worker process: same cells."""
    serial = bundle.write_reports(sample_refresh.warehouse, tmp_path / "serial", dashboard=False, dbt_docs=False,
                                  generated_at=GENERATED_AT)
    monkeypatch.setattr(bundle, "PARALLEL_EXCEL_MIN_FIGURES", 0)  # the sample counts as "at scale"
    steps: list[str] = []
    beside = bundle.write_reports(sample_refresh.warehouse, tmp_path / "beside", dashboard=False, dbt_docs=False,
                                  generated_at=GENERATED_AT, step=steps.append)
    assert "Excel report (en, written by a worker process)" in steps
    assert list(beside.files) == list(serial.files) == ["excel_vi", "excel_en", "current_excel_vi",
                                                        "current_excel_en"]
    for lang in ("vi", "en"):
        assert _cells(bundle.excel_path(tmp_path / "beside", lang)) == _cells(bundle.excel_path(tmp_path / "serial",
                                                                                                 lang))
        assert _cells(bundle.current_excel_path(tmp_path / "beside", lang)) == _cells(
            bundle.current_excel_path(tmp_path / "serial", lang))
