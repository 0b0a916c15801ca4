"""Intake resolves by period (issue 11 §2): a name or code means the unit that existed at the end of the
row's period, on the real effective-dated seeds (codes reused, districts abolished on 2025-07-01)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.geography_checks import ReferenceDataError
from sources.home import DothiHome
from sources.intake import run_intake
from sources.load import FIGURE_SCHEMA, ensure_raw_schema
from sources.normalize.names import resolvers
from sources.raw_schema import FIGURES_DDL
from sources.reference import load_reference, seeds_dir
from sources.submission import QuarantineError, parse_submission

REF = load_reference()
RES = resolvers(REF)
TODAY = date(2027, 1, 15)  # 2026 has begun: its rows are for the new units
DIEN_KHANH_SUCCESSORS = (
    "Xã Diên Khánh (22651), Xã Diên Điền (22657), Xã Diên Lâm (22660), Xã Diên Thọ (22672), "
    "Xã Diên Lạc (22678), Xã Suối Hiệp (22702)"
)


def parse(text: str):
    return parse_submission(text.encode("utf-8"), "t.csv", today=TODAY)


# --- reused codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "period", "key"),
    [
        ("22411", "2024", "22411@2020-01-01"),  # Phường Cam Phúc Bắc
        ("22411", "2026", "22411@2025-07-01"),  # Phường Bắc Cam Ranh
        ("56", "2024", "56@2020-01-01"),  # old Khánh Hòa
        ("56", "2026", "56@2025-07-01"),  # the merged province
        ("22435", "2026", "22435@2025-07-01"),  # old Xã Cam Tân's code is the new Xã Cam Hiệp's
        ("22435", "2024", "22435@2020-01-01"),
    ],
)
def test_a_reused_code_means_the_unit_of_the_period(raw, period, key):
    found = RES.locality(raw, period)
    assert found.key == key and found.code == raw
    # The code had several versions: the reading is recorded.
    assert found.reading == f"'{raw}' at {date(int(period), 12, 31)} → {key} {REF.localities[key].name_vi}"


def test_a_unit_with_one_version_records_no_reading():
    found = RES.locality("Phường Ninh Chử", "2025")
    assert (found.key, found.reading) == ("22834@2025-07-01", None)


# --- before the start, after the end ------------------------------------------------------------------


def test_a_district_after_its_end_names_its_successors():
    found = RES.locality("H. Diên Khánh", "2026")
    assert not found.ok
    assert found.reason == (
        f"'H. Diên Khánh' (574) ended on 2025-06-30; for 2026 report its successors: {DIEN_KHANH_SUCCESSORS}"
    )


def test_a_province_after_its_end_names_the_merged_province():
    found = RES.locality("58", "2026")
    assert not found.ok
    assert "ended on 2025-06-30" in (found.reason or "") and "successor: Tỉnh Khánh Hòa (56)" in (found.reason or "")
    assert found.suggestion == "Tỉnh Khánh Hòa"
    assert RES.locality("Tỉnh Ninh Thuận", "2024").key == "58@2020-01-01"


def test_a_new_unit_before_its_start_names_its_predecessors_and_their_district():
    found = RES.locality("Xã Diên Khánh", "2024")
    assert not found.ok
    reason = found.reason or ""
    assert reason.startswith("'Xã Diên Khánh' (22651) began on 2025-07-01; for 2024 report its predecessors: ")
    assert "Thị trấn Diên Khánh (22651)" in (found.reason or "") and "Xã Diên An (22693)" in (found.reason or "")
    assert (found.reason or "").endswith("(in Huyện Diên Khánh (574))")
    # A new province's predecessors are the two old ones.
    assert RES.localities.graph.predecessors(REF.localities["56@2025-07-01"], date(2024, 12, 31)) == [
        REF.localities["56@2020-01-01"],
        REF.localities["58@2020-01-01"],
    ]


def test_a_code_retired_in_2024_is_accepted_before_and_refused_after():
    quarter = RES.locality("22342", "2024-Q3")  # Phường Xương Huân, to 2024-10-31
    assert quarter.key == "22342@2020-01-01"
    annual = RES.locality("22342", "2024")  # the year ends on 2024-12-31: after its end
    assert not annual.ok
    assert annual.reason == (
        "'22342' (Phường Xương Huân) ended on 2024-10-31; for 2024 report its successor: Phường Vạn Thạnh (22348)"
    )
    assert annual.suggestion == "Phường Vạn Thạnh"
    # Followed through both steps: Xương Huân → Vạn Thạnh (2024-11) → Phường Nha Trang (2025-07).
    assert "Phường Nha Trang (22366)" in (RES.locality("22342", "2026").reason or "")


def test_the_2025_annual_is_reported_by_the_new_units():
    assert RES.locality("22411", "2025").key == "22411@2025-07-01"
    assert RES.locality("Khánh Hòa", "2025").key == "56@2025-07-01"
    assert RES.locality("H. Diên Khánh", "2025-H1").key == "574@2020-01-01"
    late = RES.locality("H. Diên Khánh", "2025")
    assert not late.ok and "for 2025 report its successors" in (late.reason or "")


def test_a_split_commune_names_every_piece():
    found = RES.locality("Xã Cam Tân", "2026")
    assert found.reason == (
        "'Xã Cam Tân' (22435) ended on 2025-06-30; for 2026 report its successors: "
        "Xã Cam Hiệp (22435), Xã Cam Lâm (22453), Xã Suối Dầu (22708)"
    )
    assert RES.locality("22435", "2026").key == "22435@2025-07-01"
    assert REF.localities["22435@2025-07-01"].name_vi == "Xã Cam Hiệp"


# --- kind prefixes, levels, accents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "period", "key"),
    [
        ("P. Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("P Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("phường Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("UBND P. Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("Ủy ban nhân dân phường Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("Bắc Cam Ranh", "2026", "22411@2025-07-01"),
        ("X. Cam Lâm", "2026", "22453@2025-07-01"),
        ("Xã Cam Lâm", "2025", "22453@2025-07-01"),
        ("H. Cam Lâm", "2024", "570@2020-01-01"),
        ("Cam Lâm", "2024", "570@2020-01-01"),  # the district and (later) the xã: in 2024 only the district
        ("Cam Lâm", "2026", "22453@2025-07-01"),
        ("TT Diên Khánh", "2024", "22651@2020-01-01"),
        ("Thị trấn Diên Khánh", "2024", "22651@2020-01-01"),
        ("ĐK Trường Sa", "2026", "22736@2025-07-01"),
        ("Đặc khu Trường Sa", "2026", "22736@2025-07-01"),
        ("H. Trường Sa", "2024", "576@2020-01-01"),
        ("TP Nha Trang", "2024", "568@2020-01-01"),
        ("TX Ninh Hoà", "2024", "572@2020-01-01"),
        ("Xã Hoà Trí", "2026", "22558@2025-07-01"),
        ("Xã Hòa Trí", "2026", "22558@2025-07-01"),
        ("Phương Sài", "2024", "22351@2024-11-01"),  # a name that starts like 'Phường' is not a kind prefix
    ],
)
def test_prefixes_are_kinds(raw, period, key):
    assert RES.locality(raw, period).key == key


def test_a_kind_qualified_name_matches_that_kind_only():
    # 'Xã Cam Lâm' is not Huyện Cam Lâm, and the other way round.
    assert "began on 2025-07-01" in (RES.locality("Xã Cam Lâm", "2024").reason or "")
    assert "ended on 2025-06-30" in (RES.locality("H. Cam Lâm", "2026").reason or "")
    assert not RES.locality("Huyện Nha Trang", "2024").ok  # Nha Trang was a thành phố


def test_a_bare_name_prefers_the_higher_level_and_says_so():
    found = RES.locality("Diên Khánh", "2024")
    assert found.key == "574@2020-01-01"
    assert found.reading == (
        "'Diên Khánh' at 2024-12-31 → 574@2020-01-01 Huyện Diên Khánh "
        "(the higher level; not 22651@2020-01-01 Thị trấn Diên Khánh)"
    )
    assert RES.locality("Diên Khánh", "2026").key == "22651@2025-07-01"


def test_the_same_name_at_the_same_level_is_ambiguous():
    found = RES.locality("Vĩnh Hải", "2024")
    assert not found.ok
    assert "Phường Vĩnh Hải (phường, 22330, Thành phố Nha Trang)" in (found.reason or "")
    assert "Xã Vĩnh Hải (xã, 22846, Huyện Ninh Hải)" in (found.reason or "")
    assert "write the kind" in (found.reason or "") and set(found.candidates) == {"22330", "22846"}
    assert RES.locality("Phường Vĩnh Hải", "2024").key == "22330@2020-01-01"
    assert RES.locality("X. Vĩnh Hải", "2024").key == "22846@2020-01-01"
    assert RES.locality("Vĩnh Hải", "2026").key == "22846@2025-07-01"  # the phường is gone


def test_names_that_differ_only_in_their_marks_are_read_as_accented():
    assert RES.locality("Thành Hải", "2024").key == "22774@2020-01-01"
    assert RES.locality("Thanh Hải", "2024").key == "22868@2020-01-01"
    assert not RES.locality("Thanh Hai", "2024").ok  # without marks: ambiguous, both named


# --- reporters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("UBND xã Diên Khánh", "22651"),
        ("UBND Xã Diên Khánh", "22651"),
        ("UBND phường Bắc Cam Ranh", "22411"),
        ("Ủy ban nhân dân phường Bắc Cam Ranh", "22411"),
        ("UBND P. Bắc Cam Ranh", "22411"),
        ("UBND Huyện Diên Khánh", "574"),
        ("UBND H. Diên Khánh", "574"),
        ("Sở Xây dựng", "SXD"),
    ],
)
def test_new_peoples_committees_resolve(raw, code):
    assert RES.reporter(raw).code == code


def test_a_name_of_several_committees_is_chosen_by_the_files_periods():
    unknown = RES.reporter("Diên Khánh")
    assert not unknown.ok and unknown.candidates == ("574", "22651")
    reason = unknown.reason or ""
    assert "UBND Huyện Diên Khánh (574" in reason and "UBND Xã Diên Khánh (22651" in reason
    assert RES.reporter("Diên Khánh", (date(2024, 12, 31),)).code == "574"
    assert RES.reporter("Diên Khánh", (date(2026, 12, 31),)).code == "22651"
    assert not RES.reporter("Diên Khánh", (date(2024, 12, 31), date(2026, 12, 31))).ok


# --- whole files ------------------------------------------------------------------------------------


def test_department_rows_are_read_by_their_period():
    sub = parse(
        "Đơn vị báo cáo: Sở Xây dựng\n"
        "Địa bàn,Mã chỉ tiêu,Kỳ báo cáo,Giá trị\n"
        "H. Diên Khánh,ALLEY_LIT_RATE,2026,70\n"
        "Phường Ninh Chử,ALLEY_LIT_RATE,2025,71\n"
        "Xã Cam Lâm,ALLEY_LIT_RATE,2025,72\n"
        "22411,ALLEY_LIT_RATE,2025,73\n"
        "22411,ALLEY_LIT_RATE,2024,74\n"
        "H. Diên Khánh,ALLEY_LIT_RATE,2024,75\n"
    )
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field, bad.value_raw, bad.period) == (3, "locality", "H. Diên Khánh", "2026")
    assert DIEN_KHANH_SUCCESSORS in bad.reason
    got = [(f.row_number, f.locality_code, f.locality_key, f.period) for f in sub.figures]
    assert got == [
        (4, "22834", "22834@2025-07-01", "2025"),
        (5, "22453", "22453@2025-07-01", "2025"),
        (6, "22411", "22411@2025-07-01", "2025"),
        (7, "22411", "22411@2020-01-01", "2024"),  # same code, another unit: not a duplicate of row 6
        (8, "574", "574@2020-01-01", "2024"),
    ]
    readings = {f.row_number: f.locality_reading for f in sub.figures}
    assert readings[4] is None and readings[5] is None and readings[8] is None
    assert readings[6] == "'22411' at 2025-12-31 → 22411@2025-07-01 Phường Bắc Cam Ranh"
    assert readings[7] == "'22411' at 2024-12-31 → 22411@2020-01-01 Phường Cam Phúc Bắc"


def test_a_new_committee_reports_its_own_new_unit():
    sub = parse(
        "Đơn vị báo cáo: UBND P. Bắc Cam Ranh\n"
        "Chỉ tiêu,Kỳ báo cáo,Giá trị\n"
        "ALLEY_LIT_RATE,2026,80\n"
        "ALLEY_LIT_RATE,2024,81\n"
    )
    assert sub.meta.reporter_code == "22411" and sub.meta.reporter_kind == "locality"
    (figure,) = sub.figures
    assert (figure.locality_code, figure.locality_key, figure.period) == ("22411", "22411@2025-07-01", "2026")
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field, bad.period) == (4, "locality", "2024")
    assert bad.reason.startswith("UBND Phường Bắc Cam Ranh reports on its own area: 'Phường Bắc Cam Ranh' (22411)")
    assert "began on 2025-07-01" in bad.reason and "Phường Cam Phúc Bắc (22411)" in bad.reason


def test_a_district_committee_sending_2026_rows_gets_them_refused_with_successors():
    sub = parse(
        "Đơn vị báo cáo: UBND huyện Diên Khánh\n"
        "Địa bàn,Chỉ tiêu,Kỳ báo cáo,Giá trị\n"
        ",ALLEY_LIT_RATE,2024,60\n"
        ",ALLEY_LIT_RATE,2026,61\n"
        "H. Diên Khánh,MAIN_STREET_LIT_RATE,2026,62\n"
        "Xã Diên Khánh,MAIN_STREET_LIT_RATE,2026,63\n"
    )
    assert sub.meta.reporter_code == "574"
    assert [(f.row_number, f.locality_key) for f in sub.figures] == [(3, "574@2020-01-01")]
    reasons = {r.row_number: r.reason for r in sub.rejected}
    assert set(reasons) == {4, 5, 6}
    assert all(DIEN_KHANH_SUCCESSORS in reasons[n] for n in (4, 5, 6))


@pytest.mark.parametrize(("period", "code"), [("2024", "574"), ("2026", "22651")])
def test_a_bare_reporter_name_is_chosen_by_the_title_period(period, code):
    sub = parse(f"Đơn vị báo cáo: Diên Khánh\nKỳ báo cáo: {period}\nChỉ tiêu,Giá trị\nALLEY_LIT_RATE,60\n")
    assert sub.meta.reporter_code == code and not sub.rejected
    assert sub.figures[0].locality_code == code


def test_a_bare_reporter_name_across_the_reorganisation_is_quarantined_naming_both():
    with pytest.raises(QuarantineError) as caught:
        parse(
            "Đơn vị báo cáo: Diên Khánh\nChỉ tiêu,Kỳ báo cáo,Giá trị\nALLEY_LIT_RATE,2024,60\n"
            "ALLEY_LIT_RATE,2026,61\n"
        )
    reason = caught.value.reason
    assert "UBND Huyện Diên Khánh (574" in reason and "UBND Xã Diên Khánh (22651" in reason
    assert "reporters.csv" not in reason  # not a new reporter: the full name is the fix


# --- raw layer and the geography check ---------------------------------------------------------------


def test_an_existing_warehouse_gets_the_new_columns_in_place(tmp_path: Path):
    old_ddl = "\n".join(line for line in FIGURES_DDL.splitlines() if "locality_key" not in line
                        and "locality_reading" not in line)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute("create schema raw")
        conn.execute(old_ddl)
        conn.execute(
            "insert into raw.figures (file_sha256, file_name, row_number, reporter_code, reporter_kind, "
            "locality_code, indicator_code, period, ingested_at) values "
            "('a', 'a.csv', 2, 'SXD', 'department', '568', 'ALLEY_LIT_RATE', '2024', now())"
        )
        ensure_raw_schema(conn)
        ensure_raw_schema(conn)  # idempotent
        columns = {name for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_name = 'figures'"
        ).fetchall()}
        assert {"locality_key", "locality_reading"} <= columns
        assert set(FIGURE_SCHEMA.names) <= columns
        assert conn.execute("select locality_key from raw.figures").fetchall() == [(None,)]


def test_intake_refuses_the_refresh_when_the_shares_do_not_sum_to_one(tmp_path: Path, monkeypatch):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    shares = seeds / "crosswalk_shares.csv"
    header, first, *rest = shares.read_text(encoding="utf-8").splitlines()
    old, new, share, *tail = first.split(",")
    shares.write_text("\n".join([header, ",".join([old, new, "0.9", *tail]), *rest]) + "\n", encoding="utf-8")
    monkeypatch.setattr("sources.geography_checks.seeds_dir", lambda: seeds)
    home = DothiHome(tmp_path / "home")
    with pytest.raises(ReferenceDataError, match="crosswalk_shares.csv rows 2, "):
        run_intake(home, "run-1")
    assert not (tmp_path / "home").exists()  # refused before anything was touched
