"""Row rules and whole-file quarantine."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from sources.submission import QuarantineError, parse_submission

TODAY = date(2025, 6, 15)


def parse(text: str):
    return parse_submission(text.encode("utf-8"), "t.csv", today=TODAY)


def test_locality_file_may_leave_locality_blank_but_not_name_another():
    sub = parse(
        "Đơn vị báo cáo: UBND huyện Diên Khánh\nKỳ báo cáo: 2024\n"
        "Địa bàn,Chỉ tiêu,Giá trị\n"
        ",URBANIZATION_RATE,61\n"
        "H. Diên Khánh,ALLEY_LIT_RATE,70\n"
        "Nha Trang,MAIN_STREET_LIT_RATE,99\n"
    )
    assert sub.meta.reporter_code == "574" and sub.meta.reporter_kind == "locality"
    assert [(f.row_number, f.locality_code) for f in sub.figures] == [(4, "574"), (5, "574")]
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field, bad.value_raw) == (6, "locality", "Nha Trang")
    assert sub.status == "accepted_with_rejections"


def test_department_file_needs_locality_and_may_report_province_total():
    sub = parse(
        "Đơn vị báo cáo,Địa bàn,Mã chỉ tiêu,Năm,Giá trị\n"
        "Sở Xây dựng,,HOUSING_FLOOR_PC,2024,26\n"
        "Sở Xây dựng,Toàn tỉnh,HOUSING_FLOOR_PC,2024,25\n"
        "Sở Xây dựng,Khánh Hoà,HOUSE_PERMANENT_RATE,2024,97\n"
        "Sở Xây dựng,56,GREEN_LAND_PC,2024,3\n"
    )
    assert [f.locality_code for f in sub.figures] == ["56", "56", "56"]
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field) == (2, "locality") and "blank" in bad.reason


def test_each_bad_field_is_one_rejected_entry_with_the_row_json():
    sub = parse(
        "Đơn vị báo cáo: Sở Xây dựng\n"
        "Địa bàn,Chỉ tiêu,Kỳ báo cáo,Giá trị,ĐVT\n"
        "Huyen Cam Lam Moi,Tỷ lệ đô thị hóa,2019,khoảng 80,người\n"
    )
    assert not sub.figures
    fields = {r.field: r for r in sub.rejected}
    assert set(fields) == {"locality", "period", "value", "unit"}
    assert "closest: Huyện Cam Lâm (570)" in fields["locality"].reason
    assert "before the programme" in fields["period"].reason
    assert "approximate" in fields["value"].reason
    assert "'%'" in fields["unit"].reason
    row = json.loads(fields["value"].row_data)
    assert row["Giá trị"] == "khoảng 80" and row["Địa bàn"] == "Huyen Cam Lam Moi"
    assert {r.row_number for r in sub.rejected} == {3} and sub.rows_rejected == 1


def test_missing_value_is_a_figure_with_none():
    sub = parse(
        "Đơn vị báo cáo: SXD\nNăm: 2024\nĐịa bàn,Chỉ tiêu,Giá trị\nCam Lâm,ALLEY_LIT_RATE,-\n"
        "Vạn Ninh,ALLEY_LIT_RATE,\n"
    )
    assert [(f.value, f.value_raw) for f in sub.figures] == [(None, "-"), (None, None)]
    assert sub.status == "accepted"


def test_duplicate_in_one_file_rejects_the_later_row():
    sub = parse(
        "Đơn vị báo cáo: SXD\nĐịa bàn,Chỉ tiêu,Kỳ báo cáo,Giá trị\n"
        "Nha Trang,ALLEY_LIT_RATE,2024,80\nTP. Nha Trang,ALLEY_LIT_RATE,Năm 2024,81\n"
    )
    assert [f.value for f in sub.figures] == [80.0]
    (dup,) = sub.rejected
    assert dup.row_number == 4 and "duplicate of row 3" in dup.reason


def test_row_reporter_differing_from_the_file_is_rejected():
    sub = parse(
        "Đơn vị báo cáo,Địa bàn,Chỉ tiêu,Năm,Giá trị\n"
        "Sở Xây dựng,Nha Trang,ALLEY_LIT_RATE,2024,80\n"
        "Sở Xây dựng,Cam Ranh,ALLEY_LIT_RATE,2024,70\n"
        "Sở Giao thông vận tải,Cam Ranh,PUBLIC_TRANSPORT_RATE,2024,3\n"
    )
    assert sub.meta.reporter_code == "SXD"
    (bad,) = sub.rejected
    assert (bad.row_number, bad.field) == (4, "reporter") and "SGTVT" in bad.reason


def test_submitted_at_from_column_and_title():
    sub = parse(
        "Đơn vị báo cáo,Địa bàn,Chỉ tiêu,Năm,Giá trị,Ngày gửi\n"
        "SXD,Nha Trang,ALLEY_LIT_RATE,2024,80,15/01/2025\n"
        "SXD,Cam Ranh,ALLEY_LIT_RATE,2024,80,2025-01-20\n"
    )
    assert [f.submitted_at for f in sub.figures] == [datetime(2025, 1, 15), datetime(2025, 1, 20)]
    assert sub.meta.submitted_at == datetime(2025, 1, 20)
    titled = parse(
        "Đơn vị báo cáo: SXD\nNgày báo cáo: 05/02/2025\nNăm: 2024\nĐịa bàn,Chỉ tiêu,Giá trị\n"
        "Nha Trang,ALLEY_LIT_RATE,80\n"
    )
    assert titled.meta.submitted_at == datetime(2025, 2, 5)
    assert not titled.meta.is_synthetic
    untitled = parse(
        "Đơn vị báo cáo: SXD\nNăm: 2024\nĐịa bàn,Chỉ tiêu,Giá trị\nNha Trang,ALLEY_LIT_RATE,80\n"
    )
    assert untitled.meta.submitted_at is None


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "NUL"),
        (b"PK\x03\x04 not really a zip", "Excel"),
        (b"hello world\njust some text\n", "no recognisable header"),
        ("Địa bàn,Chỉ tiêu,Năm,Giá trị\n".encode(), "no data rows"),
        ("Địa bàn,Chỉ tiêu,Năm,Giá trị\nNha Trang,ALLEY_LIT_RATE,2024,80\n".encode(), "no reporter"),
        (
            "Đơn vị báo cáo: Sở Xây dựng mới\nĐịa bàn,Chỉ tiêu,Năm,Giá trị\n"
            "Nha Trang,ALLEY_LIT_RATE,2024,80\n".encode(),
            "unknown reporter",
        ),
        (
            "Đơn vị báo cáo: SXD\nĐịa bàn,Chỉ tiêu,Giá trị\nNha Trang,ALLEY_LIT_RATE,80\n".encode(),
            "no period",
        ),
        (
            "Đơn vị báo cáo: SXD\nNăm: 2018\nĐịa bàn,Chỉ tiêu,Giá trị\n"
            "Nha Trang,ALLEY_LIT_RATE,80\n".encode(),
            "before the programme",
        ),
        (bytes([0x81, 0x8D, 0x8E, 0x8F, 0x90]) * 3, "decode"),
    ],
)
def test_whole_file_quarantine(data, needle):
    with pytest.raises(QuarantineError) as caught:
        parse_submission(data, "bad.csv", today=TODAY)
    assert needle in caught.value.reason


def test_unknown_reporter_reason_names_the_closest():
    with pytest.raises(QuarantineError) as caught:
        parse(
            "Đơn vị báo cáo: Sở Xây dựg\nNăm: 2024\nĐịa bàn,Chỉ tiêu,Giá trị\nNha Trang,ALLEY_LIT_RATE,80\n"
        )
    assert "Sở Xây dựng (SXD)" in caught.value.reason


def test_repeated_place_cells_are_settled_once_but_refused_on_every_row():
    # A file's period, reporter and locality cells are settled once per combination: each row that
    # repeats a bad one is still refused with its own row number and row as read.
    sub = parse(
        "Đơn vị báo cáo,Địa bàn,Chỉ tiêu,Kỳ báo cáo,Giá trị\n"
        "Sở Xây dựng,Xã Không Rõ,URBANIZATION_RATE,2024,61\n"
        "Sở Xây dựng,Xã Không Rõ,ALLEY_LIT_RATE,2024,70\n"
        "Sở Xây dựng,Nha Trang,ALLEY_LIT_RATE,2024,71\n"
        "Sở Xây dựng,Xã Không Rõ,ALLEY_LIT_RATE,2019,72\n"
    )
    assert [(f.row_number, f.locality_code) for f in sub.figures] == [(4, "568")]
    refused = [(r.row_number, r.field) for r in sub.rejected]
    assert refused == [(2, "locality"), (3, "locality"), (5, "locality"), (5, "period")]
    values = [json.loads(r.row_data)["Giá trị"] for r in sub.rejected if r.field == "locality"]
    assert values == ["61", "70", "72"]
    assert all("unknown locality 'Xã Không Rõ'" in r.reason for r in sub.rejected if r.field == "locality")
