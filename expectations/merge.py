"""One expectation's result from its per-chunk GX results (map expectations only: see ``plan.py``).

Counts are summed, failing rows concatenated in scan order (each is a finding, so none is dropped),
sample lists capped as GX caps them, and success recomputed as GX computes it for map expectations:
``(rows considered - unexpected) / rows considered >= mostly`` — "every chunk passed" is wrong once
``mostly`` < 1. Percentages follow GX's ``_format_map_output``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PARTIAL = 20  # GX's default partial_unexpected_count


def map_success(considered: int, unexpected: int, mostly: float) -> bool:
    if unexpected == 0 or considered == 0:
        return True
    return (considered - unexpected) / considered >= mostly


def map_result(element_count: int, missing_count: int | None, unexpected_count: int,
               unexpected_index_list: list[Any], partial_unexpected_list: list[Any]) -> dict[str, Any]:
    """A map expectation's result dict in GX's shape, from its counts and failing rows."""
    nonnull = None if missing_count is None else element_count - missing_count
    total_pct = unexpected_count / element_count * 100 if element_count else None
    if nonnull is None:
        nonmissing_pct = total_pct
    else:
        nonmissing_pct = unexpected_count / nonnull * 100 if element_count and nonnull else None
    result: dict[str, Any] = {
        "element_count": element_count,
        "unexpected_count": unexpected_count,
        "unexpected_percent": nonmissing_pct,
        "partial_unexpected_list": partial_unexpected_list[:PARTIAL],
        "partial_unexpected_index_list": unexpected_index_list[:PARTIAL],
        "unexpected_index_list": unexpected_index_list,
    }
    if missing_count is not None:
        result |= {
            "missing_count": missing_count,
            "missing_percent": missing_count / element_count * 100 if element_count else None,
            "unexpected_percent_total": total_pct,
            "unexpected_percent_nonmissing": nonmissing_pct,
        }
    return result


@dataclass
class ChunkMerger:
    """Accumulates one expectation's results, chunk by chunk."""

    chunks: int = 0
    first: Mapping[str, Any] | None = None
    first_success: bool = True
    element_count: int = 0
    missing_count: int | None = 0
    unexpected_count: int = 0
    counts_known: bool = True
    all_succeeded: bool = True
    unexpected_index_list: list[Any] = field(default_factory=list)
    partial_unexpected_list: list[Any] = field(default_factory=list)
    error: str | None = None

    def add(self, success: bool, result: Mapping[str, Any] | None, error: str | None) -> None:
        result = result or {}
        self.chunks += 1
        if self.chunks == 1:
            self.first, self.first_success = result, success
        self.all_succeeded = self.all_succeeded and success
        if error is not None:
            self.error = self.error or error
            return
        if result.get("element_count") is None or result.get("unexpected_count") is None:
            self.counts_known = False
        self.element_count += int(result.get("element_count") or 0)
        self.unexpected_count += int(result.get("unexpected_count") or 0)
        if self.missing_count is not None:
            missing = result.get("missing_count")
            self.missing_count = None if missing is None else self.missing_count + int(missing)
        self.unexpected_index_list.extend(result.get("unexpected_index_list") or [])
        room = PARTIAL - len(self.partial_unexpected_list)
        if room > 0:
            self.partial_unexpected_list.extend((result.get("partial_unexpected_list") or [])[:room])

    def outcome(self, mostly: float | None) -> tuple[bool, dict[str, Any], str | None]:
        """``(success, result, error)``; a single chunk's result is GX's own, untouched."""
        if self.error is not None:
            return False, {}, self.error
        if self.chunks <= 1:
            return self.first_success, dict(self.first or {}), None
        if not self.counts_known:  # not a map result: nothing to recompute from
            return self.all_succeeded, {}, None
        result = map_result(self.element_count, self.missing_count, self.unexpected_count,
                            self.unexpected_index_list, self.partial_unexpected_list)
        considered = self.element_count - (self.missing_count or 0)
        return map_success(considered, self.unexpected_count, 1.0 if mostly is None else mostly), result, None
