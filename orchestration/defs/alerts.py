"""Alert sensors: a refresh that failed, or one that published new error findings, notifies the engineer.

The daemon evaluates these sensors for runs it can see (schedule, inbox sensor, UI). ``dothi refresh``
runs the job in-process and sends the same alerts itself at its end (:func:`alert_after_cli_run`), so the
sensors skip runs tagged ``dothi/trigger=cli`` (one alert per run, also when a daemon shares the instance).
Composing and sending is plain Python in ``outputs/alerts``; a failure to notify is logged, recorded in
``logs/runs.jsonl`` (event ``alert``) and shown as the sensor tick's skip reason: it never fails a run.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.defs.automation import NIGHTLY_JOB, nightly_refresh
from orchestration.publishing import append_run_event
from orchestration.resources import DothiHomeResource
from orchestration.resources import _trigger as run_trigger
from outputs.alerts import NEW_ERRORS, RUN_FAILED, Alert, AlertSettings, FailedStep, new_error_findings, notify
from sources.home import DothiHome

log = logging.getLogger(__name__)

CLI_TRIGGER = "cli"
RUN_LOGS_DIR = "runs"  # DOTHI_HOME/logs/runs/<run_id>.log: a failed run's events, kept past the next run


def _innermost(error: Any) -> Any:
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def failed_steps(events: Iterable[dg.DagsterEvent]) -> list[FailedStep]:
    """Each failed step with Dagster's message and the exception it wraps."""
    steps = []
    for event in events:
        if not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        cause = _innermost(error.cause) if error is not None else None
        steps.append(
            FailedStep(
                step=event.step_key or "?",
                error=error.message.strip() if error is not None else "failed",
                cause=cause.message.strip() if cause is not None else "",
            )
        )
    return steps


def is_busy(events: Iterable[dg.DagsterEvent]) -> bool:
    """The run could not start because another refresh holds the lock: nothing to alert about."""
    for event in events:
        error = getattr(getattr(event, "event_specific_data", None), "error", None)
        while error is not None:
            if error.cls_name == "RefreshBusy":
                return True
            error = error.cause
    return False


def write_run_log(home: DothiHome, run_id: str, lines: Iterable[str], extra: Path | None = None) -> Path:
    """logs/runs/<run_id>.log: the run's Dagster events, then (CLI) dbt's output; the alert links it."""
    folder = home.logs / RUN_LOGS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in run_id)[:80]}.log"
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line.rstrip("\n") + "\n")
        if extra is not None and extra.exists():
            handle.write(f"\n--- {extra.name} ---\n")
            handle.write(extra.read_text(encoding="utf-8", errors="replace"))
    return path


def _event_line(step: str | None, kind: str, message: str, event: dg.DagsterEvent | None = None) -> str:
    line = f"{kind:<22} {step or '-':<40} {message}"
    error = getattr(getattr(event, "event_specific_data", None), "error", None)
    while error is not None:  # a failure's error and the exceptions it wraps, not only "step failed"
        line += f"\n    {error.message.strip()}"
        error = error.cause
    return line


def _entry_kind(entry: dg.EventLogEntry) -> str:
    kind = entry.dagster_event_type
    return kind.value if kind is not None else logging.getLevelName(entry.level)


def deliver(home: DothiHome, alert: Alert, settings: AlertSettings | None = None) -> list[dict]:
    """Send the alert; record the outcome in logs/runs.jsonl. Never raises."""
    settings = settings or AlertSettings.from_env()
    if not settings.any_channel:
        return []
    try:
        outcomes = [d.to_dict() for d in notify(alert, settings)]
    except Exception as exc:  # notify never raises; belt and braces, a refresh must not fail here
        outcomes = [{"channel": "all", "ok": False, "target": "", "error": f"{type(exc).__name__}: {exc}"}]
    for outcome in outcomes:
        if not outcome["ok"]:
            log.warning("alert %s for run %s not sent by %s: %s", alert.kind, alert.run_id, outcome["channel"],
                        outcome["error"])
    try:
        append_run_event(home, "alert", alert.run_id, kind=alert.kind, deliveries=outcomes)
    except OSError as exc:
        log.warning("alert outcome for run %s not recorded: %s", alert.run_id, exc)
    return outcomes


def failure_alert(
    home: DothiHome, run_id: str, job: str, trigger: str, steps: list[FailedStep], run_error: str, log_path: Path,
    settings: AlertSettings,
) -> Alert:
    return Alert(
        kind=RUN_FAILED, run_id=run_id, job=job, trigger=trigger, run_url=settings.run_url(run_id),
        log_path=str(log_path), runs_log=str(home.logs / "runs.jsonl"), home=str(home.root),
        failed_steps=tuple(steps), run_error=run_error, host=socket.gethostname(),
    )


def new_errors_alert(home: DothiHome, run_id: str, job: str, trigger: str, settings: AlertSettings) -> Alert | None:
    """The alert for a run that published new error findings; None when it published none."""
    findings = new_error_findings(home.warehouse, run_id)
    if not findings:
        return None
    return Alert(
        kind=NEW_ERRORS, run_id=run_id, job=job, trigger=trigger, run_url=settings.run_url(run_id),
        log_path=str(home.logs / "last_refresh.log" if trigger == CLI_TRIGGER else home.logs / "runs.jsonl"),
        runs_log=str(home.logs / "runs.jsonl"), home=str(home.root), new_errors=tuple(findings),
        host=socket.gethostname(),
    )


def alert_after_cli_run(home: DothiHome, result: dg.ExecuteInProcessResult, dbt_log: Path) -> list[dict]:
    """`dothi refresh`'s alerts (no daemon sees its run): what was sent, [] when nothing was. Never raises."""
    try:
        settings = AlertSettings.from_env()
        if not settings.any_channel:
            return []
        events = result.all_events
        if result.success:
            alert = new_errors_alert(home, result.run_id, NIGHTLY_JOB, CLI_TRIGGER, settings)
        elif is_busy(events):
            return []
        else:
            lines = [_event_line(e.step_key, e.event_type_value, e.message or "", e) for e in events]
            log_path = write_run_log(home, result.run_id, lines, extra=dbt_log)
            run_error = next((e.message or "" for e in events if e.event_type_value == "RUN_FAILURE"), "")
            alert = failure_alert(
                home, result.run_id, NIGHTLY_JOB, CLI_TRIGGER, failed_steps(events), run_error, log_path, settings
            )
        return deliver(home, alert, settings) if alert is not None else []
    except Exception as exc:  # reading the warehouse or writing the log failed: say so, never fail the refresh
        log.warning("alerts for run %s not sent: %s", result.run_id, exc)
        return [{"channel": "all", "ok": False, "target": "", "error": f"{type(exc).__name__}: {exc}"}]


def describe_deliveries(outcomes: list[dict]) -> str:
    if not outcomes:
        return "no alert channel configured (DOTHI_SMTP_HOST/DOTHI_SMTP_TO, DOTHI_ALERT_WEBHOOK_URL)"
    return "; ".join(
        f"{o['channel']} → {o['target']}: " + ("sent" if o["ok"] else f"NOT sent ({o['error']})") for o in outcomes
    )


@dg.run_failure_sensor(
    name="alert_on_refresh_failure",
    monitored_jobs=[nightly_refresh],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Emails / posts to the webhook when a refresh fails: the run, the failed step, its error, "
    "links to the run in the UI and its log (DOTHI_HOME/logs/runs/<run_id>.log).",
)
def alert_on_refresh_failure(context: dg.RunFailureSensorContext, dothi_home: DothiHomeResource) -> dg.SkipReason:
    run = context.dagster_run
    tags = dict(run.tags)
    if tags.get("dothi/trigger") == CLI_TRIGGER:
        return dg.SkipReason(f"run {run.run_id} was a `dothi refresh`: the CLI sent its own alert")
    step_events = context.get_step_failure_events()
    if is_busy([context.failure_event, *step_events]):
        return dg.SkipReason(f"run {run.run_id} did not start: another refresh held the lock")
    home = dothi_home.home()
    settings = AlertSettings.from_env()
    try:
        lines = [
            _event_line(entry.step_key, _entry_kind(entry), entry.message, entry.dagster_event)
            for entry in context.instance.all_logs(run.run_id)
        ]
        log_path = write_run_log(home, run.run_id, lines)
    except OSError as exc:
        context.log.warning(f"run log not written: {exc}")
        log_path = home.logs / "runs.jsonl"
    alert = failure_alert(
        home, run.run_id, run.job_name, run_trigger(tags), failed_steps(step_events),
        context.failure_event.message or "", log_path, settings,
    )
    return dg.SkipReason(f"run {run.run_id} failed: {describe_deliveries(deliver(home, alert, settings))}")


@dg.run_status_sensor(
    name="alert_on_new_error_findings",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[nightly_refresh],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Emails / posts to the webhook when a refresh published error-severity findings first seen "
    "in that run (marts.fct_dq_issues of the published warehouse).",
)
def alert_on_new_error_findings(context: dg.RunStatusSensorContext, dothi_home: DothiHomeResource) -> dg.SkipReason:
    run = context.dagster_run
    tags = dict(run.tags)
    if tags.get("dothi/trigger") == CLI_TRIGGER:
        return dg.SkipReason(f"run {run.run_id} was a `dothi refresh`: the CLI sent its own alert")
    home = dothi_home.home()
    settings = AlertSettings.from_env()
    try:
        alert = new_errors_alert(home, run.run_id, run.job_name, run_trigger(tags), settings)
    except Exception as exc:  # the warehouse could not be read: the tick says so, nothing fails
        context.log.warning(f"new findings of run {run.run_id} not read: {exc}")
        return dg.SkipReason(f"run {run.run_id}: findings not read ({type(exc).__name__}: {exc})")
    if alert is None:
        return dg.SkipReason(f"run {run.run_id} published no new error finding")
    return dg.SkipReason(
        f"run {run.run_id} published {len(alert.new_errors)} new error finding(s): "
        f"{describe_deliveries(deliver(home, alert, settings))}"
    )


def alert_definitions() -> dg.Definitions:
    return dg.Definitions(sensors=[alert_on_refresh_failure, alert_on_new_error_findings])
