"""Successors and predecessors of a unit version, and the reason that names them.

A row's name or code means the unit that existed at the end of the row's period. When the unit it names
had already ended (or had not begun yet), the reason names the units to report instead, taken from the
seeds:

- a commune's successors / predecessors are the pieces of ``crosswalk_units.csv``, followed through
  the 2024-11 and 2025-07 steps until units valid at the date are reached (22342 Xương Huân, retired
  on 2024-10-31, → 22348 Vạn Thạnh in 2024 → Phường Nha Trang in 2026);
- a district's or province's come through its communes: the units receiving any of them, lifted to the
  unit's own level where that level still exists (a district's successors are the new communes, since
  districts were abolished; province 56@2020 and 58@2020 → 56@2025), and likewise backwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sources.reference import Locality, Reference

LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}  # a bare name prefers the higher level
_LISTED = 12  # units named in one reason


def level_rank(unit: Locality) -> int:
    return LEVEL_RANK.get(unit.level, len(LEVEL_RANK))


def _order(unit: Locality) -> tuple[int, str, date]:
    return (level_rank(unit), unit.code, unit.valid_from)


@dataclass(frozen=True, eq=False)
class UnitGraph:
    """The seeds' unit versions with the crosswalk and parent links, walked in either direction."""

    units: dict[str, Locality]
    forward: dict[str, tuple[str, ...]]  # old key → new keys (crosswalk pieces)
    backward: dict[str, tuple[str, ...]]  # new key → old keys
    children: dict[str, tuple[str, ...]]  # parent key → child keys

    @classmethod
    def build(cls, reference: Reference) -> UnitGraph:
        forward: dict[str, list[str]] = defaultdict(list)
        backward: dict[str, list[str]] = defaultdict(list)
        for piece in reference.crosswalk:
            if piece.old_key in reference.localities and piece.new_key in reference.localities:
                forward[piece.old_key].append(piece.new_key)
                backward[piece.new_key].append(piece.old_key)
        children: dict[str, list[str]] = defaultdict(list)
        for unit in reference.localities.values():
            if unit.parent_key:
                children[unit.parent_key].append(unit.key)
        return cls(
            reference.localities,
            {k: tuple(dict.fromkeys(v)) for k, v in forward.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in backward.items()},
            {k: tuple(v) for k, v in children.items()},
        )

    # --- structure ----------------------------------------------------------------------------------

    def ancestor(self, unit: Locality, level: str) -> Locality | None:
        """The unit itself or its nearest ancestor at ``level``; None when it has none there."""
        seen: set[str] = set()
        current: Locality | None = unit
        while current is not None and current.key not in seen:
            if current.level == level:
                return current
            seen.add(current.key)
            current = self.units.get(current.parent_key or "")
        return None

    def _communes_alive(self, unit: Locality, day: date) -> list[Locality]:
        """The commune-level units under ``unit`` valid on ``day`` (the unit itself if it has none)."""
        out: list[Locality] = []
        stack = [unit]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current.key in seen:
                continue
            seen.add(current.key)
            below = [self.units[k] for k in self.children.get(current.key, ()) if self.units[k].valid_at(day)]
            if below:
                stack += below
            else:
                out.append(current)
        return out

    def _walk(self, start: list[Locality], links: dict[str, tuple[str, ...]], day: date) -> list[Locality]:
        """Follow ``links`` from ``start`` until units valid on ``day`` (or the end of the links)."""
        found: dict[str, Locality] = {}
        seen: set[str] = set()
        stack = [k for unit in start for k in links.get(unit.key, ())]
        while stack:
            key = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            unit = self.units[key]
            following = links.get(key, ())
            if unit.valid_at(day) or not following:
                found[key] = unit
            else:
                stack += following
        return list(found.values())

    def _lifted(self, units: list[Locality], level: str) -> list[Locality]:
        lifted = {u.key: u for u in (self.ancestor(v, level) or v for v in units)}
        return sorted(lifted.values(), key=_order)

    def successors(self, unit: Locality, day: date) -> list[Locality]:
        """The units that took over ``unit`` after it ended, as they stand on ``day`` (after its end)."""
        end = unit.valid_to or day
        start = self._communes_alive(unit, end)
        return self._lifted(self._walk(start, self.forward, day), unit.level)

    def predecessors(self, unit: Locality, day: date) -> list[Locality]:
        """The units ``unit`` was made of, as they stood on ``day`` (before its start)."""
        start = self._communes_alive(unit, unit.valid_from)
        return self._lifted(self._walk(start, self.backward, day), unit.level)

    # --- reasons ------------------------------------------------------------------------------------

    def out_of_period(self, unit: Locality, written: str, period: str, day: date) -> tuple[str, str | None]:
        """(reason, suggestion) for a row of ``period`` (ending ``day``) naming ``unit`` outside its validity."""
        head = f"'{written}' ({unit.code}) " if written != unit.code else f"'{written}' ({unit.name_vi}) "
        if unit.valid_to is not None and unit.valid_to < day:
            units = self.successors(unit, day)
            head += f"ended on {unit.valid_to}"
            what = "successor" if len(units) == 1 else "successors"
            tail = ""
        else:
            units = self.predecessors(unit, day)
            head += f"began on {unit.valid_from}"
            what = "predecessor" if len(units) == 1 else "predecessors"
            parents = sorted(
                {p.key: p for u in units if (p := self.units.get(u.parent_key or "")) and p.level != "province"
                 and p.level != unit.level}.values(),
                key=_order,
            )
            tail = f" (in {', '.join(p.label for p in parents)})" if parents and unit.level == "commune" else ""
        if not units:
            return f"{head}; no unit takes its place for {period}", None
        listed = ", ".join(u.label for u in units[:_LISTED]) + (", …" if len(units) > _LISTED else "")
        reason = f"{head}; for {period} report its {what}: {listed}{tail}"
        return reason, units[0].name_vi if len(units) == 1 else None
