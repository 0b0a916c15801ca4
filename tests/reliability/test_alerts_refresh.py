"""Real refreshes alert: a failed one (dbt out of memory) and one that published new error findings.

The failed one also shows that the run history tells the truth: logs/runs.jsonl and `dothi status` hold
the failed step and dbt's own error.

A dead alert channel never changes the refresh's outcome: it is reported and recorded in logs/runs.jsonl.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import dagster as dg

from orchestration.defs.alerts import alert_on_new_error_findings
from orchestration.resources import DothiHomeResource
from tests.alert_sinks import alert_env, free_port, run_status_context, skip_message, smtp_sink, webhook_sink
from tests.conftest import REPO, run_cli


def _refresh(home, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DAGSTER_HOME", "DOTHI_WAREHOUSE"} and not k.startswith(("DOTHI_SMTP_", "DOTHI_ALERT_"))}
    env |= {"DOTHI_HOME": str(home), "GX_ANALYTICS_ENABLED": "false", **extra}
    env["PATH"] = str(os.path.dirname(sys.executable)) + os.pathsep + env.get("PATH", "")
    return subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def _events(home) -> list[dict]:
    return [json.loads(line) for line in (home / "logs" / "runs.jsonl").read_text().splitlines()]


def test_a_failed_refresh_sends_an_email_and_a_webhook(sample_refresh, tmp_path) -> None:
    home = tmp_path / "home"
    shutil.copytree(sample_refresh.home, home)
    before = (home / "warehouse.duckdb").read_bytes()
    seen = len(_events(home))  # the shared home's own history: only this run's events count below
    with smtp_sink() as smtp, webhook_sink() as hook:
        # dbt's DuckDB gets 2 MB: the seeds cannot load, dbt fails, as a real out-of-memory night does.
        run = _refresh(home, "--full", DOTHI_DUCKDB_MEMORY_LIMIT="2MB", **alert_env(smtp.port, hook.url))
    assert run.returncode == 1, run.stderr[-3000:]
    assert (home / "warehouse.duckdb").read_bytes() == before  # nothing published
    (failed,) = [e for e in _events(home)[seen:] if e["event"] == "failed"]
    run_id = failed["run_id"]
    # The run history tells the truth: the failed step and dbt's own error (it was "error": null).
    assert failed["step"] == "dbt_warehouse"
    assert "Out of Memory Error" in failed["error"] and "dbt node(s) failed" in failed["error"]
    assert len(failed["error"]) <= 2000
    status = run_cli(home, "status", "--json")
    assert status.returncode == 3 and json.loads(status.stdout)["last_refresh"]["error"] == failed["error"]
    assert "alert: email → oncall@test.local, stats@test.local: sent; webhook" in run.stderr

    (mail,) = smtp.messages
    body = mail.get_content()
    assert mail["Subject"] == f"[dothi] Làm mới THẤT BẠI / Refresh FAILED — run {run_id[:8]}, bước/step dbt_warehouse"
    assert f"Run: {run_id} (job nightly_refresh, trigger cli)" in body
    assert "Bước lỗi / failed step: dbt_warehouse" in body and "failed with exit code `1`" in body
    assert "\x1b[" not in body  # dbt's colours are stripped
    assert f"Dagster UI: http://dagster.example:3000/runs/{run_id}" in body
    log_file = home / "logs" / "runs" / f"{run_id}.log"
    assert f"Log / nhật ký: {log_file}" in body
    log_text = log_file.read_text()
    assert "STEP_FAILURE" in log_text and "--- last_refresh.log ---" in log_text  # events, then dbt's output
    assert "Out of Memory" in log_text

    (post,) = hook.posts
    assert post["kind"] == "run_failed" and post["run_id"] == run_id and post["trigger"] == "cli"
    assert post["failed_steps"][0]["step"] == "dbt_warehouse"
    assert post["log_path"] == str(log_file) and post["run_url"].endswith(f"/runs/{run_id}")
    (alert,) = [e for e in _events(home)[seen:] if e["event"] == "alert"]
    assert alert["run_id"] == run_id and [d["ok"] for d in alert["deliveries"]] == [True, True]


# A night's new file: one figure that is not a number (a new error finding), one that is.
LATE_FILE = (
    "Đơn vị báo cáo,Kỳ báo cáo,Ngày gửi,Địa bàn,Mã chỉ tiêu,Chỉ tiêu,Giá trị,Đơn vị tính\n"
    "UBND Thành phố Cam Ranh,Năm 2024,20/02/2025,Thành phố Cam Ranh,TOTAL_POP,Dân số trung bình,\"128,900\",người\n"
    "UBND Thành phố Cam Ranh,Năm 2024,20/02/2025,Thành phố Cam Ranh,URBAN_POP,Dân số đô thị,12a4,người\n"
)


def test_a_published_refresh_with_new_errors_alerts_and_a_dead_webhook_changes_nothing(
    sample_refresh, tmp_path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(sample_refresh.home, home)
    (home / "inbox" / "CamRanh_BaoCao_2024_bo_sung.csv").write_text(LATE_FILE, encoding="utf-8")
    dead = free_port()
    with smtp_sink() as smtp:
        run = _refresh(home, "--json", **alert_env(smtp.port, f"http://127.0.0.1:{dead}/hook"))
    assert run.returncode == 0, run.stderr[-3000:]  # the webhook is down: the refresh still publishes
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    run_id = summary["run_id"]
    assert [(a["channel"], a["ok"]) for a in summary["alerts"]] == [("email", True), ("webhook", False)]
    assert "Connection refused" in summary["alerts"][1]["error"]
    events = _events(home)
    assert [e["event"] for e in events if e["run_id"] == run_id] == ["started", "published", "alert"]

    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        [(new_errors,)] = conn.execute(
            "select count(*) from marts.fct_dq_issues where status = 'open' and severity = 'error' "
            "and first_seen_run_id = ?", [run_id]
        ).fetchall()
    assert new_errors > 0
    (mail,) = smtp.messages
    assert mail["Subject"] == (
        f"[dothi] {new_errors} lỗi dữ liệu mới / new error finding(s) published — run {run_id[:8]}"
    )
    assert "INTAKE_ROW_REJECTED" in mail.get_content()

    # The daemon's path: the success sensor, on the same published warehouse, finds the same findings.
    with smtp_sink() as smtp2, dg.DagsterInstance.ephemeral() as instance:
        os.environ.update(alert_env(smtp2.port, None))
        try:
            @dg.op
            def publish() -> None:
                pass

            @dg.job(name="nightly_refresh")
            def job() -> None:
                publish()

            job.execute_in_process(instance=instance, run_id=run_id, tags={"dothi/trigger": "inbox"})
            context = run_status_context(
                instance, run_id, dg.DagsterEventType.RUN_SUCCESS, alert_on_new_error_findings.name,
                {"dothi_home": DothiHomeResource(root=str(home))},
            )
            with context:
                skip = alert_on_new_error_findings(context)
        finally:
            for name in alert_env(smtp2.port, None):
                os.environ.pop(name, None)
    assert f"published {new_errors} new error finding(s): email" in skip_message(skip)
    (mail2,) = smtp2.messages
    assert f"Run: {run_id} (job nightly_refresh, trigger inbox)" in mail2.get_content()
