"""One revised submission, made from a file of the scale: what the incremental-refresh benchmark feeds in.

A revision (submissions contract, rule 4) is a later file from the same reporter for the same period: the
same CSV with its submission date moved a week later and its first plain-number value changed by 1 %.
Only plain UTF-8 comma CSVs with a date column are used, so the bytes are rewritten without a reader.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from sources.normalize.text import fold

_DATE_HEADERS = {"ngay gui", "submitted", "submitted at", "ngay bao cao"}
_VALUE_HEADERS = {"gia tri", "value", "so lieu"}
_PLAIN_NUMBER = re.compile(r"\d+(?:\.(\d+))?")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _later(text: str, days: int) -> str | None:
    if match := _DMY.fullmatch(text.strip()):
        day = date(int(match[3]), int(match[2]), int(match[1])) + timedelta(days=days)
        return day.strftime("%d/%m/%Y")
    if match := _ISO.fullmatch(text.strip()):
        day = date(int(match[1]), int(match[2]), int(match[3])) + timedelta(days=days)
        return day.isoformat()
    return None


def revise(data: bytes, days: int = 7) -> bytes | None:
    """The revised bytes, or None when the file is not a plain UTF-8 comma CSV with a date and a value."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return None
    header = [fold(h) for h in rows[0]]
    date_col = next((i for i, h in enumerate(header) if h in _DATE_HEADERS), None)
    value_col = next((i for i, h in enumerate(header) if h in _VALUE_HEADERS), None)
    if date_col is None or value_col is None:
        return None
    changed = False
    for row in rows[1:]:
        if len(row) <= max(date_col, value_col):
            continue
        later = _later(row[date_col], days)
        if later is None:
            return None
        row[date_col] = later
        number = _PLAIN_NUMBER.fullmatch(row[value_col].strip())
        if number and not changed:
            decimals = len(number[1] or "")
            row[value_col] = f"{float(row[value_col]) * 1.01:.{decimals}f}"
            changed = True
    if not changed:
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return (bom + out.getvalue()).encode("utf-8")


def revised_submission(inbox: Path) -> tuple[str, bytes]:
    """(file name, bytes) of a revision of the first suitable file in ``inbox`` (sorted by name)."""
    for path in sorted(inbox.iterdir()):
        if path.suffix.lower() == ".csv" and "dieu_chinh" not in path.name:
            revised = revise(path.read_bytes())
            if revised is not None:
                return f"{path.stem}_dieu_chinh_bench.csv", revised
    raise FileNotFoundError(f"no plain UTF-8 comma CSV with a date and a value column in {inbox}")
