"""`dothi approve` / `dothi unapprove`: freeze (or unfreeze) the consolidated values of a scope.

The event is appended to the approval log (``DOTHI_HOME/control/approvals.jsonl``, sources/approvals.py)
under the single-writer lock, with the frozen figures read from the published
``marts.fct_indicator_values``; the next ``dothi refresh`` applies it to the marts (an approval is an
input: that refresh rebuilds even when no file arrived).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid

from orchestration.cli.environment import export_environment

_FIGURE_COLUMNS = (
    "locality_code", "indicator_code", "period", "value", "numerator", "denominator", "revision",
    "file_sha256", "file_name", "sheet_name", "row_number", "chosen_source",
    "approval_status", "revision_value", "revision_file_sha256", "revision_file_name", "revision_row_number",
)


def _add_scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, help="period to approve, e.g. 2025 or 2025-H1 (kỳ báo cáo)")
    parser.add_argument("--locality", action="append", default=[], metavar="CODE",
                        help="only this locality (repeatable; default: every locality and the province)")
    parser.add_argument("--indicator", action="append", default=[], metavar="CODE",
                        help="only this indicator (repeatable; default: every indicator)")
    parser.add_argument("--by", required=True, help="who approves (người phê duyệt)")
    parser.add_argument("--note", required=True, help="why (lý do)")
    parser.add_argument("--json", action="store_true", help="print the recorded event as JSON")


def register(subparsers: argparse._SubParsersAction) -> None:
    approve = subparsers.add_parser(
        "approve", help="approve (freeze) the consolidated values of a period: later submissions do not change them")
    _add_scope(approve)
    approve.set_defaults(handler=lambda args: approval_command("approve", args))
    unapprove = subparsers.add_parser("unapprove", help="lift an approval, with a reason: revisions take effect again")
    _add_scope(unapprove)
    unapprove.set_defaults(handler=lambda args: approval_command("unapprove", args))


def _published_figures(warehouse: object, period: str) -> tuple[list[dict], set[str]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        periods = {str(p) for (p,) in conn.table("marts.dim_period").project("period").fetchall()}
        rows = (
            conn.table("marts.fct_indicator_values")
            .filter(duckdb.ColumnExpression("period") == duckdb.ConstantExpression(period))
            .project(", ".join(_FIGURE_COLUMNS))
            .fetchall()
        )
    figures = []
    for values in rows:
        figure = dict(zip(_FIGURE_COLUMNS, values, strict=True))
        if figure["approval_status"] == "approved" and figure["revision_value"] is not None:
            # The mart still shows an approval lifted since its refresh: freeze the figure it carries
            # as the revision (the latest consolidated one), not the old frozen one.
            figure.update(value=figure["revision_value"], file_name=figure["revision_file_name"],
                          row_number=figure["revision_row_number"], file_sha256=figure["revision_file_sha256"])
        figures.append(figure)
    return figures, periods


def approval_command(action: str, args: argparse.Namespace) -> int:
    from orchestration.publishing import RefreshBusy, RefreshLock, lock_wait_seconds, now_local
    from sources.approvals import (
        ApprovalError,
        Event,
        Scope,
        append_event,
        plan_approve,
        plan_unapprove,
        read_events,
    )

    home = export_environment()
    scope = Scope(args.period.strip(), tuple(args.locality), tuple(args.indicator))
    if not args.by.strip() or not args.note.strip():
        print("--by and --note must not be empty / cần ghi người phê duyệt và lý do", file=sys.stderr)
        return 2
    if not home.warehouse.exists():
        print(f"No warehouse at {home.warehouse}: run `dothi refresh` first.", file=sys.stderr)
        return 1
    event_id = str(uuid.uuid4())
    lock = RefreshLock(home.lock_file)
    try:
        lock.acquire(f"{action}-{event_id}", lock_wait_seconds(),
                     on_wait=lambda holder: print(f"waiting for the refresh lock ({holder})…", file=sys.stderr))
    except RefreshBusy as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        events = read_events(home)
        already = 0
        if action == "approve":
            try:
                figures, periods = _published_figures(home.warehouse, scope.period)
            except Exception as exc:  # noqa: BLE001 - no marts yet: say so, never a traceback
                print(f"Cannot read the published values in {home.warehouse} ({exc}).", file=sys.stderr)
                return 1
            values, already = plan_approve(scope, figures, periods, events)
        else:
            values = plan_unapprove(scope, events)
        event = Event(event_id, action, now_local().isoformat(sep=" ", timespec="seconds"),
                      args.by.strip(), args.note.strip(), scope.to_dict(), values)
        append_event(home, event)
    except ApprovalError as exc:
        print(f"dothi {action}: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    if args.json:
        print(json.dumps({**event.to_dict(), "already_approved": already}, ensure_ascii=False, default=str))
    else:
        verb = "approved" if action == "approve" else "unapproved"
        skipped = f" ({already} already approved, left as they were)" if already else ""
        print(f"{verb} {len(values)} value(s) of {scope.period} by {event.approved_by}{skipped}; "
              "run `dothi refresh` to apply it to the marts / chạy `dothi refresh` để cập nhật.")
    return 0
