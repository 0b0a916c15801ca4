"""Issue 12, §2 and §4 (inbox): a file is read only when it is complete; every inbox entry that is not a
file to read is named. Real files in a tmp DOTHI_HOME, the real intake (no Dagster, no dbt)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from sources.home import DothiHome
from sources.inbox import inbox_fingerprints, sha256_hex
from sources.intake import IntakeReport, run_intake

NOW = datetime(2025, 6, 15, 9, 0)
SETTLE = 0.4


def csv(value: str, locality: str = "TP. Nha Trang") -> bytes:
    return (
        "Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\nNgày gửi: 20/01/2025\n\n"
        "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Giá trị\n"
        f"{locality};ALLEY_LIT_RATE;%;{value}\n"
    ).encode()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DothiHome:
    monkeypatch.setenv("DOTHI_INBOX_SETTLE_S", str(SETTLE))
    for name in ("DOTHI_FAULT_POINT", "DOTHI_FAULT_FILE"):
        monkeypatch.delenv(name, raising=False)
    return DothiHome(tmp_path / "home").ensure()


def figures(home: DothiHome) -> dict[str, list[float | None]]:
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        rows = conn.execute("select file_name, value from raw.figures order by file_name, row_number").fetchall()
    out: dict[str, list[float | None]] = {}
    for name, value in rows:
        out.setdefault(name, []).append(value)
    return out


def submissions(home: DothiHome) -> list[str]:
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        return [r[0] for r in conn.execute("select file_name from raw.submissions order by file_name").fetchall()]


def notes(report: IntakeReport) -> dict[str, tuple[str, str]]:
    return {n["name"]: (n["kind"], n["reason"]) for n in report.inbox_notes}


def run_log(home: DothiHome) -> list[dict]:
    lines = (home.logs / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_entries_that_are_not_files_are_named_never_opened(home: DothiHome, tmp_path: Path) -> None:
    (home.inbox / "good.csv").write_bytes(csv("85,3"))
    folder = home.inbox / "Bao cao thang 6"
    folder.mkdir()
    (folder / "inside.csv").write_bytes(csv("70"))
    os.mkfifo(home.inbox / "pipe.csv")  # opening it would block the run for ever
    os.symlink(tmp_path / "gone.csv", home.inbox / "dangling.csv")
    (tmp_path / "real.csv").write_bytes(csv("71"))
    os.symlink(tmp_path / "real.csv", home.inbox / "link.csv")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(home.inbox / "s.sock"))
    (home.inbox / "~$good.xlsx").write_bytes(b"lock")

    started = time.monotonic()
    report = run_intake(home, "run-1", now=NOW)
    sock.close()

    assert time.monotonic() - started < 60
    assert (report.files_seen, report.accepted, report.left_in_inbox) == (1, 1, 0)
    assert figures(home) == {"good.csv": [85.3]}
    found = notes(report)
    assert {name: kind for name, (kind, _) in found.items()} == {
        "Bao cao thang 6": "folder",
        "dangling.csv": "dangling_symlink",
        "link.csv": "symlink",
        "pipe.csv": "fifo",
        "s.sock": "socket",
        "~$good.xlsx": "hidden_or_temporary",
    }
    assert "folders are not read" in found["Bao cao thang 6"][1]
    assert "its target is gone" in found["dangling.csv"][1]
    assert "never opened" in found["pipe.csv"][1]
    # All of them stay where they are, untouched; the good file is gone from the inbox.
    assert sorted(p.name for p in home.inbox.iterdir()) == sorted(found)
    assert (folder / "inside.csv").read_bytes() == csv("70")
    # The run log names them.
    event = [e for e in run_log(home) if e["event"] == "inbox"][-1]
    assert event["run_id"] == "run-1"
    assert {e["name"] for e in event["entries"]} == set(found)


def test_an_undecodable_name_is_read_on_its_own_and_named_escaped(home: DothiHome) -> None:
    inbox = os.fsencode(home.inbox)
    bad = b"B\xe1o c\xe1o Nha Trang.csv"  # Windows-1258 bytes: not UTF-8
    with open(os.path.join(inbox, bad), "wb") as handle:
        handle.write(csv("61"))
    (home.inbox / "a.csv").write_bytes(csv("62"))
    (home.inbox / "z.csv").write_bytes(csv("63"))

    report = run_intake(home, "run-1", now=NOW)

    escaped = "B\\xe1o c\\xe1o Nha Trang.csv"
    assert (report.files_seen, report.accepted, report.errors) == (3, 3, 0)
    assert figures(home) == {escaped: [61.0], "a.csv": [62.0], "z.csv": [63.0]}
    assert notes(report)[escaped][0] == "undecodable_name"
    assert "bytes shown escaped" in notes(report)[escaped][1]
    assert os.listdir(inbox) == []  # nothing stays for ever
    again = run_intake(home, "run-2", now=NOW)
    assert (again.files_seen, again.inbox_notes) == (0, [])


def _writer(path: Path, stop: threading.Event, hold_open: bool) -> None:
    """A copy that is not finished: a line appended every 50 ms."""
    i = 0
    handle = path.open("ab") if hold_open else None
    try:
        while not stop.is_set():
            line = f"TP. Nha Trang;ALLEY_LIT_RATE;%;{50 + i % 40}\n".encode()
            if handle is not None:
                handle.write(line)
                handle.flush()
            else:
                with path.open("ab") as h:
                    h.write(line)
            i += 1
            time.sleep(0.05)
    finally:
        if handle is not None:
            handle.close()


@pytest.mark.parametrize("hold_open", [True, False], ids=["writer-holds-it-open", "writer-reopens"])
def test_a_file_still_being_written_is_left_for_the_next_run(home: DothiHome, hold_open: bool) -> None:
    (home.inbox / "good.csv").write_bytes(csv("85,3"))
    growing = home.inbox / "big.csv"
    growing.write_bytes(csv("10", locality="Huyện Cam Lâm"))
    stop = threading.Event()
    writer = threading.Thread(target=_writer, args=(growing, stop, hold_open))
    writer.start()
    try:
        report = run_intake(home, "run-1", now=NOW)
        assert sha256_hex(growing.read_bytes()) not in inbox_fingerprints(home)  # the sensor ignores it too
    finally:
        stop.set()
        writer.join()

    assert (report.files_seen, report.accepted, report.left_in_inbox) == (1, 1, 1)
    kind, reason = notes(report)["big.csv"]
    assert kind in ("still_being_written", "open_for_writing")
    assert "left in the inbox for the next run" in reason
    assert submissions(home) == ["good.csv"] and growing.exists()
    final = growing.read_bytes()

    # Written to the end: the next run takes it whole.
    time.sleep(SETTLE)
    assert inbox_fingerprints(home) == [sha256_hex(final)]
    again = run_intake(home, "run-2", now=NOW)
    assert (again.files_seen, again.left_in_inbox) == (1, 0)
    assert not growing.exists()
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        row = conn.execute("select file_sha256, file_size from raw.submissions where file_name = 'big.csv'").fetchone()
    assert row is not None
    sha, size = row
    assert (sha, size) == (sha256_hex(final), len(final))
    assert (home.root / "archive" / sha[:2]).is_dir()


@pytest.mark.parametrize("action", ["replace", "append"])
def test_a_file_that_changes_between_read_and_archive_is_left_whole(
    home: DothiHome, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    (home.inbox / "a.csv").write_bytes(csv("62"))
    (home.inbox / "b.csv").write_bytes(csv("63", locality="Huyện Cam Lâm"))
    (home.inbox / "c.csv").write_bytes(csv("64"))
    old = os.stat(home.inbox / "a.csv").st_mtime - 3600
    for name in ("a.csv", "b.csv", "c.csv"):  # old files: no settle wait at all
        os.utime(home.inbox / name, (old, old))
    monkeypatch.setenv("DOTHI_FAULT_POINT", f"inbox.after_read:{action}")
    monkeypatch.setenv("DOTHI_FAULT_FILE", "b.csv")

    report = run_intake(home, "run-1", now=NOW)

    assert (report.files_seen, report.accepted, report.left_in_inbox) == (2, 2, 1)
    kind, reason = notes(report)["b.csv"]
    assert kind == "changed_while_read"
    assert "none of its rows loaded" in reason and "left in the inbox" in reason
    assert figures(home) == {"a.csv": [62.0], "c.csv": [64.0]}
    assert sorted(p.name for p in home.inbox.iterdir()) == ["b.csv"]
    assert b"while the file was being read" in (home.inbox / "b.csv").read_bytes()
    event = [e for e in run_log(home) if e["event"] == "inbox"][-1]
    assert [(e["name"], e["kind"]) for e in event["entries"]] == [("b.csv", "changed_while_read")]

    monkeypatch.delenv("DOTHI_FAULT_POINT")
    again = run_intake(home, "run-2", now=NOW)
    assert (again.files_seen, again.left_in_inbox) == (1, 0)
    assert figures(home)["b.csv"] == [63.0]  # its final bytes (the appended line is not a table row)
    assert list(home.inbox.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
def test_a_stalled_copy_held_open_for_writing_is_left(home: DothiHome) -> None:
    """Size and mtime stand still (a copy paused on a slow share), but the writer still holds it."""
    (home.inbox / "good.csv").write_bytes(csv("85,3"))
    stalled = home.inbox / "stalled.csv"
    stalled.write_bytes(csv("10", locality="Huyện Cam Lâm"))
    old = time.time() - 3600
    os.utime(stalled, (old, old))
    with stalled.open("ab"):
        report = run_intake(home, "run-1", now=NOW)
    assert notes(report)["stalled.csv"][0] == "open_for_writing"
    assert "still open for writing by another program (pid" in notes(report)["stalled.csv"][1]
    assert submissions(home) == ["good.csv"] and stalled.exists()
    assert run_intake(home, "run-2", now=NOW).accepted == 1  # closed: taken
    assert not stalled.exists()


def test_the_inbox_sensor_waits_for_a_file_to_be_complete(home: DothiHome) -> None:
    import dagster as dg

    from orchestration.defs.automation import inbox_sensor
    from orchestration.resources import DothiHomeResource

    resource = DothiHomeResource(root=str(home.root))
    growing = home.inbox / "big.csv"
    growing.write_bytes(csv("10"))
    stop = threading.Event()
    writer = threading.Thread(target=_writer, args=(growing, stop, False))
    writer.start()
    try:
        with dg.build_sensor_context(resources={"dothi_home": resource}) as context:
            assert isinstance(inbox_sensor(context), dg.SkipReason)
    finally:
        stop.set()
        writer.join()
    time.sleep(SETTLE)
    with dg.build_sensor_context(resources={"dothi_home": resource}) as context:
        request = inbox_sensor(context)
    assert isinstance(request, dg.RunRequest)
    expected = "inbox-" + hashlib.sha256(sha256_hex(growing.read_bytes()).encode()).hexdigest()[:24]
    assert request.run_key == expected  # the key of the whole file, never of a half
