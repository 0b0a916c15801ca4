"""The bad-input corpus, generated (nothing large is committed): each builder returns the bytes of one
file as a reporting unit might send it. All figures are synthetic."""

from __future__ import annotations

import io
import random
import re
import unicodedata
import zipfile
from collections.abc import Sequence

import openpyxl

HEADER = "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Giá trị;Ghi chú"
TITLE = "Đơn vị báo cáo: Sở Xây dựng\nKỳ báo cáo: Năm 2024\nNgày gửi: 20/01/2025\n\n"
ROWS = ["TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;", "Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;"]


def csv_text(rows: list[str] | None = None, header: str = HEADER, title: str = TITLE) -> str:
    return title + header + "\n" + "\n".join(ROWS if rows is None else rows) + "\n"


def good_csv() -> bytes:
    return csv_text().encode("utf-8")


def xlsx(rows: Sequence[Sequence[object]], title: list[str] | None = None, merge: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in title if title is not None else ["Đơn vị báo cáo: Sở Xây dựng", "Kỳ báo cáo: Năm 2024"]:
        ws.append([line])
    ws.append([])
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_HEADER = ["Địa bàn", "Mã chỉ tiêu", "Đơn vị tính", "Giá trị", "Ghi chú"]


def good_xlsx() -> bytes:
    return xlsx([XLSX_HEADER, ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 85.3, None]])


def binary_named_csv() -> bytes:
    rng = random.Random(4)
    return b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(4096))


def truncated_xlsx() -> bytes:
    data = good_xlsx()
    return data[: len(data) // 2]


def zip_bomb(declared_lie: bool = False) -> bytes:
    """An .xlsx-shaped zip whose sheet inflates 1000:1 (64 MiB of zeros). With ``declared_lie`` the
    headers claim the part is 1 KiB, so only the streamed check can catch it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    data = buf.getvalue()
    if not declared_lie:
        return data
    # Patch the uncompressed size (local header offset 22, central directory offset 24) of the sheet.
    size = (64 * 1024 * 1024).to_bytes(4, "little")
    return data.replace(size, (1024).to_bytes(4, "little"))


def wrong_encoding() -> bytes:
    # A Russian KOI8-R export: not UTF-8; as Windows-1258 it is gibberish with no header in it.
    return "Район;Показатель;Значение\nНячанг;Освещение;85\n".encode("koi8_r")


def to_cp1258(text: str) -> bytes:
    """What Vietnamese Excel writes: base letters plus separate combining tone marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
                   + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def mixed_encodings() -> bytes:
    # Header and first row UTF-8, a row pasted from an old Windows-1258 file.
    return (csv_text(ROWS[:1]).encode("utf-8") + to_cp1258("Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;\n"))


def header_only() -> bytes:
    return csv_text([]).encode("utf-8")


def duplicated_header() -> bytes:
    # Two exports pasted one under the other: the header row appears again inside the data.
    return csv_text([ROWS[0], HEADER, ROWS[1]]).encode("utf-8")


def extra_and_missing_columns() -> bytes:
    # An unknown extra column and no unit column (unit is recommended, not required).
    header = "Địa bàn;Mã chỉ tiêu;Giá trị;Cột thêm"
    return csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;85,3;abc", "Huyện Diên Khánh;ALLEY_LIT_RATE;60;"], header).encode()


def missing_value_column() -> bytes:
    return csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;", ""], "Địa bàn;Mã chỉ tiêu;Đơn vị tính;Ghi chú").encode()


def merged_cells() -> bytes:
    # 'Số liệu' merged over two sub-columns (value, numerator) and a merged title cell.
    return xlsx(
        [
            ["Địa bàn", "Mã chỉ tiêu", "Đơn vị tính", "Số liệu", None],
            [None, None, None, "Giá trị", "Tử số"],
            ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", 85.3, None],
        ],
        merge="D4:E4",
    )


def _with_cached_formulas(data: bytes, cached: dict[str, str]) -> bytes:
    """openpyxl writes formulas without a cached value; add <v> as Excel would after a recalculation."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode("utf-8")
                for formula, value in cached.items():
                    pattern = f"<f>{re.escape(formula)}</f>(<v></v>|<v ?/>)?"
                    text = re.sub(pattern, f"<f>{formula}</f><v>{value}</v>", text)
                body = text.encode("utf-8")
            dst.writestr(item, body)
    return out.getvalue()


def formulas() -> bytes:
    """Row 4: a formula whose cached value is 85.3 (evaluating it would give 6000); row 5: a formula
    never calculated (no cached value: missing, not zero); row 6: a DDE-style payload (never run)."""
    data = xlsx(
        [
            XLSX_HEADER + ["Tử số"],
            ["TP. Nha Trang", "ALLEY_LIT_RATE", "%", "=F5*100", None, 60],
            ["Huyện Diên Khánh", "ALLEY_LIT_RATE", "%", "=1/0", None, None],
            ["Thị xã Ninh Hòa", "ALLEY_LIT_RATE", "%", 50, "=cmd|' /C calc'!A0", None],
        ]
    )
    return _with_cached_formulas(data, {"F5*100": "85.3"})


FORMULA_TEXT = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+84 258 3822", "-giảm so với 2023", "@SUM(A1)"]


def formula_like_text() -> bytes:
    rows = [
        f"TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;{FORMULA_TEXT[0]}",
        f"Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;{FORMULA_TEXT[1]}",
        f"Thị xã Ninh Hòa;ALLEY_LIT_RATE;%;55;{FORMULA_TEXT[2]}",
        f"Thành phố Cam Ranh;ALLEY_LIT_RATE;%;=1+1;{FORMULA_TEXT[3]}",
    ]
    return csv_text(rows).encode("utf-8")


LONG = "Ghi chú rất dài " * 20_000  # ~320 000 characters


def very_long_strings() -> bytes:
    return csv_text([f"TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;{LONG}", f"{'X' * 100_000};ALLEY_LIT_RATE;%;1;"]).encode()


LOCALITIES = ["TP. Nha Trang", "Thành phố Cam Ranh", "Thị xã Ninh Hòa", "Huyện Diên Khánh", "Huyện Vạn Ninh"]


def hundred_k_rows(n: int = 100_000) -> bytes:
    """One locality × indicator × period per row would be duplicates; cycle periods and quarters so most
    rows are distinct keys, and let the duplicates be rejected by the duplicate-row rule."""
    rows = [
        f"{LOCALITIES[i % 5]};ALLEY_LIT_RATE;%;{i % 100},{i % 10};" for i in range(n)
    ]
    return csv_text(rows).encode("utf-8")


def nul_bytes() -> bytes:
    return good_csv().replace(b"85,3", b"85\x003")


def resubmission(first: bool) -> bytes:
    """The same report twice; the correction changes half the values and is dated later."""
    values = ["85,3", "60", "55", "40"] if first else ["86,1", "60", "57,5", "40"]
    title = TITLE.replace("20/01/2025", "20/01/2025" if first else "10/03/2025")
    names = ["TP. Nha Trang", "Huyện Diên Khánh", "Thị xã Ninh Hòa", "Thành phố Cam Ranh"]
    return csv_text([f"{n};ALLEY_LIT_RATE;%;{v};" for n, v in zip(names, values, strict=True)], title=title).encode()
