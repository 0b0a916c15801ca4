"""Which rows a reporter's submission for a period must carry: the template's plan.

Everything comes from the seeds (``dbt_project/seeds``), read through ``sources.reference`` plus the
few columns it does not expose (remits, validity dates, successors); nothing is repeated here.
A locality reports its own area for every indicator localities self-report; a department reports the
indicators it is responsible for at the period's end (remits move to successors, e.g. Transport into
Construction in 2025) for every district valid at that date, plus a province total for summed counts.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sources.normalize.names import resolvers
from sources.normalize.periods import parse_period, period_end, period_type
from sources.reference import Indicator, Locality, Reporter, load_reference, seeds_dir

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class TemplateError(ValueError):
    """The reporter or period cannot have a template; the message says why and what to write."""


@dataclass(frozen=True)
class PlannedRow:
    locality: Locality
    indicator: Indicator


@dataclass(frozen=True)
class TemplatePlan:
    reporter: Reporter
    period: str
    rows: tuple[PlannedRow, ...]

    @property
    def period_label_vi(self) -> str:
        return period_label_vi(self.period)


def period_label_vi(period: str) -> str:
    """How a Vietnamese report writes the period (the intake reads all of these back)."""
    year = period[:4]
    kind = period_type(period)
    if kind == "half_year":
        return f"6 tháng {'đầu' if period.endswith('1') else 'cuối'} năm {year}"
    if kind == "quarter":
        return f"Quý {_ROMAN[int(period[-1])]}/{year}"
    return f"Năm {year}"


@lru_cache(maxsize=4)
def _seed(name: str) -> tuple[dict[str, str], ...]:
    with (seeds_dir() / name).open(encoding="utf-8-sig", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text.strip() else None


def _valid_at(row: dict[str, str], day: dt.date) -> bool:
    start, end = _date(row.get("valid_from", "")), _date(row.get("valid_to", ""))
    return (start is None or start <= day) and (end is None or end >= day)


def responsible_at(indicator_code: str, day: dt.date) -> str | None:
    """The department in charge of an indicator at ``day``: the seed's, followed through successors."""
    reporters = {r["reporter_code"]: r for r in _seed("reporters.csv")}
    indicator = next((r for r in _seed("indicators.csv") if r["indicator_code"] == indicator_code), None)
    code = indicator["responsible_reporter_code"] if indicator else None
    seen: set[str] = set()
    while code and code in reporters and not _valid_at(reporters[code], day) and code not in seen:
        seen.add(code)
        code = reporters[code]["successor_code"] or None
    return code


def resolve_period(raw: str) -> str:
    # Templates are made ahead of time, so a period that has not started yet is fine here.
    found = parse_period(raw, today=dt.date(9999, 1, 1))
    if not found.ok or found.period is None:
        raise TemplateError(f"period: {found.reason}" + (f" ({found.suggestion})" if found.suggestion else ""))
    return found.period


def resolve_reporter(raw: str) -> Reporter:
    reference = load_reference()
    found = resolvers(reference).reporter(raw)
    if not found.ok or found.code not in reference.reporters:
        hint = f" ({found.suggestion})" if found.suggestion else ""
        raise TemplateError(f"reporter: {found.reason or raw}{hint}")
    return reference.reporters[found.code]


def plan_template(reporter_raw: str, period_raw: str) -> TemplatePlan:
    reference = load_reference()
    reporter = resolve_reporter(reporter_raw)
    period = resolve_period(period_raw)
    day = period_end(period)
    reporter_row = next(r for r in _seed("reporters.csv") if r["reporter_code"] == reporter.code)
    if not _valid_at(reporter_row, day):
        successor = reporter_row.get("successor_code") or ""
        raise TemplateError(
            f"{reporter.name_vi} ({reporter.code}) does not report for {period} (valid "
            f"{reporter_row['valid_from']}–{reporter_row['valid_to'] or '…'})"
            + (f"; its successor is {successor}" if successor else "")
        )
    indicator_rows = sorted(_seed("indicators.csv"), key=lambda r: int(r["sort_order"] or 0))
    localities = [
        reference.localities[r["locality_key"]]
        for r in _seed("localities.csv")
        if r["level"] == "district" and _valid_at(r, day)
    ]
    rows: list[PlannedRow] = []
    if reporter.kind == "locality":
        found = resolvers(reference).own_locality(reporter, period)
        if not found.ok or found.key is None:
            raise TemplateError(found.reason or f"{reporter.name_vi} ({reporter.code}) has no unit in {period}")
        own = reference.localities[found.key]
        rows = [
            PlannedRow(own, reference.indicators[r["indicator_code"]])
            for r in indicator_rows
            if r["locality_reports"].strip().lower() == "true"
        ]
    else:
        province = next(
            loc
            for loc in reference.localities.values()
            if loc.level == "province" and loc.code == reporter.locality_code and loc.valid_at(day)
        )
        for r in indicator_rows:
            if responsible_at(r["indicator_code"], day) != reporter.code:
                continue
            indicator = reference.indicators[r["indicator_code"]]
            rows += [PlannedRow(loc, indicator) for loc in localities]
            if r["aggregation"] == "sum":
                rows.append(PlannedRow(province, indicator))
    if not rows:
        raise TemplateError(f"{reporter.name_vi} ({reporter.code}) has no indicator to report for {period}")
    return TemplatePlan(reporter, period, tuple(rows))
