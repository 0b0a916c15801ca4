"""Approval and locking (issue 14): `dothi approve` freezes the 2025 values of the sample; a revision that
arrives later is archived, loaded and visible, but the approved value stays official and a
REVISION_AFTER_APPROVAL finding gives both figures; `dothi unapprove` lets the revision take effect.
Real refreshes of a copy of the shared sample home; bad arguments are refused with a clear message.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from outputs.labels import text
from sources.home import DothiHome
from sources.rebuild import seed_home
from tests.conftest import REPO, RefreshRun, run_cli

pytestmark = pytest.mark.integration

SAMPLE = REPO / "sources" / "sample" / "submissions"
KEY = ("22366", "WATER_PER_CAPITA", "2025")  # Phường Nha Trang, from KHAWASCO_nuoc_sach_2025.csv: 141.2
REVISION_FILE = "KHAWASCO_nuoc_sach_2025_dieu_chinh.csv"
BY = "Trần Thị Thống Kê"
DISTRICT = "568"  # old Nha Trang on Resolution 06's map: its 2025 figure is rolled up from 22366 and others


@dataclass
class Shown:
    """What people read after a refresh: the marts' approval columns, the reports, the summary."""

    review: dict  # fct_programme_review, NQ06 2025, DISTRICT x WATER_PER_CAPITA
    current: dict  # fct_indicator_values_current_map, the key
    gaps_2025: list[tuple]  # fct_target_gaps rows whose actual is of 2025: (map, locality, indicator, approval)
    review_sheet: list[tuple]  # progress_report.vi.xlsx, the final-review row of DISTRICT x WATER_PER_CAPITA
    values_sheet: list[tuple]  # current_report.en.xlsx, the values row of the key
    dashboard: str  # dashboard.vi.html
    summary: dict  # refresh_summary.json "approvals"


@dataclass
class Steps:
    home: Path
    approve: RefreshRun
    approved: dict  # the key's mart row after the approval's refresh
    revised: dict  # ... after the revision's refresh
    revised_findings: list[tuple]
    revised_figures: list[tuple]
    unapprove: RefreshRun
    unapproved: dict
    shown: dict[str, Shown]  # approved | revised | unapproved


def _row(home: Path) -> dict:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute(
            "select value, approval_status, approved_by, approved_at, approval_note, revision_value, "
            "revision_file_name, file_name from marts.fct_indicator_values "
            "where locality_code = ? and indicator_code = ? and period = ?", list(KEY))
        columns = [d[0] for d in cursor.description]
        found = cursor.fetchone()
        assert found is not None, KEY
        return dict(zip(columns, found, strict=True))


def _one(conn: duckdb.DuckDBPyConnection, sql: str, params: list) -> dict:
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    assert found is not None, (sql, params)
    return dict(zip(columns, found, strict=True))


def _sheet_row(path: Path, sheet: str, *cells: str) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [row for row in workbook[sheet].iter_rows(values_only=True) if all(c in row for c in cells)]
    finally:
        workbook.close()


def _shown(home: Path) -> Shown:
    approval = "approval_status, approved_by, approved_at, revision_value, has_revision_after_approval"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        review = _one(conn, f"select actual, {approval} from marts.fct_programme_review where "
                      "programme_code = 'NQ06_2021_2025' and locality_code = ? and indicator_code = ? "
                      "and review_period = '2025'", [DISTRICT, KEY[1]])
        current = _one(conn, f"select value, {approval} from marts.fct_indicator_values_current_map where "
                       "locality_code = ? and indicator_code = ? and period = ?", list(KEY))
        gaps = conn.execute("select map_code, locality_code, indicator_code, approval_status "
                            "from marts.fct_target_gaps where period = '2025' order by all").fetchall()
        names = conn.execute("select name_vi, name_en from marts.dim_indicator where indicator_code = ?",
                             [KEY[1]]).fetchone()
        district = conn.execute("select short_name_vi from marts.dim_locality where locality_key = ?",
                                [f"{DISTRICT}@2020-01-01"]).fetchone()
    assert names is not None and district is not None
    reports = home / "reports"
    return Shown(
        review, current, gaps,
        _sheet_row(reports / "progress_report.vi.xlsx", text("sheet_review", "vi"), district[0], names[0]),
        _sheet_row(reports / "current_report.en.xlsx", text("sheet_values", "en"), KEY[0], names[1], KEY[2]),
        (reports / "dashboard.vi.html").read_text(encoding="utf-8"),
        json.loads((reports / "refresh_summary.json").read_text(encoding="utf-8"))["approvals"],
    )


def _refresh(home: Path) -> RefreshRun:
    run = run_cli(home, "refresh", "--json")
    assert run.returncode == 0, f"STDOUT:\n{run.stdout[-3000:]}\nSTDERR:\n{run.stderr[-6000:]}"
    return run


def _drop_revision(inbox: Path) -> None:
    lines = (SAMPLE / "KHAWASCO_nuoc_sach_2025.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], next(line for line in lines if ";Phường Nha Trang;WATER_PER_CAPITA;" in line)
    fields = row.split(";")
    fields[2], fields[5] = "10/03/2026", "150,5"
    (inbox / REVISION_FILE).write_text(header + "\n" + ";".join(fields) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def steps(sample_refresh: RefreshRun, tmp_path_factory) -> Steps:
    home = tmp_path_factory.mktemp("approvals") / "home"
    shutil.copytree(sample_refresh.home, home, symlinks=True, ignore=shutil.ignore_patterns("work"))
    shown = {}
    approve = run_cli(home, "approve", "--period", "2025", "--by", BY,
                      "--note", "Số liệu năm 2025 đã rà soát", "--json")
    assert approve.returncode == 0, approve.stderr
    _refresh(home)
    approved, shown["approved"] = _row(home), _shown(home)
    _drop_revision(home / "inbox")
    _refresh(home)
    revised, shown["revised"] = _row(home), _shown(home)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        findings = conn.execute(
            "select observed_value, expected_low, file_name, message_en, status from marts.fct_dq_issues "
            "where rule_code = 'REVISION_AFTER_APPROVAL' and locality_code = ? and indicator_code = ?",
            [KEY[0], KEY[1]]).fetchall()
        figures = conn.execute(
            "select value from raw.figures where file_name = ? and indicator_code = ?",
            [REVISION_FILE, KEY[1]]).fetchall()
    unapprove = run_cli(home, "unapprove", "--period", "2025", "--locality", KEY[0], "--indicator", KEY[1],
                        "--by", "Trần Thị Thống Kê", "--note", "Chấp nhận bản sửa của KHAWASCO", "--json")
    assert unapprove.returncode == 0, unapprove.stderr
    _refresh(home)
    shown["unapproved"] = _shown(home)
    return Steps(home, approve, approved, revised, findings, figures, unapprove, _row(home), shown)


def test_approve_records_who_why_and_the_frozen_figures(steps: Steps) -> None:
    event = json.loads(steps.approve.stdout)
    assert event["action"] == "approve" and event["approved_by"] == "Trần Thị Thống Kê"
    assert event["scope"] == {"period": "2025", "localities": [], "indicators": []}
    frozen = {(v["locality_code"], v["indicator_code"], v["period"]): v for v in event["values"]}
    assert len(frozen) > 1000  # every consolidated 2025 value of the sample
    assert frozen[KEY]["value"] == 141.2 and frozen[KEY]["file_name"] == "KHAWASCO_nuoc_sach_2025.csv"
    assert frozen[KEY]["row_number"] == 3
    log = (steps.home / "control" / "approvals.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["action"] for line in log] == ["approve", "unapprove"]  # append-only


def test_the_marts_show_the_approval(steps: Steps) -> None:
    row = steps.approved
    assert (row["value"], row["approval_status"], row["approved_by"]) == (141.2, "approved", "Trần Thị Thống Kê")
    assert row["approval_note"] == "Số liệu năm 2025 đã rà soát" and row["approved_at"] is not None
    assert row["revision_value"] is None


def test_a_revision_after_approval_is_kept_but_not_official(steps: Steps) -> None:
    assert steps.revised_figures == [(150.5,)]  # archived and loaded: nothing is lost
    row = steps.revised
    assert (row["value"], row["approval_status"]) == (141.2, "approved")
    assert row["file_name"] == "KHAWASCO_nuoc_sach_2025.csv"
    assert (row["revision_value"], row["revision_file_name"]) == (150.5, REVISION_FILE)
    assert len(steps.revised_findings) == 1
    observed, approved, file_name, message, status = steps.revised_findings[0]
    assert (observed, approved, file_name, status) == (150.5, 141.2, REVISION_FILE, "open")
    assert "141.2" in message and "150.5" in message


def test_unapprove_lets_the_revision_take_effect(steps: Steps) -> None:
    event = json.loads(steps.unapprove.stdout)
    assert event["action"] == "unapprove" and len(event["values"]) == 1
    row = steps.unapproved
    assert (row["value"], row["approval_status"], row["file_name"]) == (150.5, "not_approved", REVISION_FILE)
    assert row["approved_by"] is None and row["revision_value"] is None


@pytest.mark.parametrize(("args", "message"), [
    (("approve", "--period", "2031"), "unknown period"),
    (("approve", "--period", "2025", "--locality", "99999"), "no consolidated figure"),
    (("approve", "--period", "2025", "--indicator", "TOTAL_POP"), "already approved"),
    (("unapprove", "--period", "2024"), "nothing approved"),
])
def test_bad_arguments_are_refused(steps: Steps, args: tuple[str, ...], message: str) -> None:
    before = (steps.home / "control" / "approvals.jsonl").read_bytes()
    run = run_cli(steps.home, *args, "--by", "X", "--note", "test")
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert (steps.home / "control" / "approvals.jsonl").read_bytes() == before


def test_the_map_marts_and_target_gaps_carry_the_approval(steps: Steps) -> None:
    shown = steps.shown["approved"]
    assert (shown.current["value"], shown.current["approval_status"], shown.current["approved_by"]) == (
        141.2, "approved", BY)
    # The district's 2025 figure is rolled up from new units, every one of them approved.
    review = shown.review
    assert (review["approval_status"], review["approved_by"]) == ("approved", BY)
    assert review["approved_at"] is not None and review["has_revision_after_approval"] is False
    assert shown.gaps_2025 and {g[3] for g in shown.gaps_2025} == {"approved"}
    assert {g[3] for g in steps.shown["unapproved"].gaps_2025} == {"approved"}  # only the key was unapproved


def test_a_revision_shows_both_figures_in_the_marts(steps: Steps) -> None:
    before, shown = steps.shown["approved"], steps.shown["revised"]
    assert (shown.current["value"], shown.current["revision_value"]) == (141.2, 150.5)
    assert shown.current["has_revision_after_approval"] is True
    # The roll-up keeps the approved pieces' figure, and says a piece has a revision waiting.
    assert shown.review["actual"] == before.review["actual"]
    assert (shown.review["approval_status"], shown.review["has_revision_after_approval"]) == ("approved", True)
    assert shown.review["revision_value"] is None


def test_unapproved_figures_say_so_in_the_marts(steps: Steps) -> None:
    shown = steps.shown["unapproved"]
    assert (shown.current["value"], shown.current["approval_status"]) == (150.5, "not_approved")
    assert shown.current["approved_by"] is None and shown.current["revision_value"] is None
    # One piece of the district is no longer approved: the roll-up is partly approved, nothing waits.
    assert (shown.review["approval_status"], shown.review["has_revision_after_approval"]) == (
        "partly_approved", False)


def test_reports_and_dashboard_say_approved_by_whom_and_when(steps: Steps) -> None:
    shown = steps.shown["approved"]
    [review_row] = shown.review_sheet
    assert any(isinstance(c, str) and c.startswith(f"Đã phê duyệt bởi {BY} ngày ") for c in review_row), review_row
    [values_row] = shown.values_sheet
    assert any(isinstance(c, str) and c.startswith(f"Approved by {BY} on ") for c in values_row), values_row
    assert f"Đã phê duyệt bởi {BY} ngày " in shown.dashboard and "appr revised" not in shown.dashboard
    assert shown.summary["values_approved"] > 1000 and shown.summary["revisions_waiting"] == 0
    assert set(shown.summary["approved_by_period"]) == {"2025"}


def test_reports_flag_a_revision_after_approval(steps: Steps) -> None:
    shown = steps.shown["revised"]
    [values_row] = shown.values_sheet
    approval = next(c for c in values_row if isinstance(c, str) and c.startswith("Approved by"))
    assert "⚑ REVISION AFTER APPROVAL: 150.5 (not applied" in approval
    assert 141.2 in values_row  # the official figure is still the approved one
    [review_row] = shown.review_sheet
    assert any(isinstance(c, str) and "⚑ CÓ ĐƠN VỊ GỬI SỐ LIỆU SỬA SAU PHÊ DUYỆT" in c for c in review_row)
    assert "appr revised" in shown.dashboard and "SỬA SAU PHÊ DUYỆT" in shown.dashboard
    # the unit's revision, and the merged province's total recomputed from it (approved too)
    assert shown.summary["revisions_waiting"] == 2


def test_after_unapprove_the_reports_no_longer_say_approved(steps: Steps) -> None:
    shown = steps.shown["unapproved"]
    [values_row] = shown.values_sheet
    assert "Not approved" in values_row and 150.5 in values_row
    assert not any(isinstance(c, str) and "REVISION AFTER APPROVAL" in c for c in values_row)
    [review_row] = shown.review_sheet
    assert any(isinstance(c, str) and c.startswith(f"Phê duyệt một phần (chưa đủ các đơn vị) bởi {BY}")
               for c in review_row), review_row
    assert "appr revised" not in shown.dashboard
    # the province's total is still approved; recomputed from the unit's now official figure, it waits
    assert shown.summary["revisions_waiting"] == 1


def test_a_rebuild_home_gets_the_approval_log(steps: Steps, tmp_path: Path) -> None:
    # dothi rebuild seeds its fresh home with seed_home: the log must be there, byte for byte, so the
    # rebuilt marts apply the same approvals (their replay is test_rollback_rebuild's).
    target = DothiHome(tmp_path / "rebuilt")
    seed_home(DothiHome(steps.home), target, [])
    log = steps.home / "control" / "approvals.jsonl"
    assert (target.root / "control" / "approvals.jsonl").read_bytes() == log.read_bytes()
