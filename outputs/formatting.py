"""Numbers for people: Vietnamese (1.234,5) or English (1,234.5) text, and the Excel number formats.

Excel stores numbers as numbers; how they are displayed (separators) follows the reader's regional
settings. The formats carry the Vietnamese locale tag ``[$-42A]`` (LCID 0x042A) so that Excel and
LibreOffice treat the cells as Vietnamese-formatted numbers; a Vietnamese Windows shows ``1.234,5``.
"""

from __future__ import annotations

import math

from outputs.labels import Lang

VI_LOCALE = "[$-42A]"
EXCEL_FORMATS = {
    "decimal": VI_LOCALE + "#,##0.0",
    "integer": VI_LOCALE + "#,##0",
    "percent_points": VI_LOCALE + "#,##0.0",  # values already in % (85.3 means 85.3 %)
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}


def excel_format_for(unit: str | None, value: float | None = None) -> str:
    """Counts of people, plans, units: no decimals; everything else one decimal."""
    if unit in {"người", "đồ án", "đơn vị"}:
        return EXCEL_FORMATS["integer"]
    return EXCEL_FORMATS["decimal"]


def number_text(value: float | None, lang: Lang, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def decimals_for(unit: str | None) -> int:
    return 0 if unit in {"người", "đồ án", "đơn vị"} else 1
