"""Reference data (localities, reporters, indicators) read from the dbt seed CSVs.

The seeds are the single source of truth: the Department of Construction edits them, dbt loads
them, and intake reads the same files, so nothing here repeats their contents.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sources.normalize.text import nfc


def seeds_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Locality:
    code: str
    level: str  # province | district
    kind: str
    name_vi: str
    name_en: str
    short_name_vi: str
    parent_code: str | None


@dataclass(frozen=True)
class Reporter:
    code: str
    kind: str  # locality | department
    name_vi: str
    name_en: str
    short_name_vi: str
    locality_code: str  # the area it reports on as a whole: its own locality, or the province


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    unit: str
    unit_aliases: tuple[str, ...]
    valid_min: float | None
    valid_max: float | None
    rate_scale: float | None
    measure_type: str

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() == "%"


# eq=False keeps identity hashing, so a Reference can key the caches of the resolvers built on it.
@dataclass(frozen=True, eq=False)
class Reference:
    localities: dict[str, Locality]
    locality_aliases: tuple[tuple[str, str], ...]  # (locality_code, alias)
    reporters: dict[str, Reporter]
    reporter_aliases: tuple[tuple[str, str], ...]  # (reporter_code, alias)
    indicators: dict[str, Indicator]
    # (indicator_code, alias): wordings of the resolutions and offices' shortenings. An alias listed for two
    # indicators names both, so intake refuses it as ambiguous (sources/normalize/names.py).
    indicator_aliases: tuple[tuple[str, str], ...] = ()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: nfc(v or "") for k, v in row.items()} for row in csv.DictReader(handle)]


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_localities(seeds: Path | None = None) -> dict[str, Locality]:
    rows = _rows((seeds or seeds_dir()) / "localities.csv")
    return {
        r["locality_code"]: Locality(
            code=r["locality_code"],
            level=r["level"],
            kind=r["kind"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            short_name_vi=r["short_name_vi"],
            parent_code=r["parent_code"] or None,
        )
        for r in rows
    }


def load_reporters(seeds: Path | None = None) -> dict[str, Reporter]:
    rows = _rows((seeds or seeds_dir()) / "reporters.csv")
    return {
        r["reporter_code"]: Reporter(
            code=r["reporter_code"],
            kind=r["kind"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            short_name_vi=r["short_name_vi"],
            locality_code=r["locality_code"],
        )
        for r in rows
    }


def load_indicators(seeds: Path | None = None) -> dict[str, Indicator]:
    rows = _rows((seeds or seeds_dir()) / "indicators.csv")
    return {
        r["indicator_code"]: Indicator(
            code=r["indicator_code"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            unit=r["unit"],
            unit_aliases=tuple(a.strip() for a in r["unit_aliases"].split("|") if a.strip()),
            valid_min=_float_or_none(r["valid_min"]),
            valid_max=_float_or_none(r["valid_max"]),
            rate_scale=_float_or_none(r["rate_scale"]),
            measure_type=r["measure_type"],
        )
        for r in rows
    }


def _aliases(path: Path, code_column: str) -> tuple[tuple[str, str], ...]:
    return tuple((r[code_column], r["alias"]) for r in _rows(path) if r["alias"])


@lru_cache(maxsize=8)
def load_reference(seeds: Path | None = None) -> Reference:
    """All reference data, cached per seeds folder (the seeds do not change during a run)."""
    folder = seeds or seeds_dir()
    return Reference(
        localities=load_localities(folder),
        locality_aliases=_aliases(folder / "locality_aliases.csv", "locality_code"),
        reporters=load_reporters(folder),
        reporter_aliases=_aliases(folder / "reporter_aliases.csv", "reporter_code"),
        indicators=load_indicators(folder),
        indicator_aliases=_aliases(folder / "indicator_aliases.csv", "indicator_code"),
    )
