"""The alert sensors, evaluated with Dagster's own test context on a real (ephemeral) instance."""

from __future__ import annotations

import json
import os

import dagster as dg
import pytest

from orchestration.defs.alerts import alert_on_new_error_findings, alert_on_refresh_failure
from orchestration.resources import DothiHomeResource
from tests.alert_sinks import alert_env, free_port, run_status_context, skip_message, smtp_sink, webhook_sink


@dg.op
def dbt_warehouse() -> None:
    raise RuntimeError("Out of Memory Error: could not allocate block of size 256 KiB")


@dg.job
def nightly_refresh() -> None:  # a stand-in with the real job's name: the sensor reads the run, not the job
    dbt_warehouse()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith(("DOTHI_SMTP_", "DOTHI_ALERT_")):
            monkeypatch.delenv(name)


def _failed_run(
    instance: dg.DagsterInstance, home: DothiHomeResource, tags: dict[str, str] | None = None
) -> dg.RunFailureSensorContext:
    result = nightly_refresh.execute_in_process(instance=instance, raise_on_error=False, tags=tags or {})
    assert not result.success
    return run_status_context(
        instance, result.run_id, dg.DagsterEventType.RUN_FAILURE, alert_on_refresh_failure.name, {"dothi_home": home}
    ).for_run_failure()


def test_failure_sensor_emails_and_posts_the_step_and_its_error(tmp_path, monkeypatch) -> None:
    home = DothiHomeResource(root=str(tmp_path))
    with dg.DagsterInstance.ephemeral() as instance, smtp_sink() as smtp, webhook_sink() as hook:
        for name, value in alert_env(smtp.port, hook.url).items():
            monkeypatch.setenv(name, value)
        with _failed_run(instance, home, {"dagster/schedule_name": "nightly_refresh_0100"}) as context:
            run_id = context.dagster_run.run_id
            skip = alert_on_refresh_failure(context)
    assert f"run {run_id} failed: email → oncall@test.local, stats@test.local: sent; webhook" in skip_message(skip)

    (mail,) = smtp.messages
    body = mail.get_content()
    assert f"Run: {run_id} (job nightly_refresh, trigger schedule)" in body
    assert "Bước lỗi / failed step: dbt_warehouse" in body
    assert "Out of Memory Error: could not allocate block of size 256 KiB" in body
    assert f"Dagster UI: http://dagster.example:3000/runs/{run_id}" in body
    (post,) = hook.posts
    assert post["failed_steps"][0]["step"] == "dbt_warehouse"
    assert "Out of Memory Error" in post["failed_steps"][0]["cause"]
    # The linked log is under DOTHI_HOME/logs and holds the run's events, the failure included.
    log_file = tmp_path / "logs" / "runs" / f"{run_id}.log"
    assert post["log_path"] == str(log_file)
    assert "STEP_FAILURE" in log_file.read_text() and "Out of Memory Error" in log_file.read_text()
    (event,) = [json.loads(line) for line in (tmp_path / "logs" / "runs.jsonl").read_text().splitlines()]
    assert event["event"] == "alert" and event["run_id"] == run_id and event["kind"] == "run_failed"
    assert [d["ok"] for d in event["deliveries"]] == [True, True]


def test_failure_sensor_with_dead_channels_records_and_never_raises(tmp_path, monkeypatch) -> None:
    port = free_port()
    for name, value in alert_env(port, f"http://127.0.0.1:{port}/hook").items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.ephemeral() as instance, _failed_run(
        instance, DothiHomeResource(root=str(tmp_path))
    ) as context:
        skip = alert_on_refresh_failure(context)
    assert "NOT sent (ConnectionRefusedError" in skip_message(skip)
    (event,) = [json.loads(line) for line in (tmp_path / "logs" / "runs.jsonl").read_text().splitlines()]
    assert [d["ok"] for d in event["deliveries"]] == [False, False]


def test_sensors_leave_cli_runs_to_the_cli(tmp_path, monkeypatch) -> None:
    with smtp_sink() as smtp:
        for name, value in alert_env(smtp.port, None).items():
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.ephemeral() as instance, _failed_run(
            instance, DothiHomeResource(root=str(tmp_path)), {"dothi/trigger": "cli"}
        ) as context:
            skip = alert_on_refresh_failure(context)
    assert "the CLI sent its own alert" in skip_message(skip) and smtp.messages == []


def test_success_sensor_without_a_warehouse_says_nothing_new(tmp_path, monkeypatch) -> None:
    @dg.op
    def fine() -> None:
        pass

    @dg.job(name="nightly_refresh")
    def ok_job() -> None:
        fine()

    with smtp_sink() as smtp:
        for name, value in alert_env(smtp.port, None).items():
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.ephemeral() as instance:
            result = ok_job.execute_in_process(instance=instance)
            context = run_status_context(
                instance, result.run_id, dg.DagsterEventType.RUN_SUCCESS, alert_on_new_error_findings.name,
                {"dothi_home": DothiHomeResource(root=str(tmp_path))},
            )
            with context:
                skip = alert_on_new_error_findings(context)
    assert skip_message(skip) == f"run {result.run_id} published no new error finding"
    assert smtp.messages == []


def test_alert_sensors_are_in_the_definitions_and_run_by_default() -> None:
    from orchestration.definitions import build_definitions

    sensors = {s.name: s for s in build_definitions().sensors or []}
    for name in ("alert_on_refresh_failure", "alert_on_new_error_findings"):
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING
