"""Numbers as people write them: ``1.234,5`` (Vietnamese), ``1,234.5`` (English), ``85,3 %``.

Missing is never zero: blank, ``-``, ``x``, ``không có``, ``N/A`` give None. Anything else that is
not a plain figure (``≥ 90``, ``khoảng 80``, a date) is rejected with a reason.

A lone separator followed by exactly three digits (``1.234``, ``1,234``) is ambiguous. It is read
by what is plausible for the indicator (its range; a count of persons cannot be 1.234), then by the
dominant style of the unambiguous numbers in the same file, then as Vietnamese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from sources.normalize.text import clip, fold, nfc, short_text_cache
from sources.reference import Indicator

MISSING_TOKENS = frozenset(
    fold(t)
    for t in (
        "x",
        "không có",
        "không",
        "chưa có",
        "không có số liệu",
        "chưa có số liệu",
        "ksl",
        "kcsl",
        "n/a",
        "na",
        "n.a.",
        "null",
        "none",
        "missing",
        "not available",
    )
)

# Units that count whole things: a fractional reading of '1.234' persons is implausible.
_WHOLE_UNIT_WORDS = ("nguoi", "person", "do an", "plan", "don vi", "unit")

_GROUPED = {
    ".": re.compile(r"^\d{1,3}(\.\d{3})+$"),
    ",": re.compile(r"^\d{1,3}(,\d{3})+$"),
}
_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^(\d*)([.,])(\d+)$")
_SPACE_GROUPS = re.compile(r"(?<=\d)[ ](?=\d{3}\b)")
_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_NUMBER_INSIDE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class NumberResult:
    value: float | None
    reading: str | None  # cell | plain | vi | en | ambiguous:vi | ambiguous:en; None when missing
    reason: str | None = None  # set when rejected
    suggestion: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _is_whole_unit(indicator: Indicator | None) -> bool:
    if indicator is None:
        return False
    return fold(indicator.unit) in _WHOLE_UNIT_WORDS


def _plausible(value: float, indicator: Indicator | None) -> bool:
    if indicator is None:
        return True
    if indicator.valid_min is not None and value < indicator.valid_min:
        return False
    if indicator.valid_max is not None and value > indicator.valid_max:
        return False
    return not (_is_whole_unit(indicator) and not float(value).is_integer())


@lru_cache(maxsize=1 << 14)  # read twice per cell (the file's dominant style, then the value)
def _classify(body: str) -> tuple[str, float | None, float | None]:
    """Return (style, value, alternative) for an unsigned numeric body.

    style is 'plain', 'vi', 'en', 'ambiguous.' / 'ambiguous,' (the lone separator), or 'bad'.
    """
    if _PLAIN.match(body):
        return "plain", float(body), None
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, frac = body.rpartition(decimal_sep)
        if not frac.isdigit() or not _GROUPED[group_sep].match(whole):
            return "bad", None, None
        value = float(whole.replace(group_sep, "") + "." + frac)
        return ("vi" if decimal_sep == "," else "en"), value, None
    sep = "." if has_dot else ","
    if _GROUPED[sep].match(body) and body.count(sep) > 1:
        return ("vi" if sep == "." else "en"), float(body.replace(sep, "")), None
    match = _DECIMAL.match(body)
    if not match:
        return "bad", None, None
    whole, _, frac = match.groups()
    decimal_value = float((whole or "0") + "." + frac)
    if len(frac) == 3 and whole and not whole.startswith("0") and len(whole) <= 3:
        return "ambiguous" + sep, decimal_value, float(whole + frac)
    return ("vi" if sep == "," else "en"), decimal_value, None


_MISSING = NumberResult(None, None)  # the most common result (a blank numerator or denominator): one object
Dominant = str | None | Callable[[], str | None]  # a style, or how to find it when it is needed


def number_style(raw: object) -> str | None:
    """'vi' or 'en' when a text number shows its style unambiguously, else None."""
    if not isinstance(raw, str):
        return None
    body = _prepare(raw).lstrip("+-").rstrip("%").strip()
    style = _classify(body)[0]
    return style if style in ("vi", "en") else None


def dominant_style(raws: Iterable[object]) -> str | None:
    """The style most unambiguous numbers of a file use, or None when none or tied."""
    counts = {"vi": 0, "en": 0}
    for raw in raws:
        style = number_style(raw)
        if style:
            counts[style] += 1
    if counts["vi"] == counts["en"]:
        return None
    return "vi" if counts["vi"] > counts["en"] else "en"


@short_text_cache(maxsize=1 << 16)  # read twice per cell: for the file's dominant style, then for the value
def _prepare(raw: str) -> str:
    text = nfc(raw)
    return _SPACE_GROUPS.sub("", text)


def _reject(raw: str, why: str) -> NumberResult:
    raw = clip(raw)
    found = _NUMBER_INSIDE.search(raw)
    suggestion = f"write the figure alone, e.g. '{clip(found.group(0), 60)}'" if found else None
    return NumberResult(None, None, f"not a number: '{raw}' ({why})", suggestion)


def parse_number(
    raw: object,
    indicator: Indicator | None = None,
    *,
    dominant: Dominant = None,
    allow_percent: bool | None = None,
) -> NumberResult:
    """Parse one value cell. ``indicator`` gives the unit and range used to read ambiguous forms.

    ``dominant``: the file's number style (``dominant_style``), or a function that gives it: it is asked for
    only when a number reads two ways and the indicator's range cannot tell them apart (it costs a pass
    over every number of the file, and most files hold no such number).

    ``allow_percent`` defaults to whether the indicator is measured in %; numerators and
    denominators pass False.
    """
    if raw is None:
        return _MISSING
    if isinstance(raw, bool):
        return NumberResult(None, None, f"not a number: '{raw}' (a true/false cell)")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            return _non_finite(str(raw))
        return NumberResult(float(raw), "cell")
    if isinstance(raw, datetime | date | time):
        return NumberResult(None, None, f"not a number: '{raw}' (a date or time cell)")
    text = _prepare(str(raw))
    folded = fold(text)
    if not folded or folded in MISSING_TOKENS:
        return NumberResult(None, None)
    if folded in _NON_FINITE:
        return _non_finite(text)
    percent_ok = allow_percent if allow_percent is not None else bool(indicator and indicator.is_percent)
    body = text
    if body.endswith("%"):
        if not percent_ok:
            unit = f"'{indicator.unit}'" if indicator else "a count"
            return NumberResult(
                None,
                None,
                f"'{text}' carries a % sign but this figure is in {unit}",
                "write the figure without %",
            )
        body = body[:-1].rstrip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-").strip()
    style, value, alternative = _classify(body)
    if style == "bad" or value is None:
        why = "looks like a date" if _DATE_LIKE.match(body) else _why_not_number(text)
        return _reject(text, why)
    if not math.isfinite(value):
        return _non_finite(text)
    if not style.startswith("ambiguous"):
        return NumberResult(sign * value, style)
    return _resolve_ambiguous(style[-1], sign * value, sign * (alternative or 0.0), indicator, dominant)


def _resolve_ambiguous(
    sep: str, decimal_value: float, grouped_value: float, indicator: Indicator | None, dominant: Dominant
) -> NumberResult:
    # With '.' the grouped (thousands) reading is Vietnamese; with ',' it is English.
    grouped_style = "vi" if sep == "." else "en"
    decimal_style = "en" if sep == "." else "vi"
    grouped_ok = _plausible(grouped_value, indicator)
    decimal_ok = _plausible(decimal_value, indicator)
    if grouped_ok and not decimal_ok:
        chosen = grouped_style
    elif decimal_ok and not grouped_ok:
        chosen = decimal_style
    else:
        chosen = (dominant() if callable(dominant) else dominant) or "vi"
    value = grouped_value if chosen == grouped_style else decimal_value
    return NumberResult(value, f"ambiguous:{chosen}")


_NON_FINITE = frozenset(("nan", "inf", "infinity", "inf", "1 inf", "1 #inf", "#num"))


def _non_finite(text: str) -> NumberResult:
    shown = text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"
    return NumberResult(
        None,
        None,
        f"not a finite number: '{shown}' (too large for a figure, or not a number at all)",
        "write the figure itself; leave the cell blank when it is missing",
    )


def _why_not_number(text: str) -> str:
    folded = fold(text)
    if any(sym in text for sym in "<>≤≥~≈"):
        return "a comparison or approximation; write the figure itself"
    if any(word in folded.split() for word in ("khoang", "about", "approx", "tren", "duoi", "gan")):
        return "approximate wording; write the figure itself"
    return "expected a figure such as 1.234,5 or 1,234.5"
