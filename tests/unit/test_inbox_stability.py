"""The inbox's stability rules and helpers, without the intake: a clock and a sleep stand in for time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from outputs.summary import RefreshSummary, _inbox_notes
from sources.inbox import (
    Signature,
    display_name,
    remove_if_unchanged,
    sha256_hex,
    shown_name,
    stable_files,
    undecodable,
    verify_unchanged,
)


def _file(folder: Path, name: str, data: bytes, age: float) -> Path:
    path = folder / name
    path.write_bytes(data)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_old_files_are_taken_without_any_wait(tmp_path: Path) -> None:
    paths = [_file(tmp_path, f"{i}.csv", b"x" * i, age=3600) for i in range(3)]
    slept: list[float] = []
    scan = stable_files(paths, 5.0, sleep=slept.append)
    assert slept == [] and scan.files == paths and scan.notes == []


def test_young_files_wait_once_for_the_rest_of_the_interval(tmp_path: Path) -> None:
    old = _file(tmp_path, "old.csv", b"a", age=3600)
    young = _file(tmp_path, "young.csv", b"b", age=1.0)
    slept: list[float] = []
    scan = stable_files([old, young], 5.0, sleep=slept.append)
    assert len(slept) == 1 and 3.5 < slept[0] <= 4.0  # ~5 - 1 s, not a whole interval per file
    assert scan.files == [old, young]


def test_a_future_mtime_waits_one_interval_and_is_then_taken(tmp_path: Path) -> None:
    future = _file(tmp_path, "clock_2099.csv", b"a", age=-86400 * 365)  # a PC with a wrong clock
    slept: list[float] = []
    scan = stable_files([future], 2.0, sleep=slept.append)
    assert slept == [2.0] and scan.files == [future]


def test_a_file_that_grows_during_the_interval_is_left_with_a_note(tmp_path: Path) -> None:
    growing = _file(tmp_path, "big.xlsx", b"PK" * 10, age=0.1)
    done = _file(tmp_path, "done.csv", b"a", age=0.1)

    def writer_keeps_writing(seconds: float) -> None:
        with growing.open("ab") as handle:
            handle.write(b"more")

    scan = stable_files([growing, done], 1.0, sleep=writer_keeps_writing)
    assert scan.files == [done]
    (note,) = scan.notes
    assert (note.name, note.kind) == ("big.xlsx", "still_being_written")
    assert "20 → 24 bytes" in note.reason and "left in the inbox for the next run" in note.reason


def test_settle_interval_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, "a.csv", b"a", age=10)
    slept: list[float] = []
    monkeypatch.setenv("DOTHI_INBOX_SETTLE_S", "30")
    stable_files([path], sleep=slept.append)
    assert len(slept) == 1 and 19 < slept[0] <= 20
    monkeypatch.setenv("DOTHI_INBOX_SETTLE_S", "not a number")  # the default (a few seconds) then
    slept.clear()
    stable_files([path], sleep=slept.append)
    assert slept == []


def test_verify_and_remove_only_while_the_bytes_are_the_ones_read(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", b"v1", age=3600)
    listed = Signature.of(os.stat(path))
    checked, why = verify_unchanged(path, sha256_hex(b"v1"), listed)
    assert (checked, why) == (listed, None)

    _, why = verify_unchanged(path, sha256_hex(b"something else"), listed)
    assert why is not None and "none of its rows loaded" in why

    with path.open("ab") as handle:
        handle.write(b"+")
    _, why = verify_unchanged(path, sha256_hex(b"v1"), listed)
    assert why is not None and "2 → 3 bytes" in why

    kept = remove_if_unchanged(path, checked)
    assert kept is not None and "kept" in kept and path.exists()
    assert remove_if_unchanged(path, Signature.of(os.stat(path))) is None and not path.exists()
    assert remove_if_unchanged(path, checked) is None  # already gone: nothing to keep


def test_undecodable_names_are_shown_escaped() -> None:
    raw = os.fsdecode(b"B\xe1o c\xe1o.csv")
    assert undecodable(raw) and not undecodable("Báo cáo.csv")
    assert shown_name(raw) == "B\\xe1o c\\xe1o.csv"
    assert display_name(raw) == "B\\xe1o c\\xe1o.csv"
    assert display_name(os.fsdecode(b"dir\\sub/B\xe1o.csv")) == "B\\xe1o.csv"
    assert display_name("Báo cáo.csv") == "Báo cáo.csv"


def test_summary_names_the_runs_inbox_notes(tmp_path: Path) -> None:
    (tmp_path / "intake.json").write_text(
        '{"files_seen": 1, "inbox_notes": [{"name": "pipe.csv", "kind": "fifo", '
        '"reason": "a named pipe (FIFO), not a file: never opened; remove it"}]}',
        encoding="utf-8",
    )
    notes = _inbox_notes(tmp_path / "warehouse.duckdb")
    assert notes == [{"name": "pipe.csv", "kind": "fifo",
                      "reason": "a named pipe (FIFO), not a file: never opened; remove it"}]
    assert _inbox_notes(tmp_path / "elsewhere" / "warehouse.duckdb") == []
    text = RefreshSummary(warehouse="w", inbox=notes).to_text()
    assert "Inbox entries not read, or read with a remark (1):\n  pipe.csv: a named pipe (FIFO)" in text
