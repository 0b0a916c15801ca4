"""The known names closest to an unknown one: ``difflib.get_close_matches``, same answer, less work.

difflib tries every possibility with two cheap bounds in Python, then scores those that pass with its
full ratio; over a nation's communes (~15 k names) that is ~0.4 s per unknown name, and an intake of a
nation's files meets thousands. Here the bounds (``real_quick_ratio``, ``quick_ratio``: shared
character counts) are computed for the whole pool at once with numpy, the possibilities are scored in
decreasing order of that bound, and scoring stops once no bound left can reach the n-th best score:
ratio ≤ quick_ratio, so the result (set and order) is get_close_matches'.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from difflib import SequenceMatcher

import numpy as np


class CloseNames:
    """A fixed pool of names, searched many times."""

    def __init__(self, pool: Iterable[str]) -> None:
        self.pool = list(pool)
        self._column = {c: i for i, c in enumerate(sorted({c for text in self.pool for c in text}))}
        self._lengths = np.array([len(text) for text in self.pool], dtype=np.int64)
        self._counts = np.zeros((len(self.pool), len(self._column)), dtype=np.int32)
        for row, text in enumerate(self.pool):
            for c in text:
                self._counts[row, self._column[c]] += 1

    @staticmethod
    def _ratio(matches: np.ndarray, totals: np.ndarray) -> np.ndarray:
        # difflib's _calculate_ratio, element-wise: the same IEEE operations, so the same floats.
        return np.where(totals > 0, 2.0 * matches / np.maximum(totals, 1), 1.0)

    def find(self, word: str, n: int = 3, cutoff: float = 0.6) -> list[str]:
        """As ``difflib.get_close_matches(word, self.pool, n, cutoff)``."""
        if n <= 0:
            raise ValueError(f"n must be > 0: {n!r}")
        if not 0.0 <= cutoff <= 1.0:
            raise ValueError(f"cutoff must be in [0.0, 1.0]: {cutoff!r}")
        if not self.pool:
            return []
        wanted = np.zeros(len(self._column), dtype=np.int32)
        for c in word:
            if (col := self._column.get(c)) is not None:
                wanted[col] += 1
        totals = self._lengths + len(word)
        real_quick = self._ratio(np.minimum(self._lengths, len(word)), totals)
        quick = self._ratio(np.minimum(self._counts, wanted).sum(axis=1), totals)
        passed = np.flatnonzero((real_quick >= cutoff) & (quick >= cutoff))
        order = passed[np.argsort(-quick[passed], kind="stable")]
        matcher = SequenceMatcher()
        matcher.set_seq2(word)
        best: list[tuple[float, str]] = []  # a min-heap of the n best (score, name), as nlargest keeps them
        for i in order.tolist():
            # Nothing below can beat the n-th best; an equal bound still can (ties go to the larger name).
            if len(best) == n and quick[i] < best[0][0]:
                break
            name = self.pool[i]
            matcher.set_seq1(name)
            if (score := matcher.ratio()) >= cutoff:
                if len(best) < n:
                    heapq.heappush(best, (score, name))
                elif (score, name) > best[0]:
                    heapq.heapreplace(best, (score, name))
        return [name for _, name in sorted(best, reverse=True)]


    def ranked(self, targets: list[str], n: int = 20, cutoff: float = 0.5) -> list[str]:
        """The close names of any of the targets, best first by their best ratio to one of them; ties by
        the name itself, so a suggestion never depends on the process's string hashing."""
        matches = {m for t in targets for m in self.find(t, n, cutoff)}
        return sorted(matches, key=lambda m: (-max(SequenceMatcher(None, t, m).ratio() for t in targets), m))
