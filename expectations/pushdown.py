"""Uniqueness in DuckDB, over a table's snapshot, reported the way GX reports it.

A duplicate can sit in two different chunks, so chunked GX batches cannot judge uniqueness. GX's
pandas semantics, reproduced here: rows outside the row condition are not counted; missing values are
ignored (``expect_column_values_to_be_unique``: a null; ``expect_compound_columns_to_be_unique``: per
``ignore_row_if``, default all columns null); every row whose value (tuple) occurs more than once among
the others is unexpected — all copies, not all but the first (``duplicated(keep=False)``); ``mostly``
applies to the rows considered. Failing rows come in table order with the key and context columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from expectations.merge import PARTIAL, map_result, map_success
from expectations.plan import condition_sql, quote
from expectations.source import TableSource

_IGNORE = {"all_values_are_missing": " and ", "any_value_is_missing": " or "}


def _missing_sql(expectation_type: str, kwargs: Mapping[str, Any]) -> tuple[list[str], str] | None:
    if expectation_type == "expect_column_values_to_be_unique":
        column = str(kwargs["column"])
        return [column], f"{quote(column)} is null"
    if expectation_type == "expect_compound_columns_to_be_unique":
        columns = [str(c) for c in kwargs.get("column_list") or []]
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        if not columns:
            return None
        if ignore == "never":
            return columns, "false"
        if ignore not in _IGNORE:
            return None
        return columns, "(" + _IGNORE[ignore].join(f"{quote(c)} is null" for c in columns) + ")"
    return None


def can_push_down(expectation_type: str, kwargs: Mapping[str, Any], source: TableSource) -> bool:
    """Whether ``uniqueness`` can answer this expectation on this source exactly."""
    domain = _missing_sql(expectation_type, kwargs)
    return (source.is_snapshot and domain is not None and set(domain[0]) <= set(source.columns)
            and condition_sql(kwargs.get("row_condition")) is not None)


def uniqueness(expectation_type: str, kwargs: Mapping[str, Any], source: TableSource,
               index_columns: Sequence[str]) -> tuple[bool, dict[str, Any]]:
    """``(success, result)`` in GX's shape (see ``can_push_down`` for when it applies)."""
    domain = _missing_sql(expectation_type, kwargs)
    condition = condition_sql(kwargs.get("row_condition"))
    assert domain is not None and condition is not None, "check can_push_down first"
    columns, missing = domain
    where, params = condition
    counts = source.query(
        f"select count(*) as n, count(*) filter (where {missing}) as m from src where {where}", params
    )
    element_count, missing_count = int(counts.iloc[0]["n"]), int(counts.iloc[0]["m"])
    shown = [c for c in dict.fromkeys([*columns, *index_columns]) if c in source.columns]
    keys = ", ".join(quote(c) for c in columns)
    # Duplicates among the rows considered; file_row_number keeps the table's order.
    failing = source.query(
        f"select {', '.join(quote(c) for c in shown)} from ("
        f"  select *, count(*) over (partition by {keys}) as _copies from src"
        f"  where {where} and not {missing}"
        f") where _copies > 1 order by file_row_number",
        params,
    )
    rows = failing.to_dict("records")
    values = [r[columns[0]] if len(columns) == 1 else {c: r[c] for c in columns} for r in rows[:PARTIAL]]
    result = map_result(element_count, missing_count, len(rows), rows, values)
    mostly = kwargs.get("mostly")
    success = map_success(element_count - missing_count, len(rows), 1.0 if mostly is None else float(mostly))
    return success, result
