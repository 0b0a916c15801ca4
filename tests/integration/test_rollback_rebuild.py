"""`dothi rollback` and `dothi rebuild` on real homes (a copy of the shared sample refresh)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.publishing import RefreshLock
from tests.conftest import REPO, RefreshRun, run_cli

SAMPLE = REPO / "sources" / "sample" / "submissions"


def _copy_home(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    (target / "refresh.lock").write_text("", encoding="utf-8")
    return target


def _revision(home: Path) -> None:
    """A revised Cam Ranh 2024 report (new bytes, a later date, another urban population)."""
    text = (SAMPLE / "CamRanh_BaoCao_2024.csv").read_text(encoding="utf-8-sig")
    text = text.replace("08/02/2025", "20/03/2025").replace('"69,589",người', '"70,100",người')
    (home / "inbox" / "CamRanh_BaoCao_2024_sua.csv").write_text(text, encoding="utf-8-sig")


def _report_text(home: Path) -> str:
    """Every cell of the English Resolution 06 report, as text (its submissions sheet names each file)."""
    import openpyxl

    workbook = openpyxl.load_workbook(home / "reports" / "progress_report.en.xlsx", read_only=True)
    try:
        return "\n".join(str(cell) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    finally:
        workbook.close()


def _files(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {name for (name,) in conn.table("marts.fct_submissions").project("file_name").fetchall()}


@pytest.fixture(scope="module")
def two_publishes(sample_refresh: RefreshRun, tmp_path_factory) -> Path:
    """The sample's publish, then a second one that loads a revision."""
    home = _copy_home(sample_refresh.home, tmp_path_factory.mktemp("rollback") / "home")
    _revision(home)
    run = run_cli(home, "refresh", "--json")
    assert run.returncode == 0, run.stderr[-4000:]
    return home


def test_rollback_lists_and_republishes_the_previous_warehouse(two_publishes: Path, sample_refresh: RefreshRun):
    home = two_publishes
    first = json.loads((sample_refresh.home / "published.json").read_text(encoding="utf-8"))
    second = json.loads((home / "published.json").read_text(encoding="utf-8"))
    revision = "CamRanh_BaoCao_2024_sua.csv"
    assert revision in _files(home / "warehouse.duckdb") and revision not in _files(sample_refresh.warehouse)

    listing = run_cli(home, "rollback", "--list", "--json")
    assert listing.returncode == 0, listing.stderr
    kept = json.loads(listing.stdout)
    assert kept["live"]["run_id"] == second["run_id"]
    assert [k["run_id"] for k in kept["kept"]] == [first["run_id"]]
    assert revision in _report_text(home)  # the second refresh's reports show the revision

    run = run_cli(home, "rollback", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["replaced"]["run_id"] == second["run_id"]
    assert result["now_live"]["run_id"] == first["run_id"]
    assert result["mart_rows"]["fct_submissions"] == {"before": 122, "after": 121}
    assert result["requeued_files"] == [revision]
    # The live file is the first publish again, with its pointers and exports.
    live = json.loads((home / "published.json").read_text(encoding="utf-8"))
    assert live["run_id"] == first["run_id"]
    assert _files(home / "warehouse.duckdb") == _files(sample_refresh.warehouse)
    assert (home / "exports" / "latest").resolve().name == Path(first["exports_dir"]).name
    with duckdb.connect(str(home / "warehouse.previous.duckdb"), read_only=True) as conn:
        assert conn.table("raw.refresh_runs").filter(f"run_id = '{second['run_id']}'").fetchall()
    events = [json.loads(line) for line in (home / "logs" / "runs.jsonl").read_text().splitlines()]
    assert events[-2]["event"] == "rolled_back" and events[-2]["replaced_run_id"] == second["run_id"]
    # The reports officials read now describe the restored warehouse, rewritten under the rollback's lock.
    assert result["reports"]["rewritten"] and events[-1]["event"] == "reports_rewritten"
    assert str(home / "reports" / "progress_report.en.xlsx") in result["reports"]["files"]
    assert str(home / "reports" / "current_dashboard.vi.html") in result["reports"]["files"]
    assert revision not in _report_text(home)
    assert "CamRanh_BaoCao_2024.csv" in _report_text(home)

    # Nothing received is lost: the next refresh loads the re-queued revision again from the archive.
    again = run_cli(home, "refresh", "--json")
    assert again.returncode == 0, again.stderr[-4000:]
    assert revision in _files(home / "warehouse.duckdb")

    # Reports that cannot be rewritten do not undo the rollback: it stands, exit 1 says a person must look.
    blocker = home / "reports" / "progress_report.vi.xlsx"
    blocker.unlink()
    blocker.mkdir()  # a folder where the workbook goes: it cannot be written
    broken = run_cli(home, "rollback", "--json")
    assert broken.returncode == 1, broken.stderr
    outcome = json.loads(broken.stdout)
    assert outcome["ok"] and not outcome["reports"]["rewritten"] and outcome["reports"]["error"]
    assert json.loads((home / "published.json").read_text(encoding="utf-8"))["run_id"] == second["run_id"]
    assert "progress_report.vi.xlsx" in outcome["reports"]["error"]
    blocker.rmdir()


def test_rollback_clear_errors(sample_refresh: RefreshRun, tmp_path: Path):
    home = _copy_home(sample_refresh.home, tmp_path / "home")
    nothing = run_cli(home, "rollback")
    assert nothing.returncode == 2 and "nothing to roll back to" in nothing.stderr
    bad = run_cli(home, "rollback", "--to", "7")
    assert bad.returncode == 2 and "there are 0 kept publish(es)" in bad.stderr
    unknown = run_cli(home, "rollback", "--to", "deadbeef")
    assert unknown.returncode == 2 and "no kept publish has that run id" in unknown.stderr


def test_rollback_refused_while_a_refresh_runs(two_publishes: Path, tmp_path: Path):
    home = _copy_home(two_publishes, tmp_path / "home")
    before = (home / "warehouse.duckdb").read_bytes()
    lock = RefreshLock(home / "refresh.lock")
    lock.acquire("test-refresh", 0)
    try:
        busy = run_cli(home, "rollback", "--json")
    finally:
        lock.release()
    assert busy.returncode == 75
    assert "another refresh is already running: run test-refresh" in json.loads(busy.stdout)["error"]
    assert (home / "warehouse.duckdb").read_bytes() == before


def test_rebuild_from_the_archive_equals_the_published_marts(sample_refresh: RefreshRun, tmp_path: Path):
    out = tmp_path / "rebuilt"
    before = (sample_refresh.home / "published.json").read_text(encoding="utf-8")
    # Days later: the rebuild still runs as of the day the published marts report (late and missing reports
    # depend on the day), whatever today is.
    later = (date.fromisoformat(os.environ["DOTHI_AS_OF_DATE"]) + timedelta(days=3)).isoformat()
    run = run_cli(sample_refresh.home, "rebuild", "--out", str(out), "--json", env_extra={"DOTHI_AS_OF_DATE": later})
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(run.stdout)
    assert result["ok"] and result["files"] == 121
    assert result["as_of_date"] == os.environ["DOTHI_AS_OF_DATE"]
    marts = {m["mart"]: m for m in result["marts"]}
    assert {"fct_indicator_values", "fct_target_gaps", "fct_submissions", "fct_dq_issues"} <= set(marts)
    for mart in marts.values():
        assert mart["equal"], mart
        assert mart["published_rows"] == mart["rebuilt_rows"] > 0
    assert "run_id" in marts["fct_submissions"]["left_out"]
    assert "received_at" not in marts["fct_submissions"]["left_out"]  # the original received times replayed
    assert "first_seen_at" in marts["fct_dq_issues"]["left_out"]
    # The published warehouse is untouched.
    assert (sample_refresh.home / "published.json").read_text(encoding="utf-8") == before


def test_rebuild_refuses_when_an_archived_file_is_missing(sample_refresh: RefreshRun, tmp_path: Path):
    home = _copy_home(sample_refresh.home, tmp_path / "home")
    gone = next((home / "archive").glob("*/*.csv"))
    gone.unlink()
    run = run_cli(home, "rebuild", "--out", str(tmp_path / "out"), "--json")
    assert run.returncode == 2
    result = json.loads(run.stdout)
    assert not result["ok"] and "cannot be rebuilt" in result["error"]
    assert [m["archive_path"] for m in result["missing"]] == [str(gone.relative_to(home))]


def test_rebuild_without_a_published_warehouse_lists_the_files_from_the_newest_kept_publish(
    sample_refresh: RefreshRun, tmp_path: Path
):
    home = _copy_home(sample_refresh.home, tmp_path / "home")
    live = json.loads((home / "published.json").read_text(encoding="utf-8"))
    (home / "warehouse.duckdb").unlink()  # lost; publishes/ still holds it
    gone = next((home / "archive").glob("*/*.csv"))
    gone.unlink()  # so that the rebuild stops at the archive check: no refresh needed to see the list's origin
    run = run_cli(home, "rebuild", "--out", str(tmp_path / "out"), "--json")
    assert run.returncode == 2
    result = json.loads(run.stdout)
    assert result["listed_from"] == str(home / "publishes" / f"{live['run_id']}.duckdb")
    assert result["files"] == 121 and [m["archive_path"] for m in result["missing"]] == [str(gone.relative_to(home))]
    # Nothing to list the files from at all: a clear error.
    shutil.rmtree(home / "publishes")
    nothing = run_cli(home, "rebuild", "--json")
    assert nothing.returncode == 2 and "no kept publish in publishes/" in json.loads(nothing.stdout)["error"]
    forced = run_cli(home, "rebuild", "--force")
    assert forced.returncode == 2 and "--force only makes sense with --publish" in forced.stderr
