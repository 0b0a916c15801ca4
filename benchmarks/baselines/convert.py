"""Files the baselines cannot read natively, converted to one canonical CSV each — outside any timing.

DuckDB's excel extension cannot be installed offline here, so the floor cannot ``read_xlsx``; and the
bundled sample also holds Windows-1258 CSVs, legacy .xls and title blocks. Each such file becomes a
UTF-8 CSV with English headers (reporter, period, submitted, locality, indicator, value, unit, numerator,
denominator, note) and a ``numbers`` column (en | vi | native), cells as written. dothi's own reader
finds the table (header row, title block): that work is *given* to both baselines, which flatters them.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from sources.formats import read_document
from sources.formats.layout import locate_table
from sources.normalize.numbers import dominant_style
from sources.normalize.text import cell_text

CANON = [
    "reporter",
    "period",
    "submitted",
    "locality",
    "indicator",
    "value",
    "unit",
    "numerator",
    "denominator",
    "note",
    "numbers",
]
_SOURCES = {  # canonical column → dothi's field names, first filled wins
    "reporter": ("reporter", "reporter_code"),
    "period": ("period",),
    "submitted": ("submitted",),
    "locality": ("locality_code", "locality"),
    "indicator": ("indicator", "indicator_name"),
    "value": ("value",),
    "unit": ("unit",),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "note": ("note",),
}


def convert_file(src: Path, dst: Path) -> int:
    doc = read_document(src.read_bytes())
    table = locate_table(doc)
    title = table.title.fields
    rows = [cells for _, cells in table.rows if any(cell_text(c) for c in cells)]

    def cell(cells: list, name: str) -> str:
        for f in _SOURCES[name]:
            col = table.columns.get(f)
            if col is not None and col < len(cells) and cell_text(cells[col]):
                return cell_text(cells[col])
        fallback = title.get(name)
        return cell_text(fallback) if fallback is not None else ""

    raw_numbers = [
        cells[table.columns[f]]
        for cells in rows
        for f in ("value", "numerator", "denominator")
        if f in table.columns and table.columns[f] < len(cells)
    ]
    native = doc.format != "csv" and any(isinstance(c, int | float) for c in raw_numbers)
    style = "native" if native else (dominant_style(raw_numbers) or "en")
    with dst.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANON)
        for cells in rows:
            writer.writerow([*(cell(cells, c) for c in CANON[:-1]), style])
    return len(rows)


def convert(files: list[Path], out: Path) -> dict[str, float]:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rows = 0
    for i, src in enumerate(files):
        try:
            rows += convert_file(src, out / f"{i:06d}_{src.stem}.csv")
        except Exception:  # unreadable files are quarantined by dothi; the baselines just skip them
            continue
    return {"files": len(files), "rows": rows, "seconds": round(time.perf_counter() - started, 2)}
