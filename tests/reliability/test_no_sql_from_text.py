"""No SQL is built from submitted text: an audit of every query in the intake and publishing code, and
hostile names, notes and sheet titles that round-trip unchanged."""

from __future__ import annotations

import ast
import io
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl

from sources.home import DothiHome
from sources.intake import run_intake
from tests.conftest import REPO

AUDITED = [*sorted((REPO / "sources").rglob("*.py")), REPO / "orchestration" / "publishing.py"]
QUERY_METHODS = {"execute", "executemany", "sql", "query"}
# The only expressions interpolated into SQL text: schema constants, quoted catalog names, column
# lists of our own dataclasses, and the private view/table names of load._insert.
ALLOWED = {
    "RAW_SCHEMA", "MARTS_SCHEMA", "target", "view", "cols", "_ident(n)",
    "', '.join(columns)", "', '.join(('?' for _ in columns))",
}


def _queries(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS
                and node.args):
            yield node, node.args[0]


def test_every_query_is_a_literal_or_interpolates_only_our_own_names() -> None:
    checked = 0
    for path in AUDITED:
        if "sample" in path.parts:
            continue
        for call, sql in _queries(path):
            checked += 1
            where = f"{path.relative_to(REPO)}:{call.lineno}"
            if isinstance(sql, ast.Constant) or (isinstance(sql, ast.Name) and sql.id == "ddl"):
                continue  # ddl: the constant DDL strings of sources/raw_schema.py
            assert isinstance(sql, ast.JoinedStr), f"{where}: query is not a literal: {ast.unparse(sql)}"
            for part in sql.values:
                if isinstance(part, ast.FormattedValue):
                    assert ast.unparse(part.value) in ALLOWED, f"{where}: interpolates {ast.unparse(part.value)}"
    assert checked >= 6


def test_load_insert_targets_are_literals() -> None:
    tree = ast.parse((REPO / "sources" / "load.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_insert"]
    assert calls and all(isinstance(c.args[1], ast.Constant) for c in calls)


HOSTILE = "O'Brien\"; DROP TABLE raw.figures; --"
NOTE = "'); delete from raw.submissions where ('1'='1"


def _hostile_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet'; drop"  # sheet titles cannot hold some characters, but quotes and ; are fine
    ws.append(["Đơn vị báo cáo: Sở Xây dựng"])
    ws.append(["Kỳ báo cáo: Năm 2024"])
    ws.append([])
    ws.append(["Địa bàn", "Mã chỉ tiêu", "Giá trị", "Ghi chú", "Cột'; --"])
    ws.append(["TP. Nha Trang", "ALLEY_LIT_RATE", 85.3, NOTE, "x"])
    ws.append([HOSTILE, "ALLEY_LIT_RATE", 60, None, "y"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_hostile_text_round_trips(tmp_path) -> None:
    home = DothiHome(tmp_path / "home").ensure()
    name = "bao cao'; drop table raw.submissions; --.xlsx"
    (home.inbox / name).write_bytes(_hostile_xlsx())
    report = run_intake(home, run_id="r'; --", now=datetime(2025, 6, 15))
    assert report.accepted_with_rejections == 1
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        sub = conn.execute("select file_name, sheet_name, run_id from raw.submissions").fetchall()
        assert sub == [(name, "Sheet'; drop", "r'; --")]
        assert conn.execute("select note from raw.figures").fetchall() == [(NOTE,)]
        rejected = conn.execute("select field, value_raw, reason, row_data from raw.rejected_rows").fetchall()
        assert rejected[0][:2] == ("locality", HOSTILE) and HOSTILE in rejected[0][2]
        assert "Cột'; --" in rejected[0][3]  # the header label, as a JSON key
        tables = {t for (t,) in conn.execute("select table_name from information_schema.tables").fetchall()}
    assert {"submissions", "figures", "rejected_rows", "refresh_runs"} <= tables
