"""Submission dates (``Ngày gửi``): dd/mm/yyyy as Vietnamese write them, or ISO yyyy-mm-dd."""

from __future__ import annotations

import re
from datetime import date, datetime

from sources.normalize.text import fold, short_text_cache

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_WORDS = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")


def parse_date(raw: object) -> datetime | None:
    """A datetime, or None when the cell is blank or not a date in an accepted form."""
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    if not isinstance(raw, str):
        return None
    return _parse_text(raw)


@short_text_cache(maxsize=4096)  # a file repeats its submission date on every row
def _parse_text(raw: str) -> datetime | None:
    text = raw.strip()
    if not text:
        return None
    parts: tuple[str | None, ...] | None = None
    if match := _DMY.match(text):
        d, m, y, *hms = match.groups()
        parts = (y, m, d, *hms)
    elif match := _YMD.match(text):
        parts = match.groups()
    elif match := _WORDS.search(fold(text)):
        d, m, y = match.groups()
        parts = (y, m, d, None, None, None)
    if parts is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in parts)
        return datetime(year, month, day, hour, minute, second)
    except ValueError:  # 31/02/2025 and the like
        return None
