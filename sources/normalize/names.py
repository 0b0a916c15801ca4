"""Resolve localities, reporters and indicators to their codes.

Every official name, short form, code and seed alias is indexed on its folded key. People also put
an administrative prefix in front (``TP.``, ``Huyện``, ``UBND``) or leave it out, so a name that does
not match as written is retried without those prefixes. Anything still unknown gets a reason naming
the closest known names, found with difflib on folded text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from sources.normalize.text import fold
from sources.reference import Reference

# Folded prefixes, longest first so 'huyen dao' wins over 'huyen'.
_PEOPLES_COMMITTEE = re.compile(r"^(?:ubnd|uy ban nhan dan)\s+")
_ADMIN_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|thi xa|tx|huyen dao|huyen|h|quan|q|thi tran|tt)\s+")
_PARENS = re.compile(r"\([^)]*\)")
_CACHE_SIZE = 1 << 15


@dataclass(frozen=True)
class Resolution:
    code: str | None
    reason: str | None = None
    suggestion: str | None = None

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
        # of its sender, and the difflib search for it scans every key (~15 k at national scale).
        self._resolved: dict[str, Resolution] = {}

    def add(self, code: str, *names: str) -> None:
        self._resolved.clear()
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
        pool = list(self.keys)
        matches = {m for t in targets for m in difflib.get_close_matches(t, pool, n=20, cutoff=0.5)}
        # Ties broken by the key itself, so the suggestion does not depend on the process's string hashing.
        scored = sorted(
            matches, key=lambda k: (-max(difflib.SequenceMatcher(None, t, k).ratio() for t in targets), k)
        )
        codes: list[str] = []
        for match in scored:
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
    localities: _Index
    reporters: _Index
    indicators: _Index

    def locality(self, raw: object) -> Resolution:
        return self.localities.resolve(raw)

    def indicator(self, raw: object) -> Resolution:
        return self.indicators.resolve(raw)

    def reporter(self, raw: object) -> Resolution:
        """A reporter alias, or a locality name (with or without ``UBND``) → that locality's reporter."""
        found = self.reporters.resolve(raw)
        if found.ok:
            return found
        locality = self.localities.lookup(str(raw or ""))
        own = _locality_reporter(self.reference, locality)
        if own is not None:
            return Resolution(own)
        return found


def _locality_reporter(reference: Reference, locality_code: str | None) -> str | None:
    for reporter in reference.reporters.values():
        if reporter.kind == "locality" and reporter.locality_code == locality_code:
            return reporter.code
    return None


@lru_cache(maxsize=8)
def resolvers(reference: Reference) -> Resolvers:
    """Indices built once per reference."""
    localities = _Index("locality", {c: loc.name_vi for c, loc in reference.localities.items()})
    for code, loc in reference.localities.items():
        localities.add(code, code, loc.name_vi, loc.name_en, loc.short_name_vi)
    for code, alias in reference.locality_aliases:
        localities.add(code, alias)

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
    return Resolvers(reference, localities, reporters, indicators)
