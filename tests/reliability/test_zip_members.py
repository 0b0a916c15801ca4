"""A zip of reports (issue 12, item 4): every member is a submission of its own, read under the zip-bomb
guard applied to the whole archive, each parsed in a worker task of its own. Real intake, real DuckDB."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb

from sources import limits
from sources.formats import zipguard
from sources.home import DothiHome
from sources.inbox import read_pending, sha256_hex
from sources.intake import run_intake
from tests.reliability import corpus

NOW = datetime(2025, 6, 15, 9, 0)
OLD = datetime(2025, 6, 1, 8, 0).timestamp()
NESTED = "a zip archive inside the zip archive: not opened; unzip it and send the reports it holds"


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, body in files.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 20, 10, 30, 0))
            info.compress_type = method
            archive.writestr(info, body)
    return buf.getvalue()


def _csv(rows: list[str], title: str = corpus.TITLE) -> bytes:
    return corpus.csv_text(rows, title=title).encode("utf-8")


SXD_2024 = _csv(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;", "Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;"])
SXD_2023 = _csv(["TP. Nha Trang;ALLEY_LIT_RATE;%;80,1;"], title=corpus.TITLE.replace("Năm 2024", "Năm 2023"))
WITH_BAD_ROW = _csv(["TP. Nha Trang;ALLEY_LIT_RATE;%;81,5;", "Huyện Diên Khánh;ALLEY_LIT_RATE;%;abc;"],
                    title=corpus.TITLE.replace("Năm 2024", "Năm 2022"))


def _home(root: Path, files: dict[str, bytes]) -> DothiHome:
    home = DothiHome(root).ensure()
    for name, data in files.items():
        (home.inbox / name).write_bytes(data)
        os.utime(home.inbox / name, (OLD, OLD))
    return home


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _submissions(home: DothiHome) -> dict[str, dict]:
    return {r["file_name"]: r for r in _rows(home.warehouse, "select * from raw.submissions")}


def _figures(home: DothiHome) -> list[tuple[str, int, str, float | None]]:
    return [(r["file_name"], r["row_number"], r["period"], r["value"]) for r in _rows(
        home.warehouse, "select * from raw.figures order by file_name, row_number")]


def test_each_member_of_a_zip_is_a_submission_of_its_own(tmp_path) -> None:
    workbook = corpus.good_xlsx()  # once: openpyxl stamps the time it writes
    archive = _zip({
        "sxd_2024.csv": SXD_2024,
        "cu/sxd_2023.csv": SXD_2023,
        "sxd_2022.csv": WITH_BAD_ROW,
        "ubnd.xlsx": workbook,
        "trong.csv": b"",
        "long_nhau.zip": _zip({"x.csv": SXD_2024}),
        "cu/": b"",
        "__MACOSX/._sxd_2024.csv": b"\0\5\x16\7",
        ".DS_Store": b"\0\0\0\1Bud1",
        "cu/Thumbs.db": b"\xd0\xcf\x11\xe0",
    })
    home = _home(tmp_path / "home", {"bao_cao.zip": archive})
    report = run_intake(home, "zip", now=NOW)

    outcomes = {o.file_name: (o.status, o.reason, o.rows_accepted, o.rows_rejected) for o in report.outcomes}
    assert outcomes == {
        "bao_cao.zip!cu/sxd_2023.csv": ("accepted", None, 1, 0),
        "bao_cao.zip!long_nhau.zip": ("quarantined", NESTED, 0, 0),
        "bao_cao.zip!sxd_2022.csv": ("accepted_with_rejections", None, 1, 1),
        "bao_cao.zip!sxd_2024.csv": ("accepted", None, 2, 0),
        "bao_cao.zip!trong.csv": ("quarantined", "the file is empty", 0, 0),
        "bao_cao.zip!ubnd.xlsx": ("accepted", None, 1, 0),
    }
    # The figures each member says, under its own period; nothing else.
    assert _figures(home) == [
        ("bao_cao.zip!cu/sxd_2023.csv", 6, "2023", 80.1),
        ("bao_cao.zip!sxd_2022.csv", 6, "2022", 81.5),
        ("bao_cao.zip!sxd_2024.csv", 6, "2024", 85.3),
        ("bao_cao.zip!sxd_2024.csv", 7, "2024", 60.0),
        ("bao_cao.zip!ubnd.xlsx", 5, "2024", 85.3),
    ]
    rejected = _rows(home.warehouse, "select file_name, row_number, field, value_raw from raw.rejected_rows")
    assert rejected == [{"file_name": "bao_cao.zip!sxd_2022.csv", "row_number": 7, "field": "value",
                         "value_raw": "abc"}]

    subs = _submissions(home)
    members = {"sxd_2024.csv": SXD_2024, "cu/sxd_2023.csv": SXD_2023, "sxd_2022.csv": WITH_BAD_ROW,
               "ubnd.xlsx": workbook, "trong.csv": b""}
    zip_sha = sha256_hex(archive)
    for inner, data in members.items():
        sub = subs[f"bao_cao.zip!{inner}"]
        assert sub["file_sha256"] == sha256_hex(data) and sub["file_size"] == len(data)
        # Every member's bytes are in the archive under their own hash, as a file's are.
        assert (home.root / sub["archive_path"]).read_bytes() == data
        block = json.loads(sub["title_block"])
        assert block["_zip_archive"] == {"name": "bao_cao.zip", "sha256": zip_sha,
                                         "archive_path": f"archive/{zip_sha[:2]}/{zip_sha}.zip", "member": inner}
    # The archive itself is archived once, under its own hash; it is no submission of its own.
    assert (home.root / f"archive/{zip_sha[:2]}/{zip_sha}.zip").read_bytes() == archive
    assert zip_sha not in {s["file_sha256"] for s in subs.values()}
    # The nested zip: refused, its bytes kept, a copy with its reason in quarantine/.
    nested = subs["bao_cao.zip!long_nhau.zip"]
    assert nested["status"] == "quarantined" and nested["file_format"] == "zip"
    assert (home.quarantine / f"{nested['file_sha256']}.zip").is_file()
    # What is not a report is named, in the summary and the run log.
    skipped = {n["name"]: n["reason"] for n in report.inbox_notes if n["kind"] == "zip_member_skipped"}
    assert set(skipped) == {"bao_cao.zip!cu/", "bao_cao.zip!__MACOSX/._sxd_2024.csv", "bao_cao.zip!.DS_Store",
                            "bao_cao.zip!cu/Thumbs.db"}
    assert all(reason.endswith("skipped") for reason in skipped.values())
    run_log = (home.logs / "runs.jsonl").read_text(encoding="utf-8")
    assert "bao_cao.zip!__MACOSX/._sxd_2024.csv" in run_log
    assert list(home.inbox.iterdir()) == []


def test_member_bytes_already_ingested_are_not_ingested_twice(tmp_path) -> None:
    home = _home(tmp_path / "home", {"bao_cao.zip": _zip({"sxd_2024.csv": SXD_2024, "sxd_2023.csv": SXD_2023})})
    run_intake(home, "first", now=NOW)
    # The same zip again, a new zip holding one known member and one new, and a known member sent bare.
    (home.inbox / "lai.zip").write_bytes(_zip({"sxd_2024.csv": SXD_2024, "sxd_2023.csv": SXD_2023}))
    (home.inbox / "moi.zip").write_bytes(_zip({"a/sxd_2023.csv": SXD_2023, "sxd_2022.csv": WITH_BAD_ROW}))
    (home.inbox / "sxd_2024.csv").write_bytes(SXD_2024)
    for path in home.inbox.iterdir():
        os.utime(path, (OLD, OLD))
    report = run_intake(home, "second", now=NOW)
    assert {o.file_name: o.status for o in report.outcomes} == {
        "lai.zip!sxd_2023.csv": "duplicate",
        "lai.zip!sxd_2024.csv": "duplicate",
        "moi.zip!a/sxd_2023.csv": "duplicate",
        "moi.zip!sxd_2022.csv": "accepted_with_rejections",
        "sxd_2024.csv": "duplicate",
    }
    subs = _submissions(home)
    assert sorted(subs) == ["bao_cao.zip!sxd_2023.csv", "bao_cao.zip!sxd_2024.csv", "moi.zip!sxd_2022.csv"]
    assert len(_figures(home)) == 4  # 2 + 1 from the first run, 1 from the new member
    assert list(home.inbox.iterdir()) == []


def test_the_zip_bomb_guard_applies_to_the_whole_archive(tmp_path) -> None:
    mib = b"\0" * (1024 * 1024)
    many = _zip({f"r{i}.csv": b"" for i in range(zipguard.MAX_ENTRIES + 1)}, zipfile.ZIP_STORED)
    # 257 members of exactly 1 MiB: no single member trips the ratio, their total trips the size limit.
    total = _zip({f"r{i}.csv": mib for i in range(257)})
    bomb = _zip({"sxd_2024.csv": SXD_2024, "bom.csv": mib * 64})
    size = (8 * 1024 * 1024).to_bytes(4, "little")
    lying = _zip({"sxd_2024.csv": SXD_2024, "bom.csv": mib * 8}).replace(size, (1024).to_bytes(4, "little"))
    home = _home(tmp_path / "home", {"many.zip": many, "total.zip": total, "bomb.zip": bomb,
                                     "lying.zip": lying, "good.csv": SXD_2023})
    report = run_intake(home, "bombs", now=NOW)
    got = {o.file_name: (o.status, o.reason or "") for o in report.outcomes}
    assert got["good.csv"] == ("accepted", "")
    expected = {
        "many.zip": f"refused: the zip archive holds {zipguard.MAX_ENTRIES + 1} members (limit {zipguard.MAX_ENTRIES})",
        "total.zip": "refused: the zip archive would inflate to 257 MiB (limit 256)",
        "bomb.zip": "refused: the zip archive member 'bom.csv' inflates",
        # Lying about its size: the streamed inflate stops at the declared size, the CRC then fails.
        "lying.zip": "not a readable zip archive (member 'bom.csv': Bad CRC-32",
    }
    for name, text in expected.items():
        status, reason = got[name]
        assert status == "quarantined" and reason.startswith(text), (name, reason)
        assert "send the reports unzipped" in reason
    subs = _submissions(home)
    # Refused whole: the archive is one quarantined submission, under its own hash; no member is read.
    assert {n: s["file_format"] for n, s in subs.items() if n.endswith(".zip")} == dict.fromkeys(expected, "zip")
    assert not [n for n in subs if "!" in n]
    assert [f[0] for f in _figures(home)] == ["good.csv"]


def test_a_zip_of_nothing_but_metadata_is_quarantined_naming_what_it_holds(tmp_path) -> None:
    home = _home(tmp_path / "home", {"rong.zip": _zip({"__MACOSX/._a.csv": b"x", "Thumbs.db": b"y", "a/": b""})})
    report = run_intake(home, "empty", now=NOW)
    [outcome] = report.outcomes
    assert outcome.file_name == "rong.zip" and outcome.status == "quarantined"
    assert (outcome.reason or "").startswith("the zip archive holds no report (3 entries skipped: ")
    assert "'__MACOSX/._a.csv'" in (outcome.reason or "")


def test_a_member_that_crashes_or_hangs_its_reader_costs_that_member_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DOTHI_PARSE_FAULT", "crash:bao_cao.zip!crash.csv,hang:bao_cao.zip!hang.csv")
    monkeypatch.setenv(limits.PARSE_TIMEOUT_ENV, "3")
    archive = _zip({"crash.csv": SXD_2024 + b"\n", "hang.csv": SXD_2024 + b"\n\n", "sxd_2024.csv": SXD_2024,
                    "sxd_2023.csv": SXD_2023})
    home = _home(tmp_path / "home", {"bao_cao.zip": archive, "good.csv": WITH_BAD_ROW})
    report = run_intake(home, "faults", now=NOW, workers=2)
    got = {o.file_name: (o.status, o.reason or "") for o in report.outcomes}
    assert got["bao_cao.zip!crash.csv"][0] == "quarantined"
    assert "the reader crashed on this file (its worker process was killed by SIGABRT)" in got[
        "bao_cao.zip!crash.csv"][1]
    assert got["bao_cao.zip!hang.csv"][0] == "quarantined"
    assert "took longer than 3 s on this file" in got["bao_cao.zip!hang.csv"][1]
    assert got["bao_cao.zip!sxd_2024.csv"] == ("accepted", "")
    assert got["bao_cao.zip!sxd_2023.csv"] == ("accepted", "")
    assert got["good.csv"] == ("accepted_with_rejections", "")
    assert {f[0] for f in _figures(home)} == {"bao_cao.zip!sxd_2024.csv", "bao_cao.zip!sxd_2023.csv", "good.csv"}
    # The crashed member is quarantined with its own bytes, the zip named in its title block.
    crash = _submissions(home)["bao_cao.zip!crash.csv"]
    assert crash["file_sha256"] == sha256_hex(SXD_2024 + b"\n")
    assert json.loads(crash["title_block"])["_zip_archive"]["member"] == "crash.csv"
    assert list(home.inbox.iterdir()) == []


def test_journalled_members_are_recovered_as_they_were_first_read(tmp_path) -> None:
    """A run that died before publishing: its members are in the journal one by one (with their zip), and
    the next run re-loads each once, with the same rows as the first time."""
    home = _home(tmp_path / "home", {"bao_cao.zip": _zip({"sxd_2024.csv": SXD_2024, "sxd_2022.csv": WITH_BAD_ROW,
                                                          "long_nhau.zip": _zip({"x.csv": b"x"})})})
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    shutil.copyfile(empty, tmp_path / "dead.duckdb")
    run_intake(home, "dead", now=NOW, warehouse=tmp_path / "dead.duckdb")  # this run's warehouse is lost
    entries = read_pending(home)
    assert sorted(e.file_name for e in entries) == ["bao_cao.zip!long_nhau.zip", "bao_cao.zip!sxd_2022.csv",
                                                    "bao_cao.zip!sxd_2024.csv"]
    assert all(e.container and e.container["name"] == "bao_cao.zip" for e in entries)
    report = run_intake(home, "next", now=NOW)  # the published warehouse never saw them
    assert sorted((o.file_name, o.status, o.recovered) for o in report.outcomes) == [
        ("bao_cao.zip!long_nhau.zip", "quarantined", True),
        ("bao_cao.zip!sxd_2022.csv", "accepted_with_rejections", True),
        ("bao_cao.zip!sxd_2024.csv", "accepted", True),
    ]
    stable = "file_sha256, file_name, archive_path, status, reason, rows_accepted, rows_rejected, title_block, " \
             "submitted_at, periods"
    first = _rows(tmp_path / "dead.duckdb", f"select {stable} from raw.submissions order by file_name")
    again = _rows(home.warehouse, f"select {stable} from raw.submissions order by file_name")
    assert first == again
    figures = "file_name, row_number, period, value, submitted_at"
    assert _rows(tmp_path / "dead.duckdb", f"select {figures} from raw.figures order by all") == _rows(
        home.warehouse, f"select {figures} from raw.figures order by all")


def _unflagged_names(names: dict[bytes, bytes]) -> bytes:
    """A zip whose member names are raw bytes without the UTF-8 flag (as many Windows tools write them):
    written under ASCII placeholders of the same length, then the name bytes put in their place."""
    placeholders = {f"{i:0{len(raw)}d}"[-len(raw):].replace("0", "Q"): raw for i, raw in enumerate(names)}
    data = _zip({p: names[raw] for p, raw in placeholders.items()})
    for placeholder, raw in placeholders.items():
        data = data.replace(placeholder.encode("ascii"), raw)
    return data


def test_member_names_are_decoded_or_shown_escaped(tmp_path) -> None:
    archive = _unflagged_names({"Báo cáo 2024.csv".encode(): SXD_2024,
                                "B\xe1o c\xe1o 2023.csv".encode("latin-1").decode("unicode_escape").encode("latin-1"):
                                SXD_2023})
    home = _home(tmp_path / "home", {"bc.zip": archive})
    report = run_intake(home, "names", now=NOW)
    assert sorted((o.file_name, o.status) for o in report.outcomes) == [
        ("bc.zip!B\\xe1o c\\xe1o 2023.csv", "accepted"),  # Windows-1258 bytes: shown escaped
        ("bc.zip!Báo cáo 2024.csv", "accepted"),  # UTF-8 without the flag: read as UTF-8
    ]
