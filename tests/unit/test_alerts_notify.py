"""Alerts reach a real SMTP server and a real webhook on 127.0.0.1; a dead channel never raises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from outputs.alerts import NEW_ERRORS, RUN_FAILED, Alert, AlertSettings, FailedStep, notify
from tests.alert_sinks import alert_env, free_port, smtp_sink, webhook_sink

REPO = Path(__file__).resolve().parents[2]

RUN_ID = "5f1c2a9e-0b7d-4c55-9a41-1f6d2e8b7c30"


def _failure() -> Alert:
    return Alert(
        kind=RUN_FAILED, run_id=RUN_ID, job="nightly_refresh", trigger="schedule",
        run_url=f"http://dagster.example:3000/runs/{RUN_ID}", log_path=f"/srv/dothi/logs/runs/{RUN_ID}.log",
        runs_log="/srv/dothi/logs/runs.jsonl", home="/srv/dothi",
        failed_steps=(FailedStep("dbt_warehouse", "dbt build failed with exit code 1",
                                 "\x1b[31mOut of Memory Error\x1b[0m: could not allocate block of size 256 KiB"),),
    )


def _settings(monkeypatch: pytest.MonkeyPatch, smtp_port: int | None, webhook_url: str | None) -> AlertSettings:
    for name in list(os.environ):
        if name.startswith(("DOTHI_SMTP_", "DOTHI_ALERT_")):
            monkeypatch.delenv(name)
    for name, value in alert_env(smtp_port, webhook_url).items():
        monkeypatch.setenv(name, value)
    return AlertSettings.from_env()


def test_a_failure_alert_names_the_run_the_step_the_error_and_links_the_log(monkeypatch) -> None:
    with smtp_sink() as smtp, webhook_sink() as hook:
        settings = _settings(monkeypatch, smtp.port, hook.url)
        deliveries = notify(_failure(), settings)
        assert [(d.channel, d.ok) for d in deliveries] == [("email", True), ("webhook", True)]
        assert deliveries[1].target == f"127.0.0.1:{hook.port}"  # the webhook's secret path is never logged

    (mail,) = smtp.messages
    assert smtp.envelopes == [("dothi@test.local", ["oncall@test.local", "stats@test.local"])]
    assert mail["Subject"] == "[dothi] Làm mới THẤT BẠI / Refresh FAILED — run 5f1c2a9e, bước/step dbt_warehouse"
    assert mail["X-Dothi-Run-Id"] == RUN_ID
    body = mail.get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    for expected in (
        f"Run: {RUN_ID} (job nightly_refresh, trigger schedule)",
        "Bước lỗi / failed step: dbt_warehouse",
        "Lỗi / error: dbt build failed with exit code 1",
        "Nguyên nhân / cause: Out of Memory Error: could not allocate block of size 256 KiB",  # colours stripped
        f"Dagster UI: http://dagster.example:3000/runs/{RUN_ID}",
        f"Log / nhật ký: /srv/dothi/logs/runs/{RUN_ID}.log",
        "Nothing was published; the live warehouse is unchanged.",
    ):
        assert expected in body, expected

    (post,) = hook.posts
    assert hook.headers[0]["Content-Type"].startswith("application/json")
    assert post["kind"] == "run_failed" and post["run_id"] == RUN_ID
    assert post["failed_steps"] == [{
        "step": "dbt_warehouse", "error": "dbt build failed with exit code 1",
        "cause": "Out of Memory Error: could not allocate block of size 256 KiB",
    }]
    assert post["run_url"] == f"http://dagster.example:3000/runs/{RUN_ID}"
    assert post["log_path"] == f"/srv/dothi/logs/runs/{RUN_ID}.log"
    assert post["text"] == body  # chat tools show `text`: the same message as the email


def test_a_new_errors_alert_lists_the_findings() -> None:
    findings = tuple(
        {"rule_code": "CHANNEL_DISAGREEMENT", "reporter_code": "569", "locality_code": "569",
         "indicator_code": "CLEAN_WATER_RATE", "period": str(2000 + i), "message_en": f"apart {i}",
         "message_vi": f"chênh {i}"}
        for i in range(25)
    )
    alert = Alert(kind=NEW_ERRORS, run_id=RUN_ID, job="nightly_refresh", trigger="inbox", run_url="u",
                  log_path="l", runs_log="r", home="h", new_errors=findings)
    assert alert.subject() == "[dothi] 25 lỗi dữ liệu mới / new error finding(s) published — run 5f1c2a9e"
    text = alert.text()
    assert "Theo quy tắc / by rule: CHANNEL_DISAGREEMENT 25" in text
    assert "- CHANNEL_DISAGREEMENT [569 569 CLEAN_WATER_RATE 2000]: apart 0" in text
    assert "… and 5 more: `dothi quality`" in text
    payload = alert.payload()
    assert payload["new_errors_count"] == 25 and len(payload["new_errors"]) == 20


@pytest.mark.parametrize("where", ["server down", "bad host", "starttls refused"])
def test_a_dead_channel_is_reported_never_raised(monkeypatch, where: str) -> None:
    port = free_port()  # nothing listens there
    if where == "bad host":
        settings = _settings(monkeypatch, port, "http://no-such-host.invalid/hook")
        monkeypatch.setenv("DOTHI_SMTP_HOST", "no-such-host.invalid")
        settings = AlertSettings.from_env()
        deliveries = notify(_failure(), settings)
    elif where == "server down":
        settings = _settings(monkeypatch, port, f"http://127.0.0.1:{port}/hook")
        deliveries = notify(_failure(), settings)
    else:  # a plain server that does not offer STARTTLS: refused, not sent in clear
        with smtp_sink() as smtp, webhook_sink(status=500) as hook:
            settings = _settings(monkeypatch, smtp.port, hook.url)
            monkeypatch.setenv("DOTHI_SMTP_STARTTLS", "true")
            deliveries = notify(_failure(), AlertSettings.from_env())
            assert smtp.messages == []
    assert [d.channel for d in deliveries] == ["email", "webhook"]
    assert not any(d.ok for d in deliveries)
    assert all(d.error for d in deliveries)


def test_settings_defaults_and_channels_off(monkeypatch) -> None:
    settings = _settings(monkeypatch, None, None)
    assert not settings.any_channel and notify(_failure(), settings) == []
    monkeypatch.setenv("DOTHI_SMTP_HOST", "mail.example")
    monkeypatch.setenv("DOTHI_SMTP_STARTTLS", "1")
    settings = AlertSettings.from_env()
    assert settings.smtp_port == 587 and not settings.email_on  # no recipient: no email
    monkeypatch.delenv("DOTHI_UI_URL")
    assert AlertSettings.from_env().run_url("r1") == "http://127.0.0.1:3000/runs/r1"


def test_dothi_alerts_test_sends_and_says_what_happened(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOTHI_SMTP_", "DOTHI_ALERT_", "DAGSTER_HOME"))}
    env["DOTHI_HOME"] = str(tmp_path)

    def alerts_test(extra: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "alerts", "test", "--json"],
            cwd=REPO, env={**env, **extra}, capture_output=True, text=True, timeout=60,
        )

    none = alerts_test({})
    assert none.returncode == 2 and "no alert channel configured" in json.loads(none.stdout)["error"]
    with smtp_sink() as smtp, webhook_sink() as hook:
        sent = alerts_test(alert_env(smtp.port, hook.url))
    assert sent.returncode == 0, sent.stderr
    out = json.loads(sent.stdout)
    assert out["ok"] and [d["channel"] for d in out["deliveries"]] == ["email", "webhook"]
    assert smtp.messages[0]["Subject"].startswith("[dothi] Thử cảnh báo / Test alert")
    assert hook.posts[0]["kind"] == "test"
    dead = alerts_test(alert_env(free_port(), None))
    assert dead.returncode == 1 and not json.loads(dead.stdout)["ok"]
    events = [json.loads(line) for line in (tmp_path / "logs" / "runs.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["alert", "alert"]
    assert [d["ok"] for d in events[-1]["deliveries"]] == [False]
