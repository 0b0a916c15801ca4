"""Indicator names as Resolution 06 / Conclusion 544 word them and as offices shorten them (issue 11, §8)."""

from __future__ import annotations

import csv

import pytest

from sources.normalize.names import _reduce, resolvers
from sources.normalize.text import fold
from sources.reference import load_reference, seeds_dir

REF = load_reference()
RES = resolvers(REF)

# Every wording of the domain brief's list "Indicator names as the documents word them".
BRIEF_WORDINGS = [
    ("tỷ lệ đô thị hóa", "URBANIZATION_RATE"),
    ("diện tích sàn nhà ở đô thị bình quân", "HOUSING_FLOOR_PC"),
    ("tỷ lệ nhà kiên cố, nhà bán kiên cố", "HOUSE_PERMANENT_RATE"),
    ("tỷ lệ đất giao thông so với đất xây dựng đô thị", "TRANSPORT_LAND_RATIO"),
    ("tỷ lệ dân cư được cấp nước sạch", "CLEAN_WATER_RATE"),
    ("tỷ lệ chất thải rắn sinh hoạt được thu gom và xử lý hợp vệ sinh", "SOLID_WASTE_RATE"),
    ("tỷ lệ vận tải hành khách công cộng", "PUBLIC_TRANSPORT_RATE"),
    ("diện tích đất cây xanh công cộng trong đô thị", "GREEN_LAND_PC"),
    ("tỷ lệ phủ sóng thông tin di động trên dân số toàn đô thị", "MOBILE_COVERAGE_RATE"),
    ("tỷ lệ đường phố chính được chiếu sáng", "MAIN_STREET_LIT_RATE"),
    ("tỷ lệ đường ngõ xóm được chiếu sáng", "ALLEY_LIT_RATE"),
    ("ngầm hóa hạ tầng kỹ thuật (hệ thống điện, thông tin liên lạc)", "UNDERGROUND_CABLE_RATE"),
    # Common shortenings.
    ("CTR sinh hoạt", "SOLID_WASTE_RATE"),
    ("nước sạch", "CLEAN_WATER_RATE"),
    ("cây xanh công cộng", "GREEN_LAND_PC"),
    ("nhà ở bình quân", "HOUSING_FLOOR_PC"),
    ("phủ sóng di động", "MOBILE_COVERAGE_RATE"),
    ("vận tải công cộng", "PUBLIC_TRANSPORT_RATE"),
    # The two unambiguous ways to write the lighting shortening.
    ("chiếu sáng đường phố chính", "MAIN_STREET_LIT_RATE"),
    ("chiếu sáng ngõ xóm", "ALLEY_LIT_RATE"),
]

# With or without "đô thị", "và" / ",", in another case, accents or Unicode form.
TOLERANT_VARIANTS = [
    ("tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý hợp vệ sinh", "SOLID_WASTE_RATE"),
    ("Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý hợp vệ sinh", "SOLID_WASTE_RATE"),
    ("tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom và xử lý hợp vệ sinh", "SOLID_WASTE_RATE"),
    ("Tỷ lệ chất thải rắn (CTR) sinh hoạt được thu gom và xử lý hợp vệ sinh", "SOLID_WASTE_RATE"),
    ("CTR sinh hoạt đô thị", "SOLID_WASTE_RATE"),
    ("tỷ lệ dân cư đô thị được cấp nước sạch", "CLEAN_WATER_RATE"),
    ("nước sạch đô thị", "CLEAN_WATER_RATE"),
    ("diện tích sàn nhà ở bình quân", "HOUSING_FLOOR_PC"),
    ("Diện tích sàn nhà ở bình quân đô thị", "HOUSING_FLOOR_PC"),
    ("tỷ lệ đất giao thông so với đất xây dựng", "TRANSPORT_LAND_RATIO"),
    ("tỷ lệ phủ sóng thông tin di động trên dân số", "MOBILE_COVERAGE_RATE"),
    ("tỷ lệ phủ sóng thông tin di động dân số toàn đô thị", "MOBILE_COVERAGE_RATE"),
    ("diện tích đất cây xanh công cộng", "GREEN_LAND_PC"),
    ("cây xanh công cộng đô thị", "GREEN_LAND_PC"),
    ("TỶ LỆ NHÀ KIÊN CỐ, NHÀ BÁN KIÊN CỐ", "HOUSE_PERMANENT_RATE"),
    ("ty le nha kien co nha ban kien co", "HOUSE_PERMANENT_RATE"),
    ("tỷ lệ đô thị hoá", "URBANIZATION_RATE"),  # tone mark on the other vowel
    ("ngầm hóa hạ tầng kỹ thuật", "UNDERGROUND_CABLE_RATE"),
]

BOTH_LIGHTING = ("MAIN_STREET_LIT_RATE", "ALLEY_LIT_RATE")


def _seed_names() -> list[tuple[str, str]]:
    """(code, name) for every name the index is built from: code, name_vi, name_en, seed aliases."""
    names = [(c, n) for c, i in REF.indicators.items() for n in (c, i.name_vi, i.name_en)]
    with (seeds_dir() / "indicator_aliases.csv").open(encoding="utf-8-sig", newline="") as handle:
        names += [(r["indicator_code"], r["alias"]) for r in csv.DictReader(handle)]
    return names


@pytest.mark.parametrize(("raw", "code"), BRIEF_WORDINGS)
def test_brief_wordings_resolve(raw, code):
    found = RES.indicator(raw)
    assert found.ok, found.reason
    assert found.code == code


@pytest.mark.parametrize(("raw", "code"), TOLERANT_VARIANTS)
def test_tolerant_variants_resolve(raw, code):
    found = RES.indicator(raw)
    assert found.ok, found.reason
    assert found.code == code


@pytest.mark.parametrize(
    "raw",
    [
        # Conclusion 544 words the two lighting indicators as one phrase; one figure cannot be both.
        "tỷ lệ đường phố chính và đường ngõ xóm được chiếu sáng",
        "tỷ lệ đường phố chính, đường ngõ xóm được chiếu sáng",
        # The office shortening: main streets, or every street lit (alleys included)? Refused, not guessed.
        "chiếu sáng đường phố",
        "Chiếu sáng đường phố đô thị",
    ],
)
def test_lighting_wordings_naming_both_indicators_are_refused(raw):
    found = RES.indicator(raw)
    assert not found.ok
    assert (found.reason or "").startswith("ambiguous indicator")
    assert all(code in (found.reason or "") for code in BOTH_LIGHTING)


@pytest.mark.parametrize("raw", ["giá vàng", "số ca mắc COVID-19", "thu ngân sách nhà nước"])
def test_unrelated_phrases_do_not_resolve(raw):
    found = RES.indicator(raw)
    assert not found.ok
    assert (found.reason or "").startswith("unknown indicator")


def test_near_miss_names_the_closest_indicators():
    found = RES.indicator("Tỷ lệ chất thải rắn được thu gom")
    assert not found.ok
    assert "closest:" in (found.reason or "") and "SOLID_WASTE_RATE" in (found.reason or "")
    found = RES.indicator("tỷ lệ phủ sóng di dong")
    assert not found.ok and "MOBILE_COVERAGE_RATE" in (found.reason or "")


def test_a_reduction_shared_by_two_indicators_is_not_used():
    """'dân số' is "dân số đô thị" without "đô thị", and a shortening of "dân số trung bình": refused."""
    found = RES.indicator("dân số")
    assert not found.ok
    assert "URBAN_POP" in (found.reason or "") and "TOTAL_POP" in (found.reason or "")
    assert RES.indicator("dân số đô thị").code == "URBAN_POP"
    assert RES.indicator("dân số trung bình").code == "TOTAL_POP"


def test_no_reduced_key_maps_to_two_indicators():
    """Built from the real seeds: a reduced key the index uses points to one indicator, which no other
    indicator's name contains; a reduction two indicators share is dropped and their full wordings still
    resolve."""
    index = RES.indicators
    RES.indicator("tỷ lệ đô thị hóa")  # builds the index
    by_reduced: dict[str, set[str]] = {}
    for code, name in _seed_names():
        by_reduced.setdefault(_reduce(fold(name)), set()).add(code)
    for short, code in index.reduced.items():
        assert by_reduced.get(short, {code}) == {code}, short
        assert short not in index.ambiguous
    shared = {short for short, codes in by_reduced.items() if len(codes) > 1}
    assert not shared & set(index.reduced)
    deliberately_ambiguous = {fold(n) for c, n in _seed_names() if c in BOTH_LIGHTING}
    for code, name in _seed_names():
        if _reduce(fold(name)) in shared and fold(name) not in deliberately_ambiguous:
            assert RES.indicator(name).code == code, name
    # The only wordings listed for two indicators are the two lighting ones.
    full_ambiguous = {k for k, codes in index.key_codes.items() if len(codes) > 1}
    assert full_ambiguous == {
        fold("tỷ lệ đường phố chính và đường ngõ xóm được chiếu sáng"),
        fold("chiếu sáng đường phố"),
    }


def test_every_seed_alias_names_a_catalogue_indicator():
    assert {code for code, _ in REF.indicator_aliases} <= set(REF.indicators)
    assert len(REF.indicator_aliases) >= len(BRIEF_WORDINGS)
