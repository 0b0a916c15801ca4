"""VNI-Windows text (issue 12, item 4: "TCVN3/VNI legacy encodings (convert them, or name them)"): the
table against VNI's codes written out by hand, a round trip of every Vietnamese name in the seeds, and
VNI files (ANSI and CSV UTF-8) read to the figures they say."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date

import pytest

from sources.formats.vni import UNICODE_TO_VNI, VNI_TO_UNICODE, from_vni, to_vni
from sources.submission import QuarantineError, parse_submission
from tests.conftest import REPO
from tests.reliability import corpus

SEEDS = REPO / "dbt_project" / "seeds"

# VNI-Windows's codes, one row per vowel (plain, acute, grave, hook, tilde, dot), as the VNI fonts and
# the converters document them; typed here, not generated, so the generated table is checked against it.
BY_HAND = """
a aù aø aû aõ aï | a á à ả ã ạ
aâ aá aà aå aã aä | â ấ ầ ẩ ẫ ậ
aê aé aè aú aü aë | ă ắ ằ ẳ ẵ ặ
e eù eø eû eõ eï | e é è ẻ ẽ ẹ
eâ eá eà eå eã eä | ê ế ề ể ễ ệ
o où oø oû oõ oï | o ó ò ỏ õ ọ
oâ oá oà oå oã oä | ô ố ồ ổ ỗ ộ
ô ôù ôø ôû ôõ ôï | ơ ớ ờ ở ỡ ợ
u uù uø uû uõ uï | u ú ù ủ ũ ụ
ö öù öø öû öõ öï | ư ứ ừ ử ữ ự
i í ì æ ó ò | i í ì ỉ ĩ ị
y yù yø yû yõ î | y ý ỳ ỷ ỹ ỵ
ñ | đ
"""


def _by_hand() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in BY_HAND.strip().splitlines():
        codes, letters = (part.split() for part in line.split("|"))
        for code, letter in zip(codes, letters, strict=True):
            if not letter.isascii():
                table[letter] = code
                table[letter.upper()] = code.upper()
    return table


def test_the_table_is_vnis_and_covers_every_vietnamese_letter() -> None:
    assert _by_hand() == UNICODE_TO_VNI
    assert len(UNICODE_TO_VNI) == 134 == len(VNI_TO_UNICODE)  # 67 letters, both cases; no two share a code
    vietnamese = {unicodedata.normalize("NFC", ch) for ch in
                  "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"}
    assert vietnamese | {ch.upper() for ch in vietnamese} == set(UNICODE_TO_VNI)
    for letter, code in UNICODE_TO_VNI.items():
        assert from_vni(code) == letter
        assert all(ord(c) < 0x100 for c in code)  # one byte per code in Windows-1252: what the file holds


def _seed_names() -> set[str]:
    names: set[str] = set()
    for seed, columns in {
        "localities.csv": ("name_vi", "short_name_vi", "kind_vi", "urban_centre_vi"),
        "indicators.csv": ("name_vi", "unit", "unit_aliases"),
        "indicator_aliases.csv": ("alias",),
        "reporters.csv": ("name_vi",),
        "locality_aliases.csv": ("alias",),
    }.items():
        with (SEEDS / seed).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names |= {row[c] for c in columns if c in row and row[c] and not row[c].isascii()}
    return names


def test_every_vietnamese_name_in_the_seeds_round_trips() -> None:
    # "m²" aside (not a letter: VNI's fonts have no code of their own for it), every name in the seeds.
    names = {n.replace("²", "2") for n in _seed_names()}
    assert len(names) > 800
    for name in names:
        assert from_vni(to_vni(name)) == unicodedata.normalize("NFC", name), name


def test_known_vni_words() -> None:
    assert from_vni("Ñòa baøn;Maõ chæ tieâu;Giaù trò") == "Địa bàn;Mã chỉ tiêu;Giá trị"
    assert from_vni("Tyû leä ñoâ thò hoùa - Thaønh phoá Nha Trang, tænh Khaùnh Hoøa") == (
        "Tỷ lệ đô thị hóa - Thành phố Nha Trang, tỉnh Khánh Hòa")
    assert from_vni("ÑÔN VÒ BAÙO CAÙO: SÔÛ XAÂY DÖÏNG") == "ĐƠN VỊ BÁO CÁO: SỞ XÂY DỰNG"


@pytest.mark.parametrize("utf8", [False, True])
def test_vni_text_is_converted(utf8: bool) -> None:
    text = to_vni(corpus.csv_text())
    # ANSI as typed in a VNI font, or "CSV UTF-8" of such a sheet: the font's codes as Latin-1 letters.
    data = text.encode("utf-8") if utf8 else text.encode("cp1252")
    sub = parse_submission(data, "vni.csv", today=date(2025, 6, 15))
    assert sub.meta.encoding == ("utf-8:vni" if utf8 else "vni")
    assert [(f.row_number, f.value) for f in sub.figures] == [(6, 85.3), (7, 60.0)]
    assert sub.meta.reporter_raw == "Sở Xây dựng"
    assert [f.locality_code for f in sub.figures] == [f.locality_code for f in parse_submission(
        corpus.good_csv(), "unicode.csv", today=date(2025, 6, 15)).figures]


def test_a_western_text_is_never_taken_for_vni() -> None:
    # Latin-1 text with letters VNI would read as codes, and no Vietnamese header either way: refused as before.
    data = "Ville;Données;Années\nNîmes;dépôt;1\n".encode("cp1252")
    with pytest.raises(QuarantineError) as refused:
        parse_submission(data, "fr.csv", today=date(2025, 6, 15))
    assert "no recognisable header row" in refused.value.reason


def test_a_vni_file_through_the_intake_stores_what_it_says(tmp_path) -> None:
    import os
    from datetime import datetime

    import duckdb

    from sources.home import DothiHome
    from sources.intake import run_intake

    home = DothiHome(tmp_path / "home").ensure()
    rows = ["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;Đã kiểm tra", "Huyện Diên Khánh;ALLEY_LIT_RATE;%;abc;"]
    (home.inbox / "vni.csv").write_bytes(to_vni(corpus.csv_text(rows)).encode("cp1252"))
    os.utime(home.inbox / "vni.csv", (datetime(2025, 6, 1).timestamp(),) * 2)
    [outcome] = run_intake(home, "vni", now=datetime(2025, 6, 15, 9)).outcomes
    assert outcome.status == "accepted_with_rejections"
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        sub = conn.execute("select encoding, reporter_raw, periods from raw.submissions").fetchone()
        figures = conn.execute("select row_number, value, note from raw.figures").fetchall()
        rejected = conn.execute("select row_number, field, value_raw from raw.rejected_rows").fetchall()
    assert sub == ("vni", "Sở Xây dựng", "2024")
    assert to_vni("Đã kiểm tra") == "Ñaõ kieåm tra"  # as the file holds it
    assert figures == [(6, 85.3, "Đã kiểm tra")]
    assert rejected == [(7, "value", "abc")]
