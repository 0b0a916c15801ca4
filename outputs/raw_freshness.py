"""The raw layer's freshness as dbt's source freshness declares it (độ mới của tầng raw), without running dbt.

The thresholds and the ``loaded_at_field`` are read from ``_raw__sources.yml`` itself, so that
``dothi status`` and ``dbt source freshness`` cannot disagree: source-level settings, overridden per table,
``freshness: null`` switching a table off. The age is measured from the published warehouse, read-only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

SOURCES_YML = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "staging" / "raw" / "_raw__sources.yml"
VIETNAM = timezone(timedelta(hours=7), "ICT")  # the clock of every raw timestamp
_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}

PASS, WARN, ERROR, UNKNOWN = "pass", "warn", "error", "unknown"


@dataclass(frozen=True)
class TableRule:
    """One raw table's declared freshness: the timestamp column and the thresholds, in hours."""

    table: str
    loaded_at_field: str
    warn_after_hours: float | None
    error_after_hours: float | None


@dataclass(frozen=True)
class TableFreshness:
    table: str
    loaded_at_field: str
    max_loaded_at: str | None
    age_hours: float | None
    warn_after_hours: float | None
    error_after_hours: float | None
    status: str  # pass | warn | error | unknown (table or column missing, nothing loaded yet)

    def to_dict(self) -> dict:
        return asdict(self)


def _hours(threshold: Any) -> float | None:
    if not isinstance(threshold, dict) or threshold.get("count") is None:
        return None
    return float(threshold["count"]) * _HOURS[str(threshold.get("period", "day"))]


def _freshness(node: dict, inherited: Any) -> Any:
    """A node's freshness (top level or under config:), else what it inherits; an explicit null stops it."""
    for holder in (node, node.get("config") or {}):
        if "freshness" in holder:
            return holder["freshness"]
    return inherited


def declared_rules(path: Path = SOURCES_YML) -> list[TableRule]:
    """The raw tables dbt checks for freshness, as the yml declares them."""
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules: list[TableRule] = []
    for source in document.get("sources") or []:
        if source.get("name") != "raw":
            continue
        source_freshness = _freshness(source, None)
        source_field = source.get("loaded_at_field")
        for table in source.get("tables") or []:
            freshness = _freshness(table, source_freshness)
            loaded_at = table.get("loaded_at_field") or source_field
            if not freshness or not loaded_at:
                continue
            rules.append(TableRule(str(table["name"]), str(loaded_at), _hours(freshness.get("warn_after")),
                                   _hours(freshness.get("error_after"))))
    return rules


def measure(conn: duckdb.DuckDBPyConnection, rules: list[TableRule], now: datetime) -> list[TableFreshness]:
    """Each rule against the warehouse: the newest ``loaded_at_field`` (naive Vietnam time) and its age."""
    import duckdb

    out: list[TableFreshness] = []
    for rule in rules:
        try:
            (newest,) = conn.table(f"raw.{rule.table}").aggregate(f'max("{rule.loaded_at_field}")').fetchall()[0]
        except duckdb.Error:
            newest = None
        if not isinstance(newest, datetime):
            out.append(TableFreshness(rule.table, rule.loaded_at_field, None, None, rule.warn_after_hours,
                                      rule.error_after_hours, UNKNOWN))
            continue
        local_now = now.astimezone(VIETNAM).replace(tzinfo=None) if now.tzinfo else now
        age = max(0.0, (local_now - newest.replace(tzinfo=None)).total_seconds() / 3600)
        status = (ERROR if rule.error_after_hours is not None and age > rule.error_after_hours
                  else WARN if rule.warn_after_hours is not None and age > rule.warn_after_hours else PASS)
        out.append(TableFreshness(rule.table, rule.loaded_at_field, newest.isoformat(timespec="seconds"),
                                  round(age, 2), rule.warn_after_hours, rule.error_after_hours, status))
    return out
