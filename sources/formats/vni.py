"""VNI-Windows text (the VNI Times fonts) → Unicode: phông VNI sang Unicode.

A VNI font draws Vietnamese with Windows-1252 codes: a base letter followed by one code for its marks
(``a`` + ``ù`` = á, ``a`` + ``á`` = ấ, ``o`` + ``ä`` = ộ), and single codes for ơ ư đ and the toned i and
ỵ (``ô`` = ơ, ``ö`` = ư, ``ñ`` = đ, ``ò`` = ị, ``î`` = ỵ). The table below is built from that scheme for
all 134 letters (67 lower, 67 upper case), and read greedily, longest code first.

Read only when the text shows no header as sent and does once converted (sources/formats/csv_reader.py),
like TCVN3: a Western text is never taken for VNI.
"""

from __future__ import annotations

import re
import unicodedata

# Tone marks, in VNI's order: acute, grave, hook above, tilde, dot below. VNI's code for each, after a
# plain vowel (a e o u y, and ơ ư), after a circumflex vowel (â ê ô) and after ă.
_TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_AFTER_PLAIN = ("ù", "ø", "û", "õ", "ï")
_AFTER_CIRCUMFLEX = ("á", "à", "å", "ã", "ä")
_AFTER_BREVE = ("é", "è", "ú", "ü", "ë")
_CIRCUMFLEX, _BREVE = "â", "ê"  # VNI's codes for ^ (â ê ô) and for the breve (ă)
# Letters VNI writes with one code of their own (lower case; upper case is the same code's capital).
_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _lower_table() -> dict[str, str]:
    """Unicode letter → VNI codes, lower case."""
    table: dict[str, str] = {}
    for base in "aeouy":
        for tone, code in zip(_TONES, _AFTER_PLAIN, strict=True):
            table[_compose(base, tone)] = base + code
    for base in "aeo":
        table[_compose(base, "\u0302")] = base + _CIRCUMFLEX
        for tone, code in zip(_TONES, _AFTER_CIRCUMFLEX, strict=True):
            table[_compose(base, "\u0302", tone)] = base + code
    table["ă"] = "a" + _BREVE
    for tone, code in zip(_TONES, _AFTER_BREVE, strict=True):
        table[_compose("a", "\u0306", tone)] = "a" + code
    for letter, code in (("ơ", "ô"), ("ư", "ö")):
        for tone, mark in zip(_TONES, _AFTER_PLAIN, strict=True):
            table[_compose(letter, tone)] = code + mark
    table.update(_SINGLE)  # ỵ included: VNI writes it "î", not "y" + "ï"
    return table


def _table() -> dict[str, str]:
    lower = _lower_table()
    return {**lower, **{letter.upper(): code.upper() for letter, code in lower.items()}}


UNICODE_TO_VNI = _table()
VNI_TO_UNICODE = {code: letter for letter, code in UNICODE_TO_VNI.items()}
_CODES = re.compile("|".join(re.escape(code) for code in sorted(VNI_TO_UNICODE, key=len, reverse=True)
                             if not code.isascii()))


def from_vni(text: str) -> str:
    """Text typed in a VNI font (its codes as Latin-1 letters) as Unicode (NFC)."""
    return unicodedata.normalize("NFC", _CODES.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text))


def to_vni(text: str) -> str:
    """Unicode text as a VNI font stores it (tests build VNI files with it). Raises KeyError for a
    non-ASCII character VNI cannot write."""
    return "".join(ch if ch.isascii() else UNICODE_TO_VNI[ch] for ch in unicodedata.normalize("NFC", text))
