"""Recovering without the files being sent again, on a copy of the session's sample home and its own copy of
the seeds (``DOTHI_SEEDS_DIR``: the repository's seeds are never written).

One scenario, steps in order: a row rejected for an unknown unit name (a locality typo) in a new file, and the
sample's file quarantined for an unknown reporter (planted problem 10, BQLDA_XYZ_von_dau_tu_2024.xlsx).
`dothi aliases` names both; `dothi aliases --add` writes the two aliases to the copied seeds; `reprocess
--dry-run` says what would come back and writes nothing; `reprocess` re-reads both from the archive: the row
is a figure with its file's lineage and submitted_at and becomes the consolidated value, the quarantined file
is accepted (same hash, archive path, received and submitted times) in the marts and fct_submissions, both
findings resolve, the quarantine copy moves to quarantine/recovered/; a second reprocess recovers nothing.

Cost: two real refreshes (the new file's intake, the reprocess) and a no-op one (the second reprocess).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sources.reference import SEEDS_DIR_ENV, seeds_dir
from tests.conftest import REPO, RefreshRun, run_cli

TYPO = "Thành phố Cam Ranhh"  # one letter too many: no known name
HEADER = "Đơn vị báo cáo,Kỳ báo cáo,Ngày gửi,Địa bàn,Mã chỉ tiêu,Chỉ tiêu,Giá trị,Đơn vị tính,Tử số,Mẫu số,Ghi chú\n"
# Sent after the sample's SoXayDung-2023.csv (09/02/2024): a revision, so the recovered row is the value.
ROWS = (
    "Sở Xây dựng,Năm 2023,15/03/2024,568,PLANS_APPROVED,Số đồ án quy hoạch được phê duyệt (lũy kế),19,đồ án,,,\n"
    f"Sở Xây dựng,Năm 2023,15/03/2024,{TYPO},PLANS_APPROVED,Số đồ án quy hoạch được phê duyệt (lũy kế),11,đồ án,,,\n"
)
FILE = "SXD_reprocess_2023.csv"
QUARANTINED = "BQLDA_XYZ_von_dau_tu_2024.xlsx"
REPORTER = "Ban Quản lý dự án XYZ"


def _query(warehouse: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def _ok(run: RefreshRun, what: str) -> dict:
    assert run.returncode == 0, f"{what} failed\nSTDOUT:\n{run.stdout[-3000:]}\nSTDERR:\n{run.stderr[-5000:]}"
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def home(sample_refresh: RefreshRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample home with the typo file ingested, and its own seeds (every CLI call of the module reads them)."""
    root = tmp_path_factory.mktemp("reprocess")
    home = root / "home"
    shutil.copytree(sample_refresh.home, home, symlinks=True, ignore=shutil.ignore_patterns("work"))
    shutil.copytree(seeds_dir(), root / "seeds")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SEEDS_DIR_ENV, str(root / "seeds"))
        (home / "inbox" / FILE).write_text(HEADER + ROWS, encoding="utf-8")
        _ok(run_cli(home, "refresh", "--json"), "refresh")
        yield home


def test_rejected_row_and_quarantined_file_recovered_after_aliases(home: Path) -> None:
    warehouse = home / "warehouse.duckdb"
    seeds = Path(os.environ[SEEDS_DIR_ENV])
    repo_seeds = {p.name: p.read_bytes() for p in (REPO / "dbt_project" / "seeds").glob("*.csv")}
    (sha,) = _query(warehouse, "select file_sha256 from raw.submissions where file_name = ?", FILE)[0]
    assert _query(warehouse, "select row_number, field from raw.rejected_rows where file_sha256 = ?", sha) == [
        (3, "locality")]
    assert not (home / "inbox" / FILE).exists()  # archived; nobody sends it again
    (q_sha, q_archive, q_received, q_submitted), = _query(
        warehouse, "select file_sha256, archive_path, received_at, submitted_at from raw.submissions "
                   "where file_name = ? and status = 'quarantined'", QUARANTINED)
    assert (home / "quarantine" / f"{q_sha}.xlsx").exists() and (home / q_archive).exists()  # both copies
    value_sql = ("select value, file_sha256, row_number from marts.fct_indicator_values where "
                 "indicator_code = 'PLANS_APPROVED' and locality_code = '569' and period = '2023'")
    assert _query(warehouse, value_sql)[0][0] == 10.0  # the sample's SoXayDung-2023.csv

    # dothi aliases: both names, with the closest known one
    listed = _ok(run_cli(home, "aliases", "--json"), "aliases")
    (typo,) = [u for u in listed["unresolved"] if u["raw"] == TYPO]
    assert (typo["kind"], typo["rows"], typo["files"]) == ("locality", 1, [FILE])
    assert typo["closest"] == "Thành phố Cam Ranh"
    (reporter,) = [u for u in listed["unresolved"] if u["raw"] == REPORTER]
    assert (reporter["kind"], reporter["quarantined_files"], reporter["files"]) == ("reporter", 1, [QUARANTINED])

    unknown = run_cli(home, "aliases", "--add", TYPO, "--as", "99999", "--kind", "locality")
    assert unknown.returncode == 2 and "unknown locality '99999'" in unknown.stderr
    present = run_cli(home, "aliases", "--add", "Thành phố Cam Ranh", "--as", "569", "--kind", "locality")
    assert present.returncode == 2 and "already a name of 569@2020-01-01" in present.stderr
    added = _ok(run_cli(home, "aliases", "--add", TYPO, "--as", "569", "--note", "typo in SXD 2023", "--json"),
                "aliases --add")
    assert (added["kind"], added["code"], added["seed"]) == (
        "locality", "569@2020-01-01", str((seeds / "locality_aliases.csv").resolve()))
    assert (seeds / "locality_aliases.csv").read_text(encoding="utf-8").endswith(
        f"569@2020-01-01,{TYPO},{added['source']}\n")
    again = run_cli(home, "aliases", "--add", TYPO, "--as", "569")
    assert again.returncode == 2 and "already a name" in again.stderr
    _ok(run_cli(home, "aliases", "--add", REPORTER, "--as", "SXD", "--note", "BQLDA XYZ reports for SXD", "--json"),
        "aliases --add reporter")
    assert {p.name: p.read_bytes() for p in (REPO / "dbt_project" / "seeds").glob("*.csv")} == repo_seeds
    names = _ok(run_cli(home, "aliases", "--json"), "aliases")
    assert (names["fixed_awaiting_reprocess"], names["quarantined_fixed_awaiting_reprocess"]) == (1, 1)

    # --dry-run: what would come back; nothing written
    dry = _ok(run_cli(home, "reprocess", "--dry-run", "--json"), "reprocess --dry-run")
    assert (dry["rows_recovered"], dry["files_recovered"], dry["files_still_quarantined"]) == (1, 1, 0)
    (would,) = [f for f in dry["files"] if f["kind"] == "file"]
    assert (would["file_name"], would["status"], would["rows_recovered"]) == (QUARANTINED, "accepted", 2)
    assert _query(warehouse, "select count(*) from raw.figures where file_sha256 in (?, ?)", sha, q_sha)[0][0] == 1

    done = _ok(run_cli(home, "reprocess", "--json"), "reprocess")
    # The sample's 7 other rejected rows (planted problems no alias fixes) stay rejected.
    assert (done["rows_recovered"], done["rows_still_rejected"], done["files_recovered"]) == (1, 7, 1)
    # The row: a figure with its file's lineage and submitted_at, and the consolidated value now
    figures = _query(warehouse, "select file_name, row_number, locality_code, value, submitted_at "
                                "from raw.figures where file_sha256 = ? order by row_number", sha)
    assert [f[:4] for f in figures] == [(FILE, 2, "568", 19.0), (FILE, 3, "569", 11.0)]
    assert figures[0][4] == figures[1][4] and figures[1][4].date().isoformat() == "2024-03-15"
    assert _query(warehouse, value_sql) == [(11.0, sha, 3)]
    assert _query(warehouse, "select status from marts.fct_dq_issues where rule_code = 'INTAKE_ROW_REJECTED' "
                             "and file_sha256 = ? and row_number = 3", sha) == [("resolved",)]
    # The file: accepted, with the lineage of its first arrival; raw.submissions still says quarantined
    assert _query(warehouse, "select status from raw.submissions where file_sha256 = ?", q_sha) == [("quarantined",)]
    (recovered,) = _query(warehouse, "select archive_path, received_at, submitted_at, previous_status from "
                                     "raw.recovered_files where file_sha256 = ?", q_sha)
    assert recovered[:2] == (q_archive, q_received) and recovered[3] == "quarantined"
    # submitted_at: the date the file itself states (its title block), read now; the quarantined reading stopped
    # at the reporter, before it, and had only the file's modification time.
    assert recovered[2].date().isoformat() == "2025-01-20" and recovered[2] <= q_submitted
    # Accepted, both figures current (SXD's versions; the consolidated CAPITAL_MOBILISED stays the owning
    # department's, SKHDT's, by the channel rule)
    assert _query(warehouse, "select status, reporter_code, received_at, figures_total, figures_current "
                             "from marts.fct_submissions where file_sha256 = ?", q_sha) == [
        ("accepted", "SXD", q_received, 2, 2)]
    assert sorted(_query(warehouse, "select locality_code, indicator_code, value from raw.figures "
                                    "where file_sha256 = ?", q_sha)) == [
        ("568", "CAPITAL_MOBILISED", 610.4), ("570", "CAPITAL_MOBILISED", 238.4)]
    assert _query(warehouse, "select status from marts.fct_dq_issues where rule_code = 'FILE_QUARANTINED' "
                             "and file_sha256 = ?", q_sha) == [("resolved",)]
    assert done["quarantine_copies_filed"] == [f"{q_sha}.reason.txt", f"{q_sha}.xlsx"]
    assert not list((home / "quarantine").glob(f"{q_sha}*"))
    assert (home / "quarantine" / "recovered" / f"{q_sha}.xlsx").read_bytes() == (home / q_archive).read_bytes()
    assert "recovered:" in (home / "quarantine" / "recovered" / f"{q_sha}.reason.txt").read_text(encoding="utf-8")
    assert not [u for u in _ok(run_cli(home, "aliases", "--json"), "aliases")["unresolved"]
                if u["raw"] in (TYPO, REPORTER)]

    twice = _ok(run_cli(home, "reprocess", "--json"), "reprocess again")
    assert (twice["rows_recovered"], twice["files_recovered"], twice["quarantined_read"]) == (0, 0, 0)
    assert FILE not in {f["file_name"] for f in twice["files"]}  # its one rejected row is a figure now
    assert _query(warehouse, "select count(*) from raw.figures where file_sha256 in (?, ?)", sha, q_sha)[0][0] == 4
    assert _query(warehouse, "select count(*) from raw.recovered_rows")[0][0] == 1
    assert _query(warehouse, "select count(*) from raw.recovered_files")[0][0] == 1
