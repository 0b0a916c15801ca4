"""Expectation suites as versioned data: load the JSON files in ``suites/`` and expand templates.

One JSON file per guarded table, in GX's own suite shape (``name``, ``meta``, ``expectations`` of
``type``/``kwargs``/``meta``) plus what dothi needs to run it:

- suite ``meta.table``: ``schema.table`` in the warehouse; ``meta.row_keys``: the columns that identify
  a failing row; ``meta.context_columns``: extra columns copied into each finding (when present).
- expectation ``meta``: ``rule_code``, ``severity`` (``error`` | ``warning``), ``description``; a
  template adds ``expand: {from_table, skip_when_all_null}`` and is repeated once per row of that
  reference table, ``{{column}}`` placeholders taking the row's values (so a new seed row needs no code).

Nothing here imports great_expectations: orchestration reads the suite list at definitions load.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUITES_DIR = Path(__file__).parent / "suites"
SEVERITIES = ("error", "warning")

# A whole-string placeholder keeps the row value's type ("{{valid_min}}" -> 0.0); embedded ones format text.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class SuiteError(ValueError):
    """A suite file that does not follow the contract above."""


@dataclass(frozen=True)
class SuiteSpec:
    """One suite as loaded from JSON (templates not yet expanded)."""

    name: str
    schema: str
    table: str
    row_keys: tuple[str, ...]
    context_columns: tuple[str, ...]
    expectations: tuple[dict[str, Any], ...]
    description: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def reference_tables(self) -> tuple[str, ...]:
        """Qualified names of the tables its templates expand from."""
        names = {e["meta"]["expand"]["from_table"] for e in self.expectations if "expand" in e["meta"]}
        return tuple(sorted(names))

    @property
    def rule_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e["meta"]["rule_code"] for e in self.expectations))


def _split_table(qualified: str, where: str) -> tuple[str, str]:
    parts = qualified.split(".")
    if len(parts) != 2 or not all(parts):
        raise SuiteError(f"{where}: table must be 'schema.table', got {qualified!r}")
    return parts[0], parts[1]


def _check_expectation(exp: Any, where: str) -> dict[str, Any]:
    if not isinstance(exp, dict) or not isinstance(exp.get("type"), str):
        raise SuiteError(f"{where}: each expectation needs a 'type'")
    if not isinstance(exp.get("kwargs", {}), dict):
        raise SuiteError(f"{where}: 'kwargs' must be an object")
    meta = exp.get("meta")
    if not isinstance(meta, dict):
        raise SuiteError(f"{where}: expectation {exp['type']} has no meta")
    for key in ("rule_code", "severity", "description"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise SuiteError(f"{where}: expectation {exp['type']} lacks meta.{key}")
    if meta["severity"] not in SEVERITIES:
        raise SuiteError(f"{where}: severity must be one of {SEVERITIES}, got {meta['severity']!r}")
    if "expand" in meta:
        expand = meta["expand"]
        if not isinstance(expand, dict) or not isinstance(expand.get("from_table"), str):
            raise SuiteError(f"{where}: meta.expand needs 'from_table'")
        _split_table(expand["from_table"], where)
    return {"type": exp["type"], "kwargs": dict(exp.get("kwargs", {})), "meta": dict(meta)}


def load_suite(path: Path) -> SuiteSpec:
    """Read and check one suite file."""
    where = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(f"{where}: {exc}") from exc
    meta = doc.get("meta") or {}
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        raise SuiteError(f"{where}: suite needs a 'name'")
    schema, table = _split_table(str(meta.get("table", "")), where)
    row_keys = meta.get("row_keys")
    if not isinstance(row_keys, list) or not row_keys:
        raise SuiteError(f"{where}: meta.row_keys must be a non-empty list")
    expectations = tuple(_check_expectation(e, where) for e in doc.get("expectations", []))
    if not expectations:
        raise SuiteError(f"{where}: suite has no expectations")
    return SuiteSpec(
        name=doc["name"],
        schema=schema,
        table=table,
        row_keys=tuple(row_keys),
        context_columns=tuple(meta.get("context_columns", [])),
        expectations=expectations,
        description=str(meta.get("description", "")),
        path=path,
    )


def load_suites(directory: Path | None = None) -> list[SuiteSpec]:
    """All suites in ``directory`` (default: the packaged ``suites/``), sorted by file name."""
    folder = directory or SUITES_DIR
    specs = [load_suite(p) for p in sorted(folder.glob("*.json"))]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise SuiteError(f"{folder}: duplicate suite names in {names}")
    return specs


def suite_tables(directory: Path | None = None) -> list[tuple[str, str, str]]:
    """``(suite_name, schema, table)`` per suite: enough for orchestration to declare asset checks."""
    return [(s.name, s.schema, s.table) for s in load_suites(directory)]


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _substitute(node: Any, row: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, row) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, row) for v in node]
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            value = row[whole.group(1)]
            return None if _is_null(value) else value
        return _PLACEHOLDER.sub(lambda m: _format(row[m.group(1)]), node)
    return node


def _format(value: Any) -> str:
    if _is_null(value):
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _placeholders(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_placeholders(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_placeholders(v) for v in node)) if node else set()
    if isinstance(node, str):
        return set(_PLACEHOLDER.findall(node))
    return set()


def expand_expectations(
    spec: SuiteSpec, reference_rows: Mapping[str, Iterable[Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """The suite's concrete expectations: templates repeated per reference row, others as they are.

    ``reference_rows`` maps a qualified reference table name to its rows (dicts, nulls as None/NaN).
    A template row whose ``skip_when_all_null`` columns are all null is skipped (no limits to check).
    Expanded expectations keep the row values they used in ``meta.template_params``.
    """
    out: list[dict[str, Any]] = []
    for exp in spec.expectations:
        expand = exp["meta"].get("expand")
        if expand is None:
            out.append(copy.deepcopy(exp))
            continue
        table = expand["from_table"]
        if table not in reference_rows:
            raise SuiteError(f"suite {spec.name}: reference table {table} is not available")
        skip_cols = list(expand.get("skip_when_all_null", []))
        template = {"type": exp["type"], "kwargs": exp["kwargs"],
                    "meta": {k: v for k, v in exp["meta"].items() if k != "expand"}}
        used = sorted(_placeholders(template))
        for row in reference_rows[table]:
            missing = [c for c in used + skip_cols if c not in row]
            if missing:
                raise SuiteError(f"suite {spec.name}: {table} lacks column(s) {missing}")
            if skip_cols and all(_is_null(row[c]) for c in skip_cols):
                continue
            concrete = _substitute(copy.deepcopy(template), row)
            concrete["meta"]["template_params"] = {
                c: (None if _is_null(row[c]) else row[c]) for c in used
            }
            out.append(concrete)
    return out
