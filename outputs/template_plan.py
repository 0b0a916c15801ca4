"""Which rows a reporter's submission for a period must carry: the template's plan.

Everything comes from the seeds (``dbt_project/seeds``), read through ``sources.reference`` plus the
few columns it does not expose (remits, validity dates, successors); nothing is repeated here.
Periods follow the intake's rule: a reporter, a name or a code means the unit valid at the **end** of the
period (2024 and 2025-H1: old Khánh Hòa and its nine districts; 2025 — the year ends after 01/07/2025 —,
2025-H2 and later: the merged province and its 65 communes, wards and special zone).

A locality reports its own area (its unit valid at the period's end) for every indicator localities
self-report; a department reports the indicators it is responsible for at the period's end (remits move to
successors, e.g. Transport into Construction in 2025) for every unit of the province valid at that date
(its direct units: the nine districts, or the 65 new units), plus a province total for summed counts.
A reporter not valid at the period's end is refused, naming who reports then (a district's People's
Committee after 2025-06-30: the new committees of its former area; a department: its successor).
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
    area: Locality | None = None  # the unit the template speaks of: the reporter's own, or the province

    @property
    def day(self) -> dt.date:
        """The period's end: the date whose units the template lists."""
        return period_end(self.period)

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


def resolve_reporter(raw: str, period: str | None = None) -> Reporter:
    """The reporter ``raw`` names; a name several committees answer to ('Diên Khánh': the district to
    2025-06-30, the new xã after) is read by the period, as the intake reads a file's title block."""
    reference = load_reference()
    ends = (period_end(period),) if period else None
    found = resolvers(reference).reporter(raw, ends)
    if not found.ok or found.code not in reference.reporters:
        hint = f" ({found.suggestion})" if found.suggestion else ""
        raise TemplateError(f"reporter: {found.reason or raw}{hint}")
    return reference.reporters[found.code]


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def validity_vi(unit: Locality) -> str:
    """'hiệu lực từ 01/07/2025' / 'hiệu lực đến 30/06/2025' (2020-01-01 = before the warehouse's horizon)."""
    parts = []
    if unit.valid_from > dt.date(2020, 1, 1):
        parts.append(f"từ {_day(unit.valid_from)}")
    if unit.valid_to is not None:
        parts.append(f"đến {_day(unit.valid_to)}")
    return "hiệu lực " + " ".join(parts) if parts else "hiệu lực"


def _span(reporter: Reporter) -> str:
    start = "…" if reporter.valid_from == dt.date.min else str(reporter.valid_from)
    return f"{start}–{reporter.valid_to or '…'}"


def _committees(units: list[Locality], day: dt.date) -> list[Reporter]:
    """The People's Committees (locality reporters) of ``units`` valid on ``day``, in the units' order."""
    by_code: dict[str, Reporter] = {}
    for reporter in load_reference().reporters.values():
        if reporter.kind == "locality" and reporter.valid_at(day):
            by_code.setdefault(reporter.locality_code, reporter)
    found: dict[str, Reporter] = {}
    for unit in units:
        if unit.code in by_code and unit.valid_at(day):
            found.setdefault(by_code[unit.code].code, by_code[unit.code])
    return list(found.values())


def _listed(reporters: list[Reporter]) -> str:
    return ", ".join(f"{r.name_vi} ({r.code})" for r in reporters)


def _not_valid(reporter: Reporter, period: str, day: dt.date) -> TemplateError:
    """Why ``reporter`` has no template for ``period``, naming who reports then instead."""
    reference = load_reference()
    row = next(r for r in _seed("reporters.csv") if r["reporter_code"] == reporter.code)
    ended = reporter.valid_to is not None and reporter.valid_to < day
    head = f"{reporter.name_vi} ({reporter.code}) " + (
        f"ended on {reporter.valid_to}" if ended else f"begins on {reporter.valid_from}"
    )
    instead: list[Reporter] = []
    if reporter.kind == "department":
        if ended and row.get("successor_code"):
            successor = reference.reporters.get(row["successor_code"])
            name = f" ({successor.name_vi})" if successor else ""
            return TemplateError(f"{head}; its successor is {row['successor_code']}{name}: "
                                 f"write `--reporter {row['successor_code']}` for {period}")
        instead = [reference.reporters[r["reporter_code"]] for r in _seed("reporters.csv")
                   if r.get("successor_code") == reporter.code and r["reporter_code"] in reference.reporters]
        if instead:
            return TemplateError(f"{head}; for {period} its predecessor reports: {_listed(instead)}")
        return TemplateError(f"{head}; it does not report for {period} (valid {_span(reporter)})")
    graph = resolvers(reference).localities.graph
    units = [u for u in reference.localities.values() if u.code == reporter.locality_code
             and u.valid_from <= (reporter.valid_to or dt.date.max)
             and (u.valid_to or dt.date.max) >= reporter.valid_from]
    unit = max(units, key=lambda u: u.valid_from) if ended else min(units, key=lambda u: u.valid_from)
    if ended:
        instead = _committees(graph.successors(unit, day), day)
        if instead:
            return TemplateError(
                f"{head}; for {period} the new People's Committees report: {_listed(instead)} "
                f"(the units of its former area; departments report for every unit of the province)"
            )
    else:
        pieces = graph.predecessors(unit, day)
        districts = [graph.ancestor(p, "district") or p for p in pieces]
        instead = _committees(districts, day)
        if instead:
            return TemplateError(f"{head}; for {period} its area was reported by {_listed(instead)}")
    return TemplateError(f"{head}; it does not report for {period} (valid {_span(reporter)})")


def province_at(code: str, day: dt.date) -> Locality:
    """The province version ``code`` means on ``day`` (56: old Khánh Hòa to 2025-06-30, the merged one after)."""
    found = [u for u in load_reference().localities.values()
             if u.level == "province" and u.code == code and u.valid_at(day)]
    if not found:
        raise TemplateError(f"province {code} has no unit valid on {day}")
    return found[0]


def units_of(province: Locality, day: dt.date) -> list[Locality]:
    """The units a department reports on: the province's own units valid on ``day`` — old Khánh Hòa's nine
    districts up to 2025-06-30, the merged province's 65 communes, wards and special zone after."""
    rows = {r["locality_key"]: r for r in _seed("localities.csv")}
    reference = load_reference()
    return [reference.localities[key] for key, r in rows.items()
            if r["parent_key"] == province.key and reference.localities[key].valid_at(day)]


def plan_template(reporter_raw: str, period_raw: str) -> TemplatePlan:
    """The rows of ``reporter_raw``'s template for ``period_raw``, by the intake's rule: a name or code means
    the unit valid at the period's end (the year 2025 ends after 01/07/2025, so it is on the new map)."""
    reference = load_reference()
    period = resolve_period(period_raw)
    day = period_end(period)
    reporter = resolve_reporter(reporter_raw, period)
    if not reporter.valid_at(day):
        raise _not_valid(reporter, period, day)
    indicator_rows = sorted(_seed("indicators.csv"), key=lambda r: int(r["sort_order"] or 0))
    rows: list[PlannedRow] = []
    if reporter.kind == "locality":
        found = resolvers(reference).own_locality(reporter, period)
        if not found.ok or found.key is None:
            raise TemplateError(found.reason or f"{reporter.name_vi} ({reporter.code}) has no unit in {period}")
        own = reference.localities[found.key]
        area = own
        rows = [
            PlannedRow(own, reference.indicators[r["indicator_code"]])
            for r in indicator_rows
            if r["locality_reports"].strip().lower() == "true"
        ]
    else:
        province = area = province_at(reporter.locality_code, day)
        localities = units_of(province, day)
        for r in indicator_rows:
            if responsible_at(r["indicator_code"], day) != reporter.code:
                continue
            indicator = reference.indicators[r["indicator_code"]]
            rows += [PlannedRow(loc, indicator) for loc in localities]
            if r["aggregation"] == "sum":
                rows.append(PlannedRow(province, indicator))
    if not rows:
        raise TemplateError(f"{reporter.name_vi} ({reporter.code}) has no indicator to report for {period}")
    return TemplatePlan(reporter, period, tuple(rows), area)
