"""Shared formatting of the outputs: formula-safe text, Vietnamese numbers, labels."""

from __future__ import annotations

import pytest

from outputs.formatting import EXCEL_FORMATS, number_text
from outputs.labels import PROGRESS_CLASSES, progress_colour, progress_label, text
from outputs.safe_text import is_formula_like, neutralise


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_like_text_is_neutralised(value: str) -> None:
    assert is_formula_like(value)
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Nha Trang", "85,3 %", 12.5, None, ""])
def test_ordinary_values_pass_through(value: object) -> None:
    assert not is_formula_like(value)
    assert neutralise(value) == value


def test_vietnamese_and_english_numbers() -> None:
    assert number_text(1234.5, "vi") == "1.234,5"
    assert number_text(1234.5, "en") == "1,234.5"
    assert number_text(1248060, "vi", 0) == "1.248.060"
    assert number_text(None, "vi") == "–"
    assert number_text(float("nan"), "en") == "–"
    assert EXCEL_FORMATS["decimal"].startswith("[$-42A]")


def test_every_progress_class_has_both_labels_and_a_colour() -> None:
    for cls in PROGRESS_CLASSES:
        assert progress_label(cls, "vi") != progress_label(cls, "en")
        assert progress_colour(cls) != "FFFFFF"
    assert text("placeholder", "vi") != text("placeholder", "en")
    assert "fct_x" in text("not_available", "en", name="fct_x")
