"""Readers: encodings, delimiters, Excel title blocks and merged headers, legacy .xls."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest
import xlwt

from sources.formats import detect_format, extension_for, read_document
from sources.formats.csv_reader import decode, sniff_delimiter
from sources.formats.layout import locate_table
from sources.submission import QuarantineError, parse_submission

TODAY = date(2025, 6, 15)
TONES = "\u0300\u0301\u0303\u0309\u0323"

CSV_BODY = (
    "Đơn vị báo cáo,Địa bàn,Mã chỉ tiêu,Kỳ báo cáo,Giá trị,Đơn vị tính\n"
    'Sở Xây dựng,Thành phố Nha Trang,URBANIZATION_RATE,2024,"72,5",%\n'
    'Sở Xây dựng,Huyện Diên Khánh,URBANIZATION_RATE,2024,"55,1",%\n'
)


def to_cp1258(text: str) -> bytes:
    """What Vietnamese Excel writes: base letters (ơ, â, ...) plus separate combining tone marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")


def _figures(data: bytes):
    return parse_submission(data, "f.csv", today=TODAY)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV_BODY.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CSV_BODY.encode("utf-8"), "utf-8-sig"),
        (unicodedata.normalize("NFD", CSV_BODY).encode("utf-8"), "utf-8"),
        (to_cp1258(CSV_BODY), "windows-1258"),
    ],
)
def test_csv_encodings_all_give_nfc(data, encoding):
    sub = _figures(data)
    assert sub.meta.encoding == encoding
    assert [f.locality_code for f in sub.figures] == ["568", "574"]
    assert sub.meta.reporter_raw == "Sở Xây dựng" == unicodedata.normalize("NFC", sub.meta.reporter_raw)
    assert [f.value for f in sub.figures] == [72.5, 55.1]


def test_cp1258_bytes_really_are_decomposed():
    data = to_cp1258("Khánh Hòa")
    assert data != "Khánh Hòa".encode()
    text, encoding = decode(data)
    assert (text, encoding) == ("Khánh Hòa", "windows-1258")


def test_nul_bytes_quarantine():
    with pytest.raises(QuarantineError, match="NUL"):
        _figures(CSV_BODY.encode("utf-16-le"))  # UTF-16 without a byte-order mark: cannot be told from binary
    assert extension_for(b"a\x00b") == ".bin"


def test_utf16_with_bom_is_read():
    # Excel's "Unicode text" export: UTF-16 with a BOM.
    assert len(_figures(CSV_BODY.encode("utf-16")).figures) == 2
    assert extension_for(CSV_BODY.encode("utf-16")) == ".csv"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_sniffing(delimiter):
    text = (
        f"Địa bàn{delimiter}Chỉ tiêu{delimiter}Năm{delimiter}Giá trị\n"
        f"Nha Trang{delimiter}Tỷ lệ nhà kiên cố, bán kiên cố{delimiter}2024{delimiter}98,5\n"
    )
    assert sniff_delimiter(text) == delimiter


def test_semicolon_file_with_decimal_commas():
    data = "Đơn vị báo cáo: UBND TP. Nha Trang\nChỉ tiêu;Năm;Giá trị\nTỷ lệ đô thị hóa;2024;72,5\n".encode()
    sub = _figures(data)
    assert sub.meta.reporter_code == "568" and sub.figures[0].value == 72.5
    assert sub.figures[0].locality_code == "568"
    assert sub.figures[0].row_number == 3


def test_detect_format_by_content_not_name():
    assert detect_format(b"PK\x03\x04rest") == "xlsx"
    assert detect_format(bytes.fromhex("D0CF11E0A1B11AE1") + b"rest") == "xls"
    assert detect_format(b"a,b\n") == "csv"


def _xlsx_with_title_block() -> bytes:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Hướng dẫn"
    notes["A1"] = "Điền số liệu vào sheet Báo cáo"
    ws = wb.create_sheet("Báo cáo")
    ws["A1"] = "BÁO CÁO CHỈ TIÊU PHÁT TRIỂN ĐÔ THỊ (số liệu mô phỏng)"
    ws["A2"] = "Đơn vị báo cáo:"
    ws["B2"] = "Sở Tài nguyên và Môi trường"
    ws["A3"] = "Kỳ báo cáo: 6 tháng đầu năm 2024"
    ws["A4"] = "Ngày gửi"
    ws["B4"] = datetime(2024, 7, 20)
    # Two header rows: 'Số liệu' merged over value/numerator/denominator, others merged vertically.
    for col, label in zip("ABC", ["STT", "Địa bàn", "Chỉ tiêu"], strict=True):
        ws[f"{col}6"] = label
        ws.merge_cells(f"{col}6:{col}7")
    ws["D6"] = "Đơn vị tính"
    ws.merge_cells("D6:D7")
    ws["E6"] = "Số liệu"
    ws.merge_cells("E6:G6")
    ws["E7"], ws["F7"], ws["G7"] = "Thực hiện", "Tử số", "Mẫu số"
    ws.append([1, "TP Nha Trang", "SOLID_WASTE_RATE", "%", 93.5, 187, 200])
    ws.append([2, "Cam Ranh", "Tỷ lệ nước thải đô thị được xử lý đạt chuẩn", "%", "12,5 %", None, None])
    ws.append([None, "Người lập biểu", None, None, None, None, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_title_block_and_merged_two_row_header():
    data = _xlsx_with_title_block()
    table = locate_table(read_document(data))
    assert table.sheet_name == "Báo cáo" and table.header_row == 7
    assert {"locality", "indicator_name", "unit", "value", "numerator", "denominator"} <= set(table.columns)
    sub = parse_submission(data, "x.xlsx", today=TODAY)
    meta = sub.meta
    assert (meta.file_format, meta.reporter_code, meta.sheet_name) == ("xlsx", "STNMT", "Báo cáo")
    assert meta.submitted_at == datetime(2024, 7, 20)
    assert meta.is_synthetic
    assert meta.title_block["Đơn vị báo cáo"] == "Sở Tài nguyên và Môi trường"
    assert not sub.rejected
    first, second = sub.figures
    assert (first.row_number, first.locality_code, first.period, first.value) == (8, "568", "2024-H1", 93.5)
    assert (first.numerator, first.denominator, first.number_reading) == (187.0, 200.0, "cell")
    assert (second.indicator_code, second.value, second.locality_code) == (
        "WASTEWATER_TREATED_RATE",
        12.5,
        "569",
    )


def test_legacy_xls():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("BC")
    sheet.write(0, 0, "Đơn vị báo cáo: Cục Thống kê tỉnh Khánh Hòa")
    sheet.write(1, 0, "Năm: 2023")
    sheet.write_merge(3, 3, 0, 1, "Chỉ tiêu")
    for col, label in enumerate(["Địa bàn", "ĐVT", "Giá trị"], start=2):
        sheet.write(3, col, label)
    sheet.write(4, 0, "TOTAL_POP")
    sheet.write(4, 1, "Dân số trung bình")
    sheet.write(4, 2, "Huyện Diên Khánh")
    sheet.write(4, 3, "người")
    sheet.write(4, 4, 145210)
    buf = io.BytesIO()
    book.save(buf)
    sub = parse_submission(buf.getvalue(), "old.xls", today=TODAY)
    assert sub.meta.file_format == "xls" and sub.meta.reporter_code == "CTK"
    (figure,) = sub.figures
    assert (figure.row_number, figure.locality_code, figure.indicator_code, figure.period, figure.value) == (
        5,
        "574",
        "TOTAL_POP",
        "2023",
        145210.0,
    )


def test_english_headers():
    data = (
        "reporter,locality,indicator,period,value,unit,note\n"
        'KHAWASCO,Cam Ranh,CLEAN_WATER_RATE,2024-Q3,"1,234",%,synthetic\n'
        'KHAWASCO,Toàn tỉnh,WATER_PER_CAPITA,2024-Q3,"1,234.5",l/person/day,\n'
    ).encode()
    sub = _figures(data)
    assert sub.meta.is_synthetic
    assert [(f.locality_code, f.value, f.number_reading) for f in sub.figures] == [
        ("569", pytest.approx(1.234), "ambiguous:vi"),
        ("56", 1234.5, "en"),
    ]


def test_column_numbering_row_and_section_headings_are_skipped():
    data = (
        "Đơn vị báo cáo: SXD\nNăm: 2024\n"
        "STT,Địa bàn,Chỉ tiêu,Giá trị\n"
        "(1),(2),(3),(4)\n"
        ",I. Nhà ở,,\n"
        "1,Nha Trang,HOUSE_PERMANENT_RATE,97\n"
        ",,Người lập biểu,\n"
    ).encode()
    sub = _figures(data)
    assert [(f.row_number, f.value) for f in sub.figures] == [(6, 97.0)]
    assert not sub.rejected and sub.meta.rows_read == 1


def test_intake_modules_stay_light():
    import subprocess
    import sys

    code = (
        "import sys, sources.intake, sources.submission; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dagster', 'great_expectations')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_two_title_pairs_in_one_cell():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Đơn vị báo cáo: UBND TX. Ninh Hoà    Kỳ báo cáo: Quý I/2025"
    ws.append(["Chỉ tiêu", "Giá trị"])
    ws.append(["MAIN_STREET_LIT_RATE", "98,5"])
    buf = io.BytesIO()
    wb.save(buf)
    sub = parse_submission(buf.getvalue(), "q.xlsx", today=TODAY)
    assert (sub.meta.reporter_code, sub.figures[0].period, sub.figures[0].locality_code) == (
        "572",
        "2025-Q1",
        "572",
    )
    assert sub.figures[0].value == 98.5
