"""Delimited text: decode (UTF-8 with/without BOM, else Windows-1258), NFC, sniff the delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter

from sources.formats import LATE_HEADER_ROWS, Cell, Document, Grid, UnreadableFile
from sources.normalize.headers import is_header, match_header

DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 60
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


# TCVN 5712 (TCVN3 / "ABC": the .VnTime fonts), bytes 0x80–0xFF, as glibc's TCVN5712-1 charset maps them.
# Text typed in those fonts is stored as these bytes (or, in a UTF-8 save, as U+0080…U+00FF).
_TCVN3_HIGH = (
    "\u00c0\u1ea2\u00c3\u00c1\u1ea0\u1eb6\u1eac\u00c8\u1eba\u1ebc\u00c9\u1eb8\u1ec6\u00cc\u1ec8\u0128"  # 0x80
    "\u00cd\u1eca\u00d2\u1ece\u00d5\u00d3\u1ecc\u1ed8\u1edc\u1ede\u1ee0\u1eda\u1ee2\u00d9\u1ee6\u0168"  # 0x90
    "\u00a0\u0102\u00c2\u00ca\u00d4\u01a0\u01af\u0110\u0103\u00e2\u00ea\u00f4\u01a1\u01b0\u0111\u1eb0"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323\u00e0\u1ea3\u00e3\u00e1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4"  # 0xB0
    "\u1eae\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\u00e8\u1ec2\u1ebb\u1ebd"  # 0xC0
    "\u00e9\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\u00ec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\u00ed\u1ecb\u00f2"  # 0xD0
    "\u1ed4\u1ecf\u00f5\u00f3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\u00f9"  # 0xE0
    "\u1ed6\u1ee7\u0169\u00fa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\u00fd\u1ef5\u1ed0"  # 0xF0
)
_TCVN3 = str.maketrans({chr(0x80 + i): ch for i, ch in enumerate(_TCVN3_HIGH)})


def _from_tcvn3(data: bytes, text: str, encoding: str) -> tuple[str, str]:
    """The text as if typed in a TCVN3 font: only tried when no header shows, and kept only if one then does."""
    if encoding.startswith("utf-8"):
        return unicodedata.normalize("NFC", text.translate(_TCVN3)), f"{encoding}:tcvn3"
    return unicodedata.normalize("NFC", data.decode("latin-1").translate(_TCVN3)), "tcvn3"


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined, kept as the Latin-1 letters they are."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("dothi_latin1", _cp1252_bytes)


def _from_vni(data: bytes, text: str, encoding: str) -> tuple[str, str]:
    """The text as if typed in a VNI font (sources/formats/vni.py): tried, like TCVN3, only when no header
    shows, and kept only if one then does."""
    from sources.formats.vni import from_vni

    if encoding.startswith("utf-"):
        return from_vni(text), f"{encoding}:vni"
    return from_vni(data.decode("cp1252", errors="dothi_latin1")), "vni"


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
    return _sniff(text)[0]


def _sniff(text: str) -> tuple[str, bool]:
    """(delimiter, whether it reveals a header)."""
    lines = text.splitlines()
    for limit in (_SNIFF_LINES, LATE_HEADER_ROWS):
        sample = "\n".join(lines[:limit])
        parsed = {d: _parse(sample, d) for d in DELIMITERS}
        by_shape = sorted(DELIMITERS, key=lambda d: _shape(parsed[d]), reverse=True)  # stable: ties keep order
        found = next((d for d in by_shape if _has_header(parsed[d])), None)
        if found is not None or len(lines) <= limit:
            break
    return (found, True) if found else (by_shape[0], False)


# Python's csv refuses fields over 128 KiB; a long note is still data (the whole file is bounded anyway).
_FIELD_LIMIT = 64 * 1024 * 1024


_TCVN3_PROBE = 100_000

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
    delimiter, found = _sniff(text)
    legacy_font = any(0xA0 <= ord(ch) <= 0xFF for ch in text[:_TCVN3_PROBE]) or (
        not encoding.startswith("utf-") and any(b >= 0xA0 for b in data[:_TCVN3_PROBE]))
    for convert in (_from_tcvn3, _from_vni) if not found and legacy_font else ():
        legacy, legacy_encoding = convert(data, text, encoding)
        legacy_delimiter, found = _sniff(legacy)
        if found:  # unambiguous: the header appears only once the text is read in that font's codes
            text, encoding, delimiter = legacy, legacy_encoding, legacy_delimiter
            break
    try:
        rows, problems = _records(text, delimiter)
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable delimited table: {exc}") from exc
    if not any(cell.strip() for row in rows for cell in row):
        raise UnreadableFile("the file is empty")
    cells: list[list[Cell]] = [[c if c.strip() else None for c in row] for row in rows]
    return Document("csv", encoding, [Grid(None, cells, row_problems=problems, ragged=True)],
                    {"delimiter": delimiter})
