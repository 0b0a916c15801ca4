"""Keeping Dagster's run history truthful: the failed step's error, and runs whose process died.

A refresh killed by SIGKILL or a power cut cannot write its own end: Dagster keeps it ``STARTED`` (or
``NOT_STARTED`` when it died before its first step) for ever. The next refresh, once it holds the lock,
marks such runs failed (``DagsterInstance.report_run_failed``) and logs them in ``logs/runs.jsonl``.
Where a daemon runs, Dagster's run monitoring (``run_monitoring`` in dagster.yaml) does the same for the
runs it launched.
"""

from __future__ import annotations

import os
import re
import socket
import time

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

from orchestration.publishing import append_run_event, read_run_events
from sources.home import RUN_ENDED_EVENTS, DothiHome

DEAD_RUN_REASON = "the process died; the published warehouse was left untouched"
PID_TAG = "dothi/pid"
HOST_TAG = "dothi/host"
# A run that never reached its first step (NOT_STARTED) and names no process: dead after this long.
NOT_STARTED_GRACE_S = 3600.0
_IN_PROGRESS = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def tag_process(instance: dg.DagsterInstance, run_id: str) -> None:
    """Record which process runs the run, so a later refresh can tell a live run from a dead one."""
    instance.add_run_tags(run_id, {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()})


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_dead(run: dg.DagsterRun, held_lock: set[str], now: float, created: float | None) -> bool:
    if run.run_id in held_lock:  # it held the refresh lock once, and we hold it now: its process is gone
        return True
    pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
    if pid and host == socket.gethostname():
        return not _pid_alive(int(pid)) or int(pid) == os.getpid()
    if pid:  # another host's run: only the lock could tell, and it never held it
        return False
    return run.status == dg.DagsterRunStatus.NOT_STARTED and created is not None and now - created > NOT_STARTED_GRACE_S


def mark_dead_runs(instance: dg.DagsterInstance, home: DothiHome, current_run_id: str) -> list[str]:
    """Mark failed the in-progress runs whose process died. Call only while holding the refresh lock."""
    events = read_run_events(home)
    ended = {e["run_id"] for e in events if e.get("event") in RUN_ENDED_EVENTS}
    held_lock = {e["run_id"] for e in events if e.get("event") == "started"} - ended
    now = time.time()
    marked: list[str] = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_IN_PROGRESS)):
        run = record.dagster_run
        if run.run_id == current_run_id:
            continue
        created = record.create_timestamp.timestamp() if record.create_timestamp else None
        if not _is_dead(run, held_lock, now, created):
            continue
        instance.report_run_failed(run, message=f"dothi: {DEAD_RUN_REASON} (found by run {current_run_id})")
        append_run_event(
            home, "dead", run.run_id, was=run.status.value, found_by=current_run_id, error=DEAD_RUN_REASON,
            note=DEAD_RUN_REASON,
        )
        marked.append(run.run_id)
    return marked


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
ERROR_MAX_CHARS = 2000
_DBT_ERRORS = "Errors parsed from dbt logs:"


def _messages(error: SerializableErrorInfo | None) -> list[str]:
    out: list[str] = []
    while error is not None:
        out.append(_ANSI.sub("", error.message).strip())
        error = error.cause
    return out


def summarise_error(message: str) -> str:
    """One readable error: for dbt, what failed and dbt's own distinct errors (e.g. "Out of Memory Error: …")."""
    message = _ANSI.sub("", message).strip()
    if _DBT_ERRORS in message:
        head, _, details = message.partition(_DBT_ERRORS)
        # "Runtime Error in seed x (…)" is followed by the database's own message, indented.
        lines = [line.strip() for line in details.splitlines()]
        causes = [nxt for line, nxt in zip(lines, lines[1:], strict=False) if " Error in " in line and nxt]
        failed = [line for line in lines if re.match(r"^\d+ of \d+ (ERROR|FAIL)", line)]
        distinct = list(dict.fromkeys(re.sub(r"\(.*\)", "(…)", c) for c in causes))
        head = " ".join(head.split())
        message = f"{head} {len(failed)} dbt node(s) failed: " + "; ".join(distinct[:5] or failed[:5])
    return message if len(message) <= ERROR_MAX_CHARS else message[: ERROR_MAX_CHARS - 1] + "…"


def failed_step(instance: dg.DagsterInstance, run_id: str) -> tuple[str | None, str | None]:
    """The run's (first) failed step and its error: the step's own exception (e.g. dbt's), not the wrapper."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        data = event.step_failure_data
        messages = _messages(data.error if data else None)
        user = data.user_failure_data if data else None
        if user is not None and user.description:
            messages.append(user.description)
        # Dagster wraps the step's exception ("Error occurred while executing op …"): the deepest is the cause.
        return event.step_key, summarise_error(messages[-1]) if messages else "failed"
    return None, None
