"""Unit check: the unit written on a row must be the indicator's unit or one of its aliases.

Units are compared twice: on a compact key that keeps symbols (so '%' and 'm²/người' survive) and
on the folded key (so 'm2 san / nguoi' meets 'm² sàn/người'). A blank unit is fine: the indicator
defines it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sources.normalize.text import fold, strip_accents
from sources.reference import Indicator

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # a file repeats a handful of units on every row
def _compact(unit: str) -> str:
    text = strip_accents(unit).lower().strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return _SPACES.sub("", text).rstrip(".")


def unit_matches(raw: str, indicator: Indicator) -> bool:
    known = (indicator.unit, *indicator.unit_aliases)
    compact = _compact(raw)
    if compact in {_compact(u) for u in known}:
        return True
    folded = fold(raw)
    return bool(folded) and folded in {fold(u) for u in known}


def check_unit(raw: object, indicator: Indicator) -> str | None:
    """None when acceptable, else the reason naming the expected unit."""
    text = "" if raw is None else str(raw).strip()
    if not text or unit_matches(text, indicator):
        return None
    return f"unit '{text}' does not match {indicator.code}, which is measured in '{indicator.unit}'"
