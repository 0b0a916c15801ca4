"""Generate the bundled sample submissions under ``sources/sample/submissions/``.

    python -m sources.sample.generate           # (re)write the sample
    python -m sources.sample.generate --check   # regenerate into a temp dir, compare hashes, exit 1 if stale

The figures are synthetic (``Dữ liệu mô phỏng (synthetic)`` in every file), except the province's
average population 2021-2022 and urban population 2022 from the domain brief. Reference data (localities,
aliases, reporters, indicators, deadlines) is read from ``dbt_project/seeds``; nothing of it is copied here.

Layout of this module:
  1. reference data (seed CSVs)            4. submission plan (who sends which file, in which style)
  2. values model (the "true" figures)     5. PLANTED PROBLEMS (the only place the sample is made wrong)
  3. channels (department vs locality)     6. writers (csv / xlsx / xls) and the command line
Everything random comes from one ``random.Random(20210111)``; xlsx/xls files carry fixed timestamps, so
the output is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
OUT_DIR = HERE / "submissions"
PLANTED_JSON = HERE / "planted_problems.json"

RANDOM_SEED = 20210111
FIXED_TIMESTAMP = dt.datetime(2025, 8, 1, 8, 0, 0)  # xlsx core properties (created / modified)
ZIP_TIMESTAMP = (2025, 8, 1, 8, 0, 0)  # every member of an xlsx archive
SAMPLE_FORMATS = (".csv", ".xlsx", ".xls")

TITLE = "BÁO CÁO CHỈ TIÊU PHÁT TRIỂN ĐÔ THỊ"
SYNTHETIC_NOTE = "Dữ liệu mô phỏng (synthetic) — not official figures"
SOURCED_NOTE = "Số liệu công bố của Cục Thống kê (sourced, not synthetic)"
PROVINCE_TOTAL_TEXT = "Toàn tỉnh"

ANNUAL_PERIODS = ("2021", "2022", "2023", "2024")
HALF_PERIOD = "2025-H1"
PERIODS = (*ANNUAL_PERIODS, HALF_PERIOD)
# Years elapsed since end-2021 at each period's end: stocks move along a line from 2021 to mid-2025.
ELAPSED = {"2021": 0.0, "2022": 1.0, "2023": 2.0, "2024": 3.0, HALF_PERIOD: 3.5}
LAST_ELAPSED = ELAPSED[HALF_PERIOD]

# Sourced figures (domain brief: statistics office). Everything after 2022 is a synthetic continuation.
SOURCED_PROVINCE_POP = {"2021": 1_248_060, "2022": 1_253_970}
SOURCED_PROVINCE_URBAN_POP = {"2022": 531_190}
SYNTHETIC_POP_GROWTH = 0.005  # per year, 2023 onwards
SYNTHETIC_URBAN_SHARE = {"2021": 0.4232, "2023": 0.4247, "2024": 0.4261, HALF_PERIOD: 0.4268}


# ============================================================================================
# 1. Reference data (read from the seed CSVs)
# ============================================================================================


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    unit: str
    unit_aliases: tuple[str, ...]
    measure_type: str  # stock | flow | cumulative
    rate_scale: float | None  # set for rate indicators (value = numerator / denominator x scale)
    valid_min: float
    valid_max: float
    responsible: str
    locality_reports: bool
    tolerance_pct: float
    consistency_tolerance: float | None
    sort_order: int

    @property
    def is_rate(self) -> bool:
        return self.rate_scale is not None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


@dataclass(frozen=True)
class Locality:
    code: str
    name_vi: str
    short_name_vi: str
    urban_type: str
    population_2019: int | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Reporter:
    code: str
    kind: str
    name_vi: str
    short_name_vi: str
    valid_from: dt.date
    valid_to: dt.date | None
    successor: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    indicators: dict[str, Indicator]
    province: Locality
    localities: dict[str, Locality]  # district level, by code
    reporters: dict[str, Reporter]
    deadlines: dict[tuple[str, str, str], int]  # (kind, reporter code or '', period type) -> days


def _read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_reference() -> Reference:
    indicators = {
        r["indicator_code"]: Indicator(
            code=r["indicator_code"],
            name_vi=r["name_vi"],
            unit=r["unit"],
            unit_aliases=tuple(a for a in r["unit_aliases"].split("|") if a),
            measure_type=r["measure_type"],
            rate_scale=float(r["rate_scale"]) if r["numerator_label_en"] and r["rate_scale"] else None,
            valid_min=float(r["valid_min"]),
            valid_max=float(r["valid_max"]),
            responsible=r["responsible_reporter_code"],
            locality_reports=r["locality_reports"] == "true",
            tolerance_pct=float(r["tolerance_pct"]),
            consistency_tolerance=float(r["consistency_tolerance"]) if r["consistency_tolerance"] else None,
            sort_order=int(r["sort_order"]),
        )
        for r in _read_seed("indicators.csv")
    }
    loc_aliases: dict[str, list[str]] = {}
    for r in _read_seed("locality_aliases.csv"):
        loc_aliases.setdefault(r["locality_key"], []).append(r["alias"])
    # The sample covers old Khánh Hòa (2021 to 2025-H1): the first province version in the seed and its
    # districts (localities.csv holds unit versions keyed code@valid_from; codes are reused later).
    rows = _read_seed("localities.csv")
    province_key = next(r["locality_key"] for r in rows if r["level"] == "province")
    localities = {
        r["locality_code"]: Locality(
            code=r["locality_code"],
            name_vi=r["name_vi"],
            short_name_vi=r["short_name_vi"],
            urban_type=r["urban_type"],
            population_2019=int(r["population_2019"]) if r["population_2019"] else None,
            aliases=tuple(loc_aliases.get(r["locality_key"], ())),
        )
        for r in rows
        if r["locality_key"] == province_key or (r["level"] == "district" and r["parent_key"] == province_key)
    }
    province = next(loc for code, loc in localities.items() if not loc.urban_type and code.isdigit())
    districts = {code: loc for code, loc in sorted(localities.items()) if loc is not province}
    rep_aliases: dict[str, list[str]] = {}
    for r in _read_seed("reporter_aliases.csv"):
        rep_aliases.setdefault(r["reporter_code"], []).append(r["alias"])
    reporters = {
        r["reporter_code"]: Reporter(
            code=r["reporter_code"],
            kind=r["kind"],
            name_vi=r["name_vi"],
            short_name_vi=r["short_name_vi"],
            valid_from=_date(r["valid_from"]) or dt.date.min,
            valid_to=_date(r["valid_to"]),
            successor=r["successor_code"] or None,
            aliases=tuple(rep_aliases.get(r["reporter_code"], ())),
        )
        for r in _read_seed("reporters.csv")
    }
    deadlines = {
        (r["reporter_kind"], r["reporter_code"], r["period_type"]): int(r["deadline_days"])
        for r in _read_seed("reporting_calendar.csv")
    }
    return Reference(indicators, province, districts, reporters, deadlines)


def period_type(period: str) -> str:
    return "half_year" if "-H" in period else "annual"


def period_end(period: str) -> dt.date:
    year = int(period[:4])
    return dt.date(year, 6, 30) if period.endswith("-H1") else dt.date(year, 12, 31)


def is_half(period: str) -> bool:
    return "-H" in period


def deadline(ref: Reference, reporter: Reporter, period: str) -> dt.date:
    ptype = period_type(period)
    days = ref.deadlines.get((reporter.kind, reporter.code, ptype))
    if days is None:
        days = ref.deadlines[(reporter.kind, "", ptype)]
    return period_end(period) + dt.timedelta(days=days)


def responsible_reporter(ref: Reference, indicator: Indicator, period: str) -> str:
    """The department in charge at the period's end: follows successor_code past a reporter's valid_to."""
    code = indicator.responsible
    while (valid_to := ref.reporters[code].valid_to) is not None and valid_to < period_end(period):
        code = ref.reporters[code].successor or code
        if ref.reporters[code].valid_to == valid_to:
            break
    return code


def ordered_indicators(ref: Reference) -> list[Indicator]:
    return sorted(ref.indicators.values(), key=lambda i: i.sort_order)


# ============================================================================================
# 2. Values model: one "true" figure per locality x indicator x period (the department's figure)
# ============================================================================================


@dataclass(frozen=True)
class Figure:
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Anchor:
    """Pins a figure so that a planted problem has the intended numbers around it."""

    value: float
    denominator: float | None = None


Truth = dict[tuple[str, str, str], Figure]  # (locality code, indicator code, period) -> figure

# Synthetic 2019 population weights of the districts without a published census figure (approximate,
# not official); Cam Lâm and Diên Khánh come from population_2019 in localities.csv.
SYNTHETIC_POP_WEIGHTS_2019 = {
    "568": 422_000,
    "569": 125_000,
    "571": 131_000,
    "572": 230_000,
    "573": 40_000,
    "575": 25_000,
    "576": 200,
}
EXTRA_GROWTH = {"570": 0.008}  # Cam Lâm grows faster than the province (new urban area)
URBAN_SHARE_WEIGHT = {  # relative urban share (statistics office definition), scaled to the province total
    "568": 0.72,
    "569": 0.50,
    "570": 0.14,
    "571": 0.12,
    "572": 0.25,
    "573": 0.16,
    "574": 0.13,
    "575": 0.17,
    "576": 0.60,
}

# Rate and per-capita indicators: (value end-2021, value mid-2025) by urban type, moving in a straight line.
PROFILES: dict[str, dict[str, tuple[float, float]]] = {
    "URBANIZATION_RATE": {"I": (88.0, 90.0), "III": (66.0, 69.0), "IV": (42.0, 45.0), "V": (25.0, 28.0)},
    "HOUSING_FLOOR_PC": {"I": (26.8, 28.4), "III": (24.6, 25.9), "IV": (23.2, 24.6), "V": (21.0, 22.6)},
    "HOUSE_PERMANENT_RATE": {"I": (98.1, 98.9), "III": (96.4, 97.5), "IV": (95.0, 96.6), "V": (90.5, 93.5)},
    "TRANSPORT_LAND_RATIO": {"I": (17.2, 19.0), "III": (14.1, 15.6), "IV": (12.0, 13.4), "V": (10.1, 11.5)},
    "PUBLIC_TRANSPORT_RATE": {"I": (5.6, 7.2), "III": (2.4, 3.0), "IV": (1.4, 1.7), "V": (0.7, 0.8)},
    "CLEAN_WATER_RATE": {"I": (95.0, 97.8), "III": (82.0, 85.5), "IV": (80.0, 85.0), "V": (70.0, 76.0)},
    "WATER_PER_CAPITA": {"I": (128.0, 138.0), "III": (108.0, 116.0), "IV": (95.0, 104.0), "V": (82.0, 92.0)},
    "SOLID_WASTE_RATE": {"I": (93.0, 96.5), "III": (88.0, 92.0), "IV": (87.0, 91.5), "V": (76.0, 82.0)},
    "WASTEWATER_TREATED_RATE": {"I": (40.5, 46.0), "III": (9.0, 11.5), "IV": (4.0, 5.0), "V": (2.0, 2.5)},
    "GREEN_LAND_PC": {"I": (4.2, 5.0), "III": (3.0, 3.6), "IV": (2.4, 3.0), "V": (1.6, 2.1)},
    "MAIN_STREET_LIT_RATE": {"I": (100.0, 100.0), "III": (96.5, 99.0), "IV": (95.0, 98.5), "V": (88.0, 93.0)},
    "ALLEY_LIT_RATE": {"I": (88.0, 94.5), "III": (78.0, 84.0), "IV": (72.0, 79.0), "V": (55.0, 64.0)},
    "MOBILE_COVERAGE_RATE": {"I": (99.8, 100.0), "III": (99.4, 99.9), "IV": (98.9, 99.7), "V": (96.5, 98.6)},
    "UNDERGROUND_CABLE_RATE": {"I": (21.0, 27.0), "III": (9.0, 11.5), "IV": (4.5, 5.8), "V": (2.0, 2.5)},
}
PROFILE_OVERRIDES: dict[tuple[str, str], tuple[float, float]] = {
    ("URBANIZATION_RATE", "574"): (62.0, 65.0),  # the whole district became a type-IV urban area (03/2021)
    ("URBANIZATION_RATE", "570"): (28.0, 31.0),  # Cam Đức and the new Cam Lâm urban area
    ("MAIN_STREET_LIT_RATE", "574"): (98.6, 100.0),  # KL 544: lighting achieved in Diên Khánh, Vạn Ninh
    ("MAIN_STREET_LIT_RATE", "571"): (98.4, 100.0),
    ("ALLEY_LIT_RATE", "574"): (84.0, 91.0),
    ("ALLEY_LIT_RATE", "571"): (82.0, 89.0),
}
JITTER = 0.04  # per-locality level offset: share of the 2021 level (% indicators: at most half the headroom)

# Denominator of each rate: (population basis, factor per person, fixed add-on, decimals).
DENOMINATORS: dict[str, tuple[str, float, float, int]] = {
    "URBANIZATION_RATE": ("total", 1.0, 0.0, 0),  # persons
    "URBAN_POP_SHARE_GSO": ("total", 1.0, 0.0, 0),  # persons
    "HOUSING_FLOOR_PC": ("urban", 1.0, 0.0, 0),  # urban persons (numerator: m² of floor)
    "HOUSE_PERMANENT_RATE": ("total", 1 / 3.7, 0.0, 0),  # houses
    "TRANSPORT_LAND_RATIO": ("urban", 0.0105, 20.0, 1),  # ha of urban construction land
    "PUBLIC_TRANSPORT_RATE": ("urban", 803.0, 0.0, 0),  # passenger trips a year
    "CLEAN_WATER_RATE": ("urban", 1.0, 0.0, 0),  # urban persons
    "SOLID_WASTE_RATE": ("urban", 0.00115, 0.8, 2),  # t/day generated
    "WASTEWATER_TREATED_RATE": ("urban", 0.12, 0.0, 2),  # m³/day generated
    "GREEN_LAND_PC": ("urban", 1.0, 0.0, 0),  # urban persons (numerator: m² of green land)
    "MAIN_STREET_LIT_RATE": ("urban", 0.00045, 5.0, 2),  # km of main streets
    "ALLEY_LIT_RATE": ("urban", 0.0012, 8.0, 2),  # km of alleys
    "MOBILE_COVERAGE_RATE": ("total", 1.0, 0.0, 0),  # persons
    "UNDERGROUND_CABLE_RATE": ("urban", 0.0009, 6.0, 2),  # km of urban streets
}
DENOMINATOR_GROWTH = 0.01  # a year, for physical bases (km, ha) on top of population

# Capital mobilised (tỷ đồng a year) = per-capita effort (triệu đồng/person/year) x population.
CAPITAL_PER_CAPITA = {"I": (6.0, 7.4), "III": (5.2, 6.6), "IV": (3.0, 3.9), "V": (2.4, 3.2)}
CAPITAL_PER_CAPITA_OVERRIDES = {
    "570": (8.0, 10.4),  # Cam Lâm: large private urban projects
    "576": (200.0, 230.0),  # Trường Sa: state investment on the islands, not scaled by residents
}
NON_BUDGET_SHARE = {"I": (0.62, 0.68), "III": (0.58, 0.64), "IV": (0.50, 0.57), "V": (0.35, 0.42)}
NON_BUDGET_SHARE_OVERRIDES = {"576": (0.05, 0.08)}  # Trường Sa: almost all from the state budget
HALF_YEAR_FLOW_SHARE = 0.45
PLANS_START = {"I": 14, "III": 9, "IV": 7, "V": 4}
PLANS_STEP = {"I": (1, 3), "III": (0, 2), "IV": (0, 2), "V": (0, 1)}


def allocate(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Splits an integer total by weights (largest remainder), so the parts add up exactly."""
    norm = sum(weights.values())
    raw = {k: total * w / norm for k, w in weights.items()}
    parts = {k: int(v) for k, v in raw.items()}
    leftover = total - sum(parts.values())
    for k in sorted(raw, key=lambda k: (parts[k] - raw[k], k))[:leftover]:
        parts[k] += 1
    return parts


def province_population() -> tuple[dict[str, int], dict[str, int]]:
    total = dict(SOURCED_PROVINCE_POP)
    previous = total["2022"]
    for period in ("2023", "2024", HALF_PERIOD):
        previous = total[period] = round(previous * (1 + SYNTHETIC_POP_GROWTH))
    urban = {
        p: SOURCED_PROVINCE_URBAN_POP.get(p) or round(total[p] * SYNTHETIC_URBAN_SHARE[p]) for p in PERIODS
    }
    return total, urban


def district_population(ref: Reference) -> tuple[Truth, dict[str, int], dict[str, int]]:
    """TOTAL_POP and URBAN_POP by district; districts add up exactly to the province."""
    prov_total, prov_urban = province_population()
    truth: Truth = {}
    for period in PERIODS:
        years_since_census = ELAPSED[period] + 2
        growth = prov_total[period] / ref.province.population_2019  # type: ignore[operator]
        census = {
            code: round(loc.population_2019 * growth * (1 + EXTRA_GROWTH.get(code, 0)) ** years_since_census)
            for code, loc in ref.localities.items()
            if loc.population_2019
        }
        others = allocate(prov_total[period] - sum(census.values()), SYNTHETIC_POP_WEIGHTS_2019)
        total = census | others
        urban = allocate(prov_urban[period], {c: total[c] * URBAN_SHARE_WEIGHT[c] for c in total})
        for code in ref.localities:
            truth[(code, "TOTAL_POP", period)] = Figure(float(total[code]))
            truth[(code, "URBAN_POP", period)] = Figure(float(urban[code]))
        truth[(ref.province.code, "TOTAL_POP", period)] = Figure(float(prov_total[period]))
        truth[(ref.province.code, "URBAN_POP", period)] = Figure(float(prov_urban[period]))
    return truth, prov_total, prov_urban


def _line(start: float, end: float, period: str) -> float:
    return start + (end - start) * ELAPSED[period] / LAST_ELAPSED


def rate_series(
    rng: random.Random, ind: Indicator, loc: Locality, anchors: dict[tuple[str, str, str], Anchor]
) -> dict[str, float]:
    """Level by period for a rate / per-capita indicator, through any anchor, within the valid range."""
    start, end = PROFILE_OVERRIDES.get((ind.code, loc.code)) or PROFILES[ind.code][loc.urban_type]
    ceiling = min(ind.valid_max, 100.0) if ind.is_percent else ind.valid_max
    amplitude = min(JITTER * start, (ceiling - max(start, end)) / 2) if ind.is_percent else JITTER * start
    offset = 0.0 if (ind.code, loc.code) in PROFILE_OVERRIDES else rng.uniform(-amplitude, amplitude)
    for (code, indicator, period), anchor in anchors.items():
        if code == loc.code and indicator == ind.code:
            offset = anchor.value - _line(start, end, period)
    return {p: max(ind.valid_min, min(ceiling, _line(start, end, p) + offset)) for p in PERIODS}


def denominator_series(
    ind: Indicator, loc: Locality, pops: Truth, anchors: dict[tuple[str, str, str], Anchor]
) -> dict[str, float]:
    basis, factor, add_on, decimals = DENOMINATORS[ind.code]
    pop_code = "TOTAL_POP" if basis == "total" else "URBAN_POP"
    physical = factor != 1.0 and basis == "urban"
    raw = {
        p: (pops[(loc.code, pop_code, p)].value * factor + add_on)
        * ((1 + DENOMINATOR_GROWTH) ** ELAPSED[p] if physical else 1.0)
        for p in PERIODS
    }
    for (code, indicator, period), anchor in anchors.items():
        if code == loc.code and indicator == ind.code and anchor.denominator is not None:
            scale = anchor.denominator / raw[period]
            raw = {p: v * scale for p, v in raw.items()}
    return {p: round(v, decimals) for p, v in raw.items()}


def rate_figure(ind: Indicator, level: float, denominator: float, decimals: int) -> Figure:
    numerator = round(denominator * level / ind.rate_scale, decimals)  # type: ignore[operator]
    if ind.is_percent:
        numerator = min(numerator, denominator)
    return Figure(round(numerator / denominator * ind.rate_scale, 1), numerator, denominator)  # type: ignore[operator]


def flow_figures(rng: random.Random, ref: Reference, pops: Truth) -> Truth:
    truth: Truth = {}
    for code, loc in ref.localities.items():
        per_capita = CAPITAL_PER_CAPITA_OVERRIDES.get(code) or CAPITAL_PER_CAPITA[loc.urban_type]
        share = NON_BUDGET_SHARE_OVERRIDES.get(code) or NON_BUDGET_SHARE[loc.urban_type]
        wobble = rng.uniform(0.95, 1.05)
        for period in PERIODS:
            part = HALF_YEAR_FLOW_SHARE if period == HALF_PERIOD else 1.0
            capital = round(
                _line(*per_capita, period) * wobble * pops[(code, "TOTAL_POP", period)].value / 1000 * part, 1
            )
            truth[(code, "CAPITAL_MOBILISED", period)] = Figure(capital)
            truth[(code, "CAPITAL_NON_BUDGET", period)] = Figure(round(capital * _line(*share, period), 1))
        plans = PLANS_START[loc.urban_type] + (rng.randint(0, 2) if loc.population_2019 is None else 1)
        if code == "576":
            plans = 1
        for period in PERIODS:
            if period != "2021":
                low, high = PLANS_STEP[loc.urban_type]
                plans += (
                    rng.randint(0, 1) if period == HALF_PERIOD or code == "576" else rng.randint(low, high)
                )
            truth[(code, "PLANS_APPROVED", period)] = Figure(float(plans))
            truth[(code, "UNITS_UPGRADED", period)] = Figure(0.0)
    return truth


def build_truth(rng: random.Random, ref: Reference, anchors: dict[tuple[str, str, str], Anchor]) -> Truth:
    truth, prov_total, prov_urban = district_population(ref)
    for code in ref.localities:
        for period in PERIODS:
            urban, total = truth[(code, "URBAN_POP", period)].value, truth[(code, "TOTAL_POP", period)].value
            truth[(code, "URBAN_POP_SHARE_GSO", period)] = Figure(round(urban / total * 100, 1), urban, total)
    for period in PERIODS:
        urban, total = prov_urban[period], prov_total[period]
        truth[(ref.province.code, "URBAN_POP_SHARE_GSO", period)] = Figure(
            round(urban / total * 100, 1), float(urban), float(total)
        )
    for ind in ordered_indicators(ref):
        if ind.code not in PROFILES:
            continue
        for loc in ref.localities.values():
            levels = rate_series(rng, ind, loc, anchors)
            if not ind.is_rate:  # per-capita level without numerator/denominator (water supply)
                truth.update({(loc.code, ind.code, p): Figure(round(v, 1)) for p, v in levels.items()})
                continue
            dens = denominator_series(ind, loc, truth, anchors)
            decimals = DENOMINATORS[ind.code][3]
            for period in PERIODS:
                truth[(loc.code, ind.code, period)] = rate_figure(ind, levels[period], dens[period], decimals)
    truth.update(flow_figures(rng, ref, truth))
    for ind_code in ("CAPITAL_MOBILISED", "CAPITAL_NON_BUDGET"):  # sent with a province total row
        for period in PERIODS:
            total = round(sum(truth[(c, ind_code, period)].value for c in ref.localities), 1)
            truth[(ref.province.code, ind_code, period)] = Figure(total)
    return truth


def province_urbanization(ref: Reference, truth: Truth, period: str) -> float:
    num = sum(truth[(c, "URBANIZATION_RATE", period)].numerator or 0 for c in ref.localities)
    den = sum(truth[(c, "URBANIZATION_RATE", period)].denominator or 0 for c in ref.localities)
    return num / den * 100


# ============================================================================================
# 3. Channels: the responsible department reports the true figure; the locality's self-report
#    agrees within half the indicator's tolerance (usually exactly, sometimes slightly off).
# ============================================================================================

SELF_REPORT_DRIFT_SHARE = 0.35  # share of self-reported figures that differ slightly from the department's


def agree(ind: Indicator, a: float, b: float) -> bool:
    """Within half the tolerance, read both as relative % and (for % indicators) percentage points."""
    half = ind.tolerance_pct / 2 * 0.9
    if abs(a - b) > half / 100 * max(abs(a), abs(b)):
        return False
    return not (ind.is_percent and abs(a - b) > half)


def rate_is_consistent(ind: Indicator, fig: Figure) -> bool:
    if fig.numerator is None or fig.denominator is None or not fig.denominator:
        return True
    implied = fig.numerator / fig.denominator * (ind.rate_scale or 1)
    return abs(implied - fig.value) <= (ind.consistency_tolerance or 0.5) and not (
        ind.is_percent and fig.numerator > fig.denominator
    )


def self_report(rng: random.Random, ind: Indicator, fig: Figure) -> Figure:
    if ind.tolerance_pct == 0 or rng.random() >= SELF_REPORT_DRIFT_SHARE:
        return fig
    drift = rng.uniform(-ind.tolerance_pct / 5, ind.tolerance_pct / 5) / 100
    if ind.is_rate and fig.numerator is not None and fig.denominator:
        decimals = DENOMINATORS[ind.code][3]
        numerator = round(fig.numerator * (1 + drift), decimals)
        if ind.is_percent:
            numerator = min(numerator, fig.denominator)
        candidate = Figure(round(numerator / fig.denominator * ind.rate_scale, 1), numerator, fig.denominator)  # type: ignore[operator]
    else:
        decimals = 0 if fig.value == int(fig.value) and ind.unit in ("người", "đồ án", "đơn vị") else 1
        candidate = Figure(round(fig.value * (1 + drift), decimals))
    in_range = ind.valid_min <= candidate.value <= ind.valid_max
    ok = in_range and agree(ind, candidate.value, fig.value) and rate_is_consistent(ind, candidate)
    return candidate if ok else fig


def self_reports(rng: random.Random, ref: Reference, truth: Truth) -> Truth:
    reported: Truth = {}
    for period in PERIODS:
        for code in ref.localities:
            for ind in ordered_indicators(ref):
                if ind.locality_reports:
                    reported[(code, ind.code, period)] = self_report(
                        rng, ind, truth[(code, ind.code, period)]
                    )
    return reported


# ============================================================================================
# 4. Submission plan: who sends which file, in which style
# ============================================================================================


@dataclass(frozen=True)
class Style:
    fmt: str  # csv | xlsx | xls
    lang: str = "vi"  # header language: vi | en
    encoding: str = "utf-8"  # csv only: utf-8 | utf-8-sig | cp1258
    delimiter: str = ","
    numbers: str = "native"  # native (Excel numbers) | vi (1.234,5) | vi-plain (1234,5) | en (1,234.5)
    text_form: str = "NFC"  # NFC | NFD | cp1258 (tones as combining marks where cp1258 lacks the letter)
    #                         | cp1258-win (every tone as a combining mark, as Windows writes it)
    title_block: bool = False  # Excel: title lines above the header
    merged_title: bool = False
    merged_header: bool = False  # Excel: "Ghi chú" header cell merged over two columns
    percent_sign: bool = False  # % values written as text "85,3 %" / "85.3%"
    indicator_columns: tuple[str, ...] = ("code", "name")
    row_number_column: bool = False  # Excel: a leading "STT" column
    unit_alias: bool = False  # unit written with the first unit alias instead of the canonical unit
    period_words: bool = False  # csv period column "Năm 2024" instead of "2024"
    instructions_sheet: bool = False  # Excel: a first sheet of instructions before the data sheet
    header_overrides: tuple[tuple[str, str], ...] = ()  # (field, label): other accepted header names


XLSX_TITLE = Style("xlsx", title_block=True, row_number_column=True)
XLSX_TITLE_MERGED = replace(XLSX_TITLE, merged_title=True, merged_header=True)
XLSX_PLAIN = Style("xlsx")
XLS_TITLE = Style(
    "xls",
    title_block=True,
    merged_title=True,
    row_number_column=True,
    header_overrides=(("unit", "ĐVT"), ("value", "Thực hiện")),
)
CSV_BOM = Style("csv", encoding="utf-8-sig", numbers="en", period_words=True)
CSV_BOM_PCT = replace(CSV_BOM, percent_sign=True)
CSV_SEMICOLON_VI = Style(
    "csv",
    delimiter=";",
    numbers="vi",
    percent_sign=True,
    indicator_columns=("code",),
    header_overrides=(("locality", "Huyện/thị xã/thành phố"), ("value", "Số liệu")),
)
CSV_SEMICOLON_NFD = Style("csv", delimiter=";", numbers="vi", text_form="NFD", period_words=True)
CSV_CP1258 = Style(
    "csv",
    encoding="cp1258",
    delimiter=";",
    numbers="vi-plain",
    text_form="cp1258",
    indicator_columns=("name",),
    unit_alias=True,
    period_words=True,
)
CSV_CP1258_WIN = Style(
    "csv", encoding="cp1258", delimiter=";", numbers="vi", text_form="cp1258-win", indicator_columns=("name",)
)
CSV_CP1258_COMMA = Style("csv", encoding="cp1258", delimiter=",", numbers="en", text_form="cp1258")
CSV_EN = Style("csv", lang="en", numbers="en", indicator_columns=("code",))
CSV_EN_PCT = replace(CSV_EN, percent_sign=True)


@dataclass(frozen=True)
class Habit:
    """How a reporter usually writes its file: style, file name, how localities are named."""

    style: Style
    file_name: str  # format() with year=, half= ("" for a year, e.g. "_6thang" for 2025-H1)
    naming: str = "official"  # official | abbrev | short | upper | code | old-tone | blank (own file)
    reporter_naming: int = 0  # which way of writing the reporter's own name (see reporter_text)
    half: str = "_6thang"
    half2: str = "_6thang_cuoi"  # the second half-year (2025-H2 onwards)
    sheet: str = "Báo cáo"
    province_first: bool = True
    by_indicator: bool = False  # department rows sorted by indicator then locality


HABITS: dict[str, Habit] = {
    # localities (People's Committees)
    "568": Habit(XLSX_TITLE_MERGED, "BC_chi_tieu_do_thi_NhaTrang_{year}{half}.xlsx", "abbrev", 0, sheet="BC"),
    "569": Habit(CSV_BOM_PCT, "CamRanh_BaoCao_{year}{half}.csv", "official", 1),
    "570": Habit(CSV_CP1258, "bao cao Cam Lam {year}{half}.csv", "short", 2, half=" 6 thang"),
    "571": Habit(XLS_TITLE, "Van Ninh - bao cao chi tieu {year}{half}.xls", "upper", 0, sheet="Sheet1"),
    "572": Habit(CSV_SEMICOLON_NFD, "Báo cáo đô thị TX Ninh Hòa {year}{half}.csv", "abbrev", 1),
    "573": Habit(XLSX_PLAIN, "KhanhVinh_{year}{half}.xlsx", "official", 0, sheet="Sheet1"),
    "574": Habit(XLSX_TITLE, "DienKhanh_BC_{year}{half}.xlsx", "blank", 2, sheet="Chỉ tiêu"),
    "575": Habit(CSV_CP1258_WIN, "KhanhSon{year}{half}.csv", "short", 1),
    "576": Habit(CSV_EN, "truong_sa_report_{year}{half}.csv", "abbrev", 0, half="_H1"),
    # departments
    "SXD": Habit(XLSX_TITLE_MERGED, "SoXayDung_BaoCao_ChiTieu_{year}{half}.xlsx", "official", 0),
    "SGTVT": Habit(CSV_BOM, "SoGTVT-{year}.csv", "abbrev", 1, by_indicator=True),
    "STNMT": Habit(XLSX_TITLE, "STNMT_chat_thai_nuoc_thai_{year}.xlsx", "short", 2, sheet="Số liệu"),
    "SNNMT": Habit(XLSX_TITLE, "SoNNMT_BC_{year}{half}.xlsx", "short", 0),
    "STTTT": Habit(CSV_EN_PCT, "DIC_urban_indicators_{year}.csv", "code", 0),
    "SKHCN": Habit(CSV_EN_PCT, "SKHCN_ha_tang_vien_thong_{year}{half}.csv", "code", 0),
    "CTK": Habit(
        replace(XLSX_TITLE, instructions_sheet=True),
        "Cục Thống kê - Dân số {year}{half}.xlsx",
        "official",
        0,
        sheet="Số liệu",
    ),
    "SKHDT": Habit(CSV_CP1258_COMMA, "SoKHDT-von-huy-dong-{year}.csv", "upper", 2, province_first=False),
    "STC": Habit(CSV_CP1258_COMMA, "STC_von_huy_dong_{year}{half}.csv", "upper", 0, province_first=False),
    "KHAWASCO": Habit(CSV_SEMICOLON_VI, "KHAWASCO_nuoc_sach_{year}{half}.csv", "old-tone", 0),
}
HABIT_CHANGES: dict[tuple[str, str], Habit] = {  # a reporter changing its tools or clerk in some period
    ("571", "2023"): replace(HABITS["571"], style=XLSX_TITLE, file_name="VanNinh_BC_{year}.xlsx"),
    ("571", "2024"): replace(HABITS["571"], style=XLSX_TITLE, file_name="VanNinh_BC_{year}.xlsx"),
    ("571", HALF_PERIOD): replace(HABITS["571"], style=XLSX_TITLE, file_name="VanNinh_BC_{year}{half}.xlsx"),
    ("STNMT", "2021"): replace(HABITS["STNMT"], style=XLS_TITLE, file_name="STNMT_{year}.xls"),
    ("STNMT", "2022"): replace(HABITS["STNMT"], style=XLS_TITLE, file_name="STNMT_{year}.xls"),
    ("SXD", "2023"): replace(HABITS["SXD"], style=CSV_BOM, file_name="SoXayDung-{year}.csv", naming="code"),
    ("SXD", "2022"): replace(HABITS["SXD"], naming="upper"),
    ("CTK", "2024"): replace(
        HABITS["CTK"], style=CSV_EN, file_name="ctk_population_{year}.csv", naming="code"
    ),
    ("KHAWASCO", "2022"): replace(HABITS["KHAWASCO"], naming="abbrev"),
    ("SGTVT", "2022"): replace(HABITS["SGTVT"], naming="official"),
    ("SKHDT", "2022"): replace(HABITS["SKHDT"], naming="abbrev"),
    ("568", "2021"): replace(HABITS["568"], naming="official"),
    ("568", "2023"): replace(HABITS["568"], naming="upper"),
    ("572", "2021"): replace(HABITS["572"], style=CSV_SEMICOLON_VI, naming="old-tone"),
}
PROVINCE_TOTAL_REPORTERS = ("CTK", "SKHDT")  # and their successors
PROVINCE_TONE_VARIANT = ("SKHDT", "2023")  # this file names the province "Tỉnh Khánh Hoà"

# Not problems: a locality leaving a figure it does not track empty (the department supplies it).
MISSING_MARKERS: dict[tuple[str, str, str | None], str] = {  # (locality, indicator, period or None=all)
    ("568", "CAPITAL_NON_BUDGET", "2021"): "-",
    ("576", "PUBLIC_TRANSPORT_RATE", None): "x",
    ("576", "WASTEWATER_TREATED_RATE", None): "N/A",
    ("575", "UNDERGROUND_CABLE_RATE", "2021"): "-",
    ("575", "UNDERGROUND_CABLE_RATE", "2022"): "-",
    ("570", "PUBLIC_TRANSPORT_RATE", "2022"): "không có",
}
ROW_NOTES: dict[tuple[str, str, str], str] = {  # ordinary remarks an officer would add
    ("568", "WATER_PER_CAPITA", "2024"): "Tính theo sản lượng nước thương phẩm",
    ("570", "CAPITAL_MOBILISED", "2023"): "Bao gồm dự án khu đô thị mới Cam Lâm",
    ("569", "HOUSING_FLOOR_PC", HALF_PERIOD): "Số liệu ước tính",
}


@dataclass
class Row:
    locality_code: str
    indicator_code: str
    figure: Figure | None  # None: missing
    note: str = ""
    locality_text: str | None = None  # overrides the file's naming scheme
    value_text: str | None = None  # raw text written instead of the formatted value
    tag: str | None = None  # planted-problem id, to report the row number


@dataclass
class Submission:
    reporter_code: str | None  # None: not a known reporter (planted)
    reporter_text: str
    kind: str  # locality | department
    period: str
    submitted: dt.date
    habit: Habit
    rows: list[Row]
    extra_title_lines: list[str] = field(default_factory=list)
    file_name_override: str | None = None
    tag: str | None = None

    @property
    def file_name(self) -> str:
        if self.file_name_override:
            return self.file_name_override
        half = {"H1": self.habit.half, "H2": self.habit.half2}.get(self.period[5:], "")
        return self.habit.file_name.format(year=self.period[:4], half=half)


def habit_for(reporter_code: str, period: str) -> Habit:
    return HABIT_CHANGES.get((reporter_code, period)) or HABITS[reporter_code]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def old_tone(text: str) -> str:
    """Old-style tone placement: Hòa -> Hoà (the same name, written the other common way)."""
    return re.sub(
        "([òóỏõọ])a",
        lambda m: "o" + unicodedata.normalize("NFC", "a" + unicodedata.normalize("NFD", m.group(1))[1:]),
        text,
    )


def locality_text(ref: Reference, code: str, naming: str) -> str:
    if code == ref.province.code:
        return PROVINCE_TOTAL_TEXT
    loc = ref.localities[code]
    if naming == "abbrev":
        for prefix in ("TP. ", "TX ", "Huyện đảo ", "H. "):
            match = next((a for a in loc.aliases if a.startswith(prefix)), None)
            if match:
                return match
        return loc.name_vi
    return {
        "official": loc.name_vi,
        "short": loc.short_name_vi,
        "upper": loc.short_name_vi.upper(),
        "code": loc.code,
        "old-tone": old_tone(loc.name_vi),
        "blank": "",
    }[naming]


def reporter_text(ref: Reference, code: str, way: int, lang: str) -> str:
    reporter = ref.reporters[code]
    if reporter.kind == "locality":  # the People's Committee, written three common ways
        loc = ref.localities[code]
        return (reporter.short_name_vi, reporter.name_vi, "UBND " + lower_first(loc.name_vi))[way % 3]
    if lang == "en":
        english = [a for a in reporter.aliases if a.isascii() and " " in a and not a.startswith("So ")]
        if english:
            return english[0]
    vietnamese = [a for a in reporter.aliases if not a.isascii() and a != reporter.code]
    return vietnamese[way % len(vietnamese)] if vietnamese else reporter.name_vi


def submitted_on_time(rng: random.Random, ref: Reference, reporter: Reporter, period: str) -> dt.date:
    end = period_end(period)
    last = (deadline(ref, reporter, period) - end).days - 2
    first = 10 if period == HALF_PERIOD else 20  # (the later half-years keep 20..deadline-2)
    return end + dt.timedelta(days=rng.randint(first, last))


def missing_marker(code: str, ind: str, period: str) -> str | None:
    return MISSING_MARKERS.get((code, ind, period)) or MISSING_MARKERS.get((code, ind, None))


def locality_submission(
    rng: random.Random, ref: Reference, reported: Truth, code: str, period: str
) -> Submission:
    habit = habit_for(code, period)
    rows = []
    for ind in ordered_indicators(ref):
        if not ind.locality_reports:
            continue
        marker = missing_marker(code, ind.code, period)
        rows.append(
            Row(
                code,
                ind.code,
                None if marker else reported[(code, ind.code, period)],
                note=ROW_NOTES.get((code, ind.code, period), ""),
                value_text=marker,
            )
        )
    reporter = ref.reporters[code]
    return Submission(
        code,
        reporter_text(ref, code, habit.reporter_naming, habit.style.lang),
        "locality",
        period,
        submitted_on_time(rng, ref, reporter, period),
        habit,
        rows,
    )


def sends_province_total(ref: Reference, code: str) -> bool:
    return code in PROVINCE_TOTAL_REPORTERS or any(
        ref.reporters[p].successor == code for p in PROVINCE_TOTAL_REPORTERS
    )


def department_submission(
    rng: random.Random, ref: Reference, truth: Truth, code: str, period: str
) -> Submission:
    habit = habit_for(code, period)
    indicators = [i for i in ordered_indicators(ref) if responsible_reporter(ref, i, period) == code]
    locs = list(ref.localities)
    if sends_province_total(ref, code):
        locs = [ref.province.code, *locs] if habit.province_first else [*locs, ref.province.code]
    pairs = (
        [(c, i) for i in indicators for c in locs]
        if habit.by_indicator
        else [(c, i) for c in locs for i in indicators]
    )
    rows = []
    for loc_code, ind in pairs:
        text = None
        if loc_code == ref.province.code and (code, period) == PROVINCE_TONE_VARIANT:
            text = old_tone(ref.province.name_vi)
        sourced = loc_code == ref.province.code and (
            (ind.code == "TOTAL_POP" and period in SOURCED_PROVINCE_POP)
            or (ind.code == "URBAN_POP" and period in SOURCED_PROVINCE_URBAN_POP)
        )
        rows.append(
            Row(
                loc_code,
                ind.code,
                truth[(loc_code, ind.code, period)],
                note=SOURCED_NOTE if sourced else "",
                locality_text=text,
            )
        )
    reporter = ref.reporters[code]
    return Submission(
        code,
        reporter_text(ref, code, habit.reporter_naming + PERIODS.index(period), habit.style.lang),
        "department",
        period,
        submitted_on_time(rng, ref, reporter, period),
        habit,
        rows,
    )


def department_reporters(ref: Reference, period: str) -> list[str]:
    codes = {responsible_reporter(ref, i, period) for i in ref.indicators.values()}
    return sorted(codes, key=lambda c: list(ref.reporters).index(c))


def build_plan(rng: random.Random, ref: Reference, truth: Truth, reported: Truth) -> list[Submission]:
    plan: list[Submission] = []
    for period in PERIODS:
        plan += [locality_submission(rng, ref, reported, code, period) for code in ref.localities]
        plan += [
            department_submission(rng, ref, truth, code, period) for code in department_reporters(ref, period)
        ]
    return plan


# ============================================================================================
# 5. PLANTED PROBLEMS: the only place where the sample is made wrong on purpose.
#    Each problem is recorded in planted_problems.json (with file name and row number) and in README.md.
# ============================================================================================

ANCHORS: dict[tuple[str, str, str], Anchor] = {  # true (department) figures around the planted problems
    ("569", "CLEAN_WATER_RATE", "2024"): Anchor(84.5),  # 1: KHAWASCO's figure
    ("572", "SOLID_WASTE_RATE", "2023"): Anchor(91.0, denominator=80.0),  # 2: the rate that is right
    ("573", "MAIN_STREET_LIT_RATE", "2022"): Anchor(99.1, denominator=11.0),  # 3: 10.9 of 11.0 km lit
    ("570", "SOLID_WASTE_RATE", "2021"): Anchor(79.6),  # 9: "khoảng 80" is about right
}
UNKNOWN_REPORTER = "Ban Quản lý dự án XYZ"
UNRESOLVABLE_LOCALITY = "Huyện Cam Lâm Mới"


def _find(plan: list[Submission], reporter: str, period: str) -> Submission:
    return next(s for s in plan if s.reporter_code == reporter and s.period == period and not s.tag)


def _row(sub: Submission, locality: str, indicator: str) -> Row:
    return next(r for r in sub.rows if r.locality_code == locality and r.indicator_code == indicator)


def apply_planted_problems(ref: Reference, plan: list[Submission], truth: Truth) -> list[dict]:
    problems: list[dict] = []

    def record(pid: int, kind: str, description: str, expected: str, **facts: object) -> None:
        problems.append({"id": pid, "kind": kind, "description": description, "expected": expected, **facts})

    # 1. Channel disagreement: Cam Ranh says 92.0 % clean water in 2024, KHAWASCO 84.5 %.
    sub = _find(plan, "569", "2024")
    dept = _row(_find(plan, "KHAWASCO", "2024"), "569", "CLEAN_WATER_RATE")
    den = dept.figure.denominator  # type: ignore[union-attr]
    row = _row(sub, "569", "CLEAN_WATER_RATE")
    row.figure = Figure(92.0, float(round(den * 0.92)), den)  # type: ignore[operator]
    row.tag, dept.tag = "1", "1-department"
    record(
        1,
        "channel_disagreement",
        "Cam Ranh's self-report and KHAWASCO disagree on clean-water coverage",
        "quality flag: |92.0 - 84.5| is beyond CLEAN_WATER_RATE's tolerance (3 %); the consolidated value is "
        "KHAWASCO's 84.5 (department over locality), the locality's 92.0 kept as the losing value",
        locality_code="569",
        indicator_code="CLEAN_WATER_RATE",
        period="2024",
        values={"569": 92.0, "KHAWASCO": 84.5},
    )

    # 2. Rate mismatch: Ninh Hòa 2023 solid waste 91.0 % with numerator 58.2 t/day of 80.0 t/day (72.75 %).
    row = _row(_find(plan, "572", "2023"), "572", "SOLID_WASTE_RATE")
    row.figure, row.tag = Figure(91.0, 58.2, 80.0), "2"
    record(
        2,
        "rate_mismatch",
        "Ninh Hòa reports 91.0 % but its numerator/denominator give 72.75 %",
        "quality flag: 58.2 / 80.0 x 100 = 72.75 differs from 91.0 by more than the consistency tolerance "
        "(0.5); STNMT's 91.0 (72.8 / 80.0) agrees with the reported value",
        locality_code="572",
        indicator_code="SOLID_WASTE_RATE",
        period="2023",
        reporter_code="572",
        value=91.0,
        numerator=58.2,
        denominator=80.0,
    )

    # 3. Numerator > denominator: Khánh Vĩnh 2022 main streets lit 12.5 km of 11.0 km, value 100.
    row = _row(_find(plan, "573", "2022"), "573", "MAIN_STREET_LIT_RATE")
    row.figure, row.tag = Figure(100.0, 12.5, 11.0), "3"
    record(
        3,
        "numerator_exceeds_denominator",
        "Khánh Vĩnh: more km of main street lit than main streets",
        "quality flag: numerator 12.5 > denominator 11.0 for a % rate (it also implies 113.6 %, so the rate "
        "check fails too); value 100 is in range and agrees with SXD's 99.1",
        locality_code="573",
        indicator_code="MAIN_STREET_LIT_RATE",
        period="2022",
        reporter_code="573",
        value=100.0,
        numerator=12.5,
        denominator=11.0,
    )

    # 4. Out of range: Vạn Ninh 2022 permanent housing 104.5 % (no numerator/denominator given).
    row = _row(_find(plan, "571", "2022"), "571", "HOUSE_PERMANENT_RATE")
    dept_value = truth[("571", "HOUSE_PERMANENT_RATE", "2022")].value
    row.figure, row.tag = Figure(104.5), "4"
    record(
        4,
        "out_of_range",
        "Vạn Ninh reports 104.5 % permanent housing",
        f"quality flag: 104.5 is above HOUSE_PERMANENT_RATE's valid_max 100 (the row is kept, not rejected); "
        f"it necessarily also differs from SXD's {dept_value}, which is the consolidated value",
        locality_code="571",
        indicator_code="HOUSE_PERMANENT_RATE",
        period="2022",
        reporter_code="571",
        value=104.5,
        department_value=dept_value,
    )

    # 5. Late: Khánh Sơn's 2024 report arrives 20/04/2025 (deadline 14/02/2025).
    sub = _find(plan, "575", "2024")
    sub.submitted, sub.tag = dt.date(2025, 4, 20), "5"
    due = deadline(ref, ref.reporters["575"], "2024")
    record(
        5,
        "late_submission",
        "Khánh Sơn's 2024 report is 65 days late",
        "quality flag: submitted 20/04/2025 after the deadline (period end + 45 days)",
        reporter_code="575",
        period="2024",
        submitted="2025-04-20",
        deadline=due.isoformat(),
    )

    # 6. Missing: Trường Sa never sends its 2025-H1 report.
    plan.remove(_find(plan, "576", HALF_PERIOD))
    due = deadline(ref, ref.reporters["576"], HALF_PERIOD)
    record(
        6,
        "missing_submission",
        "Trường Sa's 2025-H1 report is absent",
        "quality flag: no submission from 576 for 2025-H1 (due by the reporting calendar); KHAWASCO, SXD and "
        "the others still report Trường Sa's figures for 2025-H1",
        reporter_code="576",
        period=HALF_PERIOD,
        deadline=due.isoformat(),
        file=None,
    )

    # 7. Revision: Diên Khánh sends 2023 twice; the correction (05/03/2024) supersedes the first (10/02/2024).
    corrected = _find(plan, "574", "2023")
    corrected.submitted, corrected.tag = dt.date(2024, 3, 5), "7-corrected"
    corrected.file_name_override = "DienKhanh_BC_2023_dieu_chinh.xlsx"
    corrected.extra_title_lines = ["Nội dung: Báo cáo điều chỉnh, thay thế báo cáo gửi ngày 10/02/2024"]
    first = replace(
        corrected,
        rows=[replace(r) for r in corrected.rows],
        submitted=dt.date(2024, 2, 10),
        tag="7-first",
        file_name_override="DienKhanh_BC_2023.xlsx",
        extra_title_lines=[],
    )
    changes = {}
    for ind_code, factor in (
        ("HOUSING_FLOOR_PC", 0.88),
        ("ALLEY_LIT_RATE", 0.9),
        ("CAPITAL_MOBILISED", 1.12),
    ):
        live = _row(corrected, "574", ind_code)
        old = _row(first, "574", ind_code)
        fig = live.figure
        assert fig is not None
        if fig.numerator is not None and fig.denominator:
            ind = ref.indicators[ind_code]
            decimals = DENOMINATORS[ind_code][3]
            old.figure = rate_figure(ind, fig.value * factor, fig.denominator, decimals)
        else:
            old.figure = Figure(round(fig.value * factor, 1))
        live.tag, old.tag = f"7-{ind_code}-corrected", f"7-{ind_code}-first"
        changes[ind_code] = {"first": old.figure.value, "corrected": fig.value}
    plan.insert(plan.index(corrected), first)
    record(
        7,
        "revision",
        "Diên Khánh corrects its 2023 report: three figures change",
        "the corrected file supersedes the first for the figures it carries (all of them); live values are "
        "the corrected ones, which agree with the departments; both versions stay queryable. The first file "
        "was on time (deadline 14/02/2024): a correction after the deadline is not a late submission",
        reporter_code="574",
        period="2023",
        locality_code="574",
        changes=changes,
        submitted={"first": "2024-02-10", "corrected": "2024-03-05"},
    )

    # 8. Unresolvable locality in a department file: SXD 2023 adds a row for "Huyện Cam Lâm Mới".
    sub = _find(plan, "SXD", "2023")
    cam_lam = truth[("570", "PLANS_APPROVED", "2023")].value
    sub.rows.append(
        Row(
            "?",
            "PLANS_APPROVED",
            Figure(3.0),
            note="Đô thị mới Cam Lâm (dự kiến)",
            locality_text=UNRESOLVABLE_LOCALITY,
            tag="8",
        )
    )
    record(
        8,
        "unresolvable_locality",
        f"SXD 2023 has a row for '{UNRESOLVABLE_LOCALITY}'",
        "row rejected (field locality), the reason names the closest known names, e.g. 'Huyện Cam Lâm'; "
        "the rest of the file is accepted (accepted_with_rejections); "
        f"SXD's Cam Lâm row ({cam_lam:g}) stands",
        reporter_code="SXD",
        period="2023",
        locality_text=UNRESOLVABLE_LOCALITY,
        indicator_code="PLANS_APPROVED",
        suggestion="Huyện Cam Lâm",
    )

    # 9. Unreadable value: Cam Lâm 2021 writes "khoảng 80" for solid waste.
    row = _row(_find(plan, "570", "2021"), "570", "SOLID_WASTE_RATE")
    row.figure, row.value_text, row.tag = None, "khoảng 80", "9"
    record(
        9,
        "unparseable_value",
        "Cam Lâm 2021 writes 'khoảng 80' as the solid-waste rate",
        "row rejected (field value); STNMT's figure "
        f"({truth[('570', 'SOLID_WASTE_RATE', '2021')].value}) is the consolidated value",
        locality_code="570",
        indicator_code="SOLID_WASTE_RATE",
        period="2021",
        reporter_code="570",
        value_text="khoảng 80",
    )

    # 10. Unknown reporter: a project management board sends a file -> the whole file is quarantined.
    rows = [
        Row(c, "CAPITAL_MOBILISED", Figure(round(truth[(c, "CAPITAL_MOBILISED", "2024")].value * 0.2, 1)))
        for c in ("568", "570")
    ]
    plan.append(
        Submission(
            None,
            UNKNOWN_REPORTER,
            "department",
            "2024",
            dt.date(2025, 1, 20),
            Habit(XLSX_TITLE, "BQLDA_XYZ_von_dau_tu_2024.xlsx", "official"),
            rows,
            tag="10",
        )
    )
    record(
        10,
        "unknown_reporter",
        f"a file from '{UNKNOWN_REPORTER}', not a known reporter",
        "whole file quarantined (unknown reporter), none of its rows reach the raw figures",
        reporter_text=UNKNOWN_REPORTER,
        period="2024",
    )
    return problems


# ============================================================================================
# 5b. THE REORGANISED PROVINCE (issue 11 §7): from 01/07/2025 the 65 commune-level units of the merged
#     Khánh Hòa report; the departments cover all 65 for 2025, 2025-H2 and 2026-H1. Values continue the
#     district series: each old district's trend (2021 → 2025-H1, extended) is split among the new units
#     lying in it, so the units rolled up to a district land on its trend; the 24 units of old Ninh Thuận
#     get values of their own. Drawn from a separate random stream, so the 2021-2025-H1 files are the same.
# ============================================================================================

NEW_PERIODS = ("2025", "2025-H2", "2026-H1")
NEW_ELAPSED = {"2025": 4.0, "2025-H2": 4.0, "2026-H1": 4.5}  # years since end-2021 at the period's end
NEW_RANDOM_SEED = 20250701
REORGANISATION = dt.date(2025, 7, 1)
NINH_THUAN_URBAN_SHARE = {"ward": 0.86, "commune": 0.12}  # synthetic: wards and the former towns in xã
NINH_THUAN_DENSITY = 70.0  # people/km², synthetic stand-in for a suspect S7 figure in old Ninh Thuận
NINH_THUAN_POP_GROWTH = 0.006
H2_FLOW_SHARE = 1 - HALF_YEAR_FLOW_SHARE
HEADROOM_DECAY = 0.8  # a year, for a % level near 100
NEAR_CEILING = 95.0  # a % level this close to 100 varies by its headroom (mobile coverage, lighting)


@dataclass(frozen=True)
class NewUnit:
    code: str
    key: str
    kind: str  # ward | commune | special_zone
    name_vi: str
    short_name_vi: str
    district: str | None  # the old Khánh Hòa district it lies in; None: old Ninh Thuận
    population_reference: int | None  # S7 (sapnhap.bando), partly suspect: used as a weight only
    suspect: bool
    area_km2: float
    aliases: tuple[str, ...]

    @property
    def profile(self) -> str:  # urban type whose profile an ex-Ninh Thuận unit follows
        return "III" if self.kind == "ward" else "V"


@dataclass(frozen=True)
class OldCommune:
    code: str
    key: str
    name_vi: str
    district: str


def load_new_units() -> tuple[dict[str, NewUnit], dict[str, OldCommune]]:
    rows = _read_seed("localities.csv")
    by_key = {r["locality_key"]: r for r in rows}
    aliases: dict[str, list[str]] = {}
    for r in _read_seed("locality_aliases.csv"):
        aliases.setdefault(r["locality_key"], []).append(r["alias"])
    districts: dict[str, set[str]] = {}
    for r in _read_seed("crosswalk_units.csv"):
        old = by_key[r["old_locality_key"]]
        if r["effective_date"] == REORGANISATION.isoformat() and old["old_province_code"] == "56":
            districts.setdefault(r["new_locality_key"], set()).add(by_key[old["parent_key"]]["locality_code"])
    units = {}
    for r in rows:
        if r["level"] != "commune" or r["valid_from"] != REORGANISATION.isoformat():
            continue
        (district,) = districts.get(r["locality_key"], {None})  # one old district each (geography README)
        units[r["locality_code"]] = NewUnit(
            code=r["locality_code"],
            key=r["locality_key"],
            kind=r["kind"],
            name_vi=r["name_vi"],
            short_name_vi=r["short_name_vi"],
            district=district,
            population_reference=int(r["population_reference"]) if r["population_reference"] else None,
            suspect=r["population_flag"] == "suspect",
            area_km2=float(r["area_km2_reference"]),
            aliases=tuple(aliases.get(r["locality_key"], ())),
        )
    communes = {
        r["locality_key"]: OldCommune(
            r["locality_code"], r["locality_key"], r["name_vi"], by_key[r["parent_key"]]["locality_code"]
        )
        for r in rows
        if r["level"] == "commune" and r["valid_from"] == "2020-01-01" and r["old_province_code"] == "56"
    }
    return units, communes


def new_unit_text(unit: NewUnit, naming: str) -> str:
    if naming == "abbrev":
        return next((a for a in unit.aliases if a[:3] in ("P. ", "X. ")), unit.name_vi)
    return {
        "official": unit.name_vi,
        "short": unit.short_name_vi,
        "upper": unit.short_name_vi.upper(),
        "code": unit.code,
        "old-tone": old_tone(unit.name_vi),
        "blank": "",
    }[naming]


def _spread(
    level: float, weights: dict[str, float], factors: dict[str, float], low: float, high: float
) -> dict[str, float]:
    """Unit levels around ``level`` (by factor), scaled so their weighted mean is ``level``, within range."""

    def levels(k: float) -> dict[str, float]:
        return {c: max(low, min(high, level * factors[c] * k)) for c in weights}

    def mean(k: float) -> float:
        got = levels(k)
        return sum(got[c] * w for c, w in weights.items()) / sum(weights.values())

    lo, hi = 0.0, 4.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean(mid) < level else (lo, mid)
    return levels((lo + hi) / 2)


def _trend(truth: Truth, code: str, ind: Indicator, period: str) -> float:
    """A district's level extended along its 2021 → 2025-H1 line to a later period's end."""
    first, last = truth[(code, ind.code, "2021")].value, truth[(code, ind.code, HALF_PERIOD)].value
    slope = (last - first) / LAST_ELAPSED
    ceiling = min(ind.valid_max, 100.0) if ind.is_percent else ind.valid_max
    years = NEW_ELAPSED[period] - LAST_ELAPSED
    if ind.is_percent and last >= NEAR_CEILING:  # close to 100 %: the remaining gap narrows, never closes
        return ceiling - (ceiling - last) * HEADROOM_DECAY**years
    return max(ind.valid_min, min(ceiling, last + slope * years))


def _grow(value: float, rate: float, years: float) -> float:
    return value * (1 + rate) ** years


def new_unit_population(rng: random.Random, ref: Reference, truth: Truth, units: dict[str, NewUnit]) -> Truth:
    """TOTAL_POP / URBAN_POP of the 65 units; the units of an old district add up to its extended series."""
    out: Truth = {}
    weights: dict[str, float] = {}
    for district in ref.localities:
        district_units = [u for u in units.values() if u.district == district]
        sound = [u for u in district_units if u.population_reference and not u.suspect]
        density = sum(u.population_reference or 0 for u in sound) / sum(u.area_km2 for u in sound)
        for u in district_units:  # a suspect S7 figure is replaced by the district's density x the unit's area
            weights[u.code] = (u.population_reference if not u.suspect else density * u.area_km2) or 1.0
    for period in NEW_PERIODS:
        years = NEW_ELAPSED[period] - LAST_ELAPSED
        for district in ref.localities:
            members = sorted(u.code for u in units.values() if u.district == district)
            growth = SYNTHETIC_POP_GROWTH + EXTRA_GROWTH.get(district, 0)
            total = round(_grow(truth[(district, "TOTAL_POP", HALF_PERIOD)].value, growth, years))
            urban = round(_grow(truth[(district, "URBAN_POP", HALF_PERIOD)].value, growth, years))
            pops = allocate(total, {c: weights[c] for c in members})
            factor = {c: 3.0 if units[c].kind == "ward" else 1.0 for c in members}
            urbans = allocate(urban, {c: pops[c] * factor[c] for c in members})
            assert all(urbans[c] <= pops[c] for c in members), (district, period)
            for c in members:
                out[(c, "TOTAL_POP", period)] = Figure(float(pops[c]))
                out[(c, "URBAN_POP", period)] = Figure(float(urbans[c]))
        for u in units.values():
            if u.district is not None:
                continue
            base = (
                NINH_THUAN_DENSITY * u.area_km2 if u.suspect or not u.population_reference else u.population_reference
            )
            if u.code == "22759":  # S7's 7,225 looks like a density (x 9.4 km² ≈ 67,915): geography README
                base = 7225 * u.area_km2
            total = round(_grow(base, NINH_THUAN_POP_GROWTH, NEW_ELAPSED[period] - 4.0))
            out[(u.code, "TOTAL_POP", period)] = Figure(float(total))
            out[(u.code, "URBAN_POP", period)] = Figure(
                float(round(total * NINH_THUAN_URBAN_SHARE[u.kind if u.kind == "ward" else "commune"]))
            )
    return out


def new_unit_truth(ref: Reference, truth: Truth, units: dict[str, NewUnit]) -> Truth:
    rng = random.Random(NEW_RANDOM_SEED)
    out = new_unit_population(rng, ref, truth, units)
    codes = sorted(units)
    for period in NEW_PERIODS:
        for c in codes:
            urban, total = out[(c, "URBAN_POP", period)].value, out[(c, "TOTAL_POP", period)].value
            out[(c, "URBAN_POP_SHARE_GSO", period)] = Figure(round(urban / total * 100, 1), urban, total)
    jitter = {(c, i.code): rng.uniform(-1, 1) for c in codes for i in ordered_indicators(ref)}
    for ind in ordered_indicators(ref):
        if ind.code not in PROFILES:
            continue
        ceiling = min(ind.valid_max, 100.0) if ind.is_percent else ind.valid_max
        for period in NEW_PERIODS:
            levels: dict[str, float] = {}
            dens: dict[str, float] = {}
            basis, factor, add_on, decimals = DENOMINATORS.get(ind.code, ("urban", 1.0, 0.0, 0))
            pop_code = "TOTAL_POP" if basis == "total" else "URBAN_POP"
            physical = factor != 1.0 and basis == "urban"
            for district in ref.localities:
                members = [c for c in codes if units[c].district == district]
                if ind.is_rate:  # the district's own denominator, shared by population
                    d_pop = sum(out[(c, pop_code, period)].value for c in members)
                    d_den = (d_pop * factor + add_on) * (
                        (1 + DENOMINATOR_GROWTH) ** NEW_ELAPSED[period] if physical else 1.0
                    )
                    for c in members:
                        share = out[(c, pop_code, period)].value / d_pop
                        dens[c] = out[(c, pop_code, period)].value if factor == 1.0 and not add_on else d_den * share
                weights = {c: dens.get(c) or out[(c, "URBAN_POP", period)].value for c in members}
                amplitude = 0.08 if ind.code == "URBANIZATION_RATE" else 0.03
                factors = {c: 1 + amplitude * jitter[(c, ind.code)] for c in members}
                if ind.code == "URBANIZATION_RATE":  # wards are the more urban part of a district
                    factors = {c: f * (1.25 if units[c].kind == "ward" else 0.85) for c, f in factors.items()}
                trend = _trend(truth, district, ind, period)
                if ind.is_percent and trend >= NEAR_CEILING:  # spread the headroom, not the level
                    spread = {c: 1 + 0.3 * jitter[(c, ind.code)] for c in members}
                    gaps = _spread(ceiling - trend, weights, spread, 0.0, ceiling - ind.valid_min)
                    levels |= {c: ceiling - gap for c, gap in gaps.items()}
                else:
                    high = ceiling if not ind.is_percent else ceiling - 0.2
                    levels |= _spread(trend, weights, factors, ind.valid_min, high)
            for c in codes:
                u = units[c]
                if u.district is not None:
                    continue
                start, end = PROFILES[ind.code][u.profile]
                level = start + (end - start) * NEW_ELAPSED[period] / LAST_ELAPSED
                if ind.is_percent and level >= NEAR_CEILING:
                    level = ceiling - (ceiling - level) * (1 + 0.3 * jitter[(c, ind.code)])
                else:
                    level *= 1 + 0.03 * jitter[(c, ind.code)]
                levels[c] = max(
                    ind.valid_min, min(ceiling - 0.5 if ind.is_percent and level < ceiling else ceiling, level)
                )
                if ind.is_rate:
                    pop = out[(c, pop_code, period)].value
                    dens[c] = (
                        pop
                        if factor == 1.0 and not add_on
                        else (pop * factor + add_on * 0.3)
                        * ((1 + DENOMINATOR_GROWTH) ** NEW_ELAPSED[period] if physical else 1.0)
                    )
            for c in codes:
                if not ind.is_rate:
                    out[(c, ind.code, period)] = Figure(round(levels[c], 1))
                else:
                    den = round(dens[c], decimals)
                    out[(c, ind.code, period)] = rate_figure(ind, levels[c], den, decimals)
    # Flows and counts: the district's 2024 capital grown by its own 2023 → 2024 growth, split by population.
    for district in ref.localities:
        members = sorted(c for c in codes if units[c].district == district)
        growth = (
            truth[(district, "CAPITAL_MOBILISED", "2024")].value / truth[(district, "CAPITAL_MOBILISED", "2023")].value
        )
        share = (
            truth[(district, "CAPITAL_NON_BUDGET", "2024")].value / truth[(district, "CAPITAL_MOBILISED", "2024")].value
        )
        annual = {"2025": truth[(district, "CAPITAL_MOBILISED", "2024")].value * growth}
        annual["2026"] = annual["2025"] * growth
        flows = {
            "2025": annual["2025"],
            "2025-H2": annual["2025"] * H2_FLOW_SHARE,
            "2026-H1": annual["2026"] * HALF_YEAR_FLOW_SHARE,
        }
        plans_start = int(truth[(district, "PLANS_APPROVED", HALF_PERIOD)].value) + rng.randint(0, 1)
        for period in NEW_PERIODS:
            pops = {c: out[(c, "TOTAL_POP", period)].value for c in members}
            tenths = allocate(round(flows[period] * 10), pops)
            for c in members:
                capital = tenths[c] / 10
                out[(c, "CAPITAL_MOBILISED", period)] = Figure(capital)
                out[(c, "CAPITAL_NON_BUDGET", period)] = Figure(round(capital * share, 1))
        plans = allocate(plans_start, {c: out[(c, "TOTAL_POP", "2025")].value for c in members})
        for period in NEW_PERIODS:
            if period == "2026-H1":
                plans = {c: n + (1 if rng.random() < 0.2 else 0) for c, n in plans.items()}
            for c in members:
                out[(c, "PLANS_APPROVED", period)] = Figure(float(plans[c]))
                out[(c, "UNITS_UPGRADED", period)] = Figure(0.0)
    for c in codes:
        u = units[c]
        if u.district is not None:
            continue
        per_capita = CAPITAL_PER_CAPITA[u.profile]
        share_range = NON_BUDGET_SHARE[u.profile]
        wobble = rng.uniform(0.9, 1.1)
        unit_plans = rng.randint(1, 4) if u.kind == "commune" else rng.randint(3, 7)
        for period in NEW_PERIODS:
            part = {"2025": 1.0, "2025-H2": H2_FLOW_SHARE, "2026-H1": HALF_YEAR_FLOW_SHARE}[period]
            pop = out[(c, "TOTAL_POP", period)].value
            capital = round(per_capita[1] * wobble * pop / 1000 * part, 1)
            out[(c, "CAPITAL_MOBILISED", period)] = Figure(capital)
            out[(c, "CAPITAL_NON_BUDGET", period)] = Figure(round(capital * share_range[1], 1))
            if period == "2026-H1":
                unit_plans += rng.randint(0, 1)
            out[(c, "PLANS_APPROVED", period)] = Figure(float(unit_plans))
            out[(c, "UNITS_UPGRADED", period)] = Figure(0.0)
    province = ref.province.code
    for period in NEW_PERIODS:  # the merged province's totals (sent by CTK and STC)
        for ind_code in ("TOTAL_POP", "URBAN_POP", "CAPITAL_MOBILISED", "CAPITAL_NON_BUDGET"):
            out[(province, ind_code, period)] = Figure(round(sum(out[(c, ind_code, period)].value for c in codes), 1))
        urban, total = out[(province, "URBAN_POP", period)].value, out[(province, "TOTAL_POP", period)].value
        out[(province, "URBAN_POP_SHARE_GSO", period)] = Figure(round(urban / total * 100, 1), urban, total)
    return out


def check_new_model(ref: Reference, truth: Truth, new: Truth, units: dict[str, NewUnit]) -> None:
    """The 2025+ figures: in range, rate-consistent, no outlier among the units, and rolled up to each
    district close to its trend."""
    assert not across_unit_outliers(new, units), across_unit_outliers(new, units)
    for (code, ind_code, _period), fig in new.items():
        ind = ref.indicators[ind_code]
        assert ind.valid_min <= fig.value <= ind.valid_max, (code, ind_code, fig)
        assert rate_is_consistent(ind, fig), (code, ind_code, fig)
    for period in NEW_PERIODS:
        for c in units:
            alley, main = new[(c, "ALLEY_LIT_RATE", period)].value, new[(c, "MAIN_STREET_LIT_RATE", period)].value
            assert alley <= main, (c, period, alley, main)
            assert new[(c, "WASTEWATER_TREATED_RATE", period)].value <= new[(c, "CLEAN_WATER_RATE", period)].value
        for district in ref.localities:
            members = [c for c in units if units[c].district == district]
            for ind in ordered_indicators(ref):
                if not ind.is_rate or ind.code == "URBAN_POP_SHARE_GSO":
                    continue
                num = sum(new[(c, ind.code, period)].numerator or 0 for c in members)
                den = sum(new[(c, ind.code, period)].denominator or 0 for c in members)
                rolled = num / den * ind.rate_scale  # type: ignore[operator]
                step = ind.rate_scale / den  # type: ignore[operator]  # Trường Sa: ~200 residents, coarse steps
                assert abs(rolled - _trend(truth, district, ind, period)) <= max(0.6, step), (
                    district,
                    ind.code,
                    period,
                    rolled,
                )


def across_unit_outliers(new: Truth, units: dict[str, NewUnit], threshold: float = 3.5) -> list[tuple[str, str, str]]:
    """What the warehouse's across-localities check (modified z = 0.6745 (x - median) / MAD) would flag
    among the 65 units, for the indicators that seed dq_indicator_settings compares across localities."""
    enabled = [
        r["indicator_code"]
        for r in _read_seed("dq_indicator_settings.csv")
        if r["outliers_across_localities"] == "true"
    ]
    found = []
    for ind_code in enabled:
        for period in NEW_PERIODS:
            values = {c: new[(c, ind_code, period)].value for c in units}
            ordered = sorted(values.values())
            median = (ordered[len(ordered) // 2] + ordered[(len(ordered) - 1) // 2]) / 2
            spread = sorted(abs(v - median) for v in ordered)
            mad = (spread[len(spread) // 2] + spread[(len(spread) - 1) // 2]) / 2
            found += [
                (c, ind_code, period) for c, v in values.items() if mad and abs(0.6745 * (v - median) / mad) > threshold
            ]
    return found


@dataclass(frozen=True)
class NewReporterHabit:
    """How a new People's Committee writes its report (issue 11 §7: the way new offices write them)."""

    habit: Habit
    reporter_text: str
    own_text: str  # how it names its own area in Địa bàn ('' = blank)


NEW_LOCALITY_HABITS: dict[str, NewReporterHabit] = {
    "22366": NewReporterHabit(
        Habit(CSV_BOM_PCT, "BC_PhuongNhaTrang_{year}{half}.csv"), "UBND P. Nha Trang", "P. Nha Trang"
    ),
    "22411": NewReporterHabit(
        Habit(CSV_SEMICOLON_NFD, "Báo cáo phường Bắc Cam Ranh {year}{half}.csv"),
        "Ủy ban nhân dân phường Bắc Cam Ranh",
        "",
    ),
    "22651": NewReporterHabit(  # the one Excel file with a title block (Đơn vị báo cáo / Kỳ báo cáo)
        Habit(XLSX_TITLE, "XaDienKhanh_BC_{year}{half}.xlsx", sheet="Chỉ tiêu"), "UBND xã Diên Khánh", ""
    ),
    "22453": NewReporterHabit(
        Habit(CSV_CP1258, "bao cao xa Cam Lam {year}{half}.csv", half=" 6 thang", half2=" 6 thang cuoi"),
        "UBND Xã Cam Lâm",
        "Cam Lâm",
    ),
    "22528": NewReporterHabit(
        Habit(CSV_BOM, "BC phuong Ninh Hoa {year}{half}.csv"), "UBND phường Ninh Hoà", "Phường Ninh Hoà"
    ),
    "22759": NewReporterHabit(
        Habit(CSV_EN, "phan_rang_ward_report_{year}{half}.csv", half="_H1", half2="_H2"),
        "UBND phường Phan Rang",
        "Phường Phan Rang",
    ),
    "22870": NewReporterHabit(
        Habit(replace(CSV_SEMICOLON_VI, header_overrides=(("value", "Số liệu"),)), "NinhPhuoc_BC_{year}{half}.csv"),
        "UBND X. Ninh Phước",
        "X. Ninh Phước",
    ),
}


def new_locality_submission(rng: random.Random, ref: Reference, new: Truth, code: str, period: str) -> Submission:
    how = NEW_LOCALITY_HABITS[code]
    rows = [
        Row(code, ind.code, self_report(rng, ind, new[(code, ind.code, period)]), locality_text=how.own_text)
        for ind in ordered_indicators(ref)
        if ind.locality_reports
    ]
    reporter = ref.reporters[code]
    return Submission(
        code, how.reporter_text, "locality", period, submitted_on_time(rng, ref, reporter, period), how.habit, rows
    )


def new_department_submission(
    rng: random.Random, ref: Reference, new: Truth, units: dict[str, NewUnit], code: str, period: str
) -> Submission:
    habit = habit_for(code, period)
    indicators = [i for i in ordered_indicators(ref) if responsible_reporter(ref, i, period) == code]
    codes = list(units)
    if sends_province_total(ref, code):
        codes = [ref.province.code, *codes] if habit.province_first else [*codes, ref.province.code]
    pairs = (
        [(c, i) for i in indicators for c in codes]
        if habit.by_indicator
        else [(c, i) for c in codes for i in indicators]
    )
    rows = [
        Row(
            c,
            ind.code,
            new[(c, ind.code, period)],
            locality_text=None if c == ref.province.code else new_unit_text(units[c], habit.naming),
        )
        for c, ind in pairs
    ]
    way = habit.reporter_naming + len(PERIODS) + NEW_PERIODS.index(period)
    return Submission(
        code,
        reporter_text(ref, code, way, habit.style.lang),
        "department",
        period,
        submitted_on_time(rng, ref, ref.reporters[code], period),
        habit,
        rows,
    )


def build_new_plan(ref: Reference, new: Truth, units: dict[str, NewUnit]) -> list[Submission]:
    rng = random.Random(NEW_RANDOM_SEED + 1)
    plan: list[Submission] = []
    for period in NEW_PERIODS:
        plan += [new_locality_submission(rng, ref, new, code, period) for code in NEW_LOCALITY_HABITS]
        plan += [
            new_department_submission(rng, ref, new, units, code, period) for code in department_reporters(ref, period)
        ]
    return plan


OLD_DISTRICT_IN_2026 = "H. Diên Khánh"
REUSED_CODE = "22411"  # Phường Cam Phúc Bắc until 2025-06-30, Phường Bắc Cam Ranh from 2025-07-01
SPLIT_COMMUNE = "22435"  # Xã Cam Tân (2024), split among Xã Cam Hiệp, Xã Cam Lâm and Xã Suối Dầu
COMMUNE_FILE = "SoXayDung_chieu_sang_phuong_xa_2024.csv"


def apply_transition_problems(
    ref: Reference,
    plan: list[Submission],
    truth: Truth,
    new: Truth,
    units: dict[str, NewUnit],
    communes: dict[str, OldCommune],
) -> list[dict]:
    """Planted problems 11-14: the reorganisation as offices get it wrong (or right, but confusingly)."""
    problems: list[dict] = []
    rng = random.Random(NEW_RANDOM_SEED + 2)

    def record(pid: int, kind: str, description: str, expected: str, **facts: object) -> None:
        problems.append({"id": pid, "kind": kind, "description": description, "expected": expected, **facts})

    # 11. An old district in 2026: SXD's 2026-H1 file adds a row for "H. Diên Khánh".
    sub = _find(plan, "SXD", "2026-H1")
    value = truth[("574", "ALLEY_LIT_RATE", HALF_PERIOD)].value
    sub.rows.append(Row("?", "ALLEY_LIT_RATE", Figure(value), locality_text=OLD_DISTRICT_IN_2026, tag="11"))
    successors = sorted(c for c, u in units.items() if u.district == "574")
    record(
        11,
        "old_district_after_its_end",
        f"SXD 2026-H1 has a row for '{OLD_DISTRICT_IN_2026}', a district abolished on 01/07/2025",
        "row rejected (field locality); the reason says the district ended on 2025-06-30 and names its six "
        "successors (the xã of the old Diên Khánh district) to report instead; the rest of the file stands",
        reporter_code="SXD",
        period="2026-H1",
        locality_text=OLD_DISTRICT_IN_2026,
        indicator_code="ALLEY_LIT_RATE",
        successors={c: units[c].name_vi for c in successors},
    )

    # 12 + 14. SXD's 2024 lighting by commune: Cam Lâm's communes by name (Xã Cam Tân is split in 2025)
    # and Cam Ranh's Phường Cam Phúc Bắc by its bare code 22411 (reused by Phường Bắc Cam Ranh).
    ind = ref.indicators["MAIN_STREET_LIT_RATE"]
    decimals = DENOMINATORS[ind.code][3]
    cam_lam = sorted((c for c in communes.values() if c.district == "570"), key=lambda c: c.code)
    weights = {c.code: rng.uniform(0.6, 1.4) * (2.5 if c.name_vi.startswith("Thị trấn") else 1.0) for c in cam_lam}
    district = truth[("570", ind.code, "2024")]
    commune_rows = []
    for c in cam_lam:
        den = round(district.denominator * weights[c.code] / sum(weights.values()), decimals)  # type: ignore[operator]
        level = min(99.5, district.value * rng.uniform(0.985, 1.015))
        commune_rows.append(
            Row(c.code, ind.code, rate_figure(ind, level, den, decimals), locality_text=c.name_vi, tag=f"14-{c.code}")
        )
    cam_ranh = truth[("569", ind.code, "2024")]
    den = round(cam_ranh.denominator * 0.08, decimals)  # type: ignore[operator]
    reused = Row(
        REUSED_CODE,
        ind.code,
        rate_figure(ind, min(99.5, cam_ranh.value - 0.4), den, decimals),
        locality_text=REUSED_CODE,
        tag="12",
    )
    sxd = ref.reporters["SXD"]
    plan.append(
        Submission(
            "SXD",
            "Sở Xây dựng",
            "department",
            "2024",
            dt.date(2025, 2, 20),
            Habit(CSV_BOM, COMMUNE_FILE),
            [*commune_rows, reused],
            tag="12-file",
        )
    )
    assert dt.date(2025, 2, 20) <= deadline(ref, sxd, "2024")
    record(
        12,
        "reused_code_before_reorganisation",
        f"SXD's 2024 file by commune writes the bare code {REUSED_CODE}",
        f"read as Phường Cam Phúc Bắc (the unit the code meant at 2024-12-31), not Phường Bắc Cam Ranh: the "
        f"figure carries locality_key {REUSED_CODE}@2020-01-01 and a locality_reading; nothing rejected",
        reporter_code="SXD",
        period="2024",
        locality_text=REUSED_CODE,
        locality_key=f"{REUSED_CODE}@2020-01-01",
        indicator_code=ind.code,
        value=reused.figure.value,  # type: ignore[union-attr]
    )
    record(
        14,
        "split_commune_piece",
        "SXD's 2024 file by commune reports every commune of old Cam Lâm, among them the split Xã Cam Tân",
        "the old communes are mapped forward onto the current map: Xã Cam Lâm (22453), Xã Cam Hiệp (22435), "
        "Xã Suối Dầu (22708) and Xã Cam An (22465) get 2024 values from their pieces, the split communes by "
        "the placeholder shares of crosswalk_shares.csv (uses_placeholder_share true, every piece reported)",
        reporter_code="SXD",
        period="2024",
        indicator_code=ind.code,
        split_commune=SPLIT_COMMUNE,
        split_commune_name="Xã Cam Tân",
        communes={r.locality_code: r.figure.value for r in commune_rows},  # type: ignore[union-attr]
        current_units=["22453", "22435", "22708", "22465"],
    )

    # 13. A new unit reporting a period before it existed: Phường Bắc Cam Ranh sends 2024 figures.
    how = NEW_LOCALITY_HABITS[REUSED_CODE]
    early = [
        Row(REUSED_CODE, code, Figure(truth[("569", code, "2024")].value), locality_text=how.own_text, tag=f"13-{code}")
        for code in ("HOUSING_FLOOR_PC", "HOUSE_PERMANENT_RATE", "MAIN_STREET_LIT_RATE", "ALLEY_LIT_RATE")
    ]
    plan.append(
        Submission(REUSED_CODE, how.reporter_text, "locality", "2024", dt.date(2025, 8, 15), how.habit, early, tag="13")
    )
    record(
        13,
        "new_unit_before_its_start",
        "Phường Bắc Cam Ranh (from 01/07/2025) sends figures for 2024",
        "every row rejected (field locality): the ward began on 2025-07-01; the reason names its predecessors "
        "(among them Phường Cam Phúc Bắc, 22411) to report 2024 instead. No figure is kept; the ward was not "
        "expected to report 2024, so no lateness flag",
        reporter_code=REUSED_CODE,
        period="2024",
        reporter_text=how.reporter_text,
        rows_rejected=len(early),
        predecessor="Phường Cam Phúc Bắc",
    )
    return problems


# ============================================================================================
# 6. Writers
# ============================================================================================

VI_HEADERS = {
    "row_no": "STT",
    "reporter": "Đơn vị báo cáo",
    "period": "Kỳ báo cáo",
    "submitted": "Ngày gửi",
    "locality": "Địa bàn",
    "code": "Mã chỉ tiêu",
    "name": "Chỉ tiêu",
    "value": "Giá trị",
    "unit": "Đơn vị tính",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "note": "Ghi chú",
}
EN_HEADERS = {
    "reporter": "reporter",
    "period": "period",
    "submitted": "submitted",
    "locality": "locality",
    "code": "indicator",
    "name": "indicator_name",
    "value": "value",
    "unit": "unit",
    "numerator": "numerator",
    "denominator": "denominator",
    "note": "note",
}
Cell = str | int | float | None


def columns(style: Style) -> list[str]:
    """Field order of a data row. Title-block files carry reporter/period/date above the header instead."""
    head = ["row_no"] if style.row_number_column else []
    if not style.title_block:
        head += ["reporter", "period", "submitted"]
    indicator = [c for c in ("code", "name") if c in style.indicator_columns]
    if style.title_block:
        return [*head, "locality", *indicator, "unit", "value", "numerator", "denominator", "note"]
    return [*head, "locality", *indicator, "value", "unit", "numerator", "denominator", "note"]


def header_labels(style: Style) -> list[str]:
    labels = (EN_HEADERS if style.lang == "en" else VI_HEADERS) | dict(style.header_overrides)
    return [labels[c] for c in columns(style)]


def period_text(period: str, words: bool) -> str:
    if not words:
        return period
    if period.endswith("-H2"):
        return f"6 tháng cuối năm {period[:4]}"
    return f"6 tháng đầu năm {period[:4]}" if period.endswith("-H1") else f"Năm {period}"


def format_number(x: float, decimals: int, numbers: str) -> str:
    text = f"{x:,.{decimals}f}"
    if numbers == "en":
        return text
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.replace(".", "") if numbers == "vi-plain" else text


def value_decimals(ind: Indicator, x: float) -> int:
    if ind.unit in ("người", "đồ án", "đơn vị"):
        return 0
    # A whole number under 1000 drops its ",0"; larger ones keep it, so "1.234" is never ambiguous.
    return 0 if x == int(x) and abs(x) < 1000 else 1


def number_cell(x: float | None, decimals: int, style: Style) -> Cell:
    if x is None:
        return None
    if style.numbers == "native":
        return int(x) if decimals == 0 else x
    return format_number(x, decimals, style.numbers)


def value_cell(ind: Indicator, row: Row, style: Style) -> Cell:
    if row.value_text is not None:
        return row.value_text
    if row.figure is None:
        return None
    x = row.figure.value
    decimals = value_decimals(ind, x)
    if style.percent_sign and ind.is_percent:
        numbers = "en" if style.numbers == "en" else "vi"
        text = format_number(x, decimals, numbers)
        return f"{text}%" if numbers == "en" else f"{text} %"
    return number_cell(x, decimals, style)


def row_cells(ref: Reference, sub: Submission, row: Row, row_no: int) -> dict[str, Cell]:
    style = sub.habit.style
    ind = ref.indicators[row.indicator_code]
    fig = row.figure
    decimals = DENOMINATORS.get(ind.code, ("", 0, 0, 0))[3]
    is_own = sub.kind == "locality" and row.locality_code == sub.reporter_code
    naming = sub.habit.naming if not (is_own and sub.habit.naming == "blank") else "blank"
    note = row.note
    if not style.title_block:  # no title block to carry the synthetic label: every row carries it
        note = f"{note}; {SYNTHETIC_NOTE}" if note else SYNTHETIC_NOTE
    unit = ind.unit_aliases[0] if style.unit_alias and ind.unit_aliases else ind.unit
    has_ratio = fig is not None and fig.numerator is not None and row.value_text is None
    return {
        "row_no": row_no,
        "reporter": sub.reporter_text,
        "period": period_text(sub.period, style.period_words),
        "submitted": sub.submitted.strftime("%d/%m/%Y"),
        "locality": row.locality_text
        if row.locality_text is not None
        else locality_text(ref, row.locality_code, naming),
        "code": ind.code,
        "name": ind.name_vi,
        "value": value_cell(ind, row, style),
        "unit": unit,
        "numerator": number_cell(fig.numerator, decimals, style) if has_ratio else None,  # type: ignore[union-attr]
        "denominator": number_cell(fig.denominator, decimals, style) if has_ratio else None,  # type: ignore[union-attr]
        "note": note or None,
    }


def title_lines(sub: Submission) -> list[str]:
    note = SYNTHETIC_NOTE
    if any(r.note == SOURCED_NOTE for r in sub.rows):
        note += "; riêng dân số toàn tỉnh có ghi chú 'Số liệu công bố' là số liệu chính thức"
    return [
        TITLE,
        f"Đơn vị báo cáo: {sub.reporter_text}",
        f"Kỳ báo cáo: {period_text(sub.period, True)}",
        f"Ngày gửi: {sub.submitted.strftime('%d/%m/%Y')}",
        f"Ghi chú: {note}",
        *sub.extra_title_lines,
    ]


def table(ref: Reference, sub: Submission) -> tuple[list[str], list[list[Cell]], list[Row]]:
    fields = columns(sub.habit.style)
    rows = [[row_cells(ref, sub, row, i)[f] for f in fields] for i, row in enumerate(sub.rows, start=1)]
    return header_labels(sub.habit.style), rows, sub.rows


SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: cp1258 has these letters precomposed


def cp1258_form(text: str, every_tone: bool) -> str:
    """Vietnamese as Windows-1258 stores it: base letters precomposed, tone marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            if not every_tone:
                out.append(ch)
                continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c) or c in SHAPE_MARKS)
        tones = "".join(c for c in decomposed if unicodedata.combining(c) and c not in SHAPE_MARKS)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out)


def text_form(text: str, form: str) -> str:
    if form == "NFD":
        return unicodedata.normalize("NFD", text)
    if form.startswith("cp1258"):
        return cp1258_form(text, every_tone=form == "cp1258-win")
    return unicodedata.normalize("NFC", text)


def write_csv(ref: Reference, sub: Submission, path: Path) -> dict[str, int]:
    style = sub.habit.style
    header, rows, source_rows = table(ref, sub)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=style.delimiter, lineterminator="\r\n")
    lines: list[Sequence[Cell]] = [header, *rows]
    for line in lines:
        writer.writerow(["" if c is None else text_form(str(c), style.text_form) for c in line])
    text = buf.getvalue()
    data = text.encode("cp1258") if style.encoding == "cp1258" else text.encode(style.encoding)
    path.write_bytes(data)
    return {r.tag: i + 2 for i, r in enumerate(source_rows) if r.tag}


def _excel_layout(ref: Reference, sub: Submission) -> tuple[list[str], list[str], list[list[Cell]], int]:
    """Title lines, header, data rows and the 1-based row of the header."""
    header, rows, _ = table(ref, sub)
    titles = title_lines(sub) if sub.habit.style.title_block else []
    header_row = len(titles) + 2 if titles else 1  # one blank line between title block and header
    return titles, header, rows, header_row


INSTRUCTIONS = [
    "HƯỚNG DẪN",
    "Số liệu ở trang 'Số liệu'. Mỗi dòng một chỉ tiêu cho một địa bàn.",
    SYNTHETIC_NOTE,
]


def write_xlsx(ref: Reference, sub: Submission, path: Path) -> dict[str, int]:
    style = sub.habit.style
    titles, header, rows, header_row = _excel_layout(ref, sub)
    wb = openpyxl.Workbook()
    ws = wb.active
    if style.instructions_sheet:
        ws.title = "Hướng dẫn"
        for i, line in enumerate(INSTRUCTIONS, start=1):
            ws.cell(i, 1, line)
        ws = wb.create_sheet(sub.habit.sheet)
    else:
        ws.title = sub.habit.sheet
    width = len(header) + (1 if style.merged_header else 0)
    for i, line in enumerate(titles, start=1):
        ws.cell(i, 1, line)
    if titles:
        ws.cell(1, 1).font = Font(bold=True, size=13)
        if style.merged_title:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for j, label in enumerate(header, start=1):
        ws.cell(header_row, j, label).font = Font(bold=True)
    if style.merged_header:  # "Ghi chú" spans two columns; notes sit in the first
        ws.merge_cells(start_row=header_row, start_column=len(header), end_row=header_row, end_column=width)
    for i, values in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(i, j, value)
    wb.properties.creator = "dothi sample generator"
    wb.properties.lastModifiedBy = "dothi sample generator"
    wb.properties.title = TITLE
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    path.write_bytes(_deterministic_xlsx(wb))
    return {r.tag: header_row + 1 + i for i, r in enumerate(sub.rows) if r.tag}


def _deterministic_xlsx(wb: openpyxl.Workbook) -> bytes:
    """Saves without openpyxl's 'modified = now' and with fixed zip member timestamps."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def write_xls(ref: Reference, sub: Submission, path: Path) -> dict[str, int]:
    style = sub.habit.style
    titles, header, rows, header_row = _excel_layout(ref, sub)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sub.habit.sheet)
    bold = xlwt.easyxf("font: bold on")
    for i, line in enumerate(titles):
        if i == 0 and style.merged_title:
            ws.write_merge(0, 0, 0, len(header) - 1, line, xlwt.easyxf("font: bold on; align: horiz center"))
        else:
            ws.write(i, 0, line)
    for j, label in enumerate(header):
        ws.write(header_row - 1, j, label, bold)
    for i, values in enumerate(rows, start=header_row):
        for j, value in enumerate(values):
            if value is not None:
                ws.write(i, j, value)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return {r.tag: header_row + 1 + i for i, r in enumerate(sub.rows) if r.tag}


WRITERS: dict[str, Callable[[Reference, Submission, Path], dict[str, int]]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "xls": write_xls,
}


# ============================================================================================
# Putting it together
# ============================================================================================


@dataclass
class Sample:
    ref: Reference
    truth: Truth
    reported: Truth
    plan: list[Submission]
    problems: list[dict]
    units: dict[str, NewUnit] = field(default_factory=dict)  # the 65 units from 2025-07-01
    new_truth: Truth = field(default_factory=dict)  # their figures (and the merged province's totals)


def build_sample() -> Sample:
    rng = random.Random(RANDOM_SEED)
    ref = load_reference()
    truth = build_truth(rng, ref, ANCHORS)
    reported = self_reports(rng, ref, truth)
    plan = build_plan(rng, ref, truth, reported)
    problems = apply_planted_problems(ref, plan, truth)
    check_model(ref, truth)
    units, communes = load_new_units()
    new = new_unit_truth(ref, truth, units)
    check_new_model(ref, truth, new, units)
    new_plan = build_new_plan(ref, new, units)
    problems += apply_transition_problems(ref, new_plan, truth, new, units, communes)
    problems.sort(key=lambda p: p["id"])
    return Sample(ref, truth, reported, plan + new_plan, problems, units, new)


def check_model(ref: Reference, truth: Truth) -> None:
    """Sanity of the values model: fails loudly if a tweak above makes the sample implausible."""
    rates = [province_urbanization(ref, truth, p) for p in PERIODS]
    assert all(59.5 <= r <= 63.5 for r in rates), rates
    assert rates == sorted(rates), rates
    for (code, ind_code, _period), fig in truth.items():
        ind = ref.indicators[ind_code]
        assert ind.valid_min <= fig.value <= ind.valid_max, (code, ind_code, fig)
        assert rate_is_consistent(ind, fig), (code, ind_code, fig)


def _relink(problems: list[dict], located: dict[str, tuple[str, int]]) -> list[dict]:
    """Adds file names and row numbers (as a person sees them) to the planted-problem records."""
    out = []
    for problem in problems:
        pid = str(problem["id"])
        rows = {tag: where for tag, where in located.items() if tag == pid or tag.startswith(pid + "-")}
        record = dict(problem)
        if rows:
            record["rows"] = [{"tag": tag, "file": f, "row_number": n} for tag, (f, n) in sorted(rows.items()) if n > 0]
            files = sorted({f for f, _ in rows.values()})
            record["file"] = files[0] if len(files) == 1 else files
        out.append(record)
    return out


def generate(out_dir: Path = OUT_DIR, planted_json: Path = PLANTED_JSON) -> Sample:
    sample = build_sample()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.iterdir():
        if old.suffix.lower() in SAMPLE_FORMATS:
            old.unlink()
    located: dict[str, tuple[str, int]] = {}
    names = [s.file_name for s in sample.plan]
    assert len(names) == len(set(names)), "duplicate file names"
    for sub in sample.plan:
        rows = WRITERS[sub.habit.style.fmt](sample.ref, sub, out_dir / sub.file_name)
        located.update({tag: (sub.file_name, n) for tag, n in rows.items()})
        if sub.tag:
            located[sub.tag] = (sub.file_name, 0)
    sample.problems = _relink(sample.problems, located)
    planted_json.write_text(json.dumps(sample.problems, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return sample


def digests(paths: Iterable[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


def check(out_dir: Path = OUT_DIR, planted_json: Path = PLANTED_JSON) -> list[str]:
    """Differences between the committed sample and a fresh regeneration (empty: up to date)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh_dir = Path(tmp) / "submissions"
        generate(fresh_dir, Path(tmp) / planted_json.name)
        fresh = digests([*fresh_dir.iterdir(), Path(tmp) / planted_json.name])
    committed = digests(
        [*(p for p in out_dir.iterdir() if p.suffix.lower() in SAMPLE_FORMATS), planted_json]
        if out_dir.exists()
        else []
    )
    return [
        f"{name}: {'missing' if name not in committed else 'extra' if name not in fresh else 'differs'}"
        for name in sorted(set(fresh) | set(committed))
        if fresh.get(name) != committed.get(name)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the committed sample with a regeneration")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: the bundled sample)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for line in problems:
            print(line)
        print("sample is up to date" if not problems else f"{len(problems)} file(s) differ: rerun the generator")
        return 1 if problems else 0
    planted = PLANTED_JSON if args.out == OUT_DIR else args.out.parent / PLANTED_JSON.name
    sample = generate(args.out, planted)
    print(f"wrote {len(sample.plan)} files to {args.out} and {len(sample.problems)} planted problems to {planted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
