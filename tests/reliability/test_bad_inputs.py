"""The bad-input corpus: every file goes through the real intake (archive → parse → raw tables) in its
own DOTHI_HOME, and each asserts its exact outcome. Nothing is lost: every file is archived."""

from __future__ import annotations

import os
import tracemalloc
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from sources.home import DothiHome
from sources.inbox import display_name, sha256_hex
from sources.intake import FileOutcome, run_intake
from tests.reliability import corpus

NOW = datetime(2025, 6, 15, 9, 0)
NO_HEADER = "no recognisable header row in the file"
NUL = "the file contains NUL bytes"


@dataclass
class Ingested:
    home: DothiHome
    outcomes: list[FileOutcome]
    submissions: list[dict]
    figures: list[dict]
    rejected: list[dict]

    @property
    def outcome(self) -> FileOutcome:
        assert len(self.outcomes) == 1, self.outcomes
        return self.outcomes[0]


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def ingest(tmp_path: Path, files: dict[str, bytes]) -> Ingested:
    home = DothiHome(tmp_path / "home").ensure()
    for name, data in files.items():
        (home.inbox / name).write_bytes(data)
    report = run_intake(home, run_id="corpus", now=NOW)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        subs = _rows(conn, "select * from raw.submissions order by file_name")
        figures = _rows(conn, "select * from raw.figures order by file_name, row_number")
        rejected = _rows(conn, "select * from raw.rejected_rows order by file_name, row_number, field")
    # Nothing is lost: every file that was read is archived byte for byte, and has its submissions row.
    for sub in subs:
        assert sha256_hex((home.root / sub["archive_path"]).read_bytes()) == sub["file_sha256"]
    assert list(home.inbox.iterdir()) == [] or all(p.is_symlink() for p in home.inbox.iterdir())
    return Ingested(home, report.outcomes, subs, figures, rejected)


def quarantined(tmp_path: Path, name: str, data: bytes) -> Ingested:
    got = ingest(tmp_path, {name: data})
    assert got.outcome.status == "quarantined"
    assert got.figures == [] and got.rejected == []
    (sub,) = got.submissions
    assert sub["status"] == "quarantined" and sub["reason"] == got.outcome.reason
    assert (got.home.quarantine / f"{sub['file_sha256']}.reason.txt").read_text(encoding="utf-8").count(
        got.outcome.reason
    ) == 1
    return got


@pytest.mark.parametrize(
    ("name", "build", "reason", "archived_as"),
    [
        ("empty.csv", lambda: b"", "the file is empty", ".bin"),
        ("blank.csv", lambda: b"  \r\n\r\n", "the file is empty", ".csv"),
        ("scan.pdf.csv", corpus.binary_named_csv, NUL, ".bin"),
        ("truncated.xlsx", corpus.truncated_xlsx, "broken or truncated zip", ".xlsx"),
        ("russian.csv", corpus.wrong_encoding, NO_HEADER, ".csv"),
        ("header_only.csv", corpus.header_only, "the header is on row 5 but no data rows follow it", ".csv"),
        ("no_value_column.csv", corpus.missing_value_column, NO_HEADER, ".csv"),
        ("nul.csv", corpus.nul_bytes, NUL, ".bin"),
        ("utf16_no_bom.csv", lambda: corpus.good_csv().decode().encode("utf-16-le"), NUL, ".bin"),
    ],
)
def test_unreadable_files_are_quarantined_with_their_reason(tmp_path, name, build, reason, archived_as) -> None:
    got = quarantined(tmp_path, name, build())
    assert reason in (got.outcome.reason or "")
    assert got.submissions[0]["archive_path"].endswith(archived_as)


@pytest.mark.parametrize(("lie", "reason"), [(False, "inflates 1028:1"), (True, "Bad CRC-32")])
def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch, lie, reason) -> None:
    import python_calamine

    def never(*_args, **_kwargs):
        raise AssertionError("calamine must not open a zip bomb")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", never)
    data = corpus.zip_bomb(declared_lie=lie)
    assert len(data) < 200_000  # 64 MiB of sheet in < 200 KB
    tracemalloc.start()
    try:
        got = quarantined(tmp_path, "bomb.xlsx", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason in (got.outcome.reason or "")
    assert peak < 32 * 1024 * 1024, f"peak {peak >> 20} MiB: the bomb was inflated in memory"


def test_mixed_encodings_are_read_line_by_line(tmp_path) -> None:
    got = ingest(tmp_path, {"mixed.csv": corpus.mixed_encodings()})
    assert got.outcome.status == "accepted"
    assert got.submissions[0]["encoding"] == "mixed:utf-8+windows-1258"
    assert [(f["locality_code"], f["value"]) for f in got.figures] == [("568", 85.3), ("574", 60.0)]


def test_windows_1258_is_read(tmp_path) -> None:
    got = ingest(tmp_path, {"cp1258.csv": corpus.to_cp1258(corpus.csv_text())})
    assert got.outcome.status == "accepted" and got.submissions[0]["encoding"] == "windows-1258"
    assert len(got.figures) == 2


def test_repeated_header_row_is_skipped(tmp_path) -> None:
    got = ingest(tmp_path, {"pasted_twice.csv": corpus.duplicated_header()})
    assert got.outcome.status == "accepted"
    assert [f["row_number"] for f in got.figures] == [6, 8]  # row 7 repeats the header
    assert got.rejected == []


def test_extra_and_missing_optional_columns(tmp_path) -> None:
    got = ingest(tmp_path, {"extra.csv": corpus.extra_and_missing_columns()})
    assert got.outcome.status == "accepted"
    assert [(f["locality_code"], f["value"], f["unit"]) for f in got.figures] == [
        ("568", 85.3, None),
        ("574", 60.0, None),
    ]


def test_merged_header_cells(tmp_path) -> None:
    got = ingest(tmp_path, {"merged.xlsx": corpus.merged_cells()})
    assert got.outcome.status == "accepted"
    assert [(f["locality_code"], f["value"]) for f in got.figures] == [("568", 85.3)]


def test_formulas_cached_value_read_never_evaluated(tmp_path) -> None:
    got = ingest(tmp_path, {"formulas.xlsx": corpus.formulas()})
    assert got.outcome.status == "accepted_with_rejections"
    by_row = {f["row_number"]: f for f in got.figures}
    assert by_row[5]["value"] == 85.3  # the cached value; evaluating =F5*100 would give 6000
    # Never calculated: not missing, not zero, not evaluated: rejected (broken is not missing). The DDE
    # payload is a formula with no cached value too: nothing ran, and its row is refused.
    assert sorted(by_row) == [5]
    assert [(r["row_number"], r["field"]) for r in got.rejected] == [(6, "value"), (7, "note")]
    assert all("never calculated" in r["reason"] for r in got.rejected)


def test_formula_like_text_is_kept_as_text(tmp_path) -> None:
    got = ingest(tmp_path, {"formula_text.csv": corpus.formula_like_text()})
    assert got.outcome.status == "accepted_with_rejections"
    assert [f["note"] for f in got.figures] == corpus.FORMULA_TEXT[:3]  # raw layer: exactly as sent
    (bad,) = got.rejected
    assert (bad["row_number"], bad["field"], bad["value_raw"]) == (9, "value", "=1+1")
    assert bad["reason"].startswith("not a number: '=1+1'")
    assert corpus.FORMULA_TEXT[3] in bad["row_data"]


def test_formula_like_text_is_neutralised_for_people() -> None:
    """The shared helper the outputs (Excel, CSV) use before writing submitted text for people."""
    from outputs.safe_text import neutralise

    for text in corpus.FORMULA_TEXT:
        assert neutralise(text) == "'" + text
    assert neutralise("Nha Trang") == "Nha Trang" and neutralise(85.3) == 85.3


def test_very_long_strings_are_kept_whole(tmp_path) -> None:
    got = ingest(tmp_path, {"long.csv": corpus.very_long_strings()})
    assert got.outcome.status == "accepted_with_rejections"
    assert got.figures[0]["note"] == corpus.LONG.strip()
    (bad,) = got.rejected
    # The archived file keeps the whole name; stored reasons and quotes keep a few hundred characters.
    assert bad["field"] == "locality" and bad["value_raw"].startswith("X" * 200)
    assert "100,000 characters, cut" in bad["value_raw"] and len(bad["value_raw"]) <= 300
    assert bad["reason"].startswith("unknown locality") and len(bad["reason"]) <= 600
    assert len(bad["row_data"]) < 1000


def test_hundred_thousand_rows(tmp_path) -> None:
    got = ingest(tmp_path, {"100k.csv": corpus.hundred_k_rows()})
    assert got.outcome.status == "accepted_with_rejections"
    # Five distinct locality keys for one indicator and period: the first of each is kept, the other
    # 99 995 rows are rejected as duplicates, each with the row it repeats. Nothing silently dropped.
    assert (got.outcome.rows_accepted, got.outcome.rows_rejected) == (5, 99_995)
    assert len(got.figures) + len(got.rejected) == 100_000
    assert {r["field"] for r in got.rejected} == {"row"}
    assert got.submissions[0]["rows_read"] == 100_000


@pytest.mark.parametrize(
    "name",
    [
        "a..b .. 2024.csv",
        "Báo cáo đô thị TX Ninh Hòa 2024.csv",
        unicodedata.normalize("NFD", "Báo cáo Khánh Vĩnh.csv"),
        "back\\slash\\..\\..\\etc.csv",
        "x" * 251 + ".csv",
        "  spaces   around  .csv",
    ],
)
def test_awkward_file_names(tmp_path, name) -> None:
    got = ingest(tmp_path, {name: corpus.good_csv()})
    assert got.outcome.status == "accepted"
    stored = got.submissions[0]["file_name"]
    assert stored == display_name(name) and "/" not in stored and "\\" not in stored
    assert unicodedata.is_normalized("NFC", stored) and len(stored) <= 200
    # Paths come from the hash only: nothing was written outside the home's own folders.
    sha = got.submissions[0]["file_sha256"]
    assert got.submissions[0]["archive_path"] == f"archive/{sha[:2]}/{sha}.csv"
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == sorted(
        ["archive", "dagster", "inbox", "quarantine", "reports", "warehouse.duckdb"]
    )


def test_names_that_cannot_be_paths() -> None:
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\x\\..\\báo cáo.xlsx") == "báo cáo.xlsx"
    assert display_name("a\x00b\x1b[31m.csv") == "ab[31m.csv"
    assert display_name("đ" * 300) == "đ" * 200
    assert display_name("/") == "(unnamed)"


def test_symlink_in_the_inbox_is_not_followed(tmp_path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_bytes(corpus.good_csv())
    home = DothiHome(tmp_path / "home").ensure()
    os.symlink(secret, home.inbox / "link.csv")
    os.symlink(tmp_path, home.inbox / "dir_link")
    report = run_intake(home, run_id="corpus", now=NOW)
    assert report.files_seen == 0
    assert list(home.archive.rglob("*.csv")) == []
    assert secret.read_bytes() == corpus.good_csv()  # untouched, and the links are left as they were
    assert sorted(p.name for p in home.inbox.iterdir()) == ["dir_link", "link.csv"]


def test_same_bytes_under_two_names(tmp_path) -> None:
    got = ingest(tmp_path, {"a.csv": corpus.good_csv(), "copy of a.csv": corpus.good_csv()})
    assert [(o.file_name, o.status) for o in got.outcomes] == [("a.csv", "accepted"), ("copy of a.csv", "duplicate")]
    assert len(got.submissions) == 1 and len(got.figures) == 2


def test_resubmission_changing_half_the_values_keeps_both_versions(tmp_path) -> None:
    got = ingest(tmp_path, {"sxd_2024.csv": corpus.resubmission(True), "sxd_2024_sua.csv": corpus.resubmission(False)})
    assert [o.status for o in got.outcomes] == ["accepted", "accepted"]
    versions: dict[str, list[tuple[datetime, float]]] = {}
    for f in got.figures:
        versions.setdefault(f["locality_code"], []).append((f["submitted_at"], f["value"]))
    assert {k: [v for _, v in sorted(vs)] for k, vs in versions.items()} == {
        "568": [85.3, 86.1],
        "574": [60.0, 60.0],
        "572": [55.0, 57.5],
        "569": [40.0, 40.0],
    }
    assert {s["submitted_at"] for s in got.submissions} == {datetime(2025, 1, 20), datetime(2025, 3, 10)}
