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

from tests.conftest import REPO, RefreshRun, run_cli

pytestmark = pytest.mark.integration

SAMPLE = REPO / "sources" / "sample" / "submissions"
KEY = ("22366", "WATER_PER_CAPITA", "2025")  # Phường Nha Trang, from KHAWASCO_nuoc_sach_2025.csv: 141.2
REVISION_FILE = "KHAWASCO_nuoc_sach_2025_dieu_chinh.csv"


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
    approve = run_cli(home, "approve", "--period", "2025", "--by", "Trần Thị Thống Kê",
                      "--note", "Số liệu năm 2025 đã rà soát", "--json")
    assert approve.returncode == 0, approve.stderr
    _refresh(home)
    approved = _row(home)
    _drop_revision(home / "inbox")
    _refresh(home)
    revised = _row(home)
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
    return Steps(home, approve, approved, revised, findings, figures, unapprove, _row(home))


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
