"""Units of sources/zip_members.py and the journal's zip-member entries."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

from sources.home import DothiHome
from sources.inbox import PendingFile, read_pending, write_pending
from sources.zip_members import display, member_path, skip_reason


def _info(name: str, utf8: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.flag_bits = 0x800 if utf8 else 0
    return info


def test_member_paths_drop_empty_dot_and_dotdot_parts() -> None:
    assert member_path(_info("../../etc/passwd")) == "etc/passwd"
    assert member_path(_info("a\\b\\..\\c.csv")) == "a/b/c.csv"
    assert member_path(_info("./x//y.csv")) == "x/y.csv"
    assert member_path(_info("Ba\u0301o ca\u0301o.csv")) == "Báo cáo.csv"  # NFC
    assert member_path(_info("thu_muc/")) == "thu_muc/"
    # No UTF-8 flag: zipfile decoded the bytes as cp437; UTF-8 bytes are read as UTF-8, others escaped.
    assert member_path(_info("Báo.csv".encode().decode("cp437"), utf8=False)) == "Báo.csv"
    assert member_path(_info(b"B\xe1o.csv".decode("cp437"), utf8=False)) == "B\\xe1o.csv"


def test_display_names_stay_within_200_characters() -> None:
    assert display("a.zip", "b/c.csv") == "a.zip!b/c.csv"
    long = display("z" * 150, "d/" * 60 + "tail.csv")
    assert len(long) <= 200 and long.endswith("tail.csv") and "!…" in long


def test_what_is_not_a_report() -> None:
    assert skip_reason(_info("x/"), "x/")
    for name in ("__MACOSX/._a.csv", "d/._a.csv", "d/.DS_Store", "Thumbs.db", "desktop.ini", "~$bao_cao.xlsx"):
        assert skip_reason(_info(name), name), name
    assert skip_reason(_info("bao_cao.csv"), "bao_cao.csv") is None


def test_a_member_journal_entry_keeps_its_name_and_archive(tmp_path) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    sha = "ab" * 32
    container = {"name": "bc.zip", "sha256": "cd" * 32, "archive_path": f"archive/cd/{'cd' * 32}.zip",
                 "member": "2024/q1.csv"}
    entry = PendingFile(sha, f"archive/ab/{sha}.csv", "bc.zip!2024/q1.csv", datetime(2025, 1, 1, tzinfo=UTC),
                        datetime(2025, 1, 2), "run", container)
    write_pending(home, [entry])
    assert read_pending(home) == [entry]  # the path inside the archive is kept in the name
