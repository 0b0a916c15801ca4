"""Reference data (unit versions, the crosswalk, reporters, indicators) read from the dbt seed CSVs.

The seeds are the single source of truth: the Department of Construction edits them, dbt loads
them, and intake reads the same files, so nothing here repeats their contents.

A locality is a *unit version*: a code **and** a validity interval (``locality_key`` =
``<code>@<valid_from>``). Codes are reused after the 2024-11 and 2025-07 reorganisations (22411 was
Phường Cam Phúc Bắc until 2025-06-30 and is Phường Bắc Cam Ranh from 2025-07-01), so nothing is keyed
by the code alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sources.normalize.text import nfc

SEEDS_DIR_ENV = "DOTHI_SEEDS_DIR"
SEEDS_EXTRA_ENV = "DOTHI_SEEDS_EXTRA"
_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


class SeedOverlayError(ValueError):
    """An overlay file that cannot be added to the seeds (unknown seed, unknown column)."""


def base_seeds_dir() -> Path:
    """The seeds folder that is edited (``dothi aliases --add``): ``DOTHI_SEEDS_DIR`` when set (a home working
    on its own copy of the seeds), else the project's ``dbt_project/seeds``."""
    if override := os.environ.get(SEEDS_DIR_ENV):
        return Path(override).resolve()
    return _PROJECT_DIR / "seeds"


def seeds_dir() -> Path:
    """The seeds folder intake and dbt read (dbt_project.yml ``seed-paths``): ``base_seeds_dir()``, or, with
    ``DOTHI_SEEDS_EXTRA``, those seeds with the overlay's rows appended (``merged_seeds``)."""
    base = base_seeds_dir()
    if overlay := os.environ.get(SEEDS_EXTRA_ENV, "").strip():
        return merged_seeds(base, Path(overlay).resolve())
    return base


def _overlay_files(base: Path, overlay: Path) -> list[Path]:
    if not overlay.is_dir():
        raise SeedOverlayError(f"{SEEDS_EXTRA_ENV}={overlay}: not a folder (it holds CSVs named like the seeds in "
                               f"{base}, e.g. localities.csv, locality_aliases.csv)")
    files = sorted(overlay.glob("*.csv"))
    unknown = [f.name for f in files if not (base / f.name).is_file()]
    if unknown:
        raise SeedOverlayError(f"{SEEDS_EXTRA_ENV}: {', '.join(unknown)} in {overlay} name no seed of {base}: "
                               "an overlay file adds rows to the seed of the same name")
    return files


def merged_seed_text(seed: Path, extra: Path) -> str:
    """The seed's text, unchanged, then the overlay's rows in the seed's column order (missing columns blank)."""
    text = seed.read_text(encoding="utf-8-sig")
    header = next(csv.reader([text.split("\n", 1)[0]]))
    with extra.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        unknown = [c for c in reader.fieldnames or [] if c not in header]
        if unknown:
            raise SeedOverlayError(f"{extra}: column(s) {', '.join(unknown)} are not columns of {seed} "
                                   f"({', '.join(header)})")
        rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", restval="")
    for number, row in enumerate(rows, start=2):
        if None in row:  # more cells than the header names
            raise SeedOverlayError(f"{extra}, row {number}: {len(row[None])} cell(s) beyond its header")
        writer.writerow(row)
    return (text.rstrip("\n") + "\n" if text.strip() else text) + out.getvalue()


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


_MERGED: dict[tuple, Path] = {}


def merged_seeds(base: Path, overlay: Path) -> Path:
    """``dbt_project/.seeds/overlay-<hash>``: every seed of ``base``, with each overlay CSV's rows appended to the
    seed of the same name (a user's commune-level units and aliases, a benchmark's synthetic scale).

    Keyed by the content of both folders, written once (atomically: parallel runs agree) and read by intake and
    dbt alike, so the overlay is reference data like any other: a change to it rebuilds the warehouse (the dbt
    project's fingerprint covers the seeds dbt reads). The base seeds are never written.
    """
    extras = _overlay_files(base, overlay)
    seeds = sorted(p for p in base.iterdir() if p.is_file())
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in seeds + extras)
    if (known := _MERGED.get(stamp)) is not None and known.is_dir():  # seeds_dir() is called per lookup
        return known
    target = _PROJECT_DIR / ".seeds" / f"overlay-{_digest(seeds + extras)}"
    _MERGED[stamp] = target
    if target.is_dir():
        return target
    staging = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    by_name = {e.name: e for e in extras}
    for seed in seeds:
        if seed.name in by_name:
            (staging / seed.name).write_text(merged_seed_text(seed, by_name[seed.name]), encoding="utf-8")
        else:
            shutil.copy2(seed, staging / seed.name)
    try:
        os.replace(staging, target)
    except OSError:  # another run wrote the same folder first
        shutil.rmtree(staging, ignore_errors=True)
    return target


DBT_SEED_PATH_ENV = "DOTHI_DBT_SEED_PATH"


def dbt_seed_path() -> str:
    """The seed path dbt is given (``seed-paths`` in dbt_project.yml reads DOTHI_DBT_SEED_PATH): ``seeds``, or,
    when DOTHI_SEEDS_DIR is set, ``.seeds/<hash>``, a git-ignored link inside the project to that folder. dbt
    must see a path *inside* its project: it writes each node's compiled code under target/compiled/<path>,
    and an absolute seed path would make it overwrite the CSVs themselves."""
    folder = seeds_dir()
    project = _PROJECT_DIR
    if folder == (project / "seeds").resolve():
        return "seeds"
    if folder.parent == project / ".seeds":  # an overlay's merged seeds: already inside the project
        return str(folder.relative_to(project))
    rel = Path(".seeds") / hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    link = project / rel
    if not (link.is_symlink() and link.resolve() == folder):
        link.parent.mkdir(exist_ok=True)
        tmp = link.with_name(f".{link.name}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(folder, target_is_directory=True)
        os.replace(tmp, link)  # atomic: parallel runs pointing at the same folder agree
    return str(rel)


def _valid(valid_from: date, valid_to: date | None, day: date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


@dataclass(frozen=True)
class Locality:
    """One version of an administrative unit: valid from ``valid_from`` to ``valid_to`` (None: open)."""

    key: str  # locality_key, '<code>@<valid_from>'
    code: str
    level: str  # province | district | commune
    kind: str  # province | city | town | district | island_district | ward | commune | township | special_zone
    kind_vi: str  # tỉnh | thành phố | thị xã | huyện | phường | xã | thị trấn | đặc khu
    name_vi: str
    name_en: str
    short_name_vi: str
    parent_code: str | None
    parent_key: str | None
    valid_from: date
    valid_to: date | None

    def valid_at(self, day: date) -> bool:
        return _valid(self.valid_from, self.valid_to, day)

    @property
    def label(self) -> str:
        """How a reason names it: 'Phường Bắc Cam Ranh (22411)'."""
        return f"{self.name_vi} ({self.code})"

    @property
    def span(self) -> str:
        return f"{self.valid_from}–{self.valid_to or '…'}"


@dataclass(frozen=True)
class CrosswalkPiece:
    """One piece of an old unit going to a new one (crosswalk_units.csv)."""

    old_key: str
    new_key: str
    piece: str  # toàn bộ | một phần | phần còn lại
    old_unit_fate: str  # whole | split
    effective_date: date


@dataclass(frozen=True)
class Reporter:
    code: str
    kind: str  # locality | department
    name_vi: str
    name_en: str
    short_name_vi: str
    locality_code: str  # the area it reports on as a whole: its own locality, or the province
    valid_from: date
    valid_to: date | None

    def valid_at(self, day: date) -> bool:
        return _valid(self.valid_from, self.valid_to, day)


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
    localities: dict[str, Locality]  # by locality_key
    locality_aliases: tuple[tuple[str, str], ...]  # (locality_key, alias)
    crosswalk: tuple[CrosswalkPiece, ...]
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


def _date(text: str) -> date:
    return date.fromisoformat(text.strip())


def _date_or_none(text: str) -> date | None:
    return _date(text) if text.strip() else None


def load_localities(seeds: Path | None = None) -> dict[str, Locality]:
    rows = _rows((seeds or seeds_dir()) / "localities.csv")
    return {
        r["locality_key"]: Locality(
            key=r["locality_key"],
            code=r["locality_code"],
            level=r["level"],
            kind=r["kind"],
            kind_vi=r["kind_vi"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            short_name_vi=r["short_name_vi"],
            parent_code=r["parent_code"] or None,
            parent_key=r["parent_key"] or None,
            valid_from=_date(r["valid_from"]),
            valid_to=_date_or_none(r["valid_to"]),
        )
        for r in rows
    }


def load_crosswalk(seeds: Path | None = None) -> tuple[CrosswalkPiece, ...]:
    path = (seeds or seeds_dir()) / "crosswalk_units.csv"
    if not path.exists():  # a seed set without reorganisations (the benchmarks' synthetic world)
        return ()
    return tuple(
        CrosswalkPiece(
            old_key=r["old_locality_key"],
            new_key=r["new_locality_key"],
            piece=r["piece"],
            old_unit_fate=r["old_unit_fate"],
            effective_date=_date(r["effective_date"]),
        )
        for r in _rows(path)
    )


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
            valid_from=_date_or_none(r["valid_from"]) or date.min,
            valid_to=_date_or_none(r["valid_to"]),
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


def load_reference(seeds: Path | None = None) -> Reference:
    """All reference data, cached per seeds folder (the seeds do not change during a run); the folder is
    resolved at each call, so a changed ``DOTHI_SEEDS_DIR`` is honoured."""
    return _load_reference(seeds or seeds_dir())


@lru_cache(maxsize=8)
def _load_reference(folder: Path) -> Reference:
    return Reference(
        localities=load_localities(folder),
        locality_aliases=_aliases(folder / "locality_aliases.csv", "locality_key"),
        crosswalk=load_crosswalk(folder),
        reporters=load_reporters(folder),
        reporter_aliases=_aliases(folder / "reporter_aliases.csv", "reporter_code"),
        indicators=load_indicators(folder),
        indicator_aliases=_aliases(folder / "indicator_aliases.csv", "indicator_code"),
    )


def clear_reference_cache() -> None:
    """Forget the seeds read so far (after an edit of a seed in this process)."""
    _load_reference.cache_clear()
