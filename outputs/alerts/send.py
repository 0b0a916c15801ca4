"""Sending an alert: email over SMTP (in clear, STARTTLS or implicit TLS) and a JSON POST to a webhook.

Never raises: each channel's outcome is a :class:`Delivery` (ok, or the error), so a mail server that is
down or a bad host is reported and recorded, and the refresh that triggered the alert is unaffected.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from outputs.alerts.message import Alert
from outputs.alerts.settings import SMTP_SECURITIES, AlertSettings


@dataclass(frozen=True)
class Delivery:
    channel: str  # email | webhook
    ok: bool
    target: str  # recipients or the webhook's host (never a password or a URL's secret path)
    error: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def email_message(alert: Alert, settings: AlertSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = alert.subject()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.smtp_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="dothi")
    message["X-Dothi-Run-Id"] = alert.run_id
    message["X-Dothi-Alert"] = alert.kind
    message.set_content(alert.text())  # UTF-8: the Vietnamese survives any mail client
    return message


def tls_context(settings: AlertSettings) -> ssl.SSLContext:
    """The system's CAs (plus DOTHI_SMTP_CA_FILE): the server's certificate and name are always verified."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file or None)


def smtp_connection(settings: AlertSettings) -> smtplib.SMTP:
    """An open SMTP connection, protected as DOTHI_SMTP_SECURITY says (implicit TLS: SMTP_SSL)."""
    if settings.smtp_security not in SMTP_SECURITIES:
        raise ValueError(f"DOTHI_SMTP_SECURITY={settings.smtp_security!r}: use one of {', '.join(SMTP_SECURITIES)}")
    if settings.smtp_security == "tls":
        return smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.timeout,
                                context=tls_context(settings))
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    if settings.smtp_security == "starttls":
        try:
            smtp.starttls(context=tls_context(settings))
        except BaseException:
            smtp.close()
            raise
    return smtp


def send_email(alert: Alert, settings: AlertSettings) -> Delivery:
    target = ", ".join(settings.smtp_to)
    try:
        with smtp_connection(settings) as smtp:
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(email_message(alert, settings))
    except (OSError, smtplib.SMTPException, ssl.SSLError, ValueError) as exc:
        return Delivery("email", False, target, f"{type(exc).__name__}: {exc}")
    return Delivery("email", True, target)


def _webhook_target(url: str) -> str:
    # Chat webhooks carry their secret in the path: name only the host in logs.
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or "?"


def post_webhook(alert: Alert, settings: AlertSettings) -> Delivery:
    target = _webhook_target(settings.webhook_url)
    body = json.dumps(alert.payload(), ensure_ascii=False).encode("utf-8")
    try:
        if not settings.webhook_url.lower().startswith(("http://", "https://")):
            raise ValueError("DOTHI_ALERT_WEBHOOK_URL must be an http(s) URL")
        request = urllib.request.Request(
            settings.webhook_url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "dothi-alerts"},
        )
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:  # noqa: S310 (scheme checked)
            response.read()
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        return Delivery("webhook", False, target, f"{type(exc).__name__}: {exc}")
    return Delivery("webhook", True, target)


def notify(alert: Alert, settings: AlertSettings | None = None) -> list[Delivery]:
    """Send on every configured channel; [] when none is configured."""
    settings = settings or AlertSettings.from_env()
    deliveries: list[Delivery] = []
    if settings.email_on:
        deliveries.append(send_email(alert, settings))
    if settings.webhook_on:
        deliveries.append(post_webhook(alert, settings))
    return deliveries
