"""A row rejected for an unknown unit name comes back, consolidated, once an alias is added: `dothi aliases`
names it with the closest known unit, `dothi aliases --add` writes the alias to the seed, `dothi reprocess`
re-reads the archived file (never sent again) and loads that row only, with the original file's lineage and
submitted_at; its rejection finding resolves; a second reprocess recovers nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, RefreshRun, run_cli

SEED = REPO / "dbt_project" / "seeds" / "locality_aliases.csv"
TYPO = "Thành phố Nha Trangg"  # one letter too many: no known name
HEADER = "Đơn vị báo cáo,Kỳ báo cáo,Ngày gửi,Địa bàn,Mã chỉ tiêu,Chỉ tiêu,Giá trị,Đơn vị tính,Tử số,Mẫu số,Ghi chú\n"
ROWS = (
    "Sở Xây dựng,Năm 2023,09/02/2024,568,PLANS_APPROVED,Số đồ án quy hoạch được phê duyệt (lũy kế),19,đồ án,,,\n"
    f"Sở Xây dựng,Năm 2023,09/02/2024,{TYPO},URBANIZATION_RATE,Tỷ lệ đô thị hóa,87.7,%,,,\n"
)
FILE = "SXD_reprocess_2023.csv"


@pytest.fixture
def seed_restored() -> Iterator[None]:
    """The test adds an alias to the real seed (dbt and intake read it there): put the file back after."""
    before = SEED.read_bytes()
    try:
        yield
    finally:
        SEED.write_bytes(before)


def _query(warehouse: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def _ok(run: RefreshRun, what: str) -> dict:
    assert run.returncode == 0, f"{what} failed\nSTDOUT:\n{run.stdout[-3000:]}\nSTDERR:\n{run.stderr[-5000:]}"
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_rejected_row_recovered_after_alias(tmp_path: Path, seed_restored: None) -> None:
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    (home / "inbox" / FILE).write_text(HEADER + ROWS, encoding="utf-8")
    _ok(run_cli(home, "refresh", "--json"), "refresh")
    warehouse = home / "warehouse.duckdb"
    (sha,) = _query(warehouse, "select file_sha256 from raw.submissions")[0]
    assert _query(warehouse, "select row_number, field from raw.rejected_rows") == [(3, "locality")]
    assert not list((home / "inbox").iterdir())  # the file is archived; nobody sends it again

    listed = _ok(run_cli(home, "aliases", "--json"), "aliases")
    (name,) = [u for u in listed["unresolved"] if u["raw"] == TYPO]
    assert (name["kind"], name["rows"], name["files"]) == ("locality", 1, [FILE])
    assert (name["closest"], name["closest_code"]) == ("Thành phố Nha Trang", "568@2020-01-01")

    unknown = run_cli(home, "aliases", "--add", TYPO, "--as", "99999", "--kind", "locality")
    assert unknown.returncode == 2 and "unknown locality '99999'" in unknown.stderr
    present = run_cli(home, "aliases", "--add", "Thành phố Nha Trang", "--as", "568", "--kind", "locality")
    assert "--kind locality|reporter|indicator" in run_cli(home, "aliases", "--add", "X", "--as", "568").stderr
    assert present.returncode == 2 and "already a name of 568@2020-01-01" in present.stderr
    added = _ok(run_cli(home, "aliases", "--add", TYPO, "--as", "568", "--note", "typo in SXD 2023", "--json"),
                "aliases --add")
    assert (added["kind"], added["code"]) == ("locality", "568@2020-01-01")
    assert SEED.read_text(encoding="utf-8").endswith(f"568@2020-01-01,{TYPO},{added['source']}\n")
    assert "typo in SXD 2023" in added["source"]
    again = run_cli(home, "aliases", "--add", TYPO, "--as", "568")
    assert again.returncode == 2 and "already a name" in again.stderr
    assert _ok(run_cli(home, "aliases", "--json"), "aliases")["fixed_awaiting_reprocess"] == 1

    dry = _ok(run_cli(home, "reprocess", "--dry-run", "--json"), "reprocess --dry-run")
    assert (dry["rows_recovered"], dry["files_read"]) == (1, 1)
    assert _query(warehouse, "select count(*) from raw.figures")[0][0] == 1  # a dry run writes nothing

    done = _ok(run_cli(home, "reprocess", "--json"), "reprocess")
    assert done["rows_recovered"] == 1 and done["rows_still_rejected"] == 0
    figures = _query(warehouse, "select file_sha256, file_name, row_number, locality_code, indicator_code, "
                                "submitted_at from raw.figures order by row_number")
    assert [f[:5] for f in figures] == [(sha, FILE, 2, "568", "PLANS_APPROVED"),
                                        (sha, FILE, 3, "568", "URBANIZATION_RATE")]
    assert figures[0][5] == figures[1][5] and figures[1][5].date().isoformat() == "2024-02-09"
    assert _query(warehouse, "select count(*) from raw.submissions")[0][0] == 1  # no second copy of the file
    assert _query(warehouse, "select file_sha256, row_number from marts.fct_indicator_values "
                             "where indicator_code = 'URBANIZATION_RATE' and locality_code = '568' "
                             "and period = '2023'") == [(sha, 3)]
    issues = _query(warehouse, "select status from marts.fct_dq_issues "
                               "where rule_code = 'INTAKE_ROW_REJECTED' and file_sha256 = ? and row_number = 3", sha)
    assert issues == [("resolved",)]
    assert not [u for u in _ok(run_cli(home, "aliases", "--json"), "aliases")["unresolved"] if u["raw"] == TYPO]

    twice = _ok(run_cli(home, "reprocess", "--json"), "reprocess again")
    assert (twice["rows_recovered"], twice["files_read"]) == (0, 0)
    assert _query(warehouse, "select count(*) from raw.figures")[0][0] == 2
    assert _query(warehouse, "select count(*) from raw.recovered_rows")[0][0] == 1
