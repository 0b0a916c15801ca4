"""Run history tells the truth: a refresh killed by SIGKILL is marked failed by the next one, under the lock.
(A failed dbt step's own error in logs/runs.jsonl: tests/reliability/test_alerts_refresh.py.)"""

from __future__ import annotations

import json
import shutil
import signal
import time

import dagster as dg
import pytest

from orchestration.publishing import lock_holder
from orchestration.run_history import DEAD_RUN_REASON
from sources.home import DothiHome
from tests.conftest import run_cli
from tests.reliability.test_alerts_refresh import LATE_FILE
from tests.reliability.test_faults import refresh, start

pytestmark = pytest.mark.integration


def _events(home: DothiHome) -> list[dict]:
    return [json.loads(line) for line in (home.logs / "runs.jsonl").read_text().splitlines()]


def test_killed_run_is_marked_failed_by_the_next_refresh(sample_refresh, tmp_path) -> None:
    h = DothiHome(tmp_path / "home")
    shutil.copytree(sample_refresh.home, h.root)  # a published home; tonight's one new file
    (h.inbox / "CamRanh_BaoCao_2024_bo_sung.csv").write_text(LATE_FILE, encoding="utf-8")
    proc = start(h.root)
    deadline = time.monotonic() + 300
    while (holder := lock_holder(h.lock_file)) is None:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-4000:]
        time.sleep(0.1)
    killed = holder["run_id"]
    proc.send_signal(signal.SIGKILL)
    proc.communicate()

    with dg.DagsterInstance.from_config(str(h.dagster_home)) as instance:
        run = instance.get_run_by_id(killed)
        assert run is not None and run.status in (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.NOT_STARTED)
    status = run_cli(h.root, "status", "--json")
    assert status.returncode == 3 and killed in json.loads(status.stdout)["dead_runs"]

    code, _, err = refresh(h.root)
    assert code == 0, err[-4000:]
    with dg.DagsterInstance.from_config(str(h.dagster_home)) as instance:
        run = instance.get_run_by_id(killed)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
        failure = instance.get_records_for_run(killed, of_type=dg.DagsterEventType.RUN_FAILURE).records
        event = failure[-1].event_log_entry.dagster_event
        assert event is not None and DEAD_RUN_REASON in (event.message or "")
    dead = [e for e in _events(h) if e["event"] == "dead"]
    assert [e["run_id"] for e in dead] == [killed] and dead[0]["error"] == DEAD_RUN_REASON
    status = json.loads(run_cli(h.root, "status", "--json").stdout)
    assert status["dead_runs"] == [] and status["in_progress_runs"] == []
    assert status["last_refresh"]["outcome"] == "published"
    # A second refresh finds nothing more to mark.
    assert refresh(h.root)[0] == 0
    assert [e["run_id"] for e in _events(h) if e["event"] == "dead"] == [killed]
