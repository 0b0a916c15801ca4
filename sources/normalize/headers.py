"""Which column is which: header aliases (Vietnamese or English) and title-block keys.

Matching is on the folded text, so case, accents, spacing and punctuation do not matter
(``Đơn vị tính``, ``DON VI TINH``, ``don_vi_tinh`` are one header). A trailing parenthesis is
ignored as well (``Giá trị (%)``, ``Value (2024)``).
"""

from __future__ import annotations

import re

from sources.normalize.text import fold

# Field → accepted headers. ``indicator_name`` and ``locality_name`` are the second column some
# forms carry next to the code; the code column wins when both are filled.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "reporter": (
        "reporter",
        "reporter name",
        "reporting unit",
        "Đơn vị báo cáo",
        "Cơ quan báo cáo",
        "Đơn vị gửi",
        "Tên đơn vị báo cáo",
    ),
    "reporter_code": ("reporter code", "reporter_code", "Mã đơn vị báo cáo"),
    "locality": (
        "locality",
        "Địa bàn",
        "Đơn vị hành chính",
        "Huyện/thị xã/thành phố",
        "Huyện, thị xã, thành phố",
        "Địa phương",
        "Tên địa bàn",
        "district",
        "locality name",
    ),
    "locality_code": ("locality code", "locality_code", "Mã địa bàn", "Mã đơn vị hành chính", "Mã ĐVHC"),
    "indicator": ("indicator", "indicator code", "indicator_code", "Mã chỉ tiêu"),
    "indicator_name": ("indicator name", "Chỉ tiêu", "Tên chỉ tiêu", "Nội dung chỉ tiêu"),
    "period": ("period", "Kỳ báo cáo", "Năm", "Kỳ", "year", "reporting period", "Năm báo cáo"),
    "value": (
        "value",
        "Giá trị",
        "Số liệu",
        "Thực hiện",
        "Kết quả",
        "Kết quả thực hiện",
        "Số liệu thực hiện",
    ),
    "unit": ("unit", "Đơn vị tính", "ĐVT", "unit of measure"),
    "numerator": ("numerator", "Tử số"),
    "denominator": ("denominator", "Mẫu số"),
    "note": ("note", "notes", "Ghi chú", "remarks", "comment"),
    "submitted": (
        "submitted",
        "submitted_at",
        "submitted at",
        "date submitted",
        "Ngày gửi",
        "Ngày báo cáo",
        "Ngày gửi báo cáo",
    ),
}

# Title-block keys ("Key: value" lines above the header).
TITLE_KEYS: dict[str, tuple[str, ...]] = {
    "reporter": (
        "Đơn vị báo cáo",
        "Cơ quan báo cáo",
        "Đơn vị gửi",
        "reporter",
        "reporting unit",
        "Tên đơn vị báo cáo",
    ),
    "period": ("Kỳ báo cáo", "Năm", "Năm báo cáo", "Kỳ", "period", "year", "reporting period"),
    "submitted": (
        "Ngày gửi",
        "Ngày báo cáo",
        "Ngày gửi báo cáo",
        "submitted",
        "submitted_at",
        "submitted at",
    ),
    "note": ("Ghi chú", "note", "notes"),
    "locality": ("Địa bàn", "locality"),
}

# A header row must name at least these (one of each group).
REQUIRED_GROUPS: tuple[tuple[str, ...], ...] = (("indicator", "indicator_name"), ("value",))

_TRAILING_PARENS = re.compile(r"\s*[\(\[].*?[\)\]]\s*$")


def _index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): field for field, names in aliases.items() for alias in names}


_COLUMN_INDEX = _index(COLUMN_ALIASES)
_TITLE_INDEX = _index(TITLE_KEYS)


def _lookup(index: dict[str, str], label: object) -> str | None:
    if label is None:
        return None
    text = str(label)
    for candidate in (text, _TRAILING_PARENS.sub("", text), text.rstrip(": ")):
        key = fold(candidate)
        if key in index:
            return index[key]
    return None


def match_header(label: object) -> str | None:
    """The field a header cell names, or None."""
    return _lookup(_COLUMN_INDEX, label)


def match_title_key(label: object) -> str | None:
    """The title-block field a key names (``Đơn vị báo cáo`` → ``reporter``), or None."""
    return _lookup(_TITLE_INDEX, label)


def is_header(fields: set[str]) -> bool:
    return all(any(f in fields for f in group) for group in REQUIRED_GROUPS)


def describe_expected() -> str:
    """For quarantine reasons: what a person should put in the header row."""
    return (
        "a header row naming at least the indicator ('Mã chỉ tiêu' / 'Chỉ tiêu' / 'indicator') "
        "and the value ('Giá trị' / 'Số liệu' / 'value')"
    )
