"""Unicode helpers: store NFC, match on a folded key.

Vietnamese text arrives in NFC or NFD and with the tone mark on either vowel (``Hòa``/``Hoà``);
folding strips every mark, so all those spellings meet on one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Spaces that Excel and web copies slip into numbers and names.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u2009\u202f\u200b\ufeff"), " ")
_R = TypeVar("_R")
SHORT_TEXT_CHARS = 64  # a number or a date is shorter; a field may hold a million (DOTHI_MAX_FIELD_CHARS)


def short_text_cache(maxsize: int) -> Callable[[Callable[[str], _R]], Callable[[str], _R]]:
    """``lru_cache`` for a function of one text, kept to short texts: a cache of long fields would outgrow a
    parse worker's memory limit."""

    def decorate(function: Callable[[str], _R]) -> Callable[[str], _R]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str) -> _R:
            return cached(text) if len(text) <= SHORT_TEXT_CHARS else function(text)

        return call

    return decorate


@lru_cache(maxsize=1 << 16)
def nfc(text: str) -> str:
    """NFC form with odd spaces made plain and the ends trimmed: how every text is stored."""
    return unicodedata.normalize("NFC", text.translate(_ODD_SPACES)).strip()


@lru_cache(maxsize=1 << 16)  # names, units and headers repeat on every row and in every file
def strip_accents(text: str) -> str:
    """Remove diacritics (incl. đ → d). NFKD also turns ``m²`` into ``m2``."""
    if text.isascii():  # nothing to decompose (codes, English headers, numbers): skip the per-character pass
        return text
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: object) -> str:
    """Matching key: lowercase, no accents, any run of punctuation/space → one space."""
    if text is None:
        return ""
    return _fold(str(text))


# Pure functions called for every cell of every row: a large file repeats the same names and units.
@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    return _NON_ALNUM.sub(" ", strip_accents(text).lower()).strip()


def cell_text(cell: object) -> str:
    """A cell as NFC text; Excel floats that are whole numbers lose their ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return nfc(str(cell))


QUOTE_LIMIT = 300  # characters of a submitted field quoted in a stored reason, value_raw or row JSON


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """At most ``limit`` characters of a field, saying how long it was: a 10 MB note stays in the
    archived file, not in every reason and finding that quotes it."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 40]}… [{len(text):,} characters, cut]"
