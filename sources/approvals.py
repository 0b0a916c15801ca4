"""The approval log (phê duyệt số liệu): who froze which consolidated values, when and why.

The log is ``DOTHI_HOME/control/approvals.jsonl``, append-only, one JSON event a line, kept OUTSIDE
the warehouse so that no rebuild (not even ``dothi rebuild`` from the archive) can lose it. Every
refresh copies it whole into ``raw.approvals`` (one row per event x value), which dbt applies to the
consolidated values (``int_values__official``): an approved value stays the official one whatever
arrives later.

An event is ``approve`` (freezes the listed values: each figure's value, file and row at approval
time) or ``unapprove`` (lifts the lock on the listed keys). A key's state is its latest event.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.home import DothiHome

ACTIONS = ("approve", "unapprove")
VALUE_FIELDS = (
    "locality_code", "indicator_code", "period", "value", "numerator", "denominator", "revision",
    "file_sha256", "file_name", "sheet_name", "row_number", "chosen_source",
)


class ApprovalError(ValueError):
    """A refused approve/unapprove (unknown period, empty scope, already approved, not approved)."""


@dataclass(frozen=True)
class Scope:
    period: str
    localities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()

    def covers(self, key: tuple[str, str, str]) -> bool:
        locality, indicator, period = key
        return (
            period == self.period
            and (not self.localities or locality in self.localities)
            and (not self.indicators or indicator in self.indicators)
        )

    def to_dict(self) -> dict[str, object]:
        return {"period": self.period, "localities": list(self.localities), "indicators": list(self.indicators)}


@dataclass
class Event:
    event_id: str
    action: str
    event_at: str
    approved_by: str
    note: str
    scope: dict[str, object]
    values: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "event_id": self.event_id, "action": self.action, "event_at": self.event_at,
            "approved_by": self.approved_by, "note": self.note, "scope": self.scope, "values": self.values,
        }


def log_path(home: DothiHome) -> Path:
    return home.root / "control" / "approvals.jsonl"


def read_events(home: DothiHome) -> list[Event]:
    path = log_path(home)
    if not path.exists():
        return []
    events = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            events.append(Event(**data))
        except (ValueError, TypeError) as exc:  # a hand-edited log: stop rather than guess
            raise ApprovalError(f"{path}, line {number}: not an approval event ({exc})") from exc
    return events


def log_digest(home: DothiHome) -> str:
    """Identity of the log: a refresh after an approval rebuilds even when no file arrived."""
    path = log_path(home)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def approved_keys(events: Iterable[Event]) -> dict[tuple[str, str, str], Event]:
    """The keys (locality, indicator, period) approved now, with the event that approved them."""
    state: dict[tuple[str, str, str], Event | None] = {}
    for event in events:
        for value in event.values:
            key = (str(value["locality_code"]), str(value["indicator_code"]), str(value["period"]))
            state[key] = event if event.action == "approve" else None
    return {key: event for key, event in state.items() if event is not None}


def append_event(home: DothiHome, event: Event) -> None:
    """Append one event durably (fsync): called under the single-writer lock."""
    path = log_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def plan_approve(
    scope: Scope, figures: Sequence[dict[str, object]], known_periods: set[str], events: Sequence[Event]
) -> tuple[list[dict[str, object]], int]:
    """The values an approval freezes, and how many in its scope were approved already.

    ``figures``: the published consolidated values of the period (marts.fct_indicator_values)."""
    if scope.period not in known_periods:
        raise ApprovalError(
            f"unknown period {scope.period!r} / kỳ báo cáo không có trong danh mục "
            f"(known: {', '.join(sorted(known_periods)[:12])}…)"
        )
    in_scope = [f for f in figures if scope.covers(_key(f)) and f.get("value") is not None]
    if not in_scope:
        raise ApprovalError(
            f"no consolidated figure in scope {scope.to_dict()} / không có số liệu nào trong phạm vi này"
        )
    approved = approved_keys(events)
    todo = [f for f in in_scope if _key(f) not in approved]
    if not todo:
        first = approved[_key(in_scope[0])]
        raise ApprovalError(
            f"already approved: all {len(in_scope)} value(s) in scope, by {first.approved_by} on "
            f"{first.event_at} / đã được phê duyệt"
        )
    return [{name: f.get(name) for name in VALUE_FIELDS} for f in todo], len(in_scope) - len(todo)


def plan_unapprove(scope: Scope, events: Sequence[Event]) -> list[dict[str, object]]:
    """The approved values an unapproval unlocks (their frozen figures, for the record)."""
    approved = approved_keys(events)
    keys = sorted(key for key in approved if scope.covers(key))
    if not keys:
        raise ApprovalError(f"nothing approved in scope {scope.to_dict()} / không có số liệu nào đã phê duyệt")
    lifted = []
    for key in keys:
        frozen = next(v for v in approved[key].values if _key(v) == key)
        lifted.append(dict(frozen))
    return lifted


# What `dothi approve` reads of the published consolidated values (marts.fct_indicator_values).
FIGURE_COLUMNS = (
    *VALUE_FIELDS, "approval_status", "revision_value", "revision_file_sha256", "revision_file_name",
    "revision_row_number",
)


def published_figures(warehouse: Path, period: str) -> tuple[list[dict[str, object]], set[str]]:
    """The published consolidated values of ``period``, and the known periods (marts.dim_period)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        periods = {str(p) for (p,) in conn.table("marts.dim_period").project("period").fetchall()}
        rows = (
            conn.table("marts.fct_indicator_values")
            .filter(duckdb.ColumnExpression("period") == duckdb.ConstantExpression(period))
            .project(", ".join(FIGURE_COLUMNS))
            .fetchall()
        )
    figures = []
    for values in rows:
        figure = dict(zip(FIGURE_COLUMNS, values, strict=True))
        if figure["approval_status"] == "approved" and figure["revision_value"] is not None:
            # The mart still shows an approval lifted since its refresh: freeze the figure it carries
            # as the revision (the latest consolidated one), not the old frozen one.
            figure.update(value=figure["revision_value"], file_name=figure["revision_file_name"],
                          row_number=figure["revision_row_number"], file_sha256=figure["revision_file_sha256"])
        figures.append(figure)
    return figures, periods


def record(
    home: DothiHome, action: str, scope: Scope, by: str, note: str, event_id: str, at: str
) -> tuple[Event, int]:
    """Plan and append one approve/unapprove event; returns it and how many values in scope were
    approved already (left as they were). Call under the single-writer lock. Raises ApprovalError."""
    if action not in ACTIONS:
        raise ApprovalError(f"unknown action {action!r}")
    if not by.strip() or not note.strip():
        raise ApprovalError("--by and --note must not be empty / cần ghi người phê duyệt và lý do")
    events = read_events(home)
    already = 0
    if action == "approve":
        try:
            figures, periods = published_figures(home.warehouse, scope.period)
        except duckdb.Error as exc:  # no marts yet: say so, never a traceback
            raise ApprovalError(f"cannot read the published values in {home.warehouse} ({exc})") from exc
        values, already = plan_approve(scope, figures, periods, events)
    else:
        values = plan_unapprove(scope, events)
    event = Event(event_id, action, at, by.strip(), note.strip(), scope.to_dict(), values)
    append_event(home, event)
    return event, already


def _key(figure: dict[str, object]) -> tuple[str, str, str]:
    return (str(figure["locality_code"]), str(figure["indicator_code"]), str(figure["period"]))


def load_approvals(conn: duckdb.DuckDBPyConnection, home: DothiHome) -> int:
    """Copy the whole log into raw.approvals (the log is the truth; the table mirrors it each run).
    raw.approvals exists: ``ensure_raw_schema`` ran first."""
    rows = [
        {
            "event_id": event.event_id,
            "action": event.action,
            "event_at": event.event_at,
            "approved_by": event.approved_by,
            "note": event.note,
            "scope": json.dumps(event.scope, ensure_ascii=False, sort_keys=True),
            **{name: value.get(name) for name in VALUE_FIELDS},
        }
        for event in read_events(home)
        for value in event.values
    ]
    conn.execute("begin")
    try:
        conn.execute("delete from raw.approvals")
        if rows:
            conn.register("_approvals_log", pa.Table.from_pylist(rows))
            try:
                conn.execute("insert into raw.approvals by name select * from _approvals_log")
            finally:
                conn.unregister("_approvals_log")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return len(rows)
