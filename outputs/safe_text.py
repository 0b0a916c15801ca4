"""Text that is safe to put in a spreadsheet cell (no formula injection).

A cell whose text begins with ``= + - @`` (or a tab/carriage return) is run as a formula by Excel and
LibreOffice when typed or imported; submitted file names, notes and messages are untrusted. The Excel
writers store such text as a string cell with Excel's "quote prefix" (shown as text, never evaluated,
and still text when a user edits the cell); ``neutralise`` is the plain-text equivalent (a leading
apostrophe) for anything exported as CSV.
"""

from __future__ import annotations

from typing import TypeGuard

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def neutralise(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would treat as a formula; then prefixed ``'``."""
    return "'" + value if is_formula_like(value) else value
