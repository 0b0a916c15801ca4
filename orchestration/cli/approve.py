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


def approval_command(action: str, args: argparse.Namespace) -> int:
    from orchestration.publishing import RefreshBusy, RefreshLock, lock_wait_seconds, now_local
    from sources.approvals import ApprovalError, Scope, record

    home = export_environment()
    scope = Scope(args.period.strip(), tuple(args.locality), tuple(args.indicator))
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
        event, already = record(home, action, scope, args.by, args.note, event_id,
                                now_local().isoformat(sep=" ", timespec="seconds"))
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
        print(f"{verb} {len(event.values)} value(s) of {scope.period} by {event.approved_by}{skipped}; "
              "run `dothi refresh` to apply it to the marts / chạy `dothi refresh` để cập nhật.")
    return 0
