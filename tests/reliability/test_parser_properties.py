"""Property-based tests (hypothesis) of the number, period and name parsers: they never crash, never
turn a missing value into zero, and read back what they accept."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sources.normalize.names import resolvers
from sources.normalize.numbers import MISSING_TOKENS, parse_number
from sources.normalize.periods import FIRST_YEAR, parse_period
from sources.normalize.text import fold
from sources.reference import load_reference

TODAY = date(2025, 6, 15)
REFERENCE = load_reference()
RES = resolvers(REFERENCE)
INDICATORS = [None, *REFERENCE.indicators.values()]
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.dates(), st.datetimes(),
)


# --- numbers ---------------------------------------------------------------------------------------


@FAST
@given(raw=anything, indicator=st.sampled_from(INDICATORS), dominant=st.sampled_from([None, "vi", "en"]))
def test_number_parser_never_crashes(raw, indicator, dominant) -> None:
    result = parse_number(raw, indicator, dominant=dominant)
    assert (result.reason is None) == result.ok
    if result.ok and result.value is not None:
        assert result.value == result.value  # not NaN
    if not result.ok:
        assert result.value is None and result.reason


@FAST
@given(
    token=st.sampled_from(["", " ", "-", "x", "X", "không có", "N/A", "n/a", "NA", "chưa có số liệu", "\u00a0"]),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
    indicator=st.sampled_from(INDICATORS),
)
def test_missing_is_never_zero(token, pad, indicator) -> None:
    result = parse_number(pad + token + pad, indicator)
    assert result.ok and result.value is None
    assert parse_number(None, indicator).value is None


def test_missing_tokens_are_missing() -> None:
    for token in MISSING_TOKENS:
        assert parse_number(token).value is None


def _vi(value: int, cents: int) -> str:
    return f"{value:,}".replace(",", ".") + f",{cents:02d}"


def _en(value: int, cents: int) -> str:
    return f"{value:,}.{cents:02d}"


@FAST
@given(value=st.integers(min_value=0, max_value=10**12), cents=st.integers(min_value=0, max_value=99),
       style=st.sampled_from(["vi", "en"]), negative=st.booleans())
def test_unambiguous_numbers_round_trip(value, cents, style, negative) -> None:
    text = (_vi if style == "vi" else _en)(value, cents)
    result = parse_number(("-" if negative else "") + text)
    expected = (value + cents / 100) * (-1 if negative else 1)
    assert result.ok and result.value == pytest.approx(expected, rel=1e-12, abs=1e-9)


@FAST
@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_cell_numbers_are_taken_as_they_are(value) -> None:
    assert parse_number(value).value == value and parse_number(value).reading == "cell"


@FAST
@given(value=st.integers(min_value=0, max_value=10**9))
def test_plain_integers_round_trip(value) -> None:
    assert parse_number(str(value)).value == float(value)


@FAST
@given(prefix=st.sampled_from(["≥", "khoảng ", "~", "> ", "trên "]), value=st.integers(min_value=1, max_value=999))
def test_approximations_are_rejected_not_guessed(prefix, value) -> None:
    result = parse_number(f"{prefix}{value}")
    assert not result.ok and result.value is None and str(value) in (result.suggestion or "")


# --- periods ---------------------------------------------------------------------------------------


@FAST
@given(raw=anything)
def test_period_parser_never_crashes(raw) -> None:
    result = parse_period(raw, TODAY)
    assert result.ok == (result.period is not None)
    if not result.ok:
        assert result.reason


periods = st.one_of(
    st.builds(str, st.integers(min_value=FIRST_YEAR, max_value=2025)),
    st.builds(lambda y, h: f"{y}-H{h}", st.integers(FIRST_YEAR, 2024), st.integers(1, 2)),
    st.builds(lambda y, q: f"{y}-Q{q}", st.integers(FIRST_YEAR, 2024), st.integers(1, 4)),
)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@FAST
@given(period=periods)
def test_canonical_periods_round_trip(period) -> None:
    assert parse_period(period, TODAY).period == period
    year = period[:4]
    if "-H" in period:
        words = f"6 tháng {'đầu' if period.endswith('1') else 'cuối'} năm {year}"
        assert parse_period(words, TODAY).period == period
    elif "-Q" in period:
        assert parse_period(f"Quý {ROMAN[int(period[-1])]}/{year}", TODAY).period == period
    else:
        assert parse_period(f"Năm {year}", TODAY).period == period
        assert parse_period(float(year), TODAY).period == period


@FAST
@given(year=st.integers(min_value=1900, max_value=2199))
def test_periods_outside_the_programme_are_rejected(year) -> None:
    result = parse_period(str(year), TODAY)
    assert result.ok == (FIRST_YEAR <= year <= TODAY.year)


# --- names -----------------------------------------------------------------------------------------


@FAST
@given(raw=st.one_of(st.none(), st.text(), st.integers()))
def test_name_resolvers_never_crash(raw) -> None:
    for resolve in (RES.locality, RES.indicator, RES.reporter):
        found = resolve(raw)
        assert found.ok == (found.code is not None)
        if not found.ok:
            assert found.reason


# (locality_key, name): a name or code means the unit version valid at the end of the row's period.
LOCALITY_NAMES = sorted(
    {(key, name) for key, loc in REFERENCE.localities.items() for name in (loc.code, loc.name_vi, loc.name_en) if name}
)


@FAST
@given(entry=st.sampled_from(LOCALITY_NAMES), case=st.sampled_from(["as", "upper", "lower"]),
       pad=st.sampled_from(["", " ", "  "]))
def test_locality_names_round_trip(entry, case, pad) -> None:
    key, name = entry
    unit = REFERENCE.localities[key]
    text = {"as": name, "upper": name.upper(), "lower": name.lower()}[case]
    found = RES.locality(pad + text + pad, f"{unit.valid_from:%Y-%m}")  # in the version's first month
    # Resolved to that version, or (an English name two communes share) refused naming it; never another.
    assert found.key == key or (not found.ok and unit.code in found.candidates)


@FAST
@given(code=st.sampled_from(sorted(REFERENCE.indicators)))
def test_indicator_code_and_name_round_trip(code) -> None:
    assert RES.indicator(code).code == code
    assert RES.indicator(REFERENCE.indicators[code].name_vi).code == code


@FAST
@given(raw=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40))
def test_unknown_names_are_never_resolved_to_a_guess(raw) -> None:
    # A name that folds to nothing known is refused with the closest names, never silently mapped.
    known = (
        {fold(n) for _, n in LOCALITY_NAMES}
        | {fold(a) for _, a in REFERENCE.locality_aliases}
        | {fold(loc.short_name_vi) for loc in REFERENCE.localities.values()}
    )
    assume(fold(raw) and fold(raw) not in known)
    found = RES.locality(raw)
    if found.ok:  # only via the documented kind prefixes ('TP.', 'Huyện', 'P.', 'UBND')
        assert any(fold(raw).endswith(k) for k in known if k)
