"""`dothi alerts test [--json]`: send a test alert on every configured channel (email, webhook).

Says which channel is configured, and what each answered. No Dagster import: instant.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from datetime import datetime

from orchestration.cli.environment import export_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("alerts", help="alerts of failed refreshes and new error findings: send a test")
    actions = parser.add_subparsers(dest="action", required=True)
    test = actions.add_parser(
        "test", help="send a test message by email and webhook (DOTHI_SMTP_*, DOTHI_ALERT_WEBHOOK_URL)"
    )
    test.add_argument("--json", action="store_true", help="print the outcome as JSON")
    test.set_defaults(handler=lambda args: test_command(args.json))


def test_command(as_json: bool) -> int:
    from orchestration.publishing import append_run_event
    from outputs.alerts import TEST, Alert, AlertSettings, notify

    home = export_environment()
    settings = AlertSettings.from_env()
    run_id = f"alert-test-{datetime.now():%Y%m%dT%H%M%S}"
    channels = {
        "email": ", ".join(settings.smtp_to) if settings.email_on else None,
        "webhook": settings.webhook_url.split("/")[2] if settings.webhook_on and "//" in settings.webhook_url else None,
    }
    if not settings.any_channel:
        message = (
            "no alert channel configured: set DOTHI_SMTP_HOST and DOTHI_SMTP_TO (email) and/or "
            "DOTHI_ALERT_WEBHOOK_URL (webhook); see the README, 'Alerts'"
        )
        if as_json:
            print(json.dumps({"ok": False, "error": message, "channels": channels, "deliveries": []}))
        else:
            print(f"dothi alerts test: {message}", file=sys.stderr)
        return 2
    alert = Alert(
        kind=TEST, run_id=run_id, job="-", trigger="dothi alerts test", run_url=settings.ui_url,
        log_path=str(home.logs / "runs.jsonl"), runs_log=str(home.logs / "runs.jsonl"), home=str(home.root),
        host=socket.gethostname(),
    )
    deliveries = [d.to_dict() for d in notify(alert, settings)]
    ok = all(d["ok"] for d in deliveries)
    append_run_event(home, "alert", run_id, kind=TEST, deliveries=deliveries)
    if as_json:
        print(json.dumps({"ok": ok, "channels": channels, "deliveries": deliveries}, ensure_ascii=False))
    else:
        for d in deliveries:
            outcome = "sent" if d["ok"] else f"NOT sent: {d['error']}"
            print(f"{d['channel']} → {d['target']}: {outcome}")
    return 0 if ok else 1
