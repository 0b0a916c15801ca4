"""Find the table in a grid: the header row (possibly two rows, possibly merged cells) and the
title block above it ("Key: value" lines, in one cell or as key cell + value cell)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sources.formats import LATE_HEADER_ROWS, Cell, Document, Grid, UnreadableFile
from sources.normalize.headers import describe_expected, is_header, match_header, match_title_key
from sources.normalize.text import cell_text, fold

HEADER_SCAN_ROWS = 50
# Forms often number their columns under the header: "(1) (2) (3)" or "A B C".
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[A-Z])\)?$")


@dataclass(frozen=True)
class TitleBlock:
    fields: dict[str, Cell] = field(default_factory=dict)  # reporter | period | submitted | note | locality
    pairs: dict[str, str] = field(default_factory=dict)  # every "key: value" as written
    lines: list[str] = field(default_factory=list)  # free text (titles, remarks)

    def text(self) -> str:
        return " ".join([*self.lines, *(f"{k} {v}" for k, v in self.pairs.items())])


@dataclass(frozen=True)
class Table:
    sheet_name: str | None
    header_row: int  # 1-based number of the (last) header row
    columns: dict[str, int]  # field → 0-based column
    labels: list[str]  # header label per column, for the row JSON
    title: TitleBlock
    rows: list[tuple[int, list[Cell]]]  # (1-based row number, cells)
    row_problems: dict[int, str] = field(default_factory=dict)  # 1-based row → why it cannot be read
    header_width: int | None = None  # CSV: the header's field count, which every row must match


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _labels(grid: Grid, r: int) -> list[str]:
    """Row r as text, with each merged range's value spread over every cell it covers."""
    width = max((len(row) for row in grid.rows), default=0)
    labels = [cell_text(c) for c in grid.rows[r]] + [""] * (width - len(grid.rows[r]))
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= r <= r1 and r0 < len(grid.rows) and c0 < len(grid.rows[r0]):
            value = cell_text(grid.rows[r0][c0])
            for c in range(c0, min(c1, width - 1) + 1):
                labels[c] = labels[c] or value
    return labels


def _fields(labels: list[str]) -> dict[int, str]:
    return {c: f for c, label in enumerate(labels) if label and (f := match_header(label))}


def _first_per_field(by_column: dict[int, str]) -> dict[str, int]:
    # The leftmost column wins when several name the same field (e.g. a merged 'Chỉ tiêu' over code + name).
    columns: dict[str, int] = {}
    for c in sorted(by_column):
        columns.setdefault(by_column[c], c)
    return columns


def _find_header(grid: Grid) -> tuple[int, int, dict[str, int], list[str]] | None:
    """(first header row, last header row, field → column, labels), 0-based rows."""
    limit = min(len(grid.rows), HEADER_SCAN_ROWS)
    for r in range(limit):
        upper = _labels(grid, r)
        single = _fields(upper)
        if not is_header(set(single.values())):
            continue
        if r + 1 < len(grid.rows):
            lower = _labels(grid, r + 1)
            lower_fields = _fields(lower)
            combined = {**single, **lower_fields}
            # A second header row names fields of its own ('Tử số', 'Mẫu số' under a merged 'Số liệu').
            if lower_fields and len(set(combined.values())) > len(set(single.values())):
                labels = [lo or up for up, lo in zip(upper, lower, strict=True)]
                return r, r + 1, _first_per_field(combined), labels
        return r, r, _first_per_field(single), upper
    return None


_SEGMENT_BREAK = re.compile(r"\s{2,}|\t|\s*[;|]\s*")


def _split_pairs(cell: Cell) -> list[Cell]:
    """'Đơn vị báo cáo: SXD    Năm: 2024' in one cell → two pairs, when every part is a known key."""
    text = cell_text(cell)
    if text.count(":") < 2:
        return [cell]
    parts = [p for p in _SEGMENT_BREAK.split(text) if p.strip()]
    if len(parts) > 1 and all(match_title_key(p.partition(":")[0]) for p in parts):
        return list(parts)
    return [cell]


def _title_block(grid: Grid, above: int) -> TitleBlock:
    fields: dict[str, Cell] = {}
    pairs: dict[str, str] = {}
    lines: list[str] = []
    for row in grid.rows[:above]:
        cells = [part for c in row if cell_text(c) for part in _split_pairs(c)]
        i = 0
        while i < len(cells):
            text = cell_text(cells[i])
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            key: str | None = None
            value: Cell = None
            if ":" in text and match_title_key(text.partition(":")[0]) is not None:
                key, _, rest = text.partition(":")
                value = rest.strip() or None
                if value is None and nxt is not None and ":" not in cell_text(nxt):
                    value, i = nxt, i + 1
            elif match_title_key(text) is not None and nxt is not None:
                key, value, i = text, nxt, i + 1
            elif ":" in text:
                key, _, rest = text.partition(":")
                value = rest.strip()
            if key is None:
                lines.append(text)
            else:
                pairs[key.strip()] = cell_text(value)
                name = match_title_key(key)
                if name and name not in fields and cell_text(value):
                    fields[name] = value
            i += 1
    return TitleBlock(fields, pairs, lines)


def _is_column_numbering(row: list[Cell]) -> bool:
    texts = [cell_text(c) for c in row if cell_text(c)]
    return len(texts) >= 3 and all(_COLUMN_NUMBER.match(t) for t in texts)




def _late_header(grid: Grid) -> int | None:
    for r in range(HEADER_SCAN_ROWS, min(len(grid.rows), LATE_HEADER_ROWS)):
        if sum(1 for c in grid.rows[r] if c is not None) >= 2 and is_header(set(_fields(_labels(grid, r)).values())):
            return r + 1
    return None


_BARE_PERIOD = re.compile(r"^(?:quy|q|quarter|thang|month|t|6 thang|h)\s?(?:[1-9]|1[0-2]|i|ii|iii|iv)(?: .*)?$")
_ANY_DAY = date(2199, 12, 31)  # a period column title is a period whatever today is


def _is_period_label(label: str) -> bool:
    if not label or len(label) > 40:
        return False
    from sources.normalize.periods import parse_period

    return bool(_BARE_PERIOD.match(fold(label))) or parse_period(label, _ANY_DAY).ok


def _wide_layout(grid: Grid, last: int, labels: list[str]) -> str | None:
    """Why the header cannot be read one figure a row: several value columns (one per period, or per
    year), which would be filed under one period. None when there is one value column."""
    by_column = _fields(labels)
    values = [c for c, f in by_column.items() if f == "value"]
    below = _labels(grid, last + 1) if last + 1 < len(grid.rows) else []
    for row in (labels, [below[c] if c < len(below) else "" for c in values] if len(values) >= 2 else []):
        dated = [label for c, label in enumerate(row) if by_column.get(c) != "period" and _is_period_label(label)]
        if len(dated) >= 2:
            return f"one value column per period ({', '.join(repr(d) for d in dated[:4])})"
    if len(values) >= 2 and len({labels[c] for c in values}) >= 2:
        return f"several value columns ({', '.join(repr(labels[c]) for c in values[:4])})"
    return None


def locate_table(doc: Document) -> Table:
    """The first grid holding a recognisable header row. Raises UnreadableFile."""
    for grid in doc.grids:
        found = _find_header(grid)
        if found is None:
            continue
        first, last, columns, labels = found
        wide = _wide_layout(grid, last, labels)
        if wide:
            raise UnreadableFile(
                f"the header on row {last + 1} has {wide}: that would file every figure under one period. "
                "Send one figure a row, with the period in a 'Kỳ báo cáo' column (or one file per period)"
            )
        labels = [label or _column_letter(c) for c, label in enumerate(labels)]
        start = last + 1
        if start < len(grid.rows) and _is_column_numbering(grid.rows[start]):
            start += 1
        rows = [(r + 1, list(grid.rows[r])) for r in range(start, len(grid.rows))]
        problems = {r + 1: why for r, why in grid.row_problems.items() if r >= start}
        width = len(grid.rows[last]) if grid.ragged else None
        return Table(grid.name, last + 1, columns, labels, _title_block(grid, first), rows, problems, width)
    where = "any sheet" if doc.format != "csv" else "the file"
    for grid in doc.grids:  # no value column: one column per period instead ('Quý I', 'Quý II' …)?
        for r in range(min(len(grid.rows), HEADER_SCAN_ROWS)):
            if sum(1 for c in grid.rows[r] if c is not None) < 3:
                continue
            labels = _labels(grid, r)
            named = set(_fields(labels).values())
            if {"indicator", "indicator_name"} & named and (wide := _wide_layout(grid, r, labels)):
                raise UnreadableFile(
                    f"the header on row {r + 1} has {wide}: that would file every figure under one period. "
                    "Send one figure a row, with the period in a 'Kỳ báo cáo' column (or one file per period)"
                )
    late = next((row for g in doc.grids if (row := _late_header(g))), None)
    if late is not None:
        raise UnreadableFile(
            f"no header in the first {HEADER_SCAN_ROWS} rows of {where}: the header is on row {late}; "
            "delete the rows above it (keep only the title lines)"
        )
    hint = ""
    if doc.encoding in ("windows-1258", "mixed:utf-8+windows-1258"):
        hint = (
            "; the text is not Unicode: if it was typed with a TCVN3 (.Vn…) or VNI font, convert it "
            "to Unicode (e.g. Unikey's converter) and save as CSV UTF-8"
        )
    raise UnreadableFile(f"no recognisable header row in {where}: expected {describe_expected()}{hint}")
