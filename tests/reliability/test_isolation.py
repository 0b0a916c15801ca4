"""Isolation and bounds (issue 12 §1): no file can stop the night.

Every parse runs in a worker process with a memory limit (RLIMIT_AS) and a time limit; a file whose
parse crashes, runs out of memory or hangs is quarantined with that reason, and every other file loads.
Size caps (file, cells per sheet, field length) give their own reasons. The poison files are real: a
5 KB .xlsx whose stray cell at XFD1048576 makes the Excel reader ask for 512 GB; crashes and hangs come
from ``DOTHI_PARSE_FAULT`` (sources/prepare.py), the way a C reader fails.

Most tests call ``run_intake`` in this very process: if a parse ran here unbounded, pytest itself would
abort. One real ``dothi refresh`` puts every poison file in one inbox and checks the night publishes.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sources import limits
from sources.home import DothiHome
from sources.inbox import PendingFile, archive, sha256_hex, write_pending
from sources.intake import run_intake
from tests.conftest import REPO, run_cli
from tests.reliability import corpus

NOW = datetime(2026, 11, 15, 9, 0)
SAMPLE = REPO / "sources" / "sample" / "submissions"
GOOD = ["CamRanh_BaoCao_2024.csv", "KhanhSon2024.csv"]
OLD = 1.75e9  # mtime well before now: the inbox's settle interval does not hold the files back


def stray_cell_xlsx(dimension: bool = True) -> bytes:
    """A small, valid table plus one stray cell at XFD1048576 (what Ctrl+End leaves behind). Without
    ``dimension`` the sheet does not declare its size, so only the reader's allocation reveals it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [["Đơn vị báo cáo: Sở Xây dựng"], ["Kỳ báo cáo: Năm 2024"], [], corpus.XLSX_HEADER,
                ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 85.3, None]]:
        ws.append(row)
    ws["XFD1048576"] = " "
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if dimension:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                part = re.sub(rb"<dimension [^>]*/>", b"", part)
            dst.writestr(info, part)
    return out.getvalue()


def _home(root: Path, files: dict[str, bytes], good: list[str] = GOOD) -> DothiHome:
    home = DothiHome(root).ensure()
    for name in good:
        shutil.copy2(SAMPLE / name, home.inbox / name)
    for name, data in files.items():
        (home.inbox / name).write_bytes(data)
    for path in home.inbox.iterdir():
        os.utime(path, (OLD, OLD))
    return home


def _submissions(warehouse: Path) -> dict[str, tuple[str, str | None, int]]:
    """file name → (status, reason, figures in raw.figures)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select s.file_name, s.status, s.reason, count(f.file_sha256) from raw.submissions s "
            "left join raw.figures f using (file_sha256) group by all"
        ).fetchall()
    return {name: (status, reason, figures) for name, status, reason, figures in rows}


def _assert_good_loaded(got: dict[str, tuple[str, str | None, int]]) -> None:
    for name in GOOD:
        status, _, figures = got[name]
        assert status.startswith("accepted") and figures > 0, (name, got[name])


def test_limits_are_read_at_call_time(monkeypatch) -> None:
    for env in limits.DEFAULTS:
        monkeypatch.delenv(env, raising=False)
    assert limits.max_file_bytes() == 64 * limits.MB and limits.parse_timeout_s() == 300
    assert limits.parse_memory_bytes() == 2048 * limits.MB
    assert limits.max_cells() == 5_000_000 and limits.max_field_chars() == 1_000_000
    monkeypatch.setenv(limits.MAX_FILE_MB_ENV, "0.5")
    monkeypatch.setenv(limits.PARSE_TIMEOUT_ENV, "0")  # 0: no limit
    monkeypatch.setenv(limits.MAX_CELLS_ENV, "many")  # not a number: the default, with a warning
    assert limits.max_file_bytes() == limits.MB // 2 and limits.parse_timeout_s() is None
    assert limits.max_cells() == 5_000_000


def test_declared_sheet_size_is_read_before_loading() -> None:
    reason = limits.sheet_cells_reason(stray_cell_xlsx())
    assert reason is not None and "A1:XFD1048576" in reason and "17,179,869,184 cells" in reason
    assert limits.sheet_cells_reason(stray_cell_xlsx(dimension=False)) is None  # nothing declared
    assert limits.sheet_cells_reason(corpus.good_xlsx()) is None
    assert limits.sheet_cells_reason(b"not a zip") is None


def test_a_one_file_night_with_a_runaway_allocation_does_not_kill_the_process(tmp_path) -> None:
    """The stray cell without a declared dimension: the reader asks for 512 GB. In-process that is an
    abort (exit 134) of the whole refresh; here only the worker dies, and the file is quarantined."""
    home = _home(tmp_path / "home", {"stray.xlsx": stray_cell_xlsx(dimension=False)}, good=[])
    report = run_intake(home, "run", now=NOW)  # default: one worker
    (outcome,) = report.outcomes
    assert outcome.status == "quarantined"
    assert "ran out of memory on this file (limit 2,048 MB" in (outcome.reason or "")
    assert "asked for 524,288 MB at once" in (outcome.reason or "")
    assert list(home.inbox.iterdir()) == []
    reason_file = home.quarantine / f"{outcome.sha256}.reason.txt"
    assert outcome.reason is not None and outcome.reason in reason_file.read_text(encoding="utf-8")


def test_poison_files_are_quarantined_with_their_reason_and_the_rest_loads(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DOTHI_PARSE_FAULT", "crash:crash.csv,hang:hang.csv,allocate:allocate.csv")
    monkeypatch.setenv(limits.PARSE_TIMEOUT_ENV, "3")
    monkeypatch.setenv(limits.PARSE_MEMORY_ENV, "1024")
    monkeypatch.setenv(limits.MAX_FILE_MB_ENV, "0.05")  # 51 KB
    monkeypatch.setenv(limits.MAX_FIELD_ENV, "5000")
    good = corpus.good_csv()
    files = {
        "crash.csv": good,
        "hang.csv": good + b"\n",
        "allocate.csv": good + b"\n\n",
        "stray.xlsx": stray_cell_xlsx(),
        "stray_undeclared.xlsx": stray_cell_xlsx(dimension=False),
        "big.csv": corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;" + "x" * 4000] * 20).encode(),
        "long_field.csv": corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;" + "y" * 6000]).encode(),
        "long_ok.csv": corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;" + "z" * 4000]).encode(),
    }
    home = _home(tmp_path / "home", files)
    report = run_intake(home, "run", now=NOW, workers=2)
    reasons = {o.file_name: (o.status, o.reason or "") for o in report.outcomes}
    expected = {
        "crash.csv": "the reader crashed on this file (its worker process was killed by SIGABRT)",
        "hang.csv": "the reader took longer than 3 s on this file",
        "allocate.csv": "ran out of memory on this file (limit 1,024 MB",
        "stray.xlsx": "spans A1:XFD1048576 (17,179,869,184 cells), more than the limit of 5,000,000 cells",
        "stray_undeclared.xlsx": "ran out of memory on this file (limit 1,024 MB, DOTHI_PARSE_MEMORY_MB; "
        "the reader asked for 524,288 MB at once)",
        "big.csv": "more than the limit of 51 KB for one file (DOTHI_MAX_FILE_MB)",
        "long_field.csv": "row 6 holds a field of 6,000 characters, more than the limit of 5,000",
    }
    for name, text in expected.items():
        assert reasons[name][0] == "quarantined" and text in reasons[name][1], (name, reasons[name])
    assert reasons["long_ok.csv"][0] == "accepted"
    got = _submissions(home.warehouse)
    _assert_good_loaded(got)
    assert got["long_ok.csv"][2] == 1
    assert {n for n, (s, _, _) in got.items() if s == "quarantined"} == set(expected)
    assert list(home.inbox.iterdir()) == []


def test_a_journalled_poison_file_is_recovered_in_a_worker(tmp_path) -> None:
    """A run that died after journalling a poison file: the next run re-reads it from the archive in a
    worker too (a journal replayed in-process would abort every later night)."""
    home = _home(tmp_path / "home", {})
    data = stray_cell_xlsx(dimension=False)
    sha = sha256_hex(data)
    path = archive(home, data, sha, ".xlsx")
    write_pending(home, [PendingFile(sha, path, "stray.xlsx", datetime(2025, 6, 1).astimezone(), NOW, "dead")])
    report = run_intake(home, "run", now=NOW)
    recovered = [o for o in report.outcomes if o.recovered]
    assert [(o.file_name, o.status) for o in recovered] == [("stray.xlsx", "quarantined")]
    assert "ran out of memory" in (recovered[0].reason or "")
    _assert_good_loaded(_submissions(home.warehouse))


@pytest.mark.integration
def test_a_crash_an_out_of_memory_and_a_hang_leave_the_rest_of_the_night_published(tmp_path, monkeypatch) -> None:
    """One real refresh with every poison file in the inbox: it publishes, the good files' figures are
    live, each poison file is quarantined with its reason in fct_submissions. A note of 900 000
    characters, under the field cap, goes through the whole pipeline, reports included."""
    monkeypatch.setenv("DOTHI_PARSE_FAULT", "crash:crash.csv,hang:hang.csv")
    monkeypatch.setenv(limits.PARSE_TIMEOUT_ENV, "20")
    good = corpus.good_csv()
    home = _home(tmp_path / "home", {
        "crash.csv": good,
        "hang.csv": good + b"\n",
        "stray.xlsx": stray_cell_xlsx(dimension=False),
        "long_note.csv": corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;" + "n" * 900_000]).encode(),
    })
    run = run_cli(home.root, "refresh", "--json")
    assert run.returncode == 0, f"STDOUT:\n{run.stdout[-3000:]}\nSTDERR:\n{run.stderr[-6000:]}"
    published = json.loads((home.root / "published.json").read_text())
    assert published.get("run_id")
    got = _submissions(home.warehouse)
    _assert_good_loaded(got)
    assert got["long_note.csv"][:1] == ("accepted",) and got["long_note.csv"][2] == 1
    assert "the reader crashed on this file" in (got["crash.csv"][1] or "")
    assert "took longer than 20 s" in (got["hang.csv"][1] or "")
    assert "ran out of memory" in (got["stray.xlsx"][1] or "")
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        live = dict(conn.execute("select file_name, status from marts.fct_submissions").fetchall())
    assert {live[n] for n in ("crash.csv", "hang.csv", "stray.xlsx")} == {"quarantined"}


def test_reports_read_a_hundred_fields_at_the_intake_cap(tmp_path) -> None:
    """100 findings each quoting a field at the intake's cap (DOTHI_MAX_FIELD_CHARS, 1 000 000 chars):
    before the reports cut text to REPORT_TEXT_CHARS, sorting those rows for the first page exhausted
    the reports' 256 MB DuckDB limit."""
    from outputs.marts import ReportScope, read_marts
    from sources.memory import REPORT_TEXT_CHARS

    db = tmp_path / "warehouse.duckdb"
    cap = limits.max_field_chars()
    assert cap == 1_000_000
    with duckdb.connect(str(db)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.fct_dq_issues as select 'R' || (i % 5) as rule_code, 'error' as severity, "
            "'56' as locality_code, 'X' as indicator_code, '2024' as period, i as issue_id, 'open' as status, "
            f"repeat('y', {cap}) as message from range(100) t(i)"
        )
    marts = read_marts(db, ("fct_dq_issues",), ReportScope(localities=10, rows=300))
    messages = marts.frames["fct_dq_issues"]["message"]
    assert len(messages) == 100 and set(messages.str.len()) == {REPORT_TEXT_CHARS + 1}
    assert messages.iloc[0].endswith("…")
