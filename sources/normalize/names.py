"""Resolve localities (by period), reporters and indicators to their codes.

Every official name, short form, code and seed alias is indexed on its folded key. Indicators and
reporters resolve to one code; a name that does not match as written is retried without the
administrative prefixes (``TP.``, ``Huyện``, ``UBND``). Anything still unknown gets a reason naming the
closest known names, found by difflib's ratio on folded text (sources/normalize/similar.py).

Localities are unit versions (``sources/reference.py``): a name or code means **the unit that existed at
the end of the row's period**. The locality index maps a folded name to every version it may name:

- a kind prefix is canonicalised (``P.``/``P`` → phường, ``X.`` → xã, ``TT`` → thị trấn, ``ĐK`` → đặc
  khu, ``TP`` → thành phố, ``TX`` → thị xã, ``H.`` → huyện, ``Q.`` → quận; ``UBND`` / ``Ủy ban nhân
  dân`` dropped), and a kind-qualified name matches units of that kind only ('Xã Cam Lâm' is not
  Huyện Cam Lâm); a bare name matches every unit of that name ('Cam Lâm': both);
- of those, the versions valid at the period's end are kept. One → resolved. Several → the higher level
  wins (province > district > commune: a bare 'Diên Khánh' in 2024 is the district, not the thị
  trấn); several at one level → refused as ambiguous, naming them. None → refused naming the units to
  report instead (its successors after its end, its predecessors before its start; see
  ``unit_versions.py``);
- the reading is recorded on the figure when the name or code had several versions or the level
  preference decided.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sources.normalize.periods import period_end
from sources.normalize.similar import CloseNames
from sources.normalize.text import fold
from sources.normalize.unit_versions import UnitGraph, level_rank
from sources.reference import Locality, Reference, Reporter

# Folded prefixes, longest first so 'huyen dao' wins over 'huyen'.
_PEOPLES_COMMITTEE = re.compile(r"^(?:ubnd|uy ban nhan dan)\s+")
_ADMIN_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|thi xa|tx|huyen dao|huyen|h|quan|q|thi tran|tt)\s+")
_PARENS = re.compile(r"\([^)]*\)")
# Folded kind prefix → the folded kind_vi it stands for ('huyện đảo' is a huyện).
_KINDS = {
    "tinh": "tinh",
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "huyen dao": "huyen",
    "huyen": "huyen",
    "h": "huyen",
    "quan": "quan",
    "q": "quan",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "phuong": "phuong",
    "p": "phuong",
    "xa": "xa",
    "x": "xa",
    "dac khu": "dac khu",
    "dk": "dac khu",
}
_KIND_PREFIX = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, _KINDS), key=len, reverse=True)) + r")\s+(\S.*)$"
)
_CACHE_SIZE = 1 << 15


@dataclass(frozen=True)
class Resolution:
    code: str | None
    reason: str | None = None
    suggestion: str | None = None
    key: str | None = None  # a locality: the unit version meant (locality_key)
    reading: str | None = None  # how the text was read when it had several versions, else None
    candidates: tuple[str, ...] = ()  # codes when the text named several and none could be chosen

    @property
    def ok(self) -> bool:
        return self.code is not None


class _Index:
    """Folded alias → code, with a display label per code for suggestions."""

    def __init__(self, what: str, names: dict[str, str]) -> None:
        self.what = what
        self.names = names  # code → official name (the suggestion a person can type)
        self.labels = {code: f"{name} ({code})" for code, name in names.items()}
        self.keys: dict[str, str] = {}
        # Text → Resolution: a file repeats its names on every row, an unknown name recurs in every file
        # of its sender, and the close-name search for it scores every key (~15 k at national scale).
        self._resolved: dict[str, Resolution] = {}
        self._near: CloseNames | None = None  # built at the first unknown name

    def add(self, code: str, *names: str) -> None:
        self._resolved.clear()
        self._near = None
        for name in names:
            for key in {fold(name), fold(_PARENS.sub(" ", name))}:
                if key:
                    self.keys.setdefault(key, code)

    def lookup(self, raw: str) -> str | None:
        key = fold(raw)
        candidates = [key, fold(_PARENS.sub(" ", raw))]
        stripped = _PEOPLES_COMMITTEE.sub("", key)
        candidates += [stripped, _ADMIN_PREFIX.sub("", stripped)]
        for candidate in candidates:
            if candidate in self.keys:
                return self.keys[candidate]
        return None

    def closest(self, raw: str, limit: int = 3) -> list[str]:
        """Codes of the closest known names, best first."""
        folded = fold(raw)
        # Searched as written and without prefixes; once when both are the same text.
        targets = list(dict.fromkeys([_ADMIN_PREFIX.sub("", _PEOPLES_COMMITTEE.sub("", folded)), folded]))
        if self._near is None:
            self._near = CloseNames(self.keys)
        codes: list[str] = []
        for match in self._near.ranked(targets):
            code = self.keys[match]
            if code not in codes:
                codes.append(code)
        return codes[:limit]

    def resolve(self, raw: object) -> Resolution:
        text = "" if raw is None else str(raw).strip()
        found = self._resolved.get(text)
        if found is None:
            if len(self._resolved) >= _CACHE_SIZE:
                self._resolved.clear()
            found = self._resolved[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> Resolution:
        if not text:
            return Resolution(None, f"{self.what} is blank")
        code = self.lookup(text)
        if code is not None:
            return Resolution(code)
        near = self.closest(text)
        if near:
            listed = ", ".join(self.labels[c] for c in near)
            return Resolution(None, f"unknown {self.what} '{text}'; closest: {listed}", self.names[near[0]])
        return Resolution(None, f"unknown {self.what} '{text}'; no similar known name")


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


@lru_cache(maxsize=1 << 16)
def accent_words(text: str) -> tuple[str, ...]:
    """Words with their marks, the tone moved to the end of each word: 'Hoà' and 'Hòa' meet, 'Thành
    Hải' and 'Thanh Hải' (two communes that fold to one key) do not."""
    words: list[str] = []
    for word in re.split(r"\W+", unicodedata.normalize("NFC", text).lower()):
        if word:
            marks = unicodedata.normalize("NFD", word)
            base = unicodedata.normalize("NFC", "".join(ch for ch in marks if ch not in _TONES))
            words.append(base + "".join(ch for ch in marks if ch in _TONES))
    return tuple(words)


def split_kind(folded: str) -> tuple[str | None, str]:
    """('phuong', 'bac cam ranh') for 'p bac cam ranh'; (None, text) when it has no kind prefix."""
    match = _KIND_PREFIX.match(folded)
    if match is None:
        return None, folded
    return _KINDS[match.group(1)], match.group(2)


def _without_committee(folded: str) -> str:
    return _PEOPLES_COMMITTEE.sub("", folded)


def _kind_key(unit: Locality) -> str:
    return fold(unit.kind_vi)


class _LocalityIndex:
    """Folded name → every unit version it may name; resolution picks the one valid at a date."""

    what = "locality"

    def __init__(self, reference: Reference) -> None:
        self.units = reference.localities
        self.graph = UnitGraph.build(reference)
        self.bare: dict[str, list[str]] = defaultdict(list)  # folded name as written → keys
        self.qualified: dict[tuple[str, str], list[str]] = defaultdict(list)  # (kind, name) → keys
        self.accented: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # key → its names, marks kept
        for unit in reference.localities.values():
            self._add(unit.key, unit.code, qualified=False)
            self._add(unit.key, unit.short_name_vi, qualified=False)
            self._add(unit.key, unit.name_en, qualified=False)
            self._add(unit.key, unit.name_vi)
        for key, alias in reference.locality_aliases:
            if key in reference.localities:
                self._add(key, alias)
        # Suggestion search: every indexed text, with the units it names.
        self.texts: dict[str, list[str]] = defaultdict(list)
        for text, keys in self.bare.items():
            self.texts[text] += keys
        for (kind, name), keys in self.qualified.items():
            self.texts[f"{kind} {name}"] += keys
        # (text, period) → Resolution: a file repeats its names on every row.
        self._resolved: dict[tuple[str, str | None], Resolution] = {}
        # folded text → indexed texts nearest first: the fuzzy search does not depend on the period, and
        # over a nation's communes it costs ~0.4 s, so an unknown name is searched once, not per period.
        self._nearest: dict[str, list[str]] = {}
        self._near: CloseNames | None = None  # built at the first unknown name

    def _add(self, key: str, name: str, *, qualified: bool = True) -> None:
        if words := accent_words(name):
            self.accented[key].add(words)
        for folded in {fold(name), fold(_PARENS.sub(" ", name))}:
            if not folded:
                continue
            if key not in self.bare[folded]:
                self.bare[folded].append(key)
            kind, rest = split_kind(_without_committee(folded))
            if qualified and kind is not None and key not in self.qualified[(kind, rest)]:
                self.qualified[(kind, rest)].append(key)

    def candidates(self, raw: str) -> list[Locality]:
        """Every unit version the text may name (any date), in a stable order."""
        for folded in dict.fromkeys([fold(raw), fold(_PARENS.sub(" ", raw))]):
            folded = _without_committee(folded)
            if not folded:
                continue
            kind, rest = split_kind(folded)
            keys: list[str] = []
            if kind is not None:
                keys = self.qualified.get((kind, rest), []) + [
                    k for k in self.bare.get(rest, ()) if _kind_key(self.units[k]) == kind
                ]
            if not keys:  # not a kind prefix after all ('Phương Sài'), or a name written as it is indexed
                keys = self.bare.get(folded, [])
            if keys:
                return sorted({self.units[k] for k in keys}, key=lambda u: (level_rank(u), u.code, u.valid_from))
        return []

    def _nearest_texts(self, folded: str) -> list[str]:
        scored = self._nearest.get(folded)
        if scored is None:
            kind, rest = split_kind(folded)
            targets = list(dict.fromkeys([folded, rest]))
            if self._near is None:
                self._near = CloseNames(self.texts)
            scored = self._near.ranked(targets)
            if len(self._nearest) >= _CACHE_SIZE:
                self._nearest.clear()
            self._nearest[folded] = scored
        return scored

    def closest(self, raw: str, day: date | None, limit: int = 3) -> list[Locality]:
        found: dict[str, Locality] = {}
        for match in self._nearest_texts(_without_committee(fold(raw))):
            units = [self.units[k] for k in self.texts[match]]
            valid = [u for u in units if day is None or u.valid_at(day)]
            for unit in valid or ([] if day is not None else units):
                found.setdefault(unit.label, unit)
        return list(found.values())[:limit]

    def resolve(self, raw: object, period: str | None = None) -> Resolution:
        text = "" if raw is None else str(raw).strip()
        cache_key = (text, period)
        found = self._resolved.get(cache_key)
        if found is None:
            if len(self._resolved) >= _CACHE_SIZE:
                self._resolved.clear()
            found = self._resolved[cache_key] = self._resolve(text, period)
        return found

    def _unknown(self, text: str, day: date | None) -> Resolution:
        near = self.closest(text, day)
        if near:
            listed = ", ".join(u.label for u in near)
            return Resolution(None, f"unknown locality '{text}'; closest: {listed}", near[0].name_vi)
        return Resolution(None, f"unknown locality '{text}'; no similar known name")

    def _resolve(self, text: str, period: str | None) -> Resolution:
        if not text:
            return Resolution(None, "locality is blank")
        candidates = self.candidates(text)
        if not candidates:
            return self._unknown(text, period_end(period) if period else None)
        if period is None:  # no period to read it by: the name's highest level, if that is one code
            top = [u for u in candidates if level_rank(u) == level_rank(candidates[0])]
            codes = sorted({u.code for u in top})
            if len(codes) == 1:
                return Resolution(codes[0], key=top[-1].key if len(top) == 1 else None)
            return self._ambiguous(text, top, None)
        day = period_end(period)
        valid = [u for u in candidates if u.valid_at(day)]
        if not valid:
            return self._out_of_period(text, candidates, period, day)
        top = [u for u in valid if level_rank(u) == level_rank(valid[0])]
        why = "the higher level"
        if len(top) > 1:  # names that differ only in their marks ('Thành Hải', 'Thanh Hải'): as written
            written = accent_words(text)
            exact = [u for u in top if any(written[-len(w):] == w for w in self.accented[u.key])]
            if len(exact) != 1:
                return self._ambiguous(text, top, period)
            top, why = exact, "as accented"
        unit = top[0]
        reading = None
        if len(candidates) > 1:
            reading = f"'{text}' at {day} → {unit.key} {unit.name_vi}"
            others = [u for u in valid if u is not unit]
            if others:
                reading += f" ({why}; not " + ", ".join(f"{u.key} {u.name_vi}" for u in others) + ")"
        return Resolution(unit.code, key=unit.key, reading=reading)

    def _ambiguous(self, text: str, units: list[Locality], period: str | None) -> Resolution:
        listed = ", ".join(_described(u, self.units) for u in units)
        when = f" in {period}" if period else ""
        return Resolution(
            None,
            f"ambiguous locality '{text}'{when}: it names {listed}; write the kind with the name "
            f"(e.g. '{units[0].name_vi}') or the code",
            None,
            candidates=tuple(u.code for u in units),
        )

    def _out_of_period(self, text: str, candidates: list[Locality], period: str, day: date) -> Resolution:
        reasons: list[str] = []
        suggestions: list[str | None] = []
        explained: set[tuple[str, bool]] = set()
        for unit in sorted(candidates, key=lambda u: (level_rank(u), u.code, -u.valid_from.toordinal())):
            side = (unit.code, unit.valid_from > day)
            if side in explained:  # the latest earlier version of a code speaks for the older ones
                continue
            explained.add(side)
            reason, suggestion = self.graph.out_of_period(unit, text, period, day)
            reasons.append(reason)
            suggestions.append(suggestion)
        return Resolution(None, "; ".join(reasons), suggestions[0] if len(suggestions) == 1 else None)

    def own(self, reporter: Reporter, units: tuple[Locality, ...], period: str) -> Resolution:
        """A locality reporter's own unit for a row of ``period`` (its file may leave the locality blank)."""
        day = period_end(period)
        valid = [u for u in units if u.valid_at(day)]
        if valid:
            return Resolution(valid[0].code, key=valid[0].key)
        if not units:
            return self.resolve(reporter.locality_code, period)
        unit = min(units, key=lambda u: abs((u.valid_from - day).days))
        reason, suggestion = self.graph.out_of_period(unit, unit.name_vi, period, day)
        return Resolution(None, f"{reporter.name_vi} reports on its own area: {reason}", suggestion)


def _described(unit: Locality, units: dict[str, Locality]) -> str:
    parent = units.get(unit.parent_key or "")
    where = f", {parent.name_vi}" if parent is not None and parent.level != "province" else ""
    return f"{unit.name_vi} ({unit.kind_vi}, {unit.code}{where})"


def _overlaps(unit: Locality, reporter: Reporter) -> bool:
    return unit.valid_from <= (reporter.valid_to or date.max) and reporter.valid_from <= (unit.valid_to or date.max)


# Words the resolutions and offices put in or leave out of an indicator's name without changing what it
# counts ("đô thị", "và", "của", "trên", "toàn", "trong"; commas fold to spaces already).
_INDICATOR_FILLER = re.compile(r"\b(?:do thi|va|cua|tren|toan|trong)\b")


def _reduce(key: str) -> str:
    """A folded indicator name without its filler words."""
    return " ".join(_INDICATOR_FILLER.sub(" ", key).split())


def _within(short: str, long: str) -> bool:
    """Whether the words of ``short`` occur in ``long`` in the same order (a shortening of it)."""
    words = iter(long.split())
    return all(word in words for word in short.split())


class _IndicatorIndex(_Index):
    """Indicator names, also matched on a reduced key (filler words removed).

    A wording listed for two indicators (seed indicator_aliases) is refused as ambiguous, naming both. A
    reduced key is kept only when it points to one indicator and cannot be read as a shortening of another
    indicator's name ("dân số" is both "dân số đô thị" reduced and a shortening of "dân số trung bình"); the
    full wordings it came from still match.
    """

    def __init__(self, what: str, names: dict[str, str]) -> None:
        super().__init__(what, names)
        self.key_codes: dict[str, set[str]] = {}  # folded name → every indicator listing it
        self.ambiguous: dict[str, tuple[str, ...]] = {}  # folded or reduced name → the indicators it could be
        self.reduced: dict[str, str] = {}  # reduced key → its one indicator
        self._built = True

    def add(self, code: str, *names: str) -> None:
        self._resolved.clear()
        for name in names:
            for key in {fold(name), fold(_PARENS.sub(" ", name))}:
                if key:
                    self.key_codes.setdefault(key, set()).add(code)
        self._built = False

    def _build(self) -> None:
        if self._built:
            return
        self.keys = {k: next(iter(c)) for k, c in self.key_codes.items() if len(c) == 1}
        self.ambiguous = {k: tuple(sorted(c)) for k, c in self.key_codes.items() if len(c) > 1}
        reduced: dict[str, set[str]] = {}
        for key, codes in self.key_codes.items():
            reduced.setdefault(_reduce(key), set()).update(codes)
        self.reduced = {}
        for short, codes in reduced.items():
            # Every reduced key is within its own full key, so the full keys are the ones to search.
            others = {c for k, cs in self.key_codes.items() if _within(short, k) for c in cs} - codes
            if len(codes) == 1 and not others:
                self.reduced[short] = next(iter(codes))
            elif short not in self.keys:
                self.ambiguous.setdefault(short, tuple(sorted(codes | others)))
        self._built = True

    def lookup(self, raw: str) -> str | None:
        self._build()
        code = super().lookup(raw)
        if code is not None:
            return code
        for candidate in (fold(raw), fold(_PARENS.sub(" ", raw))):
            if _reduce(candidate) in self.reduced:
                return self.reduced[_reduce(candidate)]
        return None

    def closest(self, raw: str, limit: int = 3) -> list[str]:
        self._build()
        return super().closest(raw, limit)

    def _resolve(self, text: str) -> Resolution:
        self._build()
        if text and self.lookup(text) is None:
            for candidate in (fold(text), fold(_PARENS.sub(" ", text))):
                codes = self.ambiguous.get(candidate) or self.ambiguous.get(_reduce(candidate))
                if codes:
                    listed = " or ".join(self.labels[c] for c in codes)
                    return Resolution(None, f"ambiguous {self.what} '{text}': it could be {listed}; write which one")
        return super()._resolve(text)


@dataclass(frozen=True, eq=False)
class Resolvers:
    reference: Reference
    localities: _LocalityIndex
    reporters: _Index
    indicators: _IndicatorIndex
    own_units: dict[str, tuple[Locality, ...]]  # locality reporter → its unit's versions in its lifetime
    unit_reporters: dict[str, tuple[str, ...]]  # locality_key → locality reporters of that version
    _reporter_cache: dict[tuple[str, tuple[date, ...] | None], Resolution] = field(default_factory=dict)
    _own_cache: dict[tuple[str, str], Resolution] = field(default_factory=dict)

    def locality(self, raw: object, period: str | None = None) -> Resolution:
        """The unit version ``raw`` names for a row of ``period`` (None: no period to read it by)."""
        return self.localities.resolve(raw, period)

    def own_locality(self, reporter: Reporter, period: str) -> Resolution:
        """A locality reporter's own unit for a row of ``period``, or why it has none then."""
        cache_key = (reporter.code, period)
        found = self._own_cache.get(cache_key)
        if found is None:
            if len(self._own_cache) >= _CACHE_SIZE:
                self._own_cache.clear()
            units = self.own_units.get(reporter.code, ())
            found = self._own_cache[cache_key] = self.localities.own(reporter, units, period)
        return found

    def is_own(self, reporter: Reporter, found: Resolution) -> bool:
        """Whether a resolved row locality is the reporter's own unit (a version in its lifetime)."""
        own = self.own_units.get(reporter.code)
        if not own:
            return found.code == reporter.locality_code
        if found.key is None:  # read without a period: the code decides
            return found.code == reporter.locality_code
        return any(found.key == u.key for u in own)

    def indicator(self, raw: object) -> Resolution:
        return self.indicators.resolve(raw)

    def reporter(self, raw: object, period_ends: tuple[date, ...] | None = None) -> Resolution:
        """A reporter alias, or a locality name (with or without ``UBND``) → that unit's People's Committee.

        A name that several committees answer to ('Diên Khánh': the district until 2025-06-30, the new
        xã after) is chosen by ``period_ends`` (the file's periods, when all are known): the one
        reporter valid at all of them. Otherwise it is refused, naming them."""
        text = "" if raw is None else str(raw).strip()
        cache_key = (text, period_ends)
        found = self._reporter_cache.get(cache_key)
        if found is None:
            if len(self._reporter_cache) >= _CACHE_SIZE:
                self._reporter_cache.clear()
            found = self._reporter_cache[cache_key] = self._reporter(text, period_ends)
        return found

    def _reporter(self, text: str, period_ends: tuple[date, ...] | None) -> Resolution:
        found = self.reporters.resolve(text)
        if found.ok:
            return found
        units = self.localities.candidates(text)
        codes = sorted({c for u in units for c in self.unit_reporters.get(u.key, ())})
        if len(codes) == 1:
            return Resolution(codes[0])
        if not codes:
            return found
        reporters = sorted((self.reference.reporters[c] for c in codes), key=lambda r: (r.valid_from, r.code))
        if period_ends:
            valid = [r for r in reporters if all(r.valid_at(day) for day in period_ends)]
            if len(valid) == 1:
                ends = ", ".join(str(d) for d in sorted(set(period_ends)))
                return Resolution(valid[0].code, reading=f"'{text}' for periods ending {ends} → {valid[0].code}")
        listed = ", ".join(
            f"{r.name_vi} ({r.code}, {r.valid_from if r.valid_from != date.min else '…'}–{r.valid_to or '…'})"
            for r in reporters
        )
        when = " for the file's periods" if period_ends else " (the file's periods are not all known)"
        return Resolution(
            None,
            f"'{text}' names several reporters{when}: {listed}; write the reporter's full name "
            f"(e.g. '{reporters[-1].name_vi}')",
            reporters[-1].name_vi,
            candidates=tuple(r.code for r in reporters),
        )


@lru_cache(maxsize=8)
def resolvers(reference: Reference) -> Resolvers:
    """Indices built once per reference."""
    localities = _LocalityIndex(reference)

    reporters = _Index("reporter", {c: r.name_vi for c, r in reference.reporters.items()})
    for code, rep in reference.reporters.items():
        reporters.add(code, code, rep.name_vi, rep.name_en, rep.short_name_vi)
    for code, alias in reference.reporter_aliases:
        reporters.add(code, alias)

    indicators = _IndicatorIndex("indicator", {c: i.name_vi for c, i in reference.indicators.items()})
    for code, ind in reference.indicators.items():
        indicators.add(code, code, ind.name_vi, ind.name_en)
    for code, alias in reference.indicator_aliases:
        indicators.add(code, alias)

    by_code: dict[str, list[Locality]] = defaultdict(list)
    for unit in reference.localities.values():
        by_code[unit.code].append(unit)
    own_units: dict[str, tuple[Locality, ...]] = {}
    unit_reporters: dict[str, list[str]] = defaultdict(list)
    for rep in reference.reporters.values():
        if rep.kind != "locality":
            continue
        own = tuple(sorted((u for u in by_code.get(rep.locality_code, ()) if _overlaps(u, rep)),
                           key=lambda u: u.valid_from))
        own_units[rep.code] = own
        for unit in own:
            unit_reporters[unit.key].append(rep.code)
    return Resolvers(
        reference,
        localities,
        reporters,
        indicators,
        own_units,
        {k: tuple(v) for k, v in unit_reporters.items()},
    )
