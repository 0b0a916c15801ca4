"""Delimited text: decode (UTF-8 with/without BOM, else Windows-1258), NFC, sniff the delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter

from sources.formats import Cell, Document, Grid, UnreadableFile
from sources.normalize.headers import is_header, match_header

DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 60
_LATE_SNIFF_LINES = 2000  # only when no header shows in the first lines: to say where it is
# Unicode category Cc (C0, DEL, C1) except tab and line ends: one regex pass, not a lookup per character.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode_lines(data: bytes) -> str | None:
    """Mixed encodings (rows pasted from two sources): each line that is valid UTF-8 is UTF-8, the
    others Windows-1258. Only used when the file as a whole is not UTF-8; None when no line is
    non-ASCII UTF-8 (then it is plain Windows-1258)."""
    lines = data.splitlines(keepends=True)
    utf8_lines = 0
    out: list[str] = []
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_lines += any(b >= 0x80 for b in line)
        except UnicodeDecodeError:
            text = line.decode("cp1258")  # cp1258 maps every byte but five; those raise below
        out.append(text)
    return "".join(out) if utf8_lines else None


def decode(data: bytes) -> tuple[str, str]:
    """(NFC text, encoding name). Vietnamese Excel writes Windows-1258, which stores many letters
    decomposed (base + combining tone mark): NFC puts them back together. Excel's "Unicode text"
    export is UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"the file starts as UTF-16 text but is damaged at byte {exc.start}") from exc
        return _checked(text, encoding)
    if b"\x00" in data:
        raise UnreadableFile(
            "the file contains NUL bytes: it is neither a text table (CSV) nor an Excel workbook "
            "(UTF-16 text without a byte-order mark, or binary data); save it as .xlsx or as CSV UTF-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"the file says it is UTF-8 (byte-order mark) but byte {exc.start} is not; save it as CSV UTF-8"
            ) from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                mixed = _decode_lines(data)
                text, encoding = (mixed, "mixed:utf-8+windows-1258") if mixed else (data.decode("cp1258"),
                                                                                     "windows-1258")
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"cannot decode the text as UTF-8 or Windows-1258 (byte {exc.start}); "
                    "save it as CSV UTF-8 or as .xlsx"
                ) from exc
    return _checked(*_undouble(text, encoding))


# Double-encoded UTF-8 (UTF-8 bytes read as Windows-1252, saved as UTF-8 again): 'Äá»‹a bÃ n'. These
# pairs appear in it on almost every Vietnamese word and never in real Vietnamese text.
_MOJIBAKE_MARKS = ("Ã", "Ä", "á»", "áº", "Æ°")


def _undouble(text: str, encoding: str) -> tuple[str, str]:
    """Undo a double UTF-8 encoding when it is unambiguous: the whole text round-trips."""
    if not encoding.startswith("utf-8") or not any(mark in text for mark in _MOJIBAKE_MARKS):
        return text, encoding
    try:
        # Windows maps the five bytes cp1252 leaves undefined to U+0081…U+009D: map them back.
        fixed = text.encode("cp1252", errors="dothi_c1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text, encoding  # not a clean round trip: leave the text as sent
    return unicodedata.normalize("NFC", fixed), f"{encoding}:double-encoded"


def _c1_bytes(error: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if any(ord(ch) > 0xFF for ch in chunk):
        raise error
    return chunk.encode("latin-1"), error.end


codecs.register_error("dothi_c1", _c1_bytes)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    controls = len(_CONTROLS.findall(text))
    if controls > max(3, len(text) // 200):
        raise UnreadableFile("the file holds binary data, not a text table; send .csv, .xlsx or .xls")
    return unicodedata.normalize("NFC", text), encoding


def _parse(text: str, delimiter: str) -> list[list[str]]:
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _has_header(rows: list[list[str]]) -> bool:
    # A header names at least two fields, so a row with fewer than two filled cells is skipped unread.
    return any(
        is_header({f for c in row if (f := match_header(c))})
        for row in rows
        if sum(1 for cell in row if cell.strip()) >= 2
    )


def _shape(rows: list[list[str]]) -> tuple[int, int]:
    """(rows of the most common width, that width): a delimiter that splits every line alike."""
    # Title lines split by no delimiter: only the lines a delimiter splits say how well it fits.
    widths = Counter(len(row) for row in rows if len(row) > 1 and any(cell.strip() for cell in row))
    width, count = widths.most_common(1)[0] if widths else (0, 0)
    return count, width


def sniff_delimiter(text: str) -> str:
    """The delimiter that reveals a header row, then the one giving the most lines of one width > 1.

    Shapes are cheap (C parser); header matching folds every cell, so it runs on the best-shaped
    delimiter first and stops at the first that reveals a header (the same choice as scoring all)."""
    lines = text.splitlines()
    for limit in (_SNIFF_LINES, _LATE_SNIFF_LINES):
        sample = "\n".join(lines[:limit])
        parsed = {d: _parse(sample, d) for d in DELIMITERS}
        by_shape = sorted(DELIMITERS, key=lambda d: _shape(parsed[d]), reverse=True)  # stable: ties keep order
        found = next((d for d in by_shape if _has_header(parsed[d])), None)
        if found is not None or len(lines) <= limit:
            break
    return found or by_shape[0]


# Python's csv refuses fields over 128 KiB; a long note is still data (the whole file is bounded anyway).
_FIELD_LIMIT = 64 * 1024 * 1024


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _records(text: str, delimiter: str) -> tuple[list[list[str]], dict[int, str]]:
    """Rows indexed by physical line (row 1 = line 1, as an editor shows them), and the problems found.

    A quoted field may hold line breaks (a note typed with Alt+Enter): its record keeps the line it
    starts on and the lines it spans stay blank. When those lines look like rows of the table (as many
    delimiters as the table has columns), the quote was never closed: it swallowed them. The record and
    each swallowed line are then marked, so they are rejected with their line numbers, never read.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []  # (0-based first line, lines spanned) of multi-line records
    end = 0
    for record in reader:
        start, end = end, reader.line_num
        rows.append(record)
        if end - start > 1:
            spans.append((len(rows) - 1, end - start))
            rows.extend([] for _ in range(end - start - 1))
    problems: dict[int, str] = {}
    if not spans:
        return rows, problems
    widths = Counter(len(row) for row in rows if len(row) > 1)
    width = widths.most_common(1)[0][0] if widths else 0
    for first, count in spans:
        record = rows[first]
        # The field that holds the break, split back into the lines it swallowed.
        field_index, field = next((i, f) for i, f in enumerate(record) if "\n" in f or "\r" in f)
        lines = _LINE_BREAK.split(field)[1:]
        if width < 2 or not any(line.count(delimiter) >= width - 2 for line in lines):
            continue  # a note written over several lines, not rows
        last = first + count
        problems[first] = (
            f"an unclosed \" in column {field_index + 1} of row {first + 1} swallows rows {first + 2}–{last}: "
            "close the quote (or remove it) and send the file again"
        )
        rows[first] = record[:field_index] + [field.split("\n")[0].split("\r")[0]]
        for offset, line in enumerate(lines[: count - 1], start=1):
            rows[first + offset] = line.split(delimiter)
            problems[first + offset] = (
                f"swallowed by the unclosed \" on row {first + 1}: the row was not read; "
                "close the quote and send the file again"
            )
    return rows, problems


def read_csv(data: bytes) -> Document:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        rows, problems = _records(text, delimiter)
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable delimited table: {exc}") from exc
    if not any(cell.strip() for row in rows for cell in row):
        raise UnreadableFile("the file is empty")
    cells: list[list[Cell]] = [[c if c.strip() else None for c in row] for row in rows]
    return Document("csv", encoding, [Grid(None, cells, row_problems=problems, ragged=True)],
                    {"delimiter": delimiter})
