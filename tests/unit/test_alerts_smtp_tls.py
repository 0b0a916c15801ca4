"""Email over TLS: implicit TLS (SMTPS, port 465) and STARTTLS, against a local aiosmtpd server with a
certificate made here, trusted through DOTHI_SMTP_CA_FILE; an untrusted certificate is refused, not ignored."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import smtplib
import ssl
from pathlib import Path

import pytest

from outputs.alerts import RUN_FAILED, Alert, AlertSettings, notify
from outputs.alerts.send import smtp_connection
from tests.alert_sinks import alert_env, smtp_sink


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dothi test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory) -> tuple[Path, ssl.SSLContext]:
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def _alert() -> Alert:
    return Alert(kind=RUN_FAILED, run_id="9d0c7a1e-tls", job="nightly_refresh", trigger="schedule",
                 run_url="http://dagster.example:3000/runs/9d0c7a1e-tls", log_path="/srv/dothi/logs/runs/x.log",
                 runs_log="/srv/dothi/logs/runs.jsonl", home="/srv/dothi")


def _env(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> AlertSettings:
    for name in list(os.environ):
        if name.startswith(("DOTHI_SMTP_", "DOTHI_ALERT_")):
            monkeypatch.delenv(name)
    for name, value in alert_env(port, None, **extra).items():
        monkeypatch.setenv(name, value)
    return AlertSettings.from_env()


def test_implicit_tls_delivers_over_smtps(monkeypatch, server_tls) -> None:
    cert, context = server_tls
    with smtp_sink(ssl_context=context) as smtp:
        settings = _env(monkeypatch, smtp.port, DOTHI_SMTP_SECURITY="tls", DOTHI_SMTP_CA_FILE=str(cert))
        assert settings.smtp_security == "tls"
        with smtp_connection(settings) as connection:
            assert isinstance(connection, smtplib.SMTP_SSL)
        deliveries = notify(_alert(), settings)
        assert [(d.channel, d.ok, d.error) for d in deliveries] == [("email", True, "")]
        (mail,) = smtp.messages
        assert mail["X-Dothi-Run-Id"] == "9d0c7a1e-tls"


def test_starttls_delivers_with_the_private_ca(monkeypatch, server_tls) -> None:
    cert, context = server_tls
    with smtp_sink(tls_context=context, require_starttls=True) as smtp:
        settings = _env(monkeypatch, smtp.port, DOTHI_SMTP_SECURITY="starttls", DOTHI_SMTP_CA_FILE=str(cert))
        (delivery,) = notify(_alert(), settings)
        assert delivery.ok, delivery.error
        assert len(smtp.messages) == 1


def test_an_untrusted_certificate_is_refused(monkeypatch, server_tls) -> None:
    _, context = server_tls
    with smtp_sink(ssl_context=context) as smtp:
        settings = _env(monkeypatch, smtp.port, DOTHI_SMTP_SECURITY="tls")  # no CA file: not trusted
        (delivery,) = notify(_alert(), settings)
        assert not delivery.ok and "CERTIFICATE_VERIFY_FAILED" in delivery.error
        assert smtp.messages == []


def test_implicit_tls_against_a_plain_server_is_not_sent_in_clear(monkeypatch) -> None:
    with smtp_sink() as smtp:
        settings = _env(monkeypatch, smtp.port, DOTHI_SMTP_SECURITY="tls")
        (delivery,) = notify(_alert(), settings)
        assert not delivery.ok and delivery.error
        assert smtp.messages == []


def test_the_security_setting(monkeypatch) -> None:
    def settings(**env: str) -> AlertSettings:
        for name in list(os.environ):
            if name.startswith("DOTHI_SMTP_"):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return AlertSettings.from_env()

    assert (settings().smtp_security, settings().smtp_port) == ("none", 25)
    assert (settings(DOTHI_SMTP_SECURITY="tls").smtp_port) == 465
    assert settings(DOTHI_SMTP_SECURITY="SSL").smtp_security == "tls"
    assert (settings(DOTHI_SMTP_SECURITY="starttls").smtp_port) == 587
    assert settings(DOTHI_SMTP_STARTTLS="true").smtp_security == "starttls"  # the older setting still works
    assert settings(DOTHI_SMTP_PORT="465").smtp_security == "tls"  # port 465 alone means implicit TLS
    assert settings(DOTHI_SMTP_PORT="465", DOTHI_SMTP_SECURITY="none").smtp_security == "none"
    bad = settings(DOTHI_SMTP_SECURITY="tls1.3", DOTHI_SMTP_HOST="127.0.0.1", DOTHI_SMTP_TO="a@b")
    (delivery,) = notify(_alert(), bad)
    assert not delivery.ok and "use one of none, starttls, tls" in delivery.error
