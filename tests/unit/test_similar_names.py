"""The pruned close-name search answers exactly as difflib.get_close_matches (set and order)."""

from __future__ import annotations

import difflib
import random

import pytest

from sources.normalize.names import resolvers
from sources.normalize.similar import CloseNames
from sources.reference import load_reference


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return list(resolvers(load_reference()).localities.texts)


def _queries(pool: list[str], count: int) -> list[str]:
    rng = random.Random(15)
    out = ["xa khong ro 12", "phuong khong co", "", "x", "nha trang", "cam ranh cam ranh"]
    for _ in range(count):
        word = list(rng.choice(pool))
        for _ in range(rng.randint(1, 4)):  # typos: drop, swap, insert
            i = rng.randrange(len(word) + 1)
            op = rng.choice("dsi")
            if op == "d" and i < len(word):
                del word[i]
            elif op == "s" and i + 1 < len(word):
                word[i], word[i + 1] = word[i + 1], word[i]
            else:
                word.insert(i, rng.choice("abcdeghiklmnopqrstuvxy "))
        out.append("".join(word))
    return out


def test_same_answer_as_difflib_on_the_real_names(pool: list[str]) -> None:
    assert len(pool) > 500
    index = CloseNames(pool)
    for query in _queries(pool, 150):
        for n, cutoff in ((20, 0.5), (3, 0.6), (1, 0.0)):
            assert index.find(query, n, cutoff) == difflib.get_close_matches(query, pool, n, cutoff), query


def test_ties_are_broken_as_difflib_breaks_them() -> None:
    pool = ["abcx", "abcy", "abcz", "abcw", "zzzz"]  # four equal scores: the larger text wins
    assert CloseNames(pool).find("abcd", 2, 0.5) == difflib.get_close_matches("abcd", pool, 2, 0.5) == ["abcz", "abcy"]


def test_bad_arguments_are_refused_as_difflib_refuses_them() -> None:
    with pytest.raises(ValueError):
        CloseNames(["a"]).find("a", 0)
    with pytest.raises(ValueError):
        CloseNames(["a"]).find("a", 3, 1.5)


def test_a_fresh_index_per_search_answers_as_a_reused_one(pool: list[str]) -> None:
    index = CloseNames(pool)
    for query in _queries(pool, 40):
        assert CloseNames(pool).find(query, 20, 0.5) == index.find(query, 20, 0.5) == difflib.get_close_matches(
            query, pool, 20, 0.5
        ), query


def test_ranked_orders_the_union_by_the_best_ratio_then_the_name(pool: list[str]) -> None:
    index = CloseNames(pool)
    for query in _queries(pool, 20):
        targets = list(dict.fromkeys([query, query.partition(" ")[2]]))
        union = {m for t in targets for m in difflib.get_close_matches(t, pool, 20, 0.5)}
        expected = sorted(
            union, key=lambda m: (-max(difflib.SequenceMatcher(None, t, m).ratio() for t in targets), m)
        )
        assert index.ranked(targets) == expected, query


def test_an_empty_pool_or_word() -> None:
    assert CloseNames([]).find("abc") == [] == difflib.get_close_matches("abc", [])
    assert CloseNames(["", "a"]).find("", 3, 0.0) == difflib.get_close_matches("", ["", "a"], 3, 0.0)
