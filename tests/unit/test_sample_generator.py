"""The bundled sample: deterministic, up to date, with the planted problems (and only those) in its files."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sources.sample import generate as gen

HEADER_MARKERS = {"giá trị", "value", "số liệu", "thực hiện"}


# ---------------------------------------------------------------- a minimal, independent file reader


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1258"), "cp1258"


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value if value is not None else "")).strip()


def read_rows(path: Path) -> list[list[str]]:
    """Every row of the file (first sheet with a recognisable header), as NFC text, row 1 = index 0."""
    if path.suffix == ".csv":
        text, _ = decode(path.read_bytes())
        first = text.splitlines()[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        return [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        rows = [[cell_text(c) for c in row] for row in wb.get_sheet_by_name(name).to_python()]
        if any(HEADER_MARKERS & {c.lower() for c in row} for row in rows):
            return rows
    raise AssertionError(f"no header in {path.name}")


def header_row(rows: list[list[str]]) -> int:
    return next(i for i, row in enumerate(rows) if HEADER_MARKERS & {c.lower() for c in row})


def record(path: Path, row_number: int) -> dict[str, str]:
    rows = read_rows(path)
    header = rows[header_row(rows)]
    return dict(zip(header, rows[row_number - 1], strict=False))


def number(text: str, numbers: str) -> float | None:
    text = text.replace("%", "").strip()
    if not text:
        return None
    if numbers == "en":
        return float(text.replace(",", ""))
    if numbers in ("vi", "vi-plain"):
        return float(text.replace(".", "").replace(",", "."))
    return float(text)


def field(rec: dict[str, str], *names: str) -> str:
    return next(rec[n] for n in names if n in rec)


VALUE = ("Giá trị", "value", "Số liệu", "Thực hiện")
NUMERATOR = ("Tử số", "numerator")
DENOMINATOR = ("Mẫu số", "denominator")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gen.Sample]:
    root = tmp_path_factory.mktemp("sample")
    sample = gen.generate(root / "submissions", root / "planted_problems.json")
    return root, sample


@pytest.fixture(scope="module")
def planted() -> list[dict]:
    return json.loads(gen.PLANTED_JSON.read_text(encoding="utf-8"))


def sample_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in gen.SAMPLE_FORMATS)


def submission(sample: gen.Sample, file_name: str) -> gen.Submission:
    return next(s for s in sample.plan if s.file_name == file_name)


# ---------------------------------------------------------------- determinism and freshness


def test_generator_is_deterministic(fresh: tuple[Path, gen.Sample], tmp_path: Path) -> None:
    root, _ = fresh
    gen.generate(tmp_path / "submissions", tmp_path / "planted_problems.json")
    first, second = sample_files(root / "submissions"), sample_files(tmp_path / "submissions")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (root / "planted_problems.json").read_bytes() == (tmp_path / "planted_problems.json").read_bytes()


def test_committed_sample_matches_the_generator(fresh: tuple[Path, gen.Sample]) -> None:
    root, _ = fresh
    regenerated = {p.name: p for p in sample_files(root / "submissions")}
    committed = {p.name: p for p in sample_files(gen.OUT_DIR)}
    assert sorted(committed) == sorted(regenerated), "rerun: python -m sources.sample.generate"
    for name, path in regenerated.items():
        if path.suffix == ".csv":
            assert committed[name].read_bytes() == path.read_bytes(), name
        else:  # Excel: compare cell values (zip compression may differ between zlib builds)
            assert read_rows(committed[name]) == read_rows(path), name
    assert json.loads(gen.PLANTED_JSON.read_text(encoding="utf-8")) == json.loads(
        (root / "planted_problems.json").read_text(encoding="utf-8")
    )


# ---------------------------------------------------------------- coverage of formats, names and reporters


def test_format_mix(fresh: tuple[Path, gen.Sample]) -> None:
    root, sample = fresh
    files = sample_files(root / "submissions")
    suffixes = [p.suffix for p in files]
    assert suffixes.count(".xls") >= 1 and suffixes.count(".xlsx") >= 5 and suffixes.count(".csv") >= 5
    csvs = {p.name: p.read_bytes() for p in files if p.suffix == ".csv"}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in csvs.values()), "a UTF-8 file with BOM"
    assert any(decode(b)[1] == "cp1258" for b in csvs.values()), "a Windows-1258 file"
    texts = [decode(b)[0] for b in csvs.values()]
    assert any(not unicodedata.is_normalized("NFC", t) for t in texts), "Vietnamese text in NFD"
    assert any(t.splitlines()[0].count(";") > 3 for t in texts), "a ;-delimited file"
    assert sum(t.startswith("reporter,") for t in texts) >= 2, "English headers in a couple of files"
    assert any(not p.name.isascii() for p in files), "Vietnamese characters in a file name"
    assert any(s.habit.style.merged_title for s in sample.plan if s.habit.style.fmt == "xlsx")
    assert any(s.habit.style.merged_header for s in sample.plan if s.habit.style.fmt == "xlsx")


def test_every_file_is_labelled_synthetic(fresh: tuple[Path, gen.Sample]) -> None:
    root, _ = fresh
    for path in sample_files(root / "submissions"):
        text = "\n".join(" ".join(row) for row in read_rows(path))
        assert "Dữ liệu mô phỏng (synthetic)" in text, path.name


def test_every_locality_and_the_departments_report(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    reporters = {s.reporter_code for s in sample.plan}
    assert set(sample.ref.localities) <= reporters
    departments = {s.reporter_code for s in sample.plan if s.kind == "department" and s.reporter_code}
    assert len(departments) >= 5
    assert {"SXD", "SGTVT", "STNMT", "STTTT", "CTK", "SKHDT", "KHAWASCO"} <= departments
    h1 = {s.reporter_code for s in sample.plan if s.period == gen.HALF_PERIOD and s.kind == "department"}
    assert h1 == {"SXD", "SNNMT", "SKHCN", "CTK", "STC", "KHAWASCO"}  # successors from reporters.csv
    for period in gen.ANNUAL_PERIODS:
        reporting = {
            s.reporter_code for s in sample.plan if s.period == period and s.kind == "locality" and s.tag != "13"
        }
        assert reporting == set(sample.ref.localities)  # (13: a new ward sending 2024, planted)


def test_name_and_number_variants_appear(fresh: tuple[Path, gen.Sample]) -> None:
    root, _ = fresh
    cells = {c for p in sample_files(root / "submissions") for row in read_rows(p) for c in row}
    for name in (
        "TP. Nha Trang",
        "Thành phố Nha Trang",
        "NHA TRANG",
        "568",
        "TX Ninh Hòa",
        "H. Diên Khánh",
        "Huyện đảo Trường Sa",
        "Tỉnh Khánh Hoà",
        "Toàn tỉnh",
    ):
        assert name in cells, name
    for reporter in (
        "UBND TP. Nha Trang",
        "UBND huyện Diên Khánh",
        "Sở GTVT",
    ):  # as a column or in a title block
        assert reporter in cells or f"Đơn vị báo cáo: {reporter}" in cells, reporter
    assert any(c.endswith("%") and "," not in c for c in cells)  # 85%
    assert any(c.endswith(" %") and "," in c for c in cells)  # 85,3 %
    assert any(c.count(".") == 2 and "," not in c for c in cells)  # 1.234.567
    assert any(c.count(",") == 2 and "." not in c for c in cells)  # 1,234,567
    assert {"-", "x"} <= cells


# ---------------------------------------------------------------- the planted problems, in the files


def test_planted_problems_are_documented(planted: list[dict]) -> None:
    assert [p["id"] for p in planted] == list(range(1, 15))
    readme = (gen.HERE / "README.md").read_text(encoding="utf-8")
    for p in planted:
        assert p["kind"] in readme


def planted_row(sample_dir: Path, problem: dict, tag: str) -> tuple[dict[str, str], str]:
    where = next(r for r in problem["rows"] if r["tag"] == tag)
    return record(sample_dir / where["file"], where["row_number"]), where["file"]


def test_planted_values_are_in_the_files(fresh: tuple[Path, gen.Sample], planted: list[dict]) -> None:
    root, sample = fresh
    folder = root / "submissions"
    by_id = {p["id"]: p for p in planted}

    def values(problem: dict, tag: str) -> tuple[float | None, float | None, float | None, dict[str, str]]:
        rec, file_name = planted_row(folder, problem, tag)
        numbers = submission(sample, file_name).habit.style.numbers
        return (
            number(field(rec, *VALUE), numbers),
            number(field(rec, *NUMERATOR), numbers),
            number(field(rec, *DENOMINATOR), numbers),
            rec,
        )

    assert values(by_id[1], "1")[0] == 92.0
    assert values(by_id[1], "1-department")[0] == 84.5
    assert values(by_id[2], "2")[:3] == (91.0, 58.2, 80.0)
    assert values(by_id[3], "3")[:3] == (100.0, 12.5, 11.0)
    assert values(by_id[4], "4")[:3] == (104.5, None, None)

    late = submission(sample, by_id[5]["file"])
    assert late.submitted.isoformat() == "2025-04-20" and by_id[5]["deadline"] == "2025-02-14"
    text = " ".join(" ".join(r) for r in read_rows(folder / by_id[5]["file"]))
    assert "20/04/2025" in text

    assert not any(s.reporter_code == "576" and s.period == gen.HALF_PERIOD for s in sample.plan)
    assert any(r.locality_code == "576" for s in sample.plan if s.period == gen.HALF_PERIOD for r in s.rows)

    first_file, corrected_file = "DienKhanh_BC_2023.xlsx", "DienKhanh_BC_2023_dieu_chinh.xlsx"
    first, corrected = read_rows(folder / first_file), read_rows(folder / corrected_file)
    assert any("10/02/2024" in c for r in first for c in r) and any(
        "05/03/2024" in c for r in corrected for c in r
    )
    changed = {k: v for k, v in by_id[7]["changes"].items() if v["first"] != v["corrected"]}
    assert "HOUSING_FLOOR_PC" in changed and len(changed) == 3
    for code, change in changed.items():
        assert values(by_id[7], f"7-{code}-first")[0] == change["first"]
        assert values(by_id[7], f"7-{code}-corrected")[0] == change["corrected"]
    first_data = {r[2]: r for r in first[header_row(first) + 1 :]}
    corrected_data = {r[2]: r for r in corrected[header_row(corrected) + 1 :]}
    assert {k for k in first_data if first_data[k][1:] != corrected_data[k][1:]} == set(changed)

    rec, _ = planted_row(folder, by_id[8], "8")
    assert field(rec, "Địa bàn", "locality") == "Huyện Cam Lâm Mới"
    rec, _ = planted_row(folder, by_id[9], "9")
    assert field(rec, *VALUE) == "khoảng 80"
    quarantined = read_rows(folder / by_id[10]["file"])
    assert any(c == "Đơn vị báo cáo: Ban Quản lý dự án XYZ" for r in quarantined for c in r)


# ---------------------------------------------------------------- ... and nothing else looks wrong


def live_figures(sample: gen.Sample) -> dict[tuple[str, str, str, str], gen.Figure]:
    """(reporter, locality, indicator, period) -> figure, from the latest version of each submission."""
    figures: dict[tuple[str, str, str, str], gen.Figure] = {}
    for sub in sorted((s for s in sample.plan if s.reporter_code), key=lambda s: s.submitted):
        for row in sub.rows:
            if row.figure is not None and row.locality_code != "?":
                figures[(sub.reporter_code, row.locality_code, row.indicator_code, sub.period)] = row.figure  # type: ignore[index]
    return figures


PLANTED_FIGURES = {
    ("569", "569", "CLEAN_WATER_RATE", "2024"),
    ("572", "572", "SOLID_WASTE_RATE", "2023"),
    ("573", "573", "MAIN_STREET_LIT_RATE", "2022"),
    ("571", "571", "HOUSE_PERMANENT_RATE", "2022"),
}


def test_only_the_planted_figures_are_wrong(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    ref = sample.ref
    figures = live_figures(sample)
    wrong = set()
    for key, fig in figures.items():
        reporter, locality, indicator, period = key
        ind = ref.indicators[indicator]
        ok = ind.valid_min <= fig.value <= ind.valid_max and gen.rate_is_consistent(ind, fig)
        if reporter in ref.localities:
            dept = next(v for k, v in figures.items() if k[1:] == key[1:] and k[0] not in ref.localities)
            ok = ok and gen.agree(ind, fig.value, dept.value)
        if not ok:
            wrong.add(key)
    assert wrong == PLANTED_FIGURES


def test_dates_on_time_except_the_planted(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    late = {
        (s.reporter_code, s.period, s.tag)
        for s in sample.plan
        if s.reporter_code
        and s.submitted > gen.deadline(sample.ref, sample.ref.reporters[s.reporter_code], s.period)
    }
    # Planted 13: Phường Bắc Cam Ranh sends 2024 in 08/2025, after it came to exist (it was never due).
    assert late == {("575", "2024", "5"), ("574", "2023", "7-corrected"), ("22411", "2024", "13")}
    assert all(s.submitted > gen.period_end(s.period) for s in sample.plan)


def test_population_and_province_totals(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    ref, truth, province = sample.ref, sample.truth, sample.ref.province.code
    assert truth[(province, "TOTAL_POP", "2021")].value == 1_248_060
    assert truth[(province, "TOTAL_POP", "2022")].value == 1_253_970
    assert truth[(province, "URBAN_POP", "2022")].value == 531_190
    for sub in sample.plan:
        totals = [r for r in sub.rows if r.locality_code == province]
        units = sample.units if sub.period in gen.NEW_PERIODS else ref.localities
        for row in totals:
            parts = [
                r.figure.value  # type: ignore[union-attr]  # a total's parts all carry a figure
                for r in sub.rows
                if r.indicator_code == row.indicator_code and r.locality_code in units
            ]
            assert len(parts) == len(units), (sub.file_name, row.indicator_code)
            if ref.indicators[row.indicator_code].unit != "%":
                assert round(sum(parts), 1) == row.figure.value, (sub.file_name, row.indicator_code)  # type: ignore[union-attr]
    for code in ("570", "574"):  # consistent with the 2019 census
        ratio = truth[(code, "TOTAL_POP", "2021")].value / ref.localities[code].population_2019  # type: ignore[operator]
        assert 1.0 < ratio < 1.05
    rates = [gen.province_urbanization(ref, truth, p) for p in gen.PERIODS]
    assert rates == sorted(rates) and rates[0] >= 60 and rates[-1] <= 63.5
    nha_trang = {i: truth[("568", i, "2024")].value for i in ("URBANIZATION_RATE", "HOUSING_FLOOR_PC")}
    for code in ref.localities:
        for ind, value in nha_trang.items():
            assert truth[(code, ind, "2024")].value <= value  # type I highest


# ---------------------------------------------------------------- the reorganised province (issue 11 §7)

NEW_REPORTERS = {"22366", "22411", "22651", "22453", "22528", "22759", "22870"}


def test_new_units_and_departments_report_the_new_periods(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    assert len(sample.units) == 65 and sum(u.district is not None for u in sample.units.values()) == 41
    for period in gen.NEW_PERIODS:
        subs = [s for s in sample.plan if s.period == period and not s.tag]
        assert {s.reporter_code for s in subs if s.kind == "locality"} == NEW_REPORTERS
        departments = {s.reporter_code for s in subs if s.kind == "department"}
        assert departments == {"SXD", "SNNMT", "SKHCN", "CTK", "STC", "KHAWASCO"}
        for sub in subs:
            if sub.kind == "department":  # every one of the 65 units, for every indicator it is in charge of
                codes = {r.locality_code for r in sub.rows} - {sample.ref.province.code, "?"}
                assert codes == set(sample.units), sub.file_name
    # both old provinces among the self-reporters; the one xlsx with a title block
    assert {sample.units[c].district is None for c in NEW_REPORTERS} == {True, False}
    xlsx = [s for s in sample.plan if s.reporter_code in NEW_REPORTERS and s.habit.style.fmt == "xlsx"]
    assert {s.reporter_code for s in xlsx} == {"22651"} and all(s.habit.style.title_block for s in xlsx)


def test_new_offices_write_their_names_their_way(fresh: tuple[Path, gen.Sample]) -> None:
    root, _ = fresh
    cells = {c for p in sample_files(root / "submissions") for row in read_rows(p) for c in row}
    for text in (
        "Đơn vị báo cáo: UBND xã Diên Khánh",
        "Kỳ báo cáo: Năm 2025",
        "Kỳ báo cáo: 6 tháng cuối năm 2025",
        "Ủy ban nhân dân phường Bắc Cam Ranh",
        "UBND P. Nha Trang",
        "UBND phường Ninh Hoà",
        "Phường Ninh Hoà",  # KHAWASCO's old-style tone mark
        "Xã Hoà Trí",
        "UBND X. Ninh Phước",
    ):
        assert text in cells, text


def test_the_units_continue_the_district_series(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    ref, truth, new = sample.ref, sample.truth, sample.new_truth
    for period in gen.NEW_PERIODS:
        codes = list(sample.units)
        for ind in ("TOTAL_POP", "URBAN_POP", "CAPITAL_MOBILISED"):  # sums add up to the province total
            assert round(sum(new[(c, ind, period)].value for c in codes), 1) == new[("56", ind, period)].value
        for district in ref.localities:
            members = [c for c, u in sample.units.items() if u.district == district]
            pop = sum(new[(c, "TOTAL_POP", period)].value for c in members)
            assert 1.0 <= pop / truth[(district, "TOTAL_POP", gen.HALF_PERIOD)].value < 1.02  # +0.5..1 year
            for c in members:  # rates use the units' own populations as denominators
                assert new[(c, "URBANIZATION_RATE", period)].denominator == new[(c, "TOTAL_POP", period)].value
                assert new[(c, "CLEAN_WATER_RATE", period)].denominator == new[(c, "URBAN_POP", period)].value
            num = sum(new[(c, "URBANIZATION_RATE", period)].numerator for c in members)  # type: ignore[misc]
            rolled = num / pop * 100
            h1 = truth[(district, "URBANIZATION_RATE", gen.HALF_PERIOD)].value
            assert abs(rolled - h1) < 1.5, (district, period, rolled, h1)
    assert not gen.across_unit_outliers(new, sample.units)


def test_new_self_reports_agree_with_the_departments(fresh: tuple[Path, gen.Sample]) -> None:
    _, sample = fresh
    for sub in sample.plan:
        if sub.reporter_code not in NEW_REPORTERS or sub.period not in gen.NEW_PERIODS:
            continue
        for row in sub.rows:
            ind = sample.ref.indicators[row.indicator_code]
            dept = sample.new_truth[(row.locality_code, row.indicator_code, sub.period)]
            assert row.figure is not None and gen.agree(ind, row.figure.value, dept.value), (sub.file_name, row)
            assert gen.rate_is_consistent(ind, row.figure)


def test_planted_transition_problems_are_in_the_files(fresh: tuple[Path, gen.Sample], planted: list[dict]) -> None:
    root, _ = fresh
    folder = root / "submissions"
    by_id = {p["id"]: p for p in planted}
    rec, name = planted_row(folder, by_id[11], "11")
    assert field(rec, "Địa bàn", "locality") == "H. Diên Khánh" and "2026" in name
    assert len(by_id[11]["successors"]) == 6
    rec, _ = planted_row(folder, by_id[12], "12")
    assert field(rec, "Địa bàn", "locality") == "22411" and field(rec, "Kỳ báo cáo", "period") == "Năm 2024"
    rejected = [r for r in by_id[13]["rows"]]
    assert len(rejected) == by_id[13]["rows_rejected"] == 4
    for where in rejected:
        rec = record(folder / where["file"], where["row_number"])
        assert field(rec, "Địa bàn") == "" and field(rec, "Đơn vị báo cáo") == "Ủy ban nhân dân phường Bắc Cam Ranh"
    split = by_id[14]
    names = {field(record(folder / r["file"], r["row_number"]), "Địa bàn") for r in split["rows"]}
    assert "Xã Cam Tân" in names and len(names) == 14  # every commune of old Cam Lâm
