"""Issue 12 §3: a file modified "in 2099" (a PC with a wrong clock) and no date of its own must not keep its
version current over every later correction: its submission time is clamped to the ingestion time, and
the title block says so. The real intake on a tmp DOTHI_HOME."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from sources.home import DothiHome
from sources.intake import run_intake

NOW = datetime(2025, 6, 15, 9, 0)


def _csv(value: str) -> bytes:  # no 'Ngày gửi': the file's modification time stands in
    return ("Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\n\n"
            f"Địa bàn;Mã chỉ tiêu;Đơn vị tính;Giá trị\nTP. Nha Trang;ALLEY_LIT_RATE;%;{value}\n").encode()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DothiHome:
    monkeypatch.setenv("DOTHI_INBOX_SETTLE_S", "0.2")
    return DothiHome(tmp_path / "home").ensure()


def test_a_file_modified_in_2099_is_clamped_to_the_ingestion_time(home: DothiHome) -> None:
    path = home.inbox / "SXD_2024_sai_dong_ho.csv"
    path.write_bytes(_csv("80"))
    year_2099 = datetime(2099, 1, 1).timestamp()
    os.utime(path, (year_2099, year_2099))
    run_intake(home, "run", now=NOW, workers=1)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        assert (row := conn.execute("select submitted_at, title_block from raw.submissions").fetchone()) is not None
        submitted, title = row
        assert (row := conn.execute("select submitted_at from raw.figures").fetchone()) is not None
        (figure_submitted,) = row
    assert submitted == NOW and figure_submitted == NOW
    assert "after the ingestion time" in json.loads(title)["_submitted_at_clamped"]


def test_a_file_modified_in_the_past_keeps_its_modification_time(home: DothiHome) -> None:
    path = home.inbox / "SXD_2024.csv"
    path.write_bytes(_csv("81"))
    when = datetime(2025, 2, 1, 8, 30).timestamp()
    os.utime(path, (when, when))
    run_intake(home, "run", now=NOW, workers=1)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        assert (row := conn.execute("select submitted_at, title_block from raw.submissions").fetchone()) is not None
        submitted, title = row
    assert submitted < NOW
    assert "_submitted_at_clamped" not in json.loads(title or "{}")


def test_a_clamped_date_is_a_finding_in_the_published_warehouse(tmp_path: Path) -> None:
    """Through a real refresh: the clamped file is accepted, and fct_dq_issues says what was done (a warning
    with what to check), so the Department sees it without opening the title block."""
    from tests.conftest import run_cli

    home = DothiHome(tmp_path / "home").ensure()
    path = home.inbox / "SXD_2024_sai_dong_ho.csv"
    path.write_bytes(_csv("80"))
    year_2099 = datetime(2099, 1, 1).timestamp()
    os.utime(path, (year_2099, year_2099))
    run = run_cli(home.root, "refresh", "--json")
    assert run.returncode == 0, run.stderr[-4000:]
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        findings = conn.execute(
            "select severity, file_name, message_en, instruction_en from marts.fct_dq_issues "
            "where rule_code = 'SUBMITTED_AT_CLAMPED' and status = 'open'").fetchall()
        assert (row := conn.execute("select submitted_at from marts.fct_submissions").fetchone()) is not None
        (submitted,) = row
    assert len(findings) == 1
    severity, file_name, message, instruction = findings[0]
    assert severity == "warning" and file_name == "SXD_2024_sai_dong_ho.csv"
    assert "clamped" in message and "clock" in instruction
    assert submitted.year < 2099
