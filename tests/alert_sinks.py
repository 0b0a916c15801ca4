"""Local alert receivers for the tests: an SMTP server (aiosmtpd) and a webhook (http.server), on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dagster as dg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


@contextmanager
def smtp_sink(**controller_options: Any) -> Iterator[SmtpSink]:
    """``controller_options``: aiosmtpd's ``ssl_context`` (implicit TLS) or ``server_kwargs`` (STARTTLS)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            sink.messages.append(message)
            sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port, **controller_options)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class WebhookSink:
    port: int
    posts: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/secret-token"


@contextmanager
def webhook_sink(status: int = 200) -> Iterator[WebhookSink]:
    sink = WebhookSink(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            sink.posts.append(json.loads(body.decode("utf-8")))
            sink.headers.append(dict(self.headers))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


def alert_env(smtp_port: int | None, webhook_url: str | None, **extra: str) -> dict[str, str]:
    env = {"DOTHI_UI_URL": "http://dagster.example:3000", "DOTHI_ALERT_TIMEOUT": "3", **extra}
    if smtp_port is not None:
        env |= {
            "DOTHI_SMTP_HOST": "127.0.0.1", "DOTHI_SMTP_PORT": str(smtp_port),
            "DOTHI_SMTP_FROM": "dothi@test.local", "DOTHI_SMTP_TO": "oncall@test.local, stats@test.local",
        }
    if webhook_url is not None:
        env["DOTHI_ALERT_WEBHOOK_URL"] = webhook_url
    return env


def run_status_context(
    instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType, sensor_name: str, resources: dict
) -> dg.RunStatusSensorContext:
    """Dagster's test context for a run-status sensor, on the run's real status event."""
    run = instance.get_run_by_id(run_id)
    (record,) = instance.get_records_for_run(run_id, of_type=event_type).records
    event = record.event_log_entry.dagster_event
    assert run is not None and event is not None
    return dg.build_run_status_sensor_context(
        sensor_name=sensor_name, dagster_event=event, dagster_instance=instance, dagster_run=run, resources=resources
    )


def skip_message(outcome: object) -> str:
    assert isinstance(outcome, dg.SkipReason) and outcome.skip_message is not None
    return outcome.skip_message
