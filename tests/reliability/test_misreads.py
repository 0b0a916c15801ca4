"""No silent misreads (issue 12 §3, §4 formats): each file is built here, parsed as intake parses it,
and its outcome asserted: the figures stored, the rows rejected with their reasons, or the quarantine
reason. Nothing the file does not say is ever stored."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from sources.submission import QuarantineError, Submission, parse_submission
from tests.reliability import corpus

TODAY = date(2025, 6, 15)
NOW = datetime(2025, 6, 15, 9, 0)
COMMA_HEADER = "Địa bàn,Mã chỉ tiêu,Đơn vị tính,Giá trị,Ghi chú"


def parse(data: bytes, name: str = "f.csv") -> Submission:
    return parse_submission(data, name, today=TODAY, now=NOW)


def refused(data: bytes, name: str = "f.csv") -> str:
    with pytest.raises(QuarantineError) as caught:
        parse(data, name)
    return caught.value.reason


def values(sub: Submission) -> list[tuple[int, str, float | None]]:
    return [(f.row_number, f.locality_code, f.value) for f in sub.figures]


def rejected(sub: Submission) -> list[tuple[int, str]]:
    return [(r.row_number, r.field) for r in sub.rejected]


def test_unquoted_decimal_comma_is_rejected_never_guessed() -> None:
    rows = ["TP. Nha Trang,ALLEY_LIT_RATE,%,30,3,", "Huyện Diên Khánh,ALLEY_LIT_RATE,%,60,"]
    sub = parse(corpus.csv_text(rows, COMMA_HEADER).encode())
    assert values(sub) == [(7, "574", 60.0)]  # not 30.0
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field) == (6, "row")
    assert "6 fields but the header has 5" in bad.reason
    assert "unquoted decimal comma? write \"30,3\" in quotes or use ';' as the separator" in bad.reason


def test_field_count_mismatch_is_rejected() -> None:
    rows = [
        "TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;;extra",  # a filled field beyond the header
        "Huyện Diên Khánh;ALLEY_LIT_RATE;60",  # a field missing before the value: shifted
        "Thị xã Ninh Hòa;ALLEY_LIT_RATE;%;55",  # only the trailing note left out: read
        "Thành phố Cam Ranh;ALLEY_LIT_RATE;%;40;;;",  # empty trailing fields: read
    ]
    sub = parse(corpus.csv_text(rows).encode())
    assert values(sub) == [(8, "572", 55.0), (9, "569", 40.0)]
    assert rejected(sub) == [(6, "row"), (7, "row")]
    assert "6 fields but the header has 5" in sub.rejected[0].reason
    assert "3 fields but the header has 5" in sub.rejected[1].reason


def test_unclosed_quote_rejects_the_rows_it_swallows() -> None:
    rows = [
        'TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;"ghi chú chưa đóng',
        "Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;",
        "Thị xã Ninh Hòa;ALLEY_LIT_RATE;%;55;",
    ]
    sub = parse(corpus.csv_text(rows).encode())
    assert sub.figures == [] and sub.status == "accepted_with_rejections"
    assert rejected(sub) == [(6, "row"), (7, "row"), (8, "row")]
    assert "unclosed \" in column 5 of row 6 swallows rows 7–8" in sub.rejected[0].reason
    assert all("swallowed by the unclosed \" on row 6" in r.reason for r in sub.rejected[1:])
    assert json.loads(sub.rejected[1].row_data)["Giá trị"] == "60"


def test_a_quoted_note_over_several_lines_is_still_read() -> None:
    rows = ['TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;"dòng một\ndòng hai"', "Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;"]
    sub = parse(corpus.csv_text(rows).encode())
    assert [(f.locality_code, f.value, f.note) for f in sub.figures] == [
        ("568", 85.3, "dòng một\ndòng hai"),
        ("574", 60.0, None),
    ]
    assert sub.rejected == []


@pytest.mark.parametrize("raw", ["9" * 400, "nan", "inf", "-Infinity", "NaN"])
def test_non_finite_numbers_are_rejected(raw: str) -> None:
    sub = parse(corpus.csv_text([f"TP. Nha Trang;ALLEY_LIT_RATE;%;{raw};"]).encode())
    assert sub.figures == []
    (bad,) = sub.rejected
    assert bad.field == "value" and "not a finite number" in bad.reason and len(bad.reason) < 200


def _patch_sheet(data: bytes, replace: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml") -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == sheet:
                # an empty value: <v /> from openpyxl's own XML writer, <v></v> from lxml's
                text = body.decode().replace("<v></v>", "<v />").replace("<v/>", "<v />")
                for old, new in replace.items():
                    assert old in text, old
                    text = text.replace(old, new)
                body = text.encode()
            dst.writestr(item, body)
    return out.getvalue()


def test_excel_error_cells_are_rejected_with_the_error() -> None:
    data = corpus.xlsx(
        [
            corpus.XLSX_HEADER,
            ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", "=1/0", None],
            ["Huyện Diên Khánh", "ALLEY_LIT_RATE", "%", "=NA()", None],
            ["Thị xã Ninh Hòa", "ALLEY_LIT_RATE", "%", "=A1*2", None],
            ["Thành phố Cam Ranh", "ALLEY_LIT_RATE", "%", 40, None],
        ]
    )
    data = _patch_sheet(
        data,
        {
            '<c r="D5"><f>1/0</f><v /></c>': '<c r="D5" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            '<c r="D6"><f>NA()</f><v /></c>': '<c r="D6" t="e"><f>NA()</f><v>#N/A</v></c>',
            '<c r="D7"><f>A1*2</f><v /></c>': '<c r="D7" t="e"><f>A1*2</f><v>#VALUE!</v></c>',
        },
    )
    sub = parse(data, "errors.xlsx")
    assert values(sub) == [(8, "569", 40.0)]
    assert [(r.row_number, r.field, r.value_raw) for r in sub.rejected] == [
        (5, "value", "#DIV/0!"),
        (6, "value", "#N/A"),
        (7, "value", "#VALUE!"),
    ]
    assert all("Excel error" in r.reason and "broken is not missing" in r.reason for r in sub.rejected)


def test_workbook_never_calculated_is_refused() -> None:
    data = corpus.xlsx([corpus.XLSX_HEADER, ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", "=40+45", None]])
    assert "open and save it in Excel" in refused(data, "uncalculated.xlsx")


def test_hidden_first_sheet_is_skipped_and_the_choice_recorded() -> None:
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "2023"
    old.sheet_state = "hidden"
    for row in (["Đơn vị báo cáo: Sở Xây dựng"], ["Kỳ báo cáo: Năm 2023"], [], corpus.XLSX_HEADER,
                ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 11.0, None]):
        old.append(row)
    new = wb.create_sheet("2024")
    for row in (["Đơn vị báo cáo: Sở Xây dựng"], ["Kỳ báo cáo: Năm 2024"], [], corpus.XLSX_HEADER,
                ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 85.3, None]):
        new.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    sub = parse(buf.getvalue(), "hidden.xlsx")
    assert [(f.period, f.value) for f in sub.figures] == [("2024", 85.3)]
    assert sub.meta.sheet_name == "2024"
    assert sub.meta.title_block["_hidden_sheets_skipped"] == ["2023"]


def test_stacked_period_tables_are_read_per_period() -> None:
    text = corpus.csv_text(
        ["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;", "", "Kỳ báo cáo: Năm 2023", corpus.HEADER,
         "TP. Nha Trang;ALLEY_LIT_RATE;%;70;"]
    )
    sub = parse(text.encode())
    assert [(f.row_number, f.period, f.value) for f in sub.figures] == [(6, "2024", 85.3), (10, "2023", 70.0)]
    assert sub.rejected == []
    assert sub.meta.title_block["_period_titles"] == {"8": "Năm 2023"}


def test_second_table_with_other_columns_is_refused() -> None:
    text = corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;", "", "Mã chỉ tiêu;Giá trị;Địa bàn", "X;1;Y"])
    assert "a second table starts on row 8" in refused(text.encode())


@pytest.mark.parametrize(
    "header",
    [
        "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Quý I/2024;Quý II/2024",
        "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Quý I;Quý II;Quý III;Quý IV",
        "Địa bàn;Mã chỉ tiêu;Giá trị;Thực hiện",
    ],
)
def test_wide_layout_is_refused_not_mixed_under_one_period(header: str) -> None:
    text = corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;80"], header)
    reason = refused(text.encode())
    assert "would file every figure under one period" in reason and "one figure a row" in reason


def test_wide_layout_under_a_merged_value_header_is_refused() -> None:
    data = corpus.xlsx(
        [
            ["Địa bàn", "Mã chỉ tiêu", "Đơn vị tính", "Giá trị", None],
            [None, None, None, "Năm 2023", "Năm 2024"],
            ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 70, 85.3],
        ],
        merge="D4:E4",
    )
    assert "one value column per period" in refused(data, "wide.xlsx")


def test_future_submission_date_is_clamped_and_noted() -> None:
    sub = parse(corpus.csv_text(title=corpus.TITLE.replace("20/01/2025", "01/01/2099")).encode())
    assert sub.meta.submitted_at == NOW
    assert {f.submitted_at for f in sub.figures} == {NOW}
    assert "2099-01-01" in str(sub.meta.title_block["_submitted_at_clamped"])


def test_future_date_in_a_column_is_clamped() -> None:
    header = corpus.HEADER + ";Ngày gửi"
    sub = parse(corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;;15/03/2099"], header,
                                "Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\n\n").encode())
    assert [f.submitted_at for f in sub.figures] == [NOW]
    assert sub.meta.submitted_at == NOW and "_submitted_at_clamped" in sub.meta.title_block
    assert sub.meta.title_block["_submitted_at_clamped_rows"] == [5]


def test_a_ten_megabyte_field_is_quoted_not_copied() -> None:
    huge = "X" * 10_000_000
    sub = parse(corpus.csv_text([f"{huge};ALLEY_LIT_RATE;%;1;", f"TP. Nha Trang;ALLEY_LIT_RATE;%;{huge};"]).encode())
    assert sub.figures == []
    for r in sub.rejected:
        assert len(r.reason) <= 600 and len(r.value_raw or "") <= 300 and len(r.row_data) < 2000
        assert len(r.suggestion or "") <= 600


def test_html_table_saved_as_xls_is_read() -> None:
    page = (
        "<html><head><meta charset='utf-8'></head><body>"
        "<p>Đơn vị báo cáo: Sở Xây dựng</p><table><tr><td>Đơn vị báo cáo: Sở Xây dựng</td></tr>"
        "<tr><td>Kỳ báo cáo: Năm 2024</td></tr>"
        "<tr><th>Địa bàn</th><th>Mã chỉ tiêu</th><th>Đơn vị tính</th><th>Giá trị</th></tr>"
        "<tr><td>TP. Nha Trang</td><td>ALLEY_LIT_RATE</td><td>%</td><td>85,3</td></tr></table></body></html>"
    )
    sub = parse(page.encode(), "portal.xls")
    assert sub.meta.file_format == "html" and values(sub) == [(4, "568", 85.3)]
    assert sub.meta.title_block["_read_as"] == "a web page (HTML)"


def test_truncated_html_is_refused() -> None:
    page = "<html><body><table><tr><th>Mã chỉ tiêu</th><th>Giá trị</th></tr><tr><td>ALLEY_LIT_RATE</td><td>8"
    assert "truncated" in refused(page.encode(), "cut.xls")


def test_html_without_a_table_is_named() -> None:
    assert "a web page (HTML)" in refused(b"<!DOCTYPE html><html><body>Session expired</body></html>", "x.xls")


def test_excel_2003_xml_is_read() -> None:
    def row(*cells: str) -> str:
        return "<Row>" + "".join(f'<Cell><Data ss:Type="String">{c}</Data></Cell>' for c in cells) + "</Row>"

    xml = (
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="BC"><Table>'
        + row("Đơn vị báo cáo: Sở Xây dựng") + row("Kỳ báo cáo: Năm 2024")
        + row("Địa bàn", "Mã chỉ tiêu", "Đơn vị tính", "Giá trị")
        + '<Row><Cell><Data ss:Type="String">TP. Nha Trang</Data></Cell><Cell><Data ss:Type="String">'
        'ALLEY_LIT_RATE</Data></Cell><Cell ss:Index="4"><Data ss:Type="Number">85.3</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )
    sub = parse(xml.encode(), "old.xls")
    assert sub.meta.file_format == "xml2003" and values(sub) == [(4, "568", 85.3)]
    assert "truncated" in refused(xml.encode()[:-60], "cut.xls")


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buf.getvalue()


def test_zip_of_csvs_is_named() -> None:
    reason = refused(_zip({"sxd_2024.csv": corpus.good_csv(), "sxd_2023.csv": corpus.good_csv()}), "bao_cao.zip")
    assert "zip archive of 2 files" in reason and "'sxd_2024.csv'" in reason and "unzip it" in reason


def test_zip_of_one_report_is_read_under_the_zip_guard() -> None:
    sub = parse(_zip({"sxd_2024.csv": corpus.good_csv(), "__MACOSX/._sxd_2024.csv": b"x"}), "bao_cao.zip")
    assert sub.meta.file_format == "csv" and values(sub) == [(6, "568", 85.3), (7, "574", 60.0)]
    assert sub.meta.title_block["_read_from_zip"] == "sxd_2024.csv"
    assert "inflates" in refused(_zip({"big.csv": b"0" * (64 * 1024 * 1024)}), "bomb.zip")


def test_double_encoded_utf8_is_repaired() -> None:
    # UTF-8 bytes read as Windows-1252 (its five undefined bytes as U+0081…, as Windows does), saved as UTF-8.
    raw = corpus.csv_text().encode("utf-8")
    data = "".join(bytes([b]).decode("cp1252", errors="replace") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                   else chr(b) for b in raw).encode("utf-8")
    sub = parse(data)
    assert sub.meta.encoding == "utf-8:double-encoded"
    assert values(sub) == [(6, "568", 85.3), (7, "574", 60.0)]
    assert "_encoding_repaired" in sub.meta.title_block


def _tcvn3(text: str) -> bytes:
    from sources.formats.csv_reader import _TCVN3_HIGH

    reverse = {ch: 0x80 + i for i, ch in enumerate(_TCVN3_HIGH)}
    return bytes(ord(ch) if ch.isascii() else reverse[ch] for ch in text)


@pytest.mark.parametrize("utf8", [False, True])
def test_tcvn3_text_is_converted(utf8: bool) -> None:
    data = _tcvn3(corpus.csv_text())
    if utf8:  # "CSV UTF-8" saved from a sheet typed in .VnTime: the font's codes as Latin-1 letters
        data = data.decode("latin-1").encode("utf-8")
    sub = parse(data)
    assert sub.meta.encoding == ("utf-8:tcvn3" if utf8 else "tcvn3")
    assert values(sub) == [(6, "568", 85.3), (7, "574", 60.0)]
    assert sub.meta.reporter_raw == "Sở Xây dựng"


def test_legacy_font_text_names_the_fix() -> None:
    # Not Unicode, and no header in it even read as TCVN3 or VNI ("Ghi chú;Tên người" in a VNI font): the
    # reason names the conversion. (A VNI header is converted and read: test_vni.py.)
    data = "Ghi chuù;Teân ngöôøi\nNha Trang;Lan\n".encode("cp1252")
    reason = refused(data)
    assert "no recognisable header row" in reason and "TCVN3" in reason and "Unikey" in reason


def test_header_below_the_rows_searched_says_where() -> None:
    title = "Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\n" + "ghi chú\n" * 60
    reason = refused(corpus.csv_text(title=title).encode())
    assert "no header in the first 50 rows" in reason and "row 63" in reason
