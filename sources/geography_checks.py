"""Checks on the geography seeds that must hold before anything is resolved or rolled up.

A share set that does not add up would silently create or lose part of a split commune's figures, so
the refresh refuses to start and names the rows to fix (the dbt test ``crosswalk_shares_sum_to_one``
says the same inside dbt).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from sources.reference import seeds_dir

TOLERANCE = 1e-6


class ReferenceDataError(ValueError):
    """Reference data (a seed) is inconsistent; the message names the file and rows."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def share_problems(seeds: Path | None = None) -> list[str]:
    """One line per problem in crosswalk_shares.csv, naming its row numbers (1 = the header)."""
    folder = seeds or seeds_dir()
    split = {
        (r["old_locality_key"], r["new_locality_key"])
        for r in _rows(folder / "crosswalk_units.csv")
        if r["old_unit_fate"] == "split"
    }
    problems: list[str] = []
    totals: dict[str, float] = defaultdict(float)
    lines: dict[str, list[int]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for number, r in enumerate(_rows(folder / "crosswalk_shares.csv"), start=2):
        piece = (r["old_locality_key"], r["new_locality_key"])
        where = f"crosswalk_shares.csv row {number} ({piece[0]} → {piece[1]})"
        if piece not in split:
            problems.append(f"{where}: not a split piece of crosswalk_units.csv")
            continue
        try:
            share = float(r["share"])
        except ValueError:
            problems.append(f"{where}: share {r['share']!r} is not a number")
            continue
        if not 0 < share <= 1:
            problems.append(f"{where}: share {share} must be in (0, 1]")
        seen.add(piece)
        totals[piece[0]] += share
        lines[piece[0]].append(number)
    for old, total in sorted(totals.items()):
        if abs(total - 1) > TOLERANCE:
            rows = ", ".join(str(n) for n in lines[old])
            problems.append(f"crosswalk_shares.csv rows {rows}: the shares of {old} sum to {total:.6f}, not 1")
    for old, new in sorted(split - seen):
        problems.append(f"crosswalk_shares.csv: no share for the split piece {old} → {new} (add a row)")
    return problems


def check_geography(seeds: Path | None = None) -> None:
    """Raises ReferenceDataError listing every problem, or returns quietly."""
    problems = share_problems(seeds)
    if problems:
        raise ReferenceDataError(
            "reference data refused (dbt_project/seeds): " + "; ".join(problems)
            + ". Fix the shares so that each split commune's pieces sum to 1."
        )
