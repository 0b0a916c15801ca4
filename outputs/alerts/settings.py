"""Where alerts go: SMTP and webhook settings, read from the environment at call time (never at import)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_UI_URL = "http://127.0.0.1:3000"  # `dothi ui`'s default address
DEFAULT_TIMEOUT = 10.0  # seconds per channel: a dead mail server must not hold the refresh for minutes

_TRUE = {"1", "true", "yes", "on"}
# How the SMTP connection is protected (DOTHI_SMTP_SECURITY): in clear, upgraded by STARTTLS (port 587),
# or TLS from the first byte ("implicit TLS", SMTPS, port 465; RFC 8314 prefers it for submission).
SMTP_SECURITIES = ("none", "starttls", "tls")
SMTPS_PORT = 465
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": SMTPS_PORT}


def _float(name: str, default: float) -> float:
    try:
        return max(0.1, float(os.environ.get(name, default)))
    except ValueError:
        return default


def smtp_security(env: Mapping[str, str]) -> str:
    """DOTHI_SMTP_SECURITY (none | starttls | tls), else the older DOTHI_SMTP_STARTTLS=true; an unknown
    value is refused at send time rather than silently sending in clear."""
    chosen = env.get("DOTHI_SMTP_SECURITY", "").strip().lower()
    if chosen in {"ssl", "smtps", "implicit"}:
        return "tls"
    if chosen:
        return chosen
    return "starttls" if env.get("DOTHI_SMTP_STARTTLS", "").strip().lower() in _TRUE else "none"


@dataclass(frozen=True)
class AlertSettings:
    """``DOTHI_SMTP_*`` (email), ``DOTHI_ALERT_WEBHOOK_URL`` (chat), ``DOTHI_UI_URL`` (links).

    A channel without its address is off: no ``DOTHI_SMTP_HOST`` or no ``DOTHI_SMTP_TO``, no email;
    no ``DOTHI_ALERT_WEBHOOK_URL``, no webhook.
    """

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = ""
    smtp_to: tuple[str, ...] = ()
    smtp_security: str = "none"  # one of SMTP_SECURITIES
    smtp_ca_file: str = ""  # a private CA to trust besides the system's (a Department's own mail server)
    webhook_url: str = ""
    ui_url: str = DEFAULT_UI_URL
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls) -> AlertSettings:
        env = os.environ
        security = smtp_security(env)
        try:
            port = int(env.get("DOTHI_SMTP_PORT") or _DEFAULT_PORTS.get(security, 25))
        except ValueError:
            port = _DEFAULT_PORTS.get(security, 25)
        if security == "none" and port == SMTPS_PORT and not env.get("DOTHI_SMTP_SECURITY", "").strip():
            security = "tls"  # nothing speaks clear SMTP on 465: port 465 alone means implicit TLS
        return cls(
            smtp_host=env.get("DOTHI_SMTP_HOST", "").strip(),
            smtp_port=port,
            smtp_user=env.get("DOTHI_SMTP_USER", ""),
            smtp_password=env.get("DOTHI_SMTP_PASSWORD", ""),
            smtp_from=env.get("DOTHI_SMTP_FROM", "").strip() or f"dothi@{socket.gethostname()}",
            smtp_to=tuple(a.strip() for a in env.get("DOTHI_SMTP_TO", "").split(",") if a.strip()),
            smtp_security=security,
            smtp_ca_file=env.get("DOTHI_SMTP_CA_FILE", "").strip(),
            webhook_url=env.get("DOTHI_ALERT_WEBHOOK_URL", "").strip(),
            ui_url=(env.get("DOTHI_UI_URL", "").strip() or DEFAULT_UI_URL).rstrip("/"),
            timeout=_float("DOTHI_ALERT_TIMEOUT", DEFAULT_TIMEOUT),
        )

    @property
    def smtp_starttls(self) -> bool:
        return self.smtp_security == "starttls"

    @property
    def email_on(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_url)

    @property
    def any_channel(self) -> bool:
        return self.email_on or self.webhook_on

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_url}/runs/{run_id}"
