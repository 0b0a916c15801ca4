"""Reporting periods: ``2024``, ``2024-H1``, ``2024-Q3``, ``2024-03`` from the many ways they are written.

Monthly periods are for commune-level reporting after the 2025 reorganisation (and the benchmark scales).

The programme starts in 2020; a period that has not begun yet (relative to an injectable
``today``) cannot carry actual figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sources.normalize.text import fold

FIRST_YEAR = 2020

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"((?:19|20|21)\d{2})"
# Patterns run on the folded text: '/' and '-' are spaces, accents gone ('Quý III/2024' → 'quy iii 2024').
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^(?:nam |year |fy ?)?{_YEAR}$"), "year"),
    (re.compile(rf"^{_YEAR} ?h([12])$"), "year_half"),
    (re.compile(rf"^(?:h|hy|ban nien )([12]) (?:nam )?{_YEAR}$"), "half_year"),
    (re.compile(rf"^(?:6|sau) thang (dau|cuoi) (?:nam )?{_YEAR}$"), "words_half"),
    (re.compile(rf"^{_YEAR} ?q([1-4])$"), "year_quarter"),
    (re.compile(rf"^(?:q|quy|quarter) ?([1-4]|iv|iii|ii|i) (?:nam )?{_YEAR}$"), "quarter_year"),
    (re.compile(rf"^{_YEAR} (0?[1-9]|1[0-2])$"), "year_month"),
    (re.compile(rf"^(?:thang|month|t) ?(0?[1-9]|1[0-2]) (?:nam )?{_YEAR}$"), "month_year"),
)


@dataclass(frozen=True)
class PeriodResult:
    period: str | None
    reason: str | None = None
    suggestion: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _canonical(text: str) -> str | None:
    key = fold(text)
    for pattern, form in _PATTERNS:
        match = pattern.match(key)
        if not match:
            continue
        a, *rest = match.groups()
        b = rest[0] if rest else ""  # every form but "year" has two groups
        if form == "year":
            return a
        if form == "year_half":
            return f"{a}-H{b}"
        if form == "half_year":
            return f"{b}-H{a}"
        if form == "words_half":
            return f"{b}-H{1 if a == 'dau' else 2}"
        if form == "year_quarter":
            return f"{a}-Q{b}"
        if form == "quarter_year":
            return f"{b}-Q{_ROMAN.get(a, a)}"
        if form == "year_month":
            return f"{a}-{int(b):02d}"
        if form == "month_year":
            return f"{b}-{int(a):02d}"
    return None


def period_type(period: str) -> str:
    """annual | half_year | quarter | month (the reporting calendar's vocabulary)."""
    if "-H" in period:
        return "half_year"
    if "-Q" in period:
        return "quarter"
    if "-" in period:
        return "month"
    return "annual"


def period_start(period: str) -> date:
    year = int(period[:4])
    kind = period_type(period)
    if kind == "half_year":
        return date(year, 1 if period.endswith("1") else 7, 1)
    if kind == "quarter":
        return date(year, 3 * (int(period[-1]) - 1) + 1, 1)
    if kind == "month":
        return date(year, int(period[5:7]), 1)
    return date(year, 1, 1)


def period_end(period: str) -> date:
    year = int(period[:4])
    kind = period_type(period)
    if kind == "half_year":
        return date(year, 6, 30) if period.endswith("1") else date(year, 12, 31)
    if kind == "quarter":
        quarter = int(period[-1])
        month = 3 * quarter
        return date(year, month, 30 if month in (6, 9) else 31)
    if kind == "month":
        month = int(period[5:7])
        return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
    return date(year, 12, 31)


def parse_period(raw: object, today: date | None = None) -> PeriodResult:
    """Canonical period, or a reason a person can act on."""
    today = today or date.today()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return PeriodResult(None, "period is blank", "add a period such as '2024', '2024-H1' or '2024-Q3'")
    if isinstance(raw, datetime | date):
        return PeriodResult(
            None,
            f"period '{raw}' is a date, not a reporting period",
            f"write the year '{raw.year}' or a half/quarter such as '{raw.year}-H1'",
        )
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    canonical = _canonical(text)
    if canonical is None:
        return PeriodResult(
            None,
            f"unrecognised period '{text}'",
            "write '2024', 'Năm 2024', '2024-H1', '6 tháng đầu năm 2024', '2024-Q3' or 'Quý III/2024'",
        )
    if int(canonical[:4]) < FIRST_YEAR:
        return PeriodResult(None, f"period {canonical} is before the programme ({FIRST_YEAR} onwards)")
    if period_start(canonical) > today:
        return PeriodResult(
            None,
            f"period {canonical} has not started yet (it starts {period_start(canonical)}, today is {today})",
        )
    return PeriodResult(canonical)
