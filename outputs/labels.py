"""Bilingual labels (Vietnamese first, English with ``--lang en``) shared by every output."""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

# key: (Vietnamese, English)
_LABELS: dict[str, tuple[str, str]] = {
    "report_title": ("BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH PHÁT TRIỂN ĐÔ THỊ TỈNH KHÁNH HÒA",
                     "KHÁNH HÒA URBAN DEVELOPMENT PROGRAMME: PROGRESS REPORT"),
    "report_subtitle": ("Theo Nghị quyết 06-NQ/TU (2021–2025), trên địa giới trước 01/07/2025: tỉnh Khánh Hòa cũ "
                        "và 9 huyện, thị xã, thành phố; số liệu từ kho dữ liệu dothi",
                        "Against Resolution 06-NQ/TU (2021–2025), on the map before 1 July 2025: old Khánh Hòa and "
                        "its nine districts; figures from the dothi warehouse"),
    "current_report_title": ("BÁO CÁO HIỆN TRẠNG PHÁT TRIỂN ĐÔ THỊ TỈNH KHÁNH HÒA (SAU SẮP XẾP ĐƠN VỊ HÀNH CHÍNH)",
                             "KHÁNH HÒA URBAN DEVELOPMENT: CURRENT REPORT (AFTER THE 2025 REORGANISATION)"),
    "current_subtitle": ("Tỉnh Khánh Hòa (hợp nhất với Ninh Thuận từ 01/07/2025) và 65 xã, phường, đặc khu; số liệu "
                         "từ kỳ 2025-H2; mục tiêu 2026–2030",
                         "Khánh Hòa province (merged with Ninh Thuận on 1 July 2025) and its 65 communes, wards and "
                         "special zone; figures from 2025-H2 on; 2026–2030 targets"),
    "current_dashboard_title": ("Hiện trạng phát triển đô thị Khánh Hòa: 65 đơn vị hành chính",
                                "Khánh Hòa urban development now: the 65 units"),
    "all_placeholder_banner": (
        "MỌI MỤC TIÊU 2026–2030 TRONG BÁO CÁO NÀY LÀ MỤC TIÊU TẠM (GIẢ ĐỊNH): chưa có chỉ tiêu công bố của tỉnh "
        "sau sắp xếp; đánh giá tiến độ chỉ để tham khảo. Sở Xây dựng thay thế trong dbt_project/seeds/targets.csv.",
        "EVERY 2026–2030 TARGET IN THIS REPORT IS A PLACEHOLDER: the merged province has no published targets yet; "
        "progress classes are indicative only. The Department of Construction replaces them in "
        "dbt_project/seeds/targets.csv.",
    ),
    "other_report_note": ("Báo cáo hiện trạng 65 đơn vị hành chính mới: current_report / current_dashboard.",
                          "The current report on the 65 new units: current_report / current_dashboard."),
    "nq06_report_note": ("Tổng kết Nghị quyết 06 trên địa giới 9 huyện cũ: progress_report / dashboard.",
                         "Resolution 06's final review on the nine old districts: progress_report / dashboard."),
    "rolled_up": ("tổng hợp từ đơn vị hành chính mới", "rolled up from the new units"),
    "approval": ("Phê duyệt", "Approval"),
    "approved_by_on": ("Đã phê duyệt bởi {by} ngày {date}", "Approved by {by} on {date}"),
    "partly_approved_by_on": ("Phê duyệt một phần (chưa đủ các đơn vị) bởi {by} ngày {date}",
                              "Partly approved (not every unit) by {by} on {date}"),
    "not_approved": ("Chưa phê duyệt", "Not approved"),
    "revision_pending": ("CÓ SỐ LIỆU SỬA SAU PHÊ DUYỆT: {value} (chưa áp dụng; số chính thức là số đã phê duyệt)",
                         "REVISION AFTER APPROVAL: {value} (not applied; the official figure is the approved one)"),
    "revision_pending_rollup": ("CÓ ĐƠN VỊ GỬI SỐ LIỆU SỬA SAU PHÊ DUYỆT (chưa áp dụng)",
                                "A UNIT SENT A REVISION AFTER APPROVAL (not applied)"),
    "mapped_forward": ("quy đổi từ các xã, phường cũ", "mapped forward from the old communes"),
    "incomplete_rollup": ("CHƯA ĐỦ: {reported}/{expected} đơn vị có số liệu ({pct} %)",
                          "INCOMPLETE: {reported} of {expected} units reported ({pct} %)"),
    "placeholder_share": ("có dùng tỷ lệ chia tạm (giả định) cho xã, phường bị chia tách",
                          "uses a placeholder share for a split commune"),
    "series_break": ("gián đoạn chuỗi số liệu (b)", "series break (b)"),
    "figure_marks_legend": (
        "† tổng hợp từ đơn vị hành chính mới · ⚠ tổng hợp chưa đủ số liệu (ghi tỷ lệ đủ; không phải số liệu "
        "đầy đủ) · § có dùng tỷ lệ chia tạm (giả định) · (b) gián đoạn chuỗi số liệu (định nghĩa thay đổi)",
        "† rolled up from the new units · ⚠ incomplete roll-up (completeness shown; not a complete figure) · "
        "§ uses a placeholder share · (b) series break (the definition changed)",
    ),
    "figure_marks": ("Dấu", "Marks"),
    "figure_note": ("Ghi chú số liệu", "Figure notes"),
    "completeness_pct": ("Tỷ lệ đủ số liệu (%)", "Completeness (%)"),
    "sheet_review": ("Tổng kết NQ06", "Final review"),
    "review_title": ("Tổng kết Nghị quyết 06-NQ/TU: năm 2025 theo số liệu các đơn vị báo cáo",
                     "Final review of Resolution 06-NQ/TU: 2025 as the offices reported it"),
    "review_note": (
        "Số liệu năm 2025 do các đơn vị hành chính mới báo cáo được tổng hợp về 9 huyện cũ và tỉnh Khánh Hòa cũ "
        "(†). Kết quả «chưa đủ số liệu» không được tính là đạt hay không đạt.",
        "The 2025 figures reported by the new units are rolled up to the nine old districts and old Khánh Hòa "
        "(†). An «incomplete» result counts as neither met nor not met.",
    ),
    "review_period": ("Kỳ tổng kết", "Review period"),
    "review_status": ("Kết quả", "Result"),
    "review_counts": ("Đạt {met} · không đạt {not_met} · chưa đủ số liệu {incomplete} · chưa có số liệu {no_data}",
                      "Met {met} · not met {not_met} · incomplete {incomplete} · no data {no_data}"),
    "met": ("Đạt", "Met"),
    "not_met": ("Không đạt", "Not met"),
    "incomplete": ("Chưa đủ số liệu", "Incomplete"),
    "in_progress": ("Đang thực hiện", "In progress"),
    "sheet_map": ("Bản đồ", "Map"),
    "map_title": ("Bản đồ đánh giá tiến độ theo đơn vị", "Progress by unit, on the map"),
    "map_table_note": ("Phân loại tiến độ (Open SDG) theo đơn vị; bản đồ có trong bảng theo dõi HTML.",
                       "Open SDG progress class per unit; the map itself is in the HTML dashboard."),
    "select_indicator": ("Chọn chỉ tiêu", "Choose an indicator"),
    "comparison_title": ("So sánh với tỉnh Khánh Hòa cũ trên cùng địa bàn",
                         "Compared with old Khánh Hòa on the same territory"),
    "comparison_note": (
        "Tỉnh mới gồm cả địa bàn Ninh Thuận cũ: không nối vào chuỗi số liệu của tỉnh Khánh Hòa cũ. Cột «Địa bàn "
        "Khánh Hòa cũ» là 41 đơn vị mới thuộc địa bàn tỉnh cũ, tổng hợp lại (†) — cùng địa bàn với chuỗi trước "
        "01/07/2025.",
        "The merged province includes old Ninh Thuận: it does not continue old Khánh Hòa's series. The column "
        "«Old Khánh Hòa area» is the 41 new units of the old province rolled up (†): the same territory as the "
        "series before 1 July 2025.",
    ),
    "merged_province": ("Tỉnh Khánh Hòa mới (65 đơn vị)", "Merged province (65 units)"),
    "old_area": ("Địa bàn Khánh Hòa cũ (41 đơn vị)", "Old Khánh Hòa area (41 units)"),
    "merged_status": ("Tình hình tỉnh Khánh Hòa (sau hợp nhất) theo chỉ tiêu",
                      "Merged province status per indicator"),
    "sheet_units": ("Đơn vị", "Units"),
    "units_title": ("Tình hình theo đơn vị hành chính (xã, phường, đặc khu)", "Status per unit (commune, ward, zone)"),
    "sheet_values": ("Số liệu", "Values"),
    "values_title": ("Số liệu theo đơn vị và kỳ (từ 2025-H2)", "Figures per unit and period (from 2025-H2)"),
    "locality_code": ("Mã", "Code"),
    "value": ("Giá trị", "Value"),
    "dashboard_title": ("Bảng theo dõi phát triển đô thị Khánh Hòa", "Khánh Hòa urban development dashboard"),
    "generated_at": ("Lập lúc", "Generated at"),
    "synthetic_warning": (
        "CẢNH BÁO: số liệu mô phỏng (synthetic), không phải số liệu chính thức.",
        "WARNING: synthetic (sample) figures, not official statistics.",
    ),
    "placeholder_note": (
        "Chỉ tiêu có đánh dấu «tạm» là chỉ tiêu giả định (chưa có nguồn công bố); "
        "Sở Xây dựng thay thế trong dbt_project/seeds/targets.csv.",
        "Targets marked «placeholder» have no public source; the Department of Construction replaces them "
        "in dbt_project/seeds/targets.csv.",
    ),
    "placeholder": ("tạm (giả định)", "placeholder"),
    "official": ("chính thức", "official"),
    "sheet_summary": ("Tổng hợp", "Summary"),
    "sheet_findings": ("Lỗi dữ liệu", "Data quality"),
    "sheet_submissions": ("Nộp báo cáo", "Submissions"),
    "sheet_sources": ("Nguồn chỉ tiêu", "Sources"),
    "sheet_reconciliation": ("Đối chiếu", "Reconciliation"),
    "province_status": ("Tình hình toàn tỉnh theo chỉ tiêu", "Province status per indicator"),
    "locality_status": ("Tình hình theo chỉ tiêu", "Status per indicator"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "indicator_code": ("Mã chỉ tiêu", "Indicator code"),
    "unit": ("Đơn vị tính", "Unit"),
    "period": ("Kỳ", "Period"),
    "actual": ("Thực hiện", "Actual"),
    "target": ("Mục tiêu", "Target"),
    "target_year": ("Năm mục tiêu", "Target year"),
    "gap": ("Còn thiếu", "Gap"),
    "achievement_pct": ("Đạt (%)", "Achieved (%)"),
    "required_yearly_change": ("Cần tăng/năm", "Needed per year"),
    "progress_class": ("Đánh giá", "Progress"),
    "target_status": ("Loại mục tiêu", "Target status"),
    "target_source": ("Nguồn mục tiêu", "Target source"),
    "programme": ("Chương trình", "Programme"),
    "locality": ("Địa bàn", "Locality"),
    "reporter": ("Đơn vị báo cáo", "Reporter"),
    "severity": ("Mức độ", "Severity"),
    "rule": ("Quy tắc", "Rule"),
    "message": ("Nội dung", "Message"),
    "instruction": ("Hướng xử lý", "What to do"),
    "file": ("Tệp", "File"),
    "row": ("Dòng", "Row"),
    "status": ("Trạng thái", "Status"),
    "files_received": ("Số tệp đã nhận", "Files received"),
    "accepted": ("Chấp nhận", "Accepted"),
    "accepted_with_rejections": ("Chấp nhận, có dòng bị loại", "Accepted with rejected rows"),
    "quarantined": ("Cách ly", "Quarantined"),
    "superseded": ("Đã thay thế", "Superseded"),
    "late": ("Nộp muộn", "Late"),
    "missing": ("Chưa nộp", "Missing"),
    "rows_rejected": ("Dòng bị loại", "Rows rejected"),
    "last_submitted": ("Lần nộp gần nhất", "Last submitted"),
    "values_by_period": ("Giá trị theo kỳ", "Values by period"),
    "no_data": ("Không có dữ liệu", "No data"),
    "not_available": ("Chưa có trong kho dữ liệu (mart {name} chưa được xây dựng)",
                      "Not in the warehouse yet (mart {name} has not been built)"),
    "no_findings": ("Không có lỗi dữ liệu đang mở", "No open data-quality findings"),
    "localities_capped": ("Báo cáo có trang riêng cho {shown} trên {total} địa bàn (tỉnh trước, rồi theo mã); số "
                          "liệu của mọi địa bàn có trong kho dữ liệu (marts.fct_target_gaps, "
                          "marts.fct_indicator_values).",
                          "This report has a sheet / chart for {shown} of {total} localities (the province first, then "
                          "by code); every locality's figures are in the warehouse (marts.fct_target_gaps, "
                          "marts.fct_indicator_values)."),
    "rows_shown": ("Hiển thị {shown} trên {total} dòng đầu (quan trọng nhất trước); toàn bộ có trong kho "
                   "dữ liệu (marts.{mart}) và bản xuất Parquet.",
                   "Showing the first {shown} of {total} rows (most important first); all of them are in the "
                   "warehouse (marts.{mart}) and its Parquet export."),
    "error": ("Lỗi", "Error"),
    "warning": ("Cảnh báo", "Warning"),
    "locality_value": ("Số địa phương", "Locality figure"),
    "department_value": ("Số sở ngành", "Department figure"),
    "difference_pct": ("Chênh lệch (%)", "Difference (%)"),
    "tolerance_pct": ("Ngưỡng (%)", "Tolerance (%)"),
    "reconciliation_title": ("Đối chiếu số liệu địa phương và sở ngành", "Locality vs department figures"),
    "findings_title": ("Lỗi dữ liệu đang mở", "Open data-quality findings"),
    "submissions_title": ("Tình hình nộp báo cáo theo đơn vị", "Submissions per reporter"),
    "sources_title": ("Nguồn của các mục tiêu", "Where the targets come from"),
    "trends_title": ("Xu hướng và lộ trình đến mục tiêu", "Trends and the path to target"),
    "heatmap_title": ("Mức đạt mục tiêu theo địa bàn", "Achievement by locality"),
    "target_path": ("Lộ trình mục tiêu", "Target path"),
    "method_note": (
        "Đánh giá theo phương pháp Open SDG: R = tốc độ tăng bình quân thực tế / tốc độ cần thiết.",
        "Progress follows the Open SDG method: R = observed CAGR / required CAGR.",
    ),
    "page_footer": ("Trang &P / &N", "Page &P of &N"),
    "province": ("Toàn tỉnh", "Province"),
    "select_locality": ("Chọn địa bàn", "Choose a locality"),
    "count": ("Số lượng", "Count"),
    "synthetic_col": ("Số liệu mô phỏng", "Synthetic"),
    "yes": ("có", "yes"),
    "no": ("không", "no"),
}

PROGRESS_CLASSES = (
    "achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration", "unable_to_assess",
)
_PROGRESS: dict[str, tuple[str, str]] = {
    "achieved": ("Đã đạt", "Achieved"),
    "on_track": ("Đúng tiến độ", "On track"),
    "acceleration_needed": ("Cần đẩy nhanh", "Acceleration needed"),
    "limited_progress": ("Tiến triển hạn chế", "Limited progress"),
    "deterioration": ("Đi xuống", "Deterioration"),
    "unable_to_assess": ("Chưa đánh giá được", "Unable to assess"),
}
# Fill colours (hex, no '#'): Open SDG's traffic-light order, readable on paper and for colour-blind readers
# thanks to the text label that always accompanies the colour.
PROGRESS_COLOURS: dict[str, str] = {
    "achieved": "1B7837",
    "on_track": "7FBF7B",
    "acceleration_needed": "FEE08B",
    "limited_progress": "FC8D59",
    "deterioration": "D73027",
    "unable_to_assess": "BDBDBD",
}
SEVERITY_COLOURS = {"error": "D73027", "warning": "FEE08B"}


def text(key: str, lang: Lang, **fmt: object) -> str:
    vi, en = _LABELS[key]
    value = vi if lang == "vi" else en
    return value.format(**fmt) if fmt else value


def progress_label(progress_class: str | None, lang: Lang) -> str:
    if not progress_class:
        return ""
    pair = _PROGRESS.get(progress_class)
    return (pair[0] if lang == "vi" else pair[1]) if pair else progress_class


def progress_colour(progress_class: str | None) -> str:
    return PROGRESS_COLOURS.get(progress_class or "", "FFFFFF")


def white_text_on(progress_class: str | None) -> bool:
    return progress_class in {"achieved", "deterioration"}
