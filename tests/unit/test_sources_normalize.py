"""Text folding, numbers, periods, names and units."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from sources.normalize.headers import match_header, match_title_key
from sources.normalize.names import resolvers
from sources.normalize.numbers import dominant_style, parse_number
from sources.normalize.periods import parse_period, period_end, period_start, period_type
from sources.normalize.text import fold, nfc
from sources.normalize.units import check_unit
from sources.reference import load_reference

REF = load_reference()
RES = resolvers(REF)
IND = REF.indicators
TODAY = date(2025, 6, 15)


# --- text -----------------------------------------------------------------------------------------


def test_fold_handles_nfd_and_both_tone_mark_placements():
    assert (
        fold("Khánh Hòa")
        == fold("Khánh Hoà")
        == fold(unicodedata.normalize("NFD", "Khánh Hòa"))
        == "khanh hoa"
    )
    assert fold("Đơn vị tính") == "don vi tinh"
    assert fold("  TP.  Nha-Trang ") == "tp nha trang"


def test_nfc_recomposes_and_trims():
    assert nfc(unicodedata.normalize("NFD", " Diên Khánh\u00a0")) == "Diên Khánh"


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Đơn vị báo cáo", "reporter"),
        ("REPORTER", "reporter"),
        ("Địa bàn", "locality"),
        ("Huyện/thị xã/thành phố", "locality"),
        ("Đơn vị hành chính", "locality"),
        ("locality", "locality"),
        ("Mã chỉ tiêu", "indicator"),
        ("indicator", "indicator"),
        ("Chỉ tiêu", "indicator_name"),
        ("Kỳ báo cáo", "period"),
        ("NĂM", "period"),
        ("period", "period"),
        ("Giá trị", "value"),
        ("Số liệu", "value"),
        ("Thực hiện", "value"),
        ("Giá trị (%)", "value"),
        ("don_vi_tinh", "unit"),
        ("ĐVT", "unit"),
        ("Tử số", "numerator"),
        ("Mẫu số", "denominator"),
        ("Ghi chú", "note"),
        ("Ngày gửi", "submitted"),
        ("submitted_at", "submitted"),
        ("Ngày báo cáo", "submitted"),
        (unicodedata.normalize("NFD", "Giá trị"), "value"),
    ],
)
def test_header_aliases(label, field):
    assert match_header(label) == field


def test_title_keys():
    assert match_title_key("Đơn vị báo cáo") == "reporter"
    assert match_title_key("Kỳ báo cáo:") == "period"
    assert match_title_key("Năm") == "period"
    assert match_title_key("Ngày gửi") == "submitted"
    assert match_title_key("Ghi chú") == "note"
    assert match_title_key("BÁO CÁO CHỈ TIÊU ĐÔ THỊ") is None


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "indicator", "value", "reading"),
    [
        ("1.234,5", "CAPITAL_MOBILISED", 1234.5, "vi"),
        ("1,234.5", "CAPITAL_MOBILISED", 1234.5, "en"),
        ("1.234.567", "TOTAL_POP", 1234567.0, "vi"),
        ("1,234,567", "TOTAL_POP", 1234567.0, "en"),
        ("85%", "URBANIZATION_RATE", 85.0, "plain"),
        ("85,3 %", "URBANIZATION_RATE", 85.3, "vi"),
        ("85.3", "URBANIZATION_RATE", 85.3, "en"),
        ("0,125", "GREEN_LAND_PC", 0.125, "vi"),
        ("-12", "CAPITAL_MOBILISED", -12.0, "plain"),
        ("1 234 567", "TOTAL_POP", 1234567.0, "plain"),
        (42.0, "URBANIZATION_RATE", 42.0, "cell"),
        (7, "PLANS_APPROVED", 7.0, "cell"),
    ],
)
def test_number_forms(raw, indicator, value, reading):
    result = parse_number(raw, IND[indicator])
    assert result.ok, result.reason
    assert result.value == pytest.approx(value)
    assert result.reading == reading


def test_ambiguous_number_read_by_range_and_unit():
    # '%' capped at 100: 1.234 cannot be one thousand → decimal (English) reading.
    pct = parse_number("1.234", IND["URBANIZATION_RATE"])
    assert pct.value == pytest.approx(1.234) and pct.reading == "ambiguous:en"
    # persons are whole: 1.234 people is implausible → thousands (Vietnamese) reading.
    pop = parse_number("1.234", IND["TOTAL_POP"])
    assert (pop.value, pop.reading) == (1234.0, "ambiguous:vi")
    pop_en = parse_number("1,234", IND["TOTAL_POP"])
    assert (pop_en.value, pop_en.reading) == (1234.0, "ambiguous:en")
    # green land per person: 1.234 m² is plausible, 1234 is not (max 50).
    green = parse_number("1,234", IND["GREEN_LAND_PC"])
    assert green.value == pytest.approx(1.234) and green.reading == "ambiguous:vi"


def test_ambiguous_number_both_plausible_follows_the_file_then_vietnamese():
    capital = IND["CAPITAL_MOBILISED"]  # 0..100000 tỷ đồng: 1.234 and 1234 both plausible
    assert parse_number("1.234", capital, dominant="en").value == pytest.approx(1.234)
    assert parse_number("1.234", capital, dominant="en").reading == "ambiguous:en"
    assert parse_number("1.234", capital, dominant="vi").value == 1234.0
    assert parse_number("1.234", capital).reading == "ambiguous:vi"
    assert dominant_style(["1,234.5", "2,5", "3,25", "1.234"]) == "vi"
    assert dominant_style(["1,234.5", "7.25"]) == "en"
    assert dominant_style(["1.234", 12.0]) is None


def test_the_file_style_is_worked_out_only_when_a_number_needs_it():
    capital, asked = IND["CAPITAL_MOBILISED"], []

    def style() -> str:
        asked.append(1)
        return "en"

    assert parse_number("1.234,5", capital, dominant=style).value == 1234.5  # reads one way: not asked
    assert parse_number("1.234", IND["TOTAL_POP"], dominant=style).value == 1234.0  # the range decides
    assert asked == []
    assert parse_number("1.234", capital, dominant=style).reading == "ambiguous:en"
    assert asked == [1]


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "-", "–", "x", "X", "không có", "Không có", "N/A", "n/a", "..."]
)
def test_missing_is_none_never_zero(raw):
    result = parse_number(raw, IND["URBANIZATION_RATE"])
    assert result.ok and result.value is None and result.value != 0


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("≥ 90", "comparison"),
        ("khoảng 80", "approximate"),
        ("12/05/2024", "date"),
        ("abc", "not a number"),
        ("1.2.3,4,5", "not a number"),
        (True, "true/false"),
    ],
)
def test_rejected_number_forms(raw, needle):
    result = parse_number(raw, IND["URBANIZATION_RATE"])
    assert not result.ok and result.value is None
    assert needle in (result.reason or "")


def test_percent_sign_on_a_non_percent_indicator_is_rejected():
    result = parse_number("85%", IND["TOTAL_POP"])
    assert not result.ok and "%" in (result.reason or "")


def test_date_cell_is_not_a_number():
    assert not parse_number(date(2024, 5, 1), IND["TOTAL_POP"]).ok


# --- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "period"),
    [
        ("2024", "2024"),
        (2024, "2024"),
        (2024.0, "2024"),
        ("Năm 2024", "2024"),
        ("năm 2024", "2024"),
        ("2024-H1", "2024-H1"),
        ("2024-H2", "2024-H2"),
        ("6 tháng đầu năm 2024", "2024-H1"),
        ("6 tháng cuối năm 2024", "2024-H2"),
        ("H1/2024", "2024-H1"),
        ("2024-Q3", "2024-Q3"),
        ("Quý III/2024", "2024-Q3"),
        ("Quý 3/2024", "2024-Q3"),
        ("Q3/2024", "2024-Q3"),
        ("quý IV năm 2024", "2024-Q4"),
        (unicodedata.normalize("NFD", "6 tháng đầu năm 2025"), "2025-H1"),
    ],
)
def test_period_forms(raw, period):
    result = parse_period(raw, TODAY)
    assert result.ok, result.reason
    assert result.period == period


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("2019", "before the programme"),
        ("2025-H2", "not started"),
        ("2026", "not started"),
        ("Quý V/2024", "unrecognised"),
        ("", "blank"),
        (date(2024, 1, 1), "date"),
    ],
)
def test_period_rejections(raw, needle):
    result = parse_period(raw, TODAY)
    assert not result.ok and needle in (result.reason or "")


def test_period_helpers():
    assert period_type("2024") == "annual" and period_type("2024-H1") == "half_year"
    assert period_type("2024-Q3") == "quarter"
    assert period_start("2024-Q3") == date(2024, 7, 1) and period_end("2024-Q3") == date(2024, 9, 30)
    assert period_start("2024-H2") == date(2024, 7, 1) and period_end("2024-H1") == date(2024, 6, 30)
    assert period_end("2024") == date(2024, 12, 31)


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("TP. Nha Trang", "568"),
        ("Thành phố Nha Trang", "568"),
        ("NHA TRANG", "568"),
        ("Nha Trang", "568"),
        ("568", "568"),
        ("UBND TP. Nha Trang", "568"),
        ("TX Ninh Hòa", "572"),
        ("TX Ninh Hoà", "572"),
        ("Thị xã Ninh Hoà", "572"),
        ("H. Diên Khánh", "574"),
        ("huyện Diên Khánh", "574"),
        ("Huyện đảo Trường Sa", "576"),
        ("Khánh Hoà", "56"),
        ("Toàn tỉnh", "56"),
        ("56", "56"),
        (unicodedata.normalize("NFD", "Huyện Cam Lâm"), "570"),
        ("Cam Lam", "570"),
    ],
)
def test_locality_variants(raw, code):
    assert RES.locality(raw).code == code


@pytest.mark.parametrize(
    ("raw", "code", "kind"),
    [
        ("Sở Xây dựng", "SXD", "department"),
        ("SO XAY DUNG", "SXD", "department"),
        ("SXD", "SXD", "department"),
        ("UBND huyện Diên Khánh", "574", "locality"),
        ("UBND TP. Nha Trang", "568", "locality"),
        ("Ủy ban nhân dân thị xã Ninh Hòa", "572", "locality"),
        ("Cục Thống kê tỉnh Khánh Hoà", "CTK", "department"),
        ("Công ty CP Cấp thoát nước Khánh Hòa", "KHAWASCO", "department"),
    ],
)
def test_reporter_variants(raw, code, kind):
    found = RES.reporter(raw)
    assert found.code == code
    assert REF.reporters[code].kind == kind


def test_province_is_not_a_reporter():
    assert not RES.reporter("Khánh Hòa").ok


def test_indicators_resolve_from_code_and_names():
    assert RES.indicator("URBANIZATION_RATE").code == "URBANIZATION_RATE"
    assert RES.indicator("urbanization_rate").code == "URBANIZATION_RATE"
    assert RES.indicator("Tỷ lệ đô thị hoá").code == "URBANIZATION_RATE"
    assert RES.indicator("Urbanization rate").code == "URBANIZATION_RATE"
    assert RES.indicator("Tỷ lệ nhà kiên cố, bán kiên cố").code == "HOUSE_PERMANENT_RATE"


def test_unknown_names_name_the_closest():
    found = RES.locality("Huyen Cam Lam Moi")
    assert not found.ok
    assert (found.reason or "").startswith("unknown locality 'Huyen Cam Lam Moi'; closest: Huyện Cam Lâm (570)")
    assert "Huyện Cam Lâm" in (found.suggestion or "")
    indicator = RES.indicator("Tỷ lệ đô thị hóa mới")
    assert not indicator.ok and "URBANIZATION_RATE" in (indicator.reason or "")
    assert "closest" in (RES.reporter("Sở Xây dựng mới").reason or "")


def test_seed_aliases_do_not_collide():
    # Every alias in the seeds resolves to the unit version it is listed under, in its first month, or
    # (an unaccented English name shared by two communes: 'Thanh Hai Commune') is refused as ambiguous,
    # naming it; never to another unit.
    ambiguous = set()
    for key, alias in REF.locality_aliases:
        first_month = f"{REF.localities[key].valid_from:%Y-%m}"
        found = RES.locality(alias, first_month)
        assert found.key == key or REF.localities[key].code in found.candidates, alias
        if not found.ok:
            ambiguous.add(alias)
    assert ambiguous <= {"Thanh Hai Commune"}
    for code, alias in REF.reporter_aliases:
        assert RES.reporter(alias).code == code, alias


# --- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "indicator"),
    [
        ("%", "URBANIZATION_RATE"),
        ("phần trăm", "URBANIZATION_RATE"),
        ("", "URBANIZATION_RATE"),
        ("m² sàn/người", "HOUSING_FLOOR_PC"),
        ("m2 sàn/người", "HOUSING_FLOOR_PC"),
        ("M2 SAN / NGUOI", "HOUSING_FLOOR_PC"),
        ("người", "TOTAL_POP"),
        ("Người", "TOTAL_POP"),
        ("tỷ đồng", "CAPITAL_MOBILISED"),
        ("lít/người/ngày đêm", "WATER_PER_CAPITA"),
    ],
)
def test_units_accepted(raw, indicator):
    assert check_unit(raw, IND[indicator]) is None


def test_unit_mismatch_names_the_expected_unit():
    reason = check_unit("ha", IND["GREEN_LAND_PC"])
    assert reason is not None and "m²/người" in reason and "GREEN_LAND_PC" in reason
    assert check_unit("người", IND["URBANIZATION_RATE"]) is not None


@pytest.mark.parametrize(
    ("raw", "expected", "end"),
    [
        ("2024-03", "2024-03", date(2024, 3, 31)),
        ("Tháng 3/2024", "2024-03", date(2024, 3, 31)),
        ("tháng 12 năm 2023", "2023-12", date(2023, 12, 31)),
        ("T2/2024", "2024-02", date(2024, 2, 29)),  # leap year
        ("2023-02", "2023-02", date(2023, 2, 28)),
    ],
)
def test_monthly_periods(raw: str, expected: str, end: date) -> None:
    result = parse_period(raw, today=date(2026, 11, 27))
    assert result.period == expected and period_type(expected) == "month" and period_end(expected) == end


def test_month_thirteen_is_not_a_period() -> None:
    assert not parse_period("2024-13", today=date(2026, 11, 27)).ok


def test_short_text_cache_keeps_short_texts_only():
    from sources.normalize.text import SHORT_TEXT_CHARS, short_text_cache

    calls: list[str] = []

    @short_text_cache(maxsize=8)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    short, long = "1.234,5", "x" * (SHORT_TEXT_CHARS + 1)
    n = SHORT_TEXT_CHARS + 1
    assert [length(short), length(short), length(long), length(long)] == [7, 7, n, n]
    assert calls == [short, long, long]  # the short text computed once, the long one every time
