"""Excel error cells in a legacy .xls (issue 12, item 3): calamine shows them blank, so the BIFF records
are read for them (sources/formats/biff.py). Broken is not missing: the row is rejected with the error."""

from __future__ import annotations

import io
import os
import struct
from datetime import datetime

import duckdb
import pytest
import xlwt

from sources.formats import biff
from sources.home import DothiHome
from sources.intake import run_intake
from sources.submission import parse_submission
from tests.reliability import corpus

NOW = datetime(2025, 6, 15, 9, 0)
TITLE = ["Đơn vị báo cáo: Sở Xây dựng", "Kỳ báo cáo: Năm 2024"]
ROWS: list[tuple[str, float | str]] = [
    ("TP. Nha Trang", "#DIV/0!"), ("Huyện Diên Khánh", "#N/A"), ("Thị xã Ninh Hòa", "formula:#VALUE!"),
    ("Thành phố Cam Ranh", 40.0), ("Huyện Cam Lâm", "formula:85.5"),
]
_CODES = {text: code for code, text in biff.ERROR_CODES.items()}


def _cached_error(data: bytes, row: int, col: int, code: int) -> bytes:
    """xlwt writes a formula with an empty cached result: give the FORMULA record at (row, col) the cached
    error Excel would have saved (FormulaValue: type 2 = error, its code, 0xFFFF)."""
    marker = struct.pack("<HH", row, col)
    at = next(i for i in range(len(data) - 10) if data[i:i + 2] == b"\x06\x00" and data[i + 4:i + 8] == marker)
    value = bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])
    return data[: at + 10] + value + data[at + 18:]


def _cached_number(data: bytes, row: int, col: int, number: float) -> bytes:
    marker = struct.pack("<HH", row, col)
    at = next(i for i in range(len(data) - 10) if data[i:i + 2] == b"\x06\x00" and data[i + 4:i + 8] == marker)
    return data[: at + 10] + struct.pack("<d", number) + data[at + 18:]


def error_xls(sheet: str = "Báo cáo", hidden_first: bool = False, pad_rows: int = 0) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    if hidden_first:  # last year's table, with an error of its own: never read
        old = book.add_sheet("2023")
        old.write(0, 0, "x")
        old.row(3).set_cell_error(3, _CODES["#REF!"])
        old.visibility = 1  # BOUNDSHEET hsState: hidden
    ws = book.add_sheet(sheet)
    for r, line in enumerate(TITLE):
        ws.write(r, 0, line)
    for c, label in enumerate(corpus.XLSX_HEADER):
        ws.write(3, c, label)
    formulas: list[tuple[int, str]] = []
    for i, (name, value) in enumerate(ROWS):
        r = 4 + i
        ws.write(r, 0, name)
        ws.write(r, 1, "ALLEY_LIT_RATE")
        ws.write(r, 2, "%")
        if isinstance(value, float):
            ws.write(r, 3, value)
        elif value.startswith("formula:"):
            ws.write(r, 3, xlwt.Formula("1/0"))
            formulas.append((r, value.split(":", 1)[1]))
        else:
            ws.row(r).set_cell_error(3, _CODES[value])  # the code: xlwt's own names are off (#VALUE! → 36)
    for k in range(pad_rows):  # a larger workbook: its stream lives in regular sectors, not the mini stream
        ws.write(20 + k, 6, f"ghi chú {k}")
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    for r, cached in formulas:
        data = _cached_error(data, r, 3, _CODES[cached]) if cached.startswith("#") else _cached_number(
            data, r, 3, float(cached))
    return data


def test_biff_scan_finds_error_cells_and_cached_formula_errors() -> None:
    for pad in (0, 400):
        found = biff.error_cells(error_xls(pad_rows=pad))
        assert found == {"Báo cáo": {(4, 3): "#DIV/0!", (5, 3): "#N/A", (6, 3): "#VALUE!"}}, pad


def test_xls_error_cells_are_rejected_with_the_error_shown() -> None:
    sub = parse_submission(error_xls(), "loi.xls", today=NOW.date())
    assert sub.meta.file_format == "xls"
    assert [(f.row_number, f.value) for f in sub.figures] == [(8, 40.0), (9, 85.5)]
    assert [(r.row_number, r.field, r.value_raw) for r in sub.rejected] == [
        (5, "value", "#DIV/0!"), (6, "value", "#N/A"), (7, "value", "#VALUE!"),
    ]
    assert all("Excel error" in r.reason and "broken is not missing" in r.reason for r in sub.rejected)


def test_a_hidden_sheets_errors_are_not_read_and_the_visible_sheet_is(tmp_path) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    (home.inbox / "loi.xls").write_bytes(error_xls(hidden_first=True, pad_rows=400))
    os.utime(home.inbox / "loi.xls", (datetime(2025, 6, 1).timestamp(),) * 2)
    [outcome] = run_intake(home, "xls", now=NOW).outcomes
    assert (outcome.status, outcome.rows_accepted, outcome.rows_rejected) == ("accepted_with_rejections", 2, 3)
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        figures = conn.execute("select row_number, value from raw.figures order by 1").fetchall()
        rejected = conn.execute("select row_number, field, value_raw from raw.rejected_rows order by 1").fetchall()
        sheet = conn.execute("select sheet_name from raw.submissions").fetchone()
    assert figures == [(8, 40.0), (9, 85.5)]
    assert rejected == [(5, "value", "#DIV/0!"), (6, "value", "#N/A"), (7, "value", "#VALUE!")]
    assert sheet == ("Báo cáo",)


def test_a_malformed_compound_file_is_refused_by_the_scan_not_by_a_crash() -> None:
    data = error_xls()
    for broken in (data[:600], data[:8] + b"\0" * 600, data[:0x30] + b"\xff\xff\xff\x7f" + data[0x34:]):
        with pytest.raises(biff.BiffError):
            biff.error_cells(broken)
