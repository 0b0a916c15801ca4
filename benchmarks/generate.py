"""Synthetic submissions at named scales, written as real files in the contract's formats.

    python -m benchmarks.generate --scale province [--out /tmp/bench-data] [--workers 2]

Scales (see ``SCALES``): ``sample`` copies the bundled sample; ``province`` is ~130 commune-level
units x 20 indicators x 60 monthly periods x 2 channels; ``national`` is 3,321 units in 34 provinces
(Khánh Hòa and 33 synthetic ones) x 30 indicators x 20 quarterly periods x 2 channels (~4 M figures,
~70 k files). A unit's file holds its own figures for
one period; a department's file all units of its province for one period, for its sector's indicators.

Output, under ``<out>/<scale>/``:
  inbox/       the submissions (CSV in three dialects + a minority of XLSX), ready to drop in an inbox
  reference/   a seed-shaped overlay (localities, aliases, reporters, indicators, targets) holding the
               synthetic units, provinces, departments and extra indicators the real seeds do not know
  manifest.json  what was written: files, figure rows, planted bad rows, disagreements, revisions

Determinism: every file is generated from ``random.Random(f"{seed}:{province}:{period}")`` and stable
hashes, so output bytes do not depend on the number of workers or their scheduling. XLSX files carry
fixed zip timestamps and core properties.

Dialects (the file-name prefix says which; the floor baseline relies on that, dothi must sniff):
  BC_*.csv       UTF-8 with BOM, ',' , Vietnamese headers, English numbers ("1,234.5"), names
  BaoCao_*.csv   UTF-8, ';' , Vietnamese headers (``Số liệu``), Vietnamese numbers ("1.234,5", "85,3 %")
  report_*.csv   UTF-8, ',' , English headers, English numbers, locality codes
  BC_*.xlsx      XLSX, header in row 1 (Vietnamese), numeric cells
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

from benchmarks.baselines import province_code

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"
SAMPLE_DIR = REPO / "sources" / "sample" / "submissions"
DEFAULT_OUT = Path("/tmp/bench-data")
ZIP_TIMESTAMP = (2025, 8, 1, 8, 0, 0)
SYNTHETIC_NOTE = "Dữ liệu mô phỏng (synthetic)"
PROVINCE_CODE = province_code()  # Khánh Hòa (dbt var): the province scale's communes sit under it


# ============================================================================================
# Scales
# ============================================================================================


def monthly(first_year: int, last_year: int) -> tuple[str, ...]:
    return tuple(f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13))


def quarterly(first_year: int, last_year: int) -> tuple[str, ...]:
    return tuple(f"{y}-Q{q}" for y in range(first_year, last_year + 1) for q in range(1, 5))


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int  # 1: the units sit under Khánh Hòa (56); more: synthetic provinces
    units: int  # commune-level units, spread evenly over the provinces
    indicators: int  # the real seed indicators first (21), then synthetic ones
    periods: tuple[str, ...]
    departments: int  # per province; each covers a share of the indicators for all its units
    xlsx_share: float = 0.08  # of files
    bad_row_share: float = 0.004  # rows with an unparseable value / unknown locality / unknown indicator
    missing_share: float = 0.01  # locality self-reports left blank ('-', 'x', 'N/A'): not errors
    drift_share: float = 0.3  # self-reports slightly off (within tolerance)
    disagreement_share: float = 0.02  # self-reports beyond the indicator's tolerance
    revision_share: float = 0.005  # unit files re-sent later with a few corrected values
    late_share: float = 0.03
    seed: int = 20250601

    @property
    def period_kind(self) -> str:
        return "month" if len(self.periods[0]) == 7 and "-Q" not in self.periods[0] else "quarter"

    @property
    def expected_figures(self) -> int:
        return self.units * self.indicators * len(self.periods) * 2


SCALES: dict[str, Scale | None] = {
    "sample": None,  # the bundled sample, copied
    "province": Scale("province", provinces=1, units=130, indicators=20, periods=monthly(2020, 2024), departments=7),
    "national": Scale(
        "national",
        provinces=34,
        units=3321,
        indicators=30,
        periods=quarterly(2020, 2024),
        departments=5,
        xlsx_share=0.06,
    ),
    # A few files, for tests and smoke runs.
    "tiny": Scale("tiny", provinces=2, units=6, indicators=6, periods=quarterly(2023, 2023), departments=2),
}


# ============================================================================================
# Reference: the real seeds plus a synthetic overlay
# ============================================================================================


def read_seed(name: str, seeds: Path = SEEDS) -> tuple[list[str], list[dict[str, str]]]:
    with (seeds / name).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@dataclass(frozen=True)
class Ind:
    code: str
    name_vi: str
    unit: str
    valid_min: float
    valid_max: float
    rate_scale: float | None  # set (with numerator/denominator) for rates
    tolerance_pct: float
    decimals: int


@dataclass(frozen=True)
class Unit:
    code: str
    name_vi: str  # official, with its prefix ("Phường Tân An")
    short: str  # without prefix ("Tân An")
    abbrev: str  # "P. Tân An"
    province: int


@dataclass(frozen=True)
class Dept:
    code: str
    name_vi: str
    province: int
    indicators: tuple[str, ...]


@dataclass
class World:
    scale: Scale
    indicators: list[Ind]
    provinces: list[tuple[str, str]]  # (code, name)
    units: list[Unit]
    depts: list[Dept]
    overlay: dict[str, tuple[list[str], list[dict[str, str]]]] = field(default_factory=dict)

    def units_of(self, province: int) -> list[Unit]:
        return [u for u in self.units if u.province == province]


SYLLABLES = (
    "An",
    "Bình",
    "Cát",
    "Diên",
    "Đông",
    "Hải",
    "Hòa",
    "Hưng",
    "Khánh",
    "Lâm",
    "Lộc",
    "Long",
    "Minh",
    "Nam",
    "Ninh",
    "Phú",
    "Phước",
    "Quang",
    "Sơn",
    "Tân",
    "Thạnh",
    "Thành",
    "Thuận",
    "Tiến",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Bắc",
    "Mỹ",
    "Hiệp",
    "Đức",
    "Hậu",
    "Lợi",
    "Nghĩa",
    "Phong",
    "Thịnh",
    "Thủy",
    "Tường",
    "Hà",
    "Giang",
    "Hội",
    "Kim",
    "Lạc",
    "Lương",
    "Mai",
    "Nhơn",
    "Quý",
    "Sa",
    "Tây",
    "Thái",
    "Thọ",
    "Tịnh",
    "Trà",
    "Vân",
    "Hạnh",
    "Điền",
    "Gia",
    "Định",
    "Hoa",
)
SECTORS = (
    "Xây dựng",
    "Nông nghiệp và Môi trường",
    "Tài chính",
    "Khoa học và Công nghệ",
    "Thống kê",
    "Công Thương",
    "Y tế",
)
UNIT_KINDS = (("Phường", "P."), ("Xã", "X."), ("Đặc khu", "ĐK."))


def _u01(*parts: object) -> float:
    """Stable pseudo-random number in [0, 1) from the parts (no RNG state to share between workers)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def _folded(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _real_indicators() -> list[Ind]:
    _, rows = read_seed("indicators.csv")
    rows.sort(key=lambda r: int(r["sort_order"]))
    out = []
    for r in rows:
        is_rate = bool(r["rate_scale"] and r["numerator_label_en"])
        out.append(
            Ind(
                code=r["indicator_code"],
                name_vi=r["name_vi"],
                unit=r["unit"],
                valid_min=float(r["valid_min"]),
                valid_max=float(r["valid_max"]),
                rate_scale=float(r["rate_scale"]) if is_rate else None,
                tolerance_pct=float(r["tolerance_pct"]),
                decimals=0 if r["unit"] in ("người", "đồ án", "đơn vị") else 1,
            )
        )
    return out


def build_world(scale: Scale) -> World:
    rng = random.Random(f"{scale.seed}:world")
    real = _real_indicators()
    indicators = real[: scale.indicators]
    for i in range(len(indicators), scale.indicators):
        n = i + 1
        indicators.append(Ind(f"SYN_IND_{n:02d}", f"Chỉ tiêu mô phỏng số {n}", "%", 0.0, 100.0, 100.0, 5.0, 1))
    pairs = [f"{a} {b}" for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    # Names must stay distinct once accents are folded ('Hòa An' = 'Hoa An' for the resolver). Names are
    # popped from the end: keep the last of each folded key, so scales without a collision are unchanged.
    # Nor may they fold like a real unit's name (the merged seeds hold both: 'Điền Khánh' would answer for
    # the real Xã Diên Khánh's committee).
    seen: set[str] = {_folded(r["short_name_vi"]) for r in read_seed("localities.csv")[1]}
    unique = []
    for pair in reversed(pairs):
        if _folded(pair) not in seen:
            seen.add(_folded(pair))
            unique.append(pair)
    pairs = unique[::-1]
    need = scale.units + (scale.provinces if scale.provinces > 1 else 0)
    if len(pairs) < need:
        # 60 syllables make ~3.2 k distinct pairs; the national scale needs more. Three-syllable names go
        # in front (popped last), so smaller scales keep their names.
        triples = (f"{a} {b} {c}" for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES if len({a, b, c}) == 3)
        extra: list[str] = []
        for name in triples:
            if len(pairs) + len(extra) >= need:
                break
            if _folded(name) not in seen:
                seen.add(_folded(name))
                extra.append(name)
        rng.shuffle(extra)
        pairs = extra + pairs
    # Khánh Hòa is the first province of every scale: dothi consolidates every province's figures, but
    # aggregates the programme's province and measures gaps on its map only (the others have no map).
    provinces = [(PROVINCE_CODE, "Tỉnh Khánh Hòa")]
    provinces += [(f"SP{p + 1:02d}", f"Tỉnh {pairs.pop()} Mô Phỏng") for p in range(1, scale.provinces)]
    units = []
    for i in range(scale.units):
        short = pairs.pop()
        kind, abbrev = UNIT_KINDS[0 if i % 10 < 3 else 2 if i % 97 == 96 else 1]
        code = f"S{i + 1:05d}"
        units.append(Unit(code, f"{kind} {short}", short, f"{abbrev} {short}", i * scale.provinces // scale.units))
    depts = []
    for p, (_, pname) in enumerate(provinces):
        for d in range(scale.departments):
            codes = tuple(ind.code for k, ind in enumerate(indicators) if k % scale.departments == d)
            sector = SECTORS[d % len(SECTORS)]
            depts.append(Dept(f"SD{p + 1:02d}_{d + 1}", f"Sở {sector} {pname} (mô phỏng {d + 1})", p, codes))
    world = World(scale, indicators, provinces, units, depts)
    world.overlay = build_overlay(world, real)
    return world


def build_overlay(world: World, real: list[Ind]) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Seed-shaped rows (same columns as dbt_project/seeds/*.csv) for everything synthetic."""
    out: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    # Unit versions like the seed's (locality_key = code@valid_from). A synthetic province is open-ended;
    # units under the real province live within its pre-merger version 56@2020-01-01 (the benchmark
    # periods end in 2024), so every parent_key names a version that spans its child.
    start = "2020-01-01"
    real_province = f"{PROVINCE_CODE}@{start}"
    real_end = next(r["valid_to"] for r in read_seed("localities.csv")[1] if r["locality_key"] == real_province)
    cols, _ = read_seed("localities.csv")
    locs = [
        {
            "locality_key": f"{code}@{start}",
            "locality_code": code,
            "level": "province",
            "kind": "province",
            "kind_vi": "tỉnh",
            "name_vi": name,
            "name_en": name,
            "short_name_vi": name.removeprefix("Tỉnh "),
            "old_province_code": code,
            "valid_from": start,
            "source": "synthetic (benchmarks)",
        }
        for code, name in world.provinces
        if code != PROVINCE_CODE
    ]
    for u in world.units:
        parent = world.provinces[u.province][0]
        kind_vi = u.name_vi.removesuffix(u.short).strip().lower()
        locs.append(
            {
                "locality_key": f"{u.code}@{start}",
                "locality_code": u.code,
                "level": "district",
                "kind": kind_vi.split()[0],
                "kind_vi": kind_vi,
                "name_vi": u.name_vi,
                "name_en": u.short,
                "short_name_vi": u.short,
                "urban_type": "V",
                "parent_code": parent,
                "parent_key": f"{parent}@{start}",
                "old_province_code": parent,
                "valid_from": start,
                "valid_to": real_end if parent == PROVINCE_CODE else "",
                "source": "synthetic (benchmarks)",
            }
        )
    out["localities.csv"] = (cols, locs)
    valid_to = {r["locality_code"]: r.get("valid_to", "") for r in locs}
    cols, _ = read_seed("locality_aliases.csv")
    out["locality_aliases.csv"] = (
        cols,
        [{"locality_key": f"{u.code}@{start}", "alias": u.abbrev, "source": "synthetic (benchmarks)"}
         for u in world.units],
    )
    cols, _ = read_seed("reporters.csv")
    reps = [
        {
            "reporter_code": u.code,
            "kind": "locality",
            "name_vi": f"UBND {u.name_vi}",
            "name_en": f"{u.short} PC",
            "short_name_vi": f"UBND {u.abbrev}",
            "locality_code": u.code,
            "remit_en": "own area",
            "valid_from": start,
            "valid_to": valid_to[u.code],
        }
        for u in world.units
    ]
    reps += [
        {
            "reporter_code": d.code,
            "kind": "department",
            "name_vi": d.name_vi,
            "name_en": d.code,
            "short_name_vi": d.code,
            "locality_code": world.provinces[d.province][0],
            "remit_en": "synthetic sector",
            "valid_from": "2020-01-01",
        }
        for d in world.depts
    ]
    out["reporters.csv"] = (cols, reps)
    cols, _ = read_seed("reporter_aliases.csv")
    out["reporter_aliases.csv"] = (
        cols,
        [
            {"reporter_code": u.code, "alias": f"UBND {u.short}", "source": "synthetic (benchmarks)"}
            for u in world.units
        ],
    )
    cols, _ = read_seed("indicators.csv")
    real_codes = {i.code for i in real}
    first_dept = world.depts[0].code if world.depts else ""
    out["indicators.csv"] = (
        cols,
        [
            {
                "indicator_code": i.code,
                "name_vi": i.name_vi,
                "name_en": f"Synthetic indicator {i.code[-2:]}",
                "unit": "%",
                "unit_aliases": "phần trăm|percent|pct",
                "direction": "higher",
                "measure_type": "stock",
                "aggregation": "none",
                "rate_scale": "100",
                "numerator_label_en": "numerator (synthetic)",
                "denominator_label_en": "denominator (synthetic)",
                "valid_min": "0",
                "valid_max": "100",
                "responsible_reporter_code": first_dept,
                "locality_reports": "true",
                "tolerance_pct": "5",
                "consistency_tolerance": "0.5",
                "resolution_weak": "false",
                "sort_order": str(1000 + n),
            }
            for n, i in enumerate(world.indicators)
            if i.code not in real_codes
        ],
    )
    cols, _ = read_seed("targets.csv")
    targets = []
    for u in world.units:
        for ind in world.indicators:
            if ind.unit == "%":  # a target for every percentage indicator of every unit
                targets.append(
                    {
                        "programme_code": "NQ06_2021_2025",
                        "indicator_code": ind.code,
                        "locality_code": u.code,
                        "target_value": f"{min(ind.valid_max, 60 + 40 * _u01('target', u.code, ind.code)):.1f}",
                        "target_year": "2025",
                        "is_placeholder": "true",
                        "source": "synthetic (benchmarks)",
                    }
                )
    out["targets.csv"] = (cols, targets)
    return out


def write_overlay(world: World, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (cols, rows) in world.overlay.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=cols, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def merge_seeds(overlay: Path, target: Path, seeds: Path = SEEDS) -> None:
    """A seeds folder = the real seeds with the overlay's rows appended: the merge dothi does for
    ``DOTHI_SEEDS_EXTRA`` (sources/reference.py), written where the baselines read it."""
    from sources.reference import merged_seed_text

    target.mkdir(parents=True, exist_ok=True)
    for src in seeds.iterdir():
        extra = overlay / src.name
        if src.suffix == ".csv" and extra.exists():
            (target / src.name).write_text(merged_seed_text(src, extra), encoding="utf-8")
        else:
            shutil.copy2(src, target / src.name)


# ============================================================================================
# Values and channels
# ============================================================================================


def truth(ind: Ind, unit: Unit, t: float) -> tuple[float, float | None, float | None]:
    """(value, numerator, denominator) of the department's figure at t years since the first period."""
    u = _u01(unit.code, ind.code)
    span = ind.valid_max - ind.valid_min
    if ind.unit == "%":
        level = min(ind.valid_max, 20 + 70 * u + (0.4 + u) * t)
    elif ind.unit == "người":
        total = 1500 + 40000 * _u01(unit.code, "TOTAL_POP")
        level = total * (0.2 + 0.7 * u if ind.code == "URBAN_POP" else 1) * (1 + 0.01 * t)
    elif ind.unit in ("đồ án", "đơn vị"):
        level = float(int(min(ind.valid_max, 1 + (ind.valid_max / 50) * u + t / 2)))
    else:
        level = ind.valid_min + span * (0.05 + 0.1 * u) * (1 + 0.02 * t)
    value = round(level, ind.decimals)
    if ind.rate_scale is None:
        return value, None, None
    denominator = float(round(500 + 20000 * _u01("den", unit.code, ind.code) * (1 + 0.01 * t)))
    numerator = round(denominator * value / ind.rate_scale, 2)
    if ind.rate_scale == 100:
        numerator = min(numerator, denominator)
    return round(numerator / denominator * ind.rate_scale, 1), numerator, denominator


def clamp(ind: Ind, x: float) -> float:
    return round(max(ind.valid_min, min(ind.valid_max, x)), ind.decimals)


# ============================================================================================
# Writing: dialects, numbers, rows
# ============================================================================================

VI_HEAD = [
    "Đơn vị báo cáo",
    "Kỳ báo cáo",
    "Ngày gửi",
    "Địa bàn",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Giá trị",
    "Đơn vị tính",
    "Tử số",
    "Mẫu số",
    "Ghi chú",
]
VI_SEMI_HEAD = [
    "Đơn vị báo cáo",
    "Kỳ báo cáo",
    "Ngày gửi",
    "Địa bàn",
    "Mã chỉ tiêu",
    "Số liệu",
    "Đơn vị tính",
    "Tử số",
    "Mẫu số",
    "Ghi chú",
]
EN_HEAD = [
    "reporter",
    "period",
    "submitted",
    "locality",
    "indicator",
    "value",
    "unit",
    "numerator",
    "denominator",
    "note",
]
DIALECTS = ("A", "B", "C")  # BC_*.csv, BaoCao_*.csv, report_*.csv; XLSX chosen per file by xlsx_share
PREFIX = {"A": "BC_", "B": "BaoCao_", "C": "report_", "X": "BC_"}
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
BAD_VALUES = ("khoảng 80", "≥ 90", "chưa có số liệu chính xác", "12/05/2024")
MISSING = ("-", "x", "N/A", "")


def en_number(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}" if decimals or abs(x) >= 1000 else f"{x:.{decimals}f}"


def vi_number(x: float, decimals: int) -> str:
    return en_number(x, decimals).replace(",", " ").replace(".", ",").replace(" ", ".")


def period_text(period: str, dialect: str) -> str:
    if "-Q" in period:
        year, q = period.split("-Q")
        return period if dialect in ("C", "X") else f"Quý {ROMAN[q]}/{year}"
    if dialect == "B":
        year, month = period.split("-")
        return f"Tháng {int(month)}/{year}"
    return period


def _line(cells: Sequence[str], delim: str) -> str:
    out = []
    for c in cells:
        if delim in c or '"' in c or "\n" in c:
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return delim.join(out) + "\r\n"


@dataclass
class Row:
    locality: Unit
    ind: Ind
    value: float | None
    numerator: float | None
    denominator: float | None
    value_text: str | None = None  # written instead of the number (missing markers, planted bad values)
    locality_text: str | None = None  # planted unknown locality
    indicator_text: str | None = None  # planted unknown indicator
    note: str = ""


@dataclass
class FileSpec:
    name: str
    dialect: str  # A | B | C | X
    kind: str  # locality | department
    reporter_text: str
    period: str
    submitted: str  # dd/mm/yyyy
    rows: list[Row]


def _cells(spec: FileSpec, row: Row, native: bool) -> dict[str, object]:
    ind, d = row.ind, spec.dialect
    number = (lambda x, n: x) if native else (vi_number if d == "B" else en_number)
    if row.value_text is not None:
        value: object = row.value_text
    elif row.value is None:  # no figure and no marker: a blank cell (what the native writer made of it)
        value = None
    elif d == "B" and ind.unit == "%":
        value = f"{vi_number(row.value, ind.decimals)} %"
    else:
        value = number(row.value, ind.decimals)
    own = spec.kind == "locality"
    if row.locality_text is not None:
        locality = row.locality_text
    elif d == "C":
        locality = row.locality.code
    elif d == "B":
        locality = "" if own else row.locality.short
    else:
        locality = row.locality.name_vi
    num, den = row.numerator, row.denominator
    has_ratio = num is not None and den is not None and row.value_text is None  # figures carry both or neither
    return {
        "reporter": spec.reporter_text,
        "period": period_text(spec.period, d),
        "submitted": spec.submitted,
        "locality": locality,
        "code": row.indicator_text or ind.code,
        "name": ind.name_vi if row.indicator_text is None else row.indicator_text,
        "value": value,
        "unit": ind.unit,
        "numerator": number(num, 2) if num is not None and has_ratio else "",
        "denominator": number(den, 0) if den is not None and has_ratio else "",
        "note": row.note or SYNTHETIC_NOTE,
    }


FIELDS = {
    "A": [
        "reporter",
        "period",
        "submitted",
        "locality",
        "code",
        "name",
        "value",
        "unit",
        "numerator",
        "denominator",
        "note",
    ],
    "B": ["reporter", "period", "submitted", "locality", "code", "value", "unit", "numerator", "denominator", "note"],
    "C": ["reporter", "period", "submitted", "locality", "code", "value", "unit", "numerator", "denominator", "note"],
}
FIELDS["X"] = FIELDS["A"]
HEADERS = {"A": VI_HEAD, "B": VI_SEMI_HEAD, "C": EN_HEAD, "X": VI_HEAD}


def render_csv(spec: FileSpec) -> bytes:
    delim = ";" if spec.dialect == "B" else ","
    parts = [_line(HEADERS[spec.dialect], delim)]
    fields = FIELDS[spec.dialect]
    for row in spec.rows:
        cells = _cells(spec, row, native=False)
        parts.append(_line([str(cells[f]) for f in fields], delim))
    text = "".join(parts)
    return ("\ufeff" + text if spec.dialect == "A" else text).encode("utf-8")


def render_xlsx(spec: FileSpec) -> bytes:
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    ws.append(HEADERS["X"])
    for row in spec.rows:
        cells = _cells(spec, row, native=True)
        ws.append([None if cells[f] == "" else cells[f] for f in FIELDS["X"]])
    wb.properties.creator = "dothi benchmarks"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    # Re-pack with fixed timestamps (and fixed core-property dates) so the bytes are reproducible.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core(data)
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, data)
    return out.getvalue()


def _fixed_core(data: bytes) -> bytes:
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2025-08-01T08:00:00Z\g<2>", data)


# ============================================================================================
# Planning one (province, period): every unit file and every department file
# ============================================================================================


def _later(text: str, days: int) -> str:
    return (dt.datetime.strptime(text, "%d/%m/%Y") + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def _submitted(rng: random.Random, period: str, late_share: float) -> str:
    year = int(period[:4])
    month_end = 3 * int(period[-1]) if "-Q" in period else int(period[5:7])
    end = dt.date(year + (month_end == 12), month_end % 12 + 1, 1) - dt.timedelta(days=1)
    days = rng.randint(3, 25) + (rng.randint(40, 90) if rng.random() < late_share else 0)
    return (end + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def _dialect(rng: random.Random, scale: Scale) -> str:
    return "X" if rng.random() < scale.xlsx_share else DIALECTS[rng.randrange(3)]


def _plant_bad(rng: random.Random, row: Row, kind: str, dialect: str, counts: Counter) -> None:
    roll = rng.random()
    if roll < 0.5 or (kind == "locality" and dialect == "B"):
        row.value_text = rng.choice(BAD_VALUES)
        counts["bad_value"] += 1
    elif roll < 0.8:
        row.locality_text = f"Xã Không Rõ {rng.randint(1, 99)}"
        counts["bad_locality"] += 1
    else:
        row.indicator_text = f"CT_KHONG_RO_{rng.randint(1, 9)}"
        counts["bad_indicator"] += 1


def plan_chunk(world: World, province: int, period_index: int) -> tuple[list[FileSpec], Counter]:
    scale = world.scale
    period = scale.periods[period_index]
    rng = random.Random(f"{scale.seed}:{province}:{period}")
    t = period_index / (12 if scale.period_kind == "month" else 4)
    slug = period.replace("-", "_")
    counts: Counter = Counter()
    files: list[FileSpec] = []
    units = world.units_of(province)
    true = {(u.code, ind.code): truth(ind, u, t) for u in units for ind in world.indicators}
    for u in units:
        dialect = _dialect(rng, scale)
        reporter = rng.choice((f"UBND {u.name_vi}", f"UBND {u.abbrev}", f"UBND {u.short}"))
        rows = []
        for ind in world.indicators:
            value, num, den = true[(u.code, ind.code)]
            row = Row(u, ind, value, num, den)
            roll = rng.random()
            if roll < scale.missing_share:
                row.value_text, row.numerator = rng.choice(MISSING), None
                counts["missing"] += 1
            elif roll < scale.missing_share + scale.disagreement_share:
                factor = 1 + rng.choice((-1, 1)) * ind.tolerance_pct / 100 * rng.uniform(1.5, 3)
                row.value, row.numerator = clamp(ind, value * factor), None
                counts["disagreement"] += 1
            elif roll < scale.missing_share + scale.disagreement_share + scale.drift_share and ind.tolerance_pct:
                row.value, row.numerator = clamp(ind, value * (1 + rng.uniform(-1, 1) * ind.tolerance_pct / 400)), None
            if rng.random() < scale.bad_row_share:
                _plant_bad(rng, row, "locality", dialect, counts)
            rows.append(row)
        ext = "xlsx" if dialect == "X" else "csv"
        name = f"{PREFIX[dialect]}{u.code}_{slug}.{ext}"
        files.append(
            FileSpec(name, dialect, "locality", reporter, period, _submitted(rng, period, scale.late_share), rows)
        )
        if rng.random() < scale.revision_share:
            # A revision re-sends the whole file: its bad rows are bad again (and counted again).
            fixed = [dataclasses.replace(r) for r in rows]
            counts["bad_value"] += sum(r.value_text in BAD_VALUES for r in rows)
            counts["bad_locality"] += sum(r.locality_text is not None for r in rows)
            counts["bad_indicator"] += sum(r.indicator_text is not None for r in rows)
            for r in rng.sample(fixed, min(3, len(fixed))):
                if r.value is not None and r.value_text is None:
                    r.value, r.numerator = clamp(r.ind, r.value * rng.uniform(0.97, 1.03)), None
            revised = FileSpec(
                name.replace(f".{ext}", f"_dieu_chinh.{ext}"),
                dialect,
                "locality",
                reporter,
                period,
                _later(files[-1].submitted, rng.randint(5, 30)),
                fixed,
            )
            files.append(revised)
            counts["revisions"] += 1
    for dept in (d for d in world.depts if d.province == province):
        dialect = _dialect(rng, scale)
        inds = [i for i in world.indicators if i.code in dept.indicators]
        rows = []
        for ind in inds:
            for u in units:
                value, num, den = true[(u.code, ind.code)]
                row = Row(u, ind, value, num, den)
                if rng.random() < scale.bad_row_share:
                    _plant_bad(rng, row, "department", dialect, counts)
                rows.append(row)
        ext = "xlsx" if dialect == "X" else "csv"
        files.append(
            FileSpec(
                f"{PREFIX[dialect]}{dept.code}_{slug}.{ext}",
                dialect,
                "department",
                dept.name_vi,
                period,
                _submitted(rng, period, scale.late_share),
                rows,
            )
        )
    return files, counts


# ============================================================================================
# Running: workers write one (province, period) chunk each
# ============================================================================================

_WORLD: World | None = None


def _init_worker(scale: Scale) -> None:
    global _WORLD
    _WORLD = build_world(scale)


def _write_chunk(args: tuple[int, int, str]) -> dict[str, int]:
    province, period_index, inbox = args
    assert _WORLD is not None
    files, counts = plan_chunk(_WORLD, province, period_index)
    stats: Counter = Counter(counts)
    for spec in files:
        data = render_xlsx(spec) if spec.dialect == "X" else render_csv(spec)
        with open(os.path.join(inbox, spec.name), "wb") as handle:
            handle.write(data)
        stats[f"files_{spec.dialect}"] += 1
        stats[f"files_{spec.kind}"] += 1
        stats["files"] += 1
        stats["rows"] += len(spec.rows)
        stats["bytes"] += len(data)
    return dict(stats)


def chunks(scale: Scale) -> Iterator[tuple[int, int]]:
    for period_index in range(len(scale.periods)):
        for province in range(scale.provinces):
            yield province, period_index


def generate(scale_name: str, out: Path = DEFAULT_OUT, workers: int = 2, scale: Scale | None = None) -> dict:
    """Write <out>/<scale>/{inbox,reference,manifest.json}; returns the manifest."""
    started = time.perf_counter()
    root = out / scale_name
    inbox = root / "inbox"
    if root.exists():
        shutil.rmtree(root)
    inbox.mkdir(parents=True)
    scale = scale or SCALES[scale_name]
    manifest: dict[str, object] = {"scale": scale_name}
    if scale is None:  # the bundled sample, as is
        names = [p for p in sorted(SAMPLE_DIR.iterdir()) if p.is_file() and not p.name.startswith(".")]
        for p in names:
            shutil.copy2(p, inbox / p.name)
        (root / "reference").mkdir()
        manifest.update(files=len(names), bytes=sum(p.stat().st_size for p in names))
    else:
        world = build_world(scale)
        write_overlay(world, root / "reference")
        totals: Counter = Counter()
        tasks = [(p, i, str(inbox)) for p, i in chunks(scale)]
        if workers <= 1:
            _init_worker(scale)
            results: Iterator[dict[str, int]] = map(_write_chunk, tasks)
            for r in results:
                totals.update(r)
        else:
            # fork shares the module; each worker builds the (small) world once.
            # Closed and joined, not terminated (what leaving ``with Pool`` does): a worker whose SIGTERM is
            # ignored, as it is inherited from a parent that ignores it, would never exit and the join would hang.
            pool = get_context("fork").Pool(workers, initializer=_init_worker, initargs=(scale,))
            try:
                for r in pool.imap_unordered(_write_chunk, tasks, chunksize=max(1, len(tasks) // (workers * 8))):
                    totals.update(r)
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
        manifest.update(
            spec={k: v for k, v in asdict(scale).items() if k != "periods"},
            periods=[scale.periods[0], scale.periods[-1], len(scale.periods)],
            period_kind=scale.period_kind,
            expected_figures=scale.expected_figures,
            reference_rows={name: len(rows) for name, (_, rows) in world.overlay.items()},
            **dict(sorted(totals.items())),
        )
    manifest["generate_seconds"] = round(time.perf_counter() - started, 2)
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    manifest = generate(args.scale, args.out, args.workers)
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
