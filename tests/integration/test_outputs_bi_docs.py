"""docs/bi.md: the ten example questions run against the sample warehouse and return rows."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

BI_DOC = Path(__file__).resolve().parents[2] / "docs" / "bi.md"


def _questions() -> list[tuple[str, str]]:
    text = BI_DOC.read_text(encoding="utf-8").split("## Ten questions", 1)[1]
    return re.findall(r"^### (.+?)\n+```sql\n(.*?)```", text, re.S | re.M)


def test_there_are_ten_questions() -> None:
    assert len(_questions()) == 10


@pytest.mark.parametrize(("title", "sql"), _questions(), ids=[t.split(".")[0] for t, _ in _questions()])
def test_question_runs(sample_refresh, title: str, sql: str) -> None:
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        rows = conn.sql(sql).fetchall()
    assert rows, f"{title}: no rows on the sample"
