"""Issue 12, "Done": a night with the poison files in the inbox publishes everything else. One real
`dothi refresh` with good sample files and one file (or inbox entry) of each failure class at once:
the refresh publishes, the good files' figures are live, and each poison file has the outcome the
reliability table gives it. No value that a file does not say is stored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from sources.home import DothiHome
from tests.conftest import REPO, run_cli
from tests.reliability import corpus
from tests.reliability.test_isolation import stray_cell_xlsx
from tests.reliability.test_xls_errors import error_xls
from tests.reliability.test_zip_members import SXD_2023, WITH_BAD_ROW, _zip

pytestmark = pytest.mark.integration

SAMPLE = REPO / "sources" / "sample" / "submissions"
GOOD = ["CamRanh_BaoCao_2024.csv", "KhanhSon2024.csv"]
OLD = 1.75e9  # a modification time long past: the settle interval does not hold the files back

POISON: dict[str, tuple[bytes, str]] = {
    # name: (bytes, the status its submission row ends with)
    "stray_cell.xlsx": (stray_cell_xlsx(), "quarantined"),
    "stray_cell_undeclared.xlsx": (stray_cell_xlsx(dimension=False), "quarantined"),
    "zip_bomb.xlsx": (corpus.zip_bomb(), "quarantined"),
    "binary.csv": (corpus.binary_named_csv(), "quarantined"),
    "decimal_comma.csv": (corpus.csv_text(
        ["TP. Nha Trang,ALLEY_LIT_RATE,%,30,3,", "Huyện Diên Khánh,ALLEY_LIT_RATE,%,60,"],
        header=corpus.HEADER.replace(";", ",")).encode(), "accepted_with_rejections"),
    "unclosed_quote.csv": (corpus.csv_text(
        ['TP. Nha Trang;ALLEY_LIT_RATE;%;85,3;"ghi chú chưa đóng', "Huyện Diên Khánh;ALLEY_LIT_RATE;%;60;"]
    ).encode(), "accepted_with_rejections"),
    "huge_number.csv": (corpus.csv_text(["TP. Nha Trang;ALLEY_LIT_RATE;%;" + "9" * 400 + ";"]).encode(),
                        "accepted_with_rejections"),
    "error_cells.xls": (error_xls(), "accepted_with_rejections"),
}
# A zip of reports: one submission per member, each with its own outcome.
ZIPPED = _zip({"sxd_2023.csv": SXD_2023, "sxd_2022.csv": WITH_BAD_ROW, "long_nhau.zip": _zip({"a.csv": SXD_2023}),
               "__MACOSX/._sxd_2023.csv": b"\0"})
ZIPPED_STATUS = {"bao_cao.zip!sxd_2023.csv": "accepted", "bao_cao.zip!sxd_2022.csv": "accepted_with_rejections",
                 "bao_cao.zip!long_nhau.zip": "quarantined"}


def test_a_night_of_poison_files_publishes_everything_else(tmp_path: Path) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    for name in GOOD:
        shutil.copy2(SAMPLE / name, home.inbox / name)
    for name, (data, _) in POISON.items():
        (home.inbox / name).write_bytes(data)
        os.utime(home.inbox / name, (OLD, OLD))
    (home.inbox / "bao_cao.zip").write_bytes(ZIPPED)
    os.utime(home.inbox / "bao_cao.zip", (OLD, OLD))
    os.mkfifo(home.inbox / "a_pipe")  # never opened: it would block the reader
    (home.inbox / "a_folder").mkdir()

    run = run_cli(home.root, "refresh", "--json", timeout=900)
    assert run.returncode == 0, run.stderr[-4000:]
    assert home.warehouse.exists()

    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        status = dict(conn.execute("select file_name, status from marts.fct_submissions").fetchall())
        good_figures = conn.execute(
            "select count(*) from raw.figures where file_name in (?, ?)", GOOD).fetchall()[0][0]
        live = conn.execute(
            "select count(*) from marts.fct_indicator_values where file_name in (?, ?)", GOOD).fetchall()[0][0]
        stored = {r[0] for r in conn.execute("select distinct file_name from raw.figures").fetchall()}
        values = [r[0] for r in conn.execute(
            "select value from raw.figures where file_name in ('decimal_comma.csv', 'huge_number.csv', "
            "'unclosed_quote.csv')").fetchall()]
    for name in GOOD:
        assert status[name] == "accepted"
    assert good_figures > 0 and live > 0
    for name, (_, expected) in POISON.items():
        assert status.get(name) == expected, (name, status.get(name))
    assert {n: s for n, s in status.items() if n.startswith("bao_cao.zip")} == ZIPPED_STATUS
    # The misread rows stored nothing of their own: 30 is never read for 30,3, nor inf for 400 nines.
    assert 30.0 not in values and all(v is None or abs(v) < 1e300 for v in values)
    assert {"stray_cell.xlsx", "zip_bomb.xlsx", "binary.csv"}.isdisjoint(stored)
    # The inbox entries that are not files are left where they are, never opened.
    assert (home.inbox / "a_pipe").exists() and (home.inbox / "a_folder").is_dir()
