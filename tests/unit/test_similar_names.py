"""The pruned close-name search answers exactly as difflib.get_close_matches (set and order)."""

from __future__ import annotations

import difflib
import random

import pytest

from sources.normalize.names import resolvers
from sources.normalize.similar import CloseNames, close_matches
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
    for query in _queries(pool, 150):
        for n, cutoff in ((20, 0.5), (3, 0.6), (1, 0.0)):
            assert close_matches(query, pool, n, cutoff) == difflib.get_close_matches(query, pool, n, cutoff), query


def test_ties_are_broken_as_difflib_breaks_them() -> None:
    pool = ["abcx", "abcy", "abcz", "abcw", "zzzz"]  # four equal scores: the larger text wins
    assert close_matches("abcd", pool, 2, 0.5) == difflib.get_close_matches("abcd", pool, 2, 0.5) == ["abcz", "abcy"]


def test_bad_arguments_are_refused_as_difflib_refuses_them() -> None:
    with pytest.raises(ValueError):
        close_matches("a", ["a"], 0)
    with pytest.raises(ValueError):
        close_matches("a", ["a"], 3, 1.5)


def test_a_pool_searched_many_times_answers_each_time_as_difflib(pool: list[str]) -> None:
    index = CloseNames(pool)
    for query in _queries(pool, 40):
        assert index.find(query, 20, 0.5) == difflib.get_close_matches(query, pool, 20, 0.5), query


def test_an_empty_pool_or_word() -> None:
    assert CloseNames([]).find("abc") == [] == difflib.get_close_matches("abc", [])
    assert CloseNames(["", "a"]).find("", 3, 0.0) == difflib.get_close_matches("", ["", "a"], 3, 0.0)
