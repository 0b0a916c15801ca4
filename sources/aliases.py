"""Unresolved names (what intake could not read) and adding an alias to the seeds.

``unresolved_names`` gathers the locality, reporter, indicator and unit-of-measure texts refused in
raw.rejected_rows (not yet recovered) and the reporters of quarantined files, checks each again against the
seeds as they are now (a name an alias already fixes is "fixed, awaiting `dothi reprocess`", not listed as
unresolved), and names the closest known name with the same fold-aware search intake uses
(sources/normalize/names.py). ``add_alias`` appends one alias to the seed of its kind, refusing a code that
does not exist and an alias that already names something.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from sources.normalize.names import Resolvers, resolvers
from sources.normalize.periods import period_end
from sources.normalize.text import fold, nfc
from sources.normalize.units import unit_matches
from sources.recovered_rows import recovered_files, recovered_keys
from sources.reference import Reference, base_seeds_dir, clear_reference_cache, load_reference, seeds_dir

KINDS = ("locality", "reporter", "indicator", "unit")
# The seed an alias of each kind goes to, and its code column. Units of measure are a column of
# indicators.csv (unit_aliases), edited by hand: listed, not added here.
SEEDS = {
    "locality": ("locality_aliases.csv", "locality_key"),
    "reporter": ("reporter_aliases.csv", "reporter_code"),
    "indicator": ("indicator_aliases.csv", "indicator_code"),
}
# Row data keys of the indicator column (the header as written is folded by intake's header matcher; the
# JSON keeps the labels as read).
_INDICATOR_LABELS = ("indicator", "indicator_name", "chỉ tiêu", "chi tieu", "mã chỉ tiêu", "ma chi tieu")


class AliasError(ValueError):
    """A clear refusal: unknown code, alias already present, kind not given."""


@dataclass
class Unresolved:
    kind: str  # locality | reporter | indicator | unit
    raw: str
    rows: int = 0  # rejected rows (a quarantined file counts as one)
    files: list[str] = field(default_factory=list)
    quarantined_files: int = 0
    closest: str | None = None  # the closest known name, as a person types it
    closest_code: str | None = None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class NameReport:
    unresolved: list[Unresolved]
    fixed_awaiting_reprocess: int  # rejected rows whose names resolve now: `dothi reprocess` brings them in
    quarantined_fixed_awaiting_reprocess: int = 0  # quarantined files whose reporter resolves now

    def to_dict(self) -> dict[str, object]:
        return {"unresolved": [u.to_dict() for u in self.unresolved],
                "fixed_awaiting_reprocess": self.fixed_awaiting_reprocess,
                "quarantined_fixed_awaiting_reprocess": self.quarantined_fixed_awaiting_reprocess}


def _day(period: str | None) -> date | None:
    try:
        return period_end(period) if period else None
    except (ValueError, KeyError):
        return None


def _indicator_of(row_data: str | None, res: Resolvers) -> str | None:
    try:
        data = json.loads(row_data or "{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for label, text in data.items():
        if fold(str(label)) in {fold(x) for x in _INDICATOR_LABELS} or "indicator" in fold(str(label)):
            found = res.indicator(text)
            if found.ok:
                return found.code
    return None


def _status(kind: str, raw: str, period: str | None, row_data: str | None, res: Resolvers) -> str:
    """'unresolved' (no known name: an alias is the fix), 'fixed' (resolves now) or 'other' (a known name
    refused for another reason, e.g. a unit outside its validity: an alias would not help)."""
    if kind == "locality":
        if res.locality(raw, period).ok:
            return "fixed"
        return "other" if res.localities.candidates(raw) else "unresolved"
    if kind == "reporter":
        found = res.reporter(raw)
        return "fixed" if found.ok else "other" if found.candidates else "unresolved"
    if kind == "indicator":
        return "fixed" if res.indicator(raw).ok else "unresolved"
    code = _indicator_of(row_data, res)
    if code is None:
        return "other"
    return "fixed" if unit_matches(raw, res.reference.indicators[code]) else "unresolved"


def _closest(item: Unresolved, suggestion: str | None, period: str | None, res: Resolvers) -> None:
    if item.kind == "locality":
        near = res.localities.closest(item.raw, _day(period), limit=1)
        if near:
            item.closest, item.closest_code = near[0].name_vi, near[0].key
    elif item.kind in ("reporter", "indicator"):
        index = res.reporters if item.kind == "reporter" else res.indicators
        codes = index.closest(item.raw, limit=1)
        if codes:
            item.closest, item.closest_code = index.names[codes[0]], codes[0]
    elif suggestion:  # a unit: the indicator's own unit, as intake suggested
        item.closest = suggestion


def unresolved_names(conn: duckdb.DuckDBPyConnection, reference: Reference | None = None) -> NameReport:
    """Every name intake could not resolve and the seeds still do not, most frequent first."""
    res = resolvers(reference or load_reference())
    found: dict[tuple[str, str], Unresolved] = {}
    hints: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    fixed = 0
    with recovered_keys(conn):
        rows = conn.execute(
            """
            select r.field, r.value_raw, r.period, any_value(r.row_data), any_value(r.suggestion),
                   r.file_name, count(distinct r.row_number)
            from raw.rejected_rows r
            where r.field in ('locality', 'reporter', 'indicator', 'unit') and r.value_raw is not null
              and not exists (select 1 from _recovered_keys v
                              where v.file_sha256 = r.file_sha256 and v.row_number = r.row_number)
            group by all
            """
        ).fetchall()
    for kind, raw, period, row_data, suggestion, file_name, count in rows:
        raw = nfc(raw)
        status = _status(kind, raw, period, row_data, res)
        fixed += count if status == "fixed" else 0
        if status != "unresolved":
            continue
        item = found.setdefault((kind, raw), Unresolved(kind, raw))
        item.rows += count
        files[(kind, raw)].add(file_name)
        hints.setdefault((kind, raw), (suggestion, period))
    with recovered_files(conn):  # a quarantined file recovered since is accepted now: not listed
        quarantined = conn.execute(
            """
            select s.reporter_raw, s.file_name from raw.submissions s
            where s.status = 'quarantined' and s.reporter_raw is not null
              and not exists (select 1 from _recovered_files v where v.file_sha256 = s.file_sha256)
            """
        ).fetchall()
    files_fixed = 0
    for raw, file_name in quarantined:
        raw = nfc(raw)
        status = _status("reporter", raw, None, None, res)
        files_fixed += status == "fixed"
        if status != "unresolved":
            continue
        item = found.setdefault(("reporter", raw), Unresolved("reporter", raw))
        item.rows += 1
        item.quarantined_files += 1
        files[("reporter", raw)].add(file_name)
        hints.setdefault(("reporter", raw), (None, None))
    for key, item in found.items():
        item.files = sorted(files[key])
        _closest(item, *hints[key], res)
    ordered = sorted(found.values(), key=lambda u: (-u.rows, u.kind, u.raw))
    return NameReport(ordered, fixed, files_fixed)


@dataclass(frozen=True)
class AddedAlias:
    kind: str
    alias: str
    code: str  # the code (a locality: its locality_key) the alias now names
    name: str  # that code's official name
    seed: str  # the seed file, relative to the repository (absolute when DOTHI_SEEDS_DIR is elsewhere)
    source: str  # what was written in the seed's source column


def _locality_key(code: str, reference: Reference) -> str:
    if code in reference.localities:
        return code
    versions = sorted((u for u in reference.localities.values() if u.code == code), key=lambda u: u.valid_from)
    if not versions:
        raise AliasError(f"unknown locality '{code}': give a locality_code or locality_key of localities.csv")
    if len(versions) > 1:
        listed = ", ".join(f"{u.key} ({u.name_vi}, {u.valid_from}–{u.valid_to or '…'})" for u in versions)
        raise AliasError(
            f"locality code {code} has {len(versions)} versions: {listed}; give one as --as <locality_key>"
        )
    return versions[0].key


def _target(kind: str, code: str, reference: Reference) -> tuple[str, str]:
    """(code as written in the seed, its official name), or AliasError when it does not exist."""
    if kind == "locality":
        key = _locality_key(code, reference)
        return key, reference.localities[key].name_vi
    if kind == "reporter":
        if code not in reference.reporters:
            raise AliasError(f"unknown reporter '{code}': give a reporter_code of reporters.csv")
        return code, reference.reporters[code].name_vi
    if code not in reference.indicators:
        raise AliasError(f"unknown indicator '{code}': give an indicator_code of indicators.csv")
    return code, reference.indicators[code].name_vi


def _clash(kind: str, alias: str, code: str, res: Resolvers) -> str | None:
    """Why the alias cannot be added (it already names this or another code), else None."""
    if kind == "locality":
        named = sorted({u.key for u in res.localities.candidates(alias)})
    else:
        index = res.reporters if kind == "reporter" else res.indicators
        hit = index.lookup(alias)
        named = [hit] if hit else []
    if not named:
        return None
    if code in named:
        return f"'{alias}' is already a name of {code}: nothing to add (run `dothi reprocess` to recover its rows)"
    return f"'{alias}' already names {', '.join(named)}: adding it for {code} would make it ambiguous"


def infer_kind(alias: str, code: str, names: NameReport | None, reference: Reference) -> str:
    """The kind of an alias given without --kind: the kind it is unresolved as, else the one table holding CODE."""
    if names is not None:
        kinds = {u.kind for u in names.unresolved if fold(u.raw) == fold(alias) and u.kind in SEEDS}
        if len(kinds) == 1:
            return kinds.pop()
    holders = [k for k, table in (("locality", None), ("reporter", reference.reporters),
                                  ("indicator", reference.indicators))
               if (code in table if table is not None else
                   code in reference.localities or any(u.code == code for u in reference.localities.values()))]
    if len(holders) == 1:
        return holders[0]
    res = resolvers(reference)  # several hold CODE: the one the alias already names (to say so), if one
    naming = [k for k in holders if _clash(k, alias, "", res) is not None]
    if len(naming) == 1:
        return naming[0]
    raise AliasError(f"say which kind of name '{alias}' is: --kind locality|reporter|indicator")


def add_alias(
    alias: str, code: str, kind: str, note: str | None, *, today: date, seeds: Path | None = None
) -> AddedAlias:
    """Append ``alias`` → ``code`` to the kind's seed, with ``note`` in its source column."""
    if kind not in SEEDS:
        raise AliasError(f"aliases of kind '{kind}' are not added here: use --kind locality|reporter|indicator"
                         + (" (units of measure: the unit_aliases column of indicators.csv)" if kind == "unit" else ""))
    alias = nfc(alias).strip()
    if not alias:
        raise AliasError("the alias is blank")
    folder = seeds or base_seeds_dir()  # written: never an overlay's merged copy (DOTHI_SEEDS_EXTRA)
    reference = load_reference(seeds or seeds_dir())  # checked against everything intake reads
    target, name = _target(kind, code.strip(), reference)
    if why := _clash(kind, alias, target, resolvers(reference)):
        raise AliasError(why)
    seed_name, _ = SEEDS[kind]
    path = folder / seed_name
    source = f"dothi aliases --add {today.isoformat()}" + (f": {note.strip()}" if note and note.strip() else "")
    text = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        csv.writer(handle, lineterminator="\n").writerow([target, alias, source])
    clear_reference_cache()  # this process reads the seeds as they are now
    repo = Path(__file__).resolve().parents[1]
    shown = path.resolve().relative_to(repo) if path.resolve().is_relative_to(repo) else path.resolve()
    return AddedAlias(kind, alias, target, name, str(shown), source)
