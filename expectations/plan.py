"""How each expectation is run at scale: which columns it reads, and whether it can be split into chunks.

No GX here (orchestration imports the package at definitions load). Three ways to run an expectation:

- ``chunk``: GX *map* expectations (column / column-pair / multicolumn values, each row judged on its
  own: not null, in set, between, a > b, ...). Each chunk is a GX batch; counts add up, failing rows
  concatenate, success is recomputed from the summed counts and ``mostly`` (``expectations/merge.py``).
  A simple ``==`` row condition is also pushed into the scan, so an expectation repeated per indicator
  reads only that indicator's rows (GX still applies the condition itself: the scan only narrows).
- ``pushdown``: uniqueness (``expect_column_values_to_be_unique``, ``expect_compound_columns_to_be_unique``)
  is a map expectation whose verdict on a row depends on every other row: a duplicate pair can span two
  chunks. One DuckDB aggregate over the snapshot answers it, in GX's result shape (``expectations/pushdown.py``).
- ``whole``: everything else (table row count, column aggregates such as mean/min/max/sum, distinct-value
  sets, and uniqueness when its row condition cannot be translated to SQL): one GX batch of the whole
  table, reading only the columns the expectation names.

Chunk size: ``DOTHI_GX_CHUNK_ROWS`` (default 250,000 rows).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

CHUNK_ROWS_ENV = "DOTHI_GX_CHUNK_ROWS"
DEFAULT_CHUNK_ROWS = 250_000

# Map expectations whose per-row verdict needs the whole column: never split into chunks.
NOT_CHUNKABLE = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
PUSHDOWN = NOT_CHUNKABLE

_SQL_OPERATORS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def chunk_rows(value: int | None = None) -> int:
    """Rows per GX batch: ``value``, else ``DOTHI_GX_CHUNK_ROWS``, else the default."""
    if value is None:
        raw = os.environ.get(CHUNK_ROWS_ENV, "").strip()
        value = int(raw) if raw else DEFAULT_CHUNK_ROWS
    if value < 1:
        raise ValueError(f"{CHUNK_ROWS_ENV} must be a positive number of rows, got {value}")
    return value


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def condition_columns(condition: Any) -> set[str] | None:
    """Columns a row condition reads; None when it is text (a pandas query: unknown columns)."""
    if condition is None:
        return set()
    if not isinstance(condition, Mapping):
        return None
    kind = condition.get("type")
    if kind in ("comparison", "nullity"):
        column = condition.get("column")
        name = column.get("name") if isinstance(column, Mapping) else column
        return {str(name)} if name is not None else None
    if kind in ("and", "or"):
        found: set[str] = set()
        for part in condition.get("conditions") or []:
            cols = condition_columns(part)
            if cols is None:
                return None
            found |= cols
        return found
    return None


def expectation_columns(kwargs: Mapping[str, Any]) -> set[str] | None:
    """Columns an expectation reads (its domain and its row condition); None when unknown."""
    cols: set[str] = set()
    for key in ("column", "column_A", "column_B"):
        if kwargs.get(key) is not None:
            cols.add(str(kwargs[key]))
    cols |= {str(c) for c in kwargs.get("column_list") or []}
    if any("{{" in c for c in cols):  # a column chosen by a template: unknown until expanded
        return None
    where = condition_columns(kwargs.get("row_condition"))
    return None if where is None else cols | where


def suite_columns(available: Iterable[str], always: Iterable[str], expectations: Iterable[Mapping[str, Any]]
                  ) -> list[str]:
    """The columns to read, in table order: ``always`` plus what the expectations name (all if unknown)."""
    available = list(available)
    wanted = set(always)
    for exp in expectations:
        cols = expectation_columns(exp["kwargs"])
        if cols is None:
            return available
        wanted |= cols
    # A column the table lacks is left out: GX then reports it as an execution error, as before.
    return [c for c in available if c in wanted]


def condition_sql(condition: Any) -> tuple[str, list[Any]] | None:
    """The row condition as a SQL predicate with parameters, or None when it has no exact translation.

    Used where the SQL must select exactly GX's rows (uniqueness pushdown). Null handling matches
    pandas: a comparison with a missing value is false, except ``!=``, which pandas finds true.
    """
    if condition is None:
        return "true", []
    if not isinstance(condition, Mapping):
        return None
    kind = condition.get("type")
    if kind == "comparison":
        column = (condition.get("column") or {}).get("name")
        op = _SQL_OPERATORS.get(str(condition.get("operator")))
        parameter = condition.get("parameter")
        if column is None or op is None or not isinstance(parameter, bool | int | float | str):
            return None
        if op == "<>":
            return f"({quote(column)} is null or {quote(column)} <> ?)", [parameter]
        return f"({quote(column)} {op} ?)", [parameter]
    if kind == "nullity":
        column = (condition.get("column") or {}).get("name")
        if column is None or not isinstance(condition.get("is_null"), bool):
            return None
        return f"({quote(column)} is {'' if condition['is_null'] else 'not '}null)", []
    if kind in ("and", "or"):
        parts = [condition_sql(p) for p in condition.get("conditions") or []]
        if not parts or any(p is None for p in parts):
            return None
        joiner = f" {kind} "
        return "(" + joiner.join(p[0] for p in parts if p) + ")", [v for p in parts if p for v in p[1]]
    return None


def scan_filter(condition: Any) -> tuple[str, Any] | None:
    """``(column, value)`` of a simple ``column == value`` condition, to narrow a chunked scan; else None.

    Narrowing only: GX applies the condition again, so the scan may keep more rows than GX does,
    never fewer (SQL ``=`` and pandas ``==`` both drop missing values).
    """
    if not isinstance(condition, Mapping) or condition.get("type") != "comparison":
        return None
    column = (condition.get("column") or {}).get("name")
    parameter = condition.get("parameter")
    if condition.get("operator") != "==" or column is None or not isinstance(parameter, bool | int | float | str):
        return None
    return str(column), parameter
