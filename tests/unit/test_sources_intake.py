"""End to end: files in a tmp DOTHI_HOME inbox → raw tables in a real DuckDB file."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl

from sources.home import DothiHome
from sources.inbox import display_name, list_inbox
from sources.intake import run_intake

NOW = datetime(2025, 6, 15, 9, 0)

DEPT_CSV = (
    "Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\nNgày gửi: 20/01/2025\n\n"
    "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Giá trị\n"
    "TP. Nha Trang;ALLEY_LIT_RATE;%;85,3\n"
    "Huyen Cam Lam Moi;ALLEY_LIT_RATE;%;60\n"
    "Toàn tỉnh;ALLEY_LIT_RATE;%;-\n"
).encode()


def _locality_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Đơn vị báo cáo: UBND huyện Diên Khánh"
    ws["A2"] = "Kỳ báo cáo: 6 tháng đầu năm 2025"
    ws.append([])
    ws.append(["Chỉ tiêu", "Giá trị", "Ghi chú"])
    ws.append(["Tỷ lệ đô thị hóa", 61.5, "số liệu mô phỏng"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _home(tmp_path: Path) -> DothiHome:
    home = DothiHome(tmp_path / "home").ensure()
    return home


def _count(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(f"select count(*) from raw.{table}").fetchall()[0][0]


def test_run_intake_end_to_end_and_idempotent(tmp_path):
    home = _home(tmp_path)
    (home.inbox / "so_xay_dung_2024.csv").write_bytes(DEPT_CSV)
    (home.inbox / "dien_khanh.xlsx").write_bytes(_locality_xlsx())
    (home.inbox / "broken.xlsx").write_bytes(b"\x00\x01 not a workbook")
    (home.inbox / "~$dien_khanh.xlsx").write_bytes(b"lock file")
    (home.inbox / ".hidden.csv").write_bytes(DEPT_CSV)
    outside = tmp_path / "secret.csv"
    outside.write_bytes(DEPT_CSV + b"x")
    os.symlink(outside, home.inbox / "link.csv")

    report = run_intake(home, run_id="run-1", now=NOW)

    assert report.files_seen == 3
    assert (report.accepted, report.accepted_with_rejections, report.quarantined, report.duplicates) == (
        1,
        1,
        1,
        0,
    )
    assert (report.rows_accepted, report.rows_rejected) == (3, 1)
    by_name = {o.file_name: o for o in report.outcomes}
    assert by_name["broken.xlsx"].status == "quarantined" and "NUL" in (by_name["broken.xlsx"].reason or "")
    outcomes = report.to_dict()["outcomes"]
    assert isinstance(outcomes, list) and outcomes[0]["file_name"] == "broken.xlsx"

    # inbox: only the skipped lock/hidden files and the symlink are left
    assert sorted(p.name for p in home.inbox.iterdir()) == [".hidden.csv", "link.csv", "~$dien_khanh.xlsx"]
    assert list_inbox(home) == []

    db = home.warehouse
    with duckdb.connect(str(db), read_only=True) as conn:
        subs = conn.execute(
            "select file_name, status, reporter_code, reporter_kind, periods, archive_path, file_format, "
            "submitted_at, is_synthetic, reason from raw.submissions order by file_name"
        ).fetchall()
        figures = conn.execute(
            "select file_name, row_number, reporter_code, locality_code, indicator_code, period, value, "
            "number_reading, submitted_at, run_id from raw.figures order by file_name, row_number"
        ).fetchall()
        rejected = conn.execute(
            "select row_number, field, value_raw, reason from raw.rejected_rows"
        ).fetchall()

    broken, dien_khanh, sxd = subs
    assert broken[1] == "quarantined" and broken[6] == "unknown" and broken[5].endswith(".bin")
    assert dien_khanh[1:5] == ("accepted", "574", "locality", "2025-H1")
    assert dien_khanh[6] == "xlsx" and dien_khanh[8] is True
    assert sxd[1:5] == ("accepted_with_rejections", "SXD", "department", "2024")
    assert sxd[7] == datetime(2025, 1, 20)
    for row in subs:
        assert (home.root / row[5]).is_file()
    sha = sxd[5].rsplit("/", 1)[1].removesuffix(".csv")
    assert sxd[5] == f"archive/{sha[:2]}/{sha}.csv"
    assert (home.root / sxd[5]).read_bytes() == DEPT_CSV
    assert len(list(home.quarantine.glob("*.reason.txt"))) == 1

    assert figures == [
        (
            "dien_khanh.xlsx",
            5,
            "574",
            "574",
            "URBANIZATION_RATE",
            "2025-H1",
            61.5,
            "cell",
            figures[0][8],
            "run-1",
        ),
        (
            "so_xay_dung_2024.csv",
            6,
            "SXD",
            "568",
            "ALLEY_LIT_RATE",
            "2024",
            85.3,
            "vi",
            datetime(2025, 1, 20),
            "run-1",
        ),
        (
            "so_xay_dung_2024.csv",
            8,
            "SXD",
            "56",
            "ALLEY_LIT_RATE",
            "2024",
            None,
            None,
            datetime(2025, 1, 20),
            "run-1",
        ),
    ]
    assert figures[0][8] is not None  # no date in the file: the mtime stands in
    assert rejected[0][:3] == (7, "locality", "Huyen Cam Lam Moi")
    assert "closest: Huyện Cam Lâm (570)" in rejected[0][3]

    # Same bytes again under other names: archived and removed, counted as duplicates, no new rows.
    (home.inbox / "resent.csv").write_bytes(DEPT_CSV)
    (home.inbox / "broken again.bin").write_bytes(b"\x00\x01 not a workbook")
    again = run_intake(home, run_id="run-2", now=NOW)
    assert (again.files_seen, again.duplicates, again.rows_accepted) == (2, 2, 0)
    assert _count(db, "figures") == 3 and _count(db, "submissions") == 3 and _count(db, "rejected_rows") == 1
    assert not (home.inbox / "resent.csv").exists()


def test_a_revision_is_loaded_as_another_version(tmp_path):
    home = _home(tmp_path)
    (home.inbox / "v1.csv").write_bytes(DEPT_CSV)
    run_intake(home, run_id="r1", now=NOW)
    (home.inbox / "v2.csv").write_bytes(
        DEPT_CSV.replace(b"20/01/2025", b"25/01/2025").replace(b"85,3", b"86")
    )
    run_intake(home, run_id="r2", now=NOW)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select value, submitted_at from raw.figures where locality_code = '568' order by submitted_at"
        ).fetchall()
    assert rows == [(85.3, datetime(2025, 1, 20)), (86.0, datetime(2025, 1, 25))]


def test_custom_warehouse_path_and_connection_closed(tmp_path):
    home = _home(tmp_path)
    (home.inbox / "a.csv").write_bytes(DEPT_CSV)
    db = tmp_path / "other.duckdb"
    run_intake(home, run_id="r", now=NOW, warehouse=db)
    assert _count(db, "figures") == 2  # read-only open succeeds: intake closed its connection
    assert not home.warehouse.exists()


def test_display_name_strips_paths():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\x\\Báo cáo.xlsx") == "Báo cáo.xlsx"
    assert display_name("a\x00b.csv") == "ab.csv"


def test_inbox_fingerprints_follow_content_not_names(tmp_path):
    from sources.inbox import inbox_fingerprints, sha256_hex

    home = _home(tmp_path)
    (home.inbox / "a.csv").write_bytes(DEPT_CSV)
    (home.inbox / "b.csv").write_bytes(DEPT_CSV)
    (home.inbox / "~$lock.xlsx").write_bytes(b"x")
    assert inbox_fingerprints(home) == [sha256_hex(DEPT_CSV)]
