"""Submission templates: an .xlsx a reporter fills in, laid out exactly as the submission contract reads it.

Sheet ``Số liệu`` (first, so intake finds it): a title block (report name, ``Đơn vị báo cáo``,
``Kỳ báo cáo``, ``Ngày gửi``, then the unit the template speaks of with its validity — ``Địa bàn`` for a
People's Committee, ``Phạm vi`` for a department: the province version and how many units it has then), a
note, a blank row, the header ``STT | Địa bàn | Mã chỉ tiêu | Chỉ tiêu | Đơn vị
tính | Giá trị | Tử số | Mẫu số | Ghi chú`` and one row per expected locality × indicator. Only the
yellow cells are unlocked (the sheet is protected, without a password, so the title block and the
codes cannot be overwritten by accident); values are validated against each indicator's valid range
and codes are chosen from dropdowns. ``Hướng dẫn`` holds the instructions in Vietnamese; ``Danh mục``
(hidden) the lists the dropdowns use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from outputs.excel_cells import BORDER, NOTE_FONT, TITLE_FONT, WRAP, header_row, put
from outputs.formatting import EXCEL_FORMATS
from outputs.template_plan import TemplatePlan, validity_vi
from sources.normalize.names import resolvers
from sources.normalize.periods import parse_period
from sources.reference import load_reference

DATA_SHEET = "Số liệu"
HELP_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
HEADER = ["STT", "Địa bàn", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"]
WIDTHS = [6, 24, 26, 52, 16, 14, 14, 14, 30]
AREA_ROW = 5  # the unit (code, validity) the template speaks of
NOTE_ROW = 6
HEADER_ROW = 8
FIRST_DATA_ROW = HEADER_ROW + 1
SPARE_ROWS = 10  # extra unlocked rows (with dropdowns) for figures the plan did not foresee
PERIOD_CELL = "B3"
SUBMITTED_CELL = "B4"
COL = {name: i for i, name in enumerate(HEADER, start=1)}
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
UNLOCKED = Protection(locked=False)

INSTRUCTIONS_VI = [
    "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO CHỈ TIÊU PHÁT TRIỂN ĐÔ THỊ",
    "1. Chỉ nhập vào các ô màu vàng. Đơn vị báo cáo, kỳ báo cáo, địa bàn, mã chỉ tiêu và đơn vị tính đã được "
    "điền sẵn và khóa; không đổi tên trang «Số liệu», không xóa hoặc chèn cột.",
    "2. Ngày gửi (ô B4): ngày ký báo cáo, dạng ngày/tháng/năm.",
    "3. Giá trị: nhập số theo đúng đơn vị tính của dòng (ví dụ tỷ lệ 85,3 % nhập 85,3). Số phải nằm trong "
    "khoảng hợp lệ của chỉ tiêu; Excel sẽ báo nếu vượt khoảng.",
    "4. Không có số liệu: để trống ô Giá trị (không ghi 0). Có thể ghi lý do vào cột Ghi chú.",
    "5. Tử số / Mẫu số: nên nhập cho các chỉ tiêu tỷ lệ (ví dụ số km đường được chiếu sáng / tổng số km); "
    "Giá trị phải bằng Tử số / Mẫu số × 100.",
    "6. Cần báo cáo thêm địa bàn hoặc chỉ tiêu: dùng các dòng trống bên dưới, chọn Địa bàn và Mã chỉ tiêu "
    "trong danh sách thả xuống.",
    "7. Địa bàn là đơn vị hành chính có hiệu lực vào ngày cuối kỳ báo cáo (ô B5 ghi đơn vị và thời gian hiệu "
    "lực). Từ 01/07/2025 không còn cấp huyện: báo cáo năm 2025, 6 tháng cuối năm 2025 trở đi theo 65 xã, "
    "phường, đặc khu của tỉnh Khánh Hòa mới; một mã số có thể là đơn vị khác ở kỳ khác.",
    "8. Báo cáo điều chỉnh: gửi lại toàn bộ mẫu với ngày gửi mới; số liệu mới thay thế số liệu cũ, "
    "bản cũ vẫn được lưu.",
    "9. Trang «Số liệu» được khóa không mật khẩu (Review › Unprotect Sheet) chỉ để tránh sửa nhầm.",
    "Mẫu do hệ thống dothi lập từ danh mục chỉ tiêu (dbt_project/seeds); gửi tệp vào thư mục nhận báo cáo.",
]


def _title_block(ws: Worksheet, plan: TemplatePlan) -> None:
    put(ws, 1, 1, "BÁO CÁO CHỈ TIÊU PHÁT TRIỂN ĐÔ THỊ").font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for row, (key, value) in enumerate(
        [("Đơn vị báo cáo:", plan.reporter.name_vi), ("Kỳ báo cáo:", plan.period_label_vi), ("Ngày gửi:", None)],
        start=2,
    ):
        put(ws, row, 1, key).font = Font(bold=True)
        put(ws, row, 2, value).font = Font(bold=True)
    submitted = ws[SUBMITTED_CELL]
    submitted.number_format = EXCEL_FORMATS["date"]
    submitted.fill, submitted.protection, submitted.border = INPUT_FILL, UNLOCKED, BORDER
    key, value = area_line(plan)
    put(ws, AREA_ROW, 1, key).font = Font(bold=True)
    put(ws, AREA_ROW, 2, value)
    note = f"Mẫu lập ngày {dt.date.today():%d/%m/%Y}. Chỉ nhập vào các ô màu vàng; xem trang «{HELP_SHEET}»."
    put(ws, NOTE_ROW, 1, note).font = NOTE_FONT


def area_line(plan: TemplatePlan) -> tuple[str, str]:
    """The title block's line naming the unit with its validity (the intake reads 'Địa bàn' as the
    locality of blank cells, which is the reporter's own unit; a department's 'Phạm vi' is only read)."""
    area = plan.area
    if area is None:
        return "Phạm vi:", ""
    unit = f"{area.name_vi} (mã {area.code}, {validity_vi(area)})"
    if plan.reporter.kind == "locality":
        return "Địa bàn:", unit
    units = {row.locality.key: row.locality for row in plan.rows if row.locality.key != area.key}
    levels = {u.level for u in units.values()}
    kinds = "đơn vị cấp huyện" if levels == {"district"} else "xã, phường, đặc khu"
    return "Phạm vi:", f"{unit}: {len(units)} {kinds} có hiệu lực ngày {plan.day:%d/%m/%Y}"


def _lists_sheet(workbook: Workbook, plan: TemplatePlan) -> tuple[str, str]:
    """Dropdown sources: the names of the units valid at the period's end (a name of another period
    would name another unit: 'Xã Đại Lãnh' is 22492 before 2025-07-01 and 22504 after) and indicator codes."""
    ws = workbook.create_sheet(LISTS_SHEET)
    reference = load_reference()
    put(ws, 1, 1, "Địa bàn")
    put(ws, 1, 2, "Mã chỉ tiêu")
    put(ws, 1, 3, "Chỉ tiêu")
    names = list(dict.fromkeys(loc.name_vi for loc in reference.localities.values() if loc.valid_at(plan.day)))
    for row, name in enumerate(names, start=2):
        put(ws, row, 1, name)
    for row, ind in enumerate(reference.indicators.values(), start=2):
        put(ws, row, 2, ind.code)
        put(ws, row, 3, ind.name_vi)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    last_loc = len(names) + 1
    last_ind = len(reference.indicators) + 1
    return f"'{LISTS_SHEET}'!$A$2:$A${last_loc}", f"'{LISTS_SHEET}'!$B$2:$B${last_ind}"


def _validations(ws: Worksheet, plan: TemplatePlan, localities_ref: str, indicators_ref: str, last_row: int) -> None:
    first = FIRST_DATA_ROW
    loc_list = DataValidation(type="list", formula1=localities_ref, allow_blank=True, showErrorMessage=True,
                              errorTitle="Địa bàn", error="Chọn địa bàn trong danh sách.")
    ind_list = DataValidation(type="list", formula1=indicators_ref, allow_blank=True, showErrorMessage=True,
                              errorTitle="Mã chỉ tiêu", error="Chọn mã chỉ tiêu trong danh sách.")
    loc_list.add(f"B{first}:B{last_row}")
    ind_list.add(f"C{first}:C{last_row}")
    positive = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="Tử số / Mẫu số", error="Nhập một số không âm.")
    positive.add(f"G{first}:H{last_row}")
    date_check = DataValidation(type="date", operator="greaterThan", formula1="43831", allow_blank=True,
                                showErrorMessage=True, errorTitle="Ngày gửi", error="Nhập ngày dạng ngày/tháng/năm.")
    date_check.add(SUBMITTED_CELL)
    for validation in (loc_list, ind_list, positive, date_check):
        ws.add_data_validation(validation)
    # One range validation per indicator (its seed's valid_min/valid_max), over that indicator's rows.
    by_range: dict[tuple[float | None, float | None], list[str]] = {}
    for offset, planned in enumerate(plan.rows):
        key = (planned.indicator.valid_min, planned.indicator.valid_max)
        by_range.setdefault(key, []).append(f"F{first + offset}")
    for (low, high), cells in by_range.items():
        if low is None and high is None:
            continue
        low_text, high_text = f"{low if low is not None else -1e15:g}", f"{high if high is not None else 1e15:g}"
        shown_low = f"{low:g}".replace(".", ",") if low is not None else "…"
        shown_high = f"{high:g}".replace(".", ",") if high is not None else "…"
        validation = DataValidation(
            type="decimal", operator="between", formula1=low_text, formula2=high_text, allow_blank=True,
            showErrorMessage=True, errorTitle="Giá trị ngoài khoảng hợp lệ",
            error=f"Giá trị phải từ {shown_low} đến {shown_high} (đúng đơn vị tính của dòng).",
            showInputMessage=True, promptTitle="Giá trị",
            prompt=f"Từ {shown_low} đến {shown_high}; để trống nếu không có.",
        )
        for cell in cells:
            validation.add(cell)
        ws.add_data_validation(validation)


def write_template(plan: TemplatePlan, path: Path) -> Path:
    workbook = Workbook()
    ws = workbook.active
    ws.title = DATA_SHEET
    _title_block(ws, plan)
    header_row(ws, HEADER_ROW, HEADER, WIDTHS)
    for offset, planned in enumerate(plan.rows):
        row = FIRST_DATA_ROW + offset
        cells = [offset + 1, planned.locality.name_vi, planned.indicator.code, planned.indicator.name_vi,
                 planned.indicator.unit]
        for col, value in enumerate(cells, start=1):
            put(ws, row, col, value).border = BORDER
        for col in (COL["Giá trị"], COL["Tử số"], COL["Mẫu số"], COL["Ghi chú"]):
            cell = ws.cell(row=row, column=col)
            cell.fill, cell.protection, cell.border = INPUT_FILL, UNLOCKED, BORDER
            if col != COL["Ghi chú"]:
                cell.number_format = "General"
        ws.cell(row=row, column=COL["Chỉ tiêu"]).alignment = WRAP
    last_planned = FIRST_DATA_ROW + len(plan.rows) - 1
    for row in range(last_planned + 1, last_planned + 1 + SPARE_ROWS):
        for col in range(2, len(HEADER) + 1):
            cell = ws.cell(row=row, column=col)
            if col != COL["Chỉ tiêu"]:
                cell.fill, cell.protection = INPUT_FILL, UNLOCKED
            cell.border = BORDER
    localities_ref, indicators_ref = _lists_sheet(workbook, plan)
    _validations(ws, plan, localities_ref, indicators_ref, last_planned + SPARE_ROWS)
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    ws.protection.sheet = True  # no password: it prevents accidents, not determined edits
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0

    help_ws = workbook.create_sheet(HELP_SHEET, index=1)
    help_ws.column_dimensions["A"].width = 120
    for row, line in enumerate(INSTRUCTIONS_VI, start=1):
        cell = put(help_ws, row, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = TITLE_FONT
    workbook.properties.title = f"Mẫu báo cáo {plan.reporter.code} {plan.period}"
    workbook.properties.creator = "dothi"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def default_file_name(plan: TemplatePlan) -> str:
    return f"mau_bao_cao_{plan.reporter.code}_{plan.period}.xlsx"


def fill_template(
    template: Path,
    values: Mapping[tuple[str, str], float | None],
    submitted: dt.date,
    out: Path,
    note: str | None = None,
) -> int:
    """Fill a template as a reporter would: values keyed by (locality_code, indicator_code) or
    (locality_key, indicator_code). Returns the number of values written. Each row's name is read as the
    intake reads it: the unit of that name valid at the end of the template's period. Used by the tests and
    to produce demo submissions."""
    workbook = load_workbook(template)
    ws = workbook[DATA_SHEET]
    period = parse_period(ws[PERIOD_CELL].value, today=dt.date(9999, 1, 1)).period
    names = resolvers(load_reference())
    ws[SUBMITTED_CELL] = submitted
    written = 0
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        name = ws.cell(row=row, column=COL["Địa bàn"]).value
        found = names.locality(name, period) if name else None
        ind = str(ws.cell(row=row, column=COL["Mã chỉ tiêu"]).value or "")
        value = None
        if found is not None and found.ok:
            value = values.get((found.key or "", ind), values.get((found.code or "", ind)))
        if value is not None:
            ws.cell(row=row, column=COL["Giá trị"]).value = value
            written += 1
    if note:
        ws.cell(row=NOTE_ROW, column=1).value = note
    workbook.save(out)
    return written
