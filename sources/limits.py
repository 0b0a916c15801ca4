"""Bounds on what one untrusted file may cost the intake, and the reasons given when a file exceeds one.

Every limit is read from the environment at call time (so a test, or an engineer re-running one night,
can change it without restarting anything). ``0`` switches a limit off; a value that is not a number is
ignored with a warning and the default applies.

| variable | default | bounds |
|---|---|---|
| ``DOTHI_MAX_FILE_MB`` | 64 | one non-zip file (CSV, .xls); .xlsx: sources/formats/zipguard.py |
| ``DOTHI_PARSE_TIMEOUT_S`` | 300 | wall-clock time to read and parse one file (the parent kills its worker) |
| ``DOTHI_PARSE_MEMORY_MB`` | 2048 | address space of a parse worker (``RLIMIT_AS``, Linux) |
| ``DOTHI_MAX_CELLS`` | 5 000 000 | rows × columns of a sheet, from its declared dimension, before loading |
| ``DOTHI_MAX_FIELD_CHARS`` | 1 000 000 | characters in one stored field (an Excel cell holds 32 767) |

A file that exceeds one is quarantined with the reason (sources/prepare.py, sources/parallel.py).
This module imports nothing from the rest of dothi, so any reader may use it.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile

log = logging.getLogger(__name__)

MAX_FILE_MB_ENV = "DOTHI_MAX_FILE_MB"
PARSE_TIMEOUT_ENV = "DOTHI_PARSE_TIMEOUT_S"
PARSE_MEMORY_ENV = "DOTHI_PARSE_MEMORY_MB"
MAX_CELLS_ENV = "DOTHI_MAX_CELLS"
MAX_FIELD_ENV = "DOTHI_MAX_FIELD_CHARS"

DEFAULTS: dict[str, float] = {
    MAX_FILE_MB_ENV: 64,
    PARSE_TIMEOUT_ENV: 300,
    PARSE_MEMORY_ENV: 2048,
    MAX_CELLS_ENV: 5_000_000,
    MAX_FIELD_ENV: 1_000_000,
}
MB = 1024 * 1024
EXCEL_CELL_CHARS = 32_767
DIMENSION_BYTES = 64 * 1024  # a worksheet's <dimension> comes before its data: the first bytes suffice


def _setting(name: str) -> float | None:
    """The limit in force (None: no limit)."""
    raw = os.environ.get(name, "").strip()
    value = DEFAULTS[name]
    if raw:
        try:
            value = float(raw)
        except ValueError:
            log.warning("ignoring %s=%r: not a number; the default %g applies", name, raw, value)
    return value if value > 0 else None


def max_file_bytes() -> int | None:
    mb = _setting(MAX_FILE_MB_ENV)
    return None if mb is None else int(mb * MB)


def parse_timeout_s() -> float | None:
    return _setting(PARSE_TIMEOUT_ENV)


def parse_memory_bytes() -> int | None:
    mb = _setting(PARSE_MEMORY_ENV)
    return None if mb is None else int(mb * MB)


def max_cells() -> int | None:
    cells = _setting(MAX_CELLS_ENV)
    return None if cells is None else int(cells)


def max_field_chars() -> int | None:
    chars = _setting(MAX_FIELD_ENV)
    return None if chars is None else int(chars)


def _mb(size: float) -> str:
    if size < MB:
        return f"{size / 1024:,.0f} KB"
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


# --- reasons -------------------------------------------------------------------------------------------

RESEND = "check it opens in Excel, save it again as .xlsx and re-send it"


def crashed_reason(why: str) -> str:
    return f"the file could not be read: the reader crashed on this file ({why}); {RESEND}"


def out_of_memory_reason(detail: str = "") -> str:
    limit = parse_memory_bytes()
    bound = f"limit {limit // MB:,} MB, {PARSE_MEMORY_ENV}" if limit else "no limit set"
    extra = f"; {detail}" if detail else ""
    return (
        f"the file could not be read: the reader ran out of memory on this file ({bound}{extra}); "
        "a cell far outside the table (Ctrl+End in Excel shows where the sheet ends) makes a small file "
        f"look huge: delete the empty rows and columns after the table, save and re-send it"
    )


def timeout_reason(seconds: float) -> str:
    return (
        f"the file could not be read: the reader took longer than {seconds:g} s on this file and was "
        f"stopped ({PARSE_TIMEOUT_ENV}); {RESEND}"
    )


def file_size_reason(size: int) -> str | None:
    """Why a non-zip file of ``size`` bytes is refused, or None when it is within the limit."""
    limit = max_file_bytes()
    if limit is None or size <= limit:
        return None
    return (
        f"the file is {_mb(size)}, more than the limit of {_mb(limit)} for one file ({MAX_FILE_MB_ENV}); "
        "a submission is normally a few hundred KB: send one file per reporting unit or period"
    )


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]{1,40})"')
_CELL = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def _declared_sizes(data: bytes) -> list[tuple[str, str, int]]:
    """(worksheet part, dimension, cells from A1 to its end) of every worksheet that declares one."""
    out: list[tuple[str, str, int]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(info) as part:
                    head = part.read(DIMENSION_BYTES)
                match = _DIMENSION.search(head)
                if not match:
                    continue
                ref = match.group(1).decode("ascii", "replace")
                end = _CELL.fullmatch(ref.rsplit(":", 1)[-1])
                if end:
                    out.append((name.rsplit("/", 1)[1], ref, _column_number(end.group(1)) * int(end.group(2))))
    except Exception:  # not a readable zip: the reader says what is wrong with it
        return []
    return out


def sheet_cells_reason(data: bytes) -> str | None:
    """Why an .xlsx is refused for the size its sheets declare, or None. Read from each sheet's
    ``<dimension>`` before anything is loaded: the reader allocates every cell of that rectangle."""
    limit = max_cells()
    if limit is None:
        return None
    for part, ref, cells in _declared_sizes(data):
        if cells > limit:
            return (
                f"the worksheet {part} spans {ref} ({cells:,} cells), more than the limit of {limit:,} cells "
                f"per sheet ({MAX_CELLS_ENV}); something sits far outside the table (Ctrl+End in Excel shows "
                "where the sheet ends): delete the empty rows and columns after the table, save and re-send it"
            )
    return None


def cells_reason(sheet: str, rows: int, columns: int) -> str | None:
    """Why a loaded sheet of ``rows`` × ``columns`` is refused, or None (for readers that know the size)."""
    limit = max_cells()
    if limit is None or rows * columns <= limit:
        return None
    return (
        f"the sheet {sheet!r} has {rows:,} rows × {columns:,} columns ({rows * columns:,} cells), more than "
        f"the limit of {limit:,} cells per sheet ({MAX_CELLS_ENV}); delete the empty rows and columns after "
        "the table, save and re-send it"
    )


def field_length_reason(row: int | None, length: int) -> str | None:
    """Why a field of ``length`` characters is refused, or None."""
    limit = max_field_chars()
    if limit is None or length <= limit:
        return None
    where = f"row {row} holds" if row is not None else "the file holds"
    return (
        f"{where} a field of {length:,} characters, more than the limit of {limit:,} ({MAX_FIELD_ENV}); "
        f"an Excel cell holds at most {EXCEL_CELL_CHARS:,}: a quote left open or a file pasted into a "
        "cell is the usual cause; correct it and re-send the file"
    )
