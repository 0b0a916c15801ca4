"""When the refresh runs: the nightly job, its 01:00 schedule and the inbox sensor."""

import hashlib
import json

import dagster as dg

from orchestration.resources import DothiHomeResource
from orchestration.schedule import NIGHTLY_CRON, NIGHTLY_TIMEZONE
from sources.inbox import inbox_fingerprints

NIGHTLY_JOB = "nightly_refresh"
# DuckDB allows one writer per file: the steps of a refresh run one after another in one process.
nightly_refresh = dg.define_asset_job(
    NIGHTLY_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Inbox → raw → dbt (staging, intermediate, marts) → Great Expectations → findings → report.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_0100",
    job=nightly_refresh,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 01:00 Vietnam time, whatever is in the inbox.",
)

# The cursor remembers the files already seen; bounded so it never grows without limit.
_CURSOR_LIMIT = 5000


@dg.sensor(
    name="inbox_sensor",
    job=nightly_refresh,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launches the refresh when new files land in DOTHI_HOME/inbox (one run per new set of files).",
)
def inbox_sensor(context: dg.SensorEvaluationContext, dothi_home: DothiHomeResource) -> dg.SkipReason | dg.RunRequest:
    seen: list[str] = json.loads(context.cursor) if context.cursor else []
    # Complete files only (sources/inbox.py, stable_files): a file still being copied has another hash
    # than its final form, so it would start a run on half its rows and another on the whole.
    current = inbox_fingerprints(dothi_home.home())
    new = sorted(set(current) - set(seen))
    if not new:
        return dg.SkipReason("no new complete files in the inbox (files still being written wait until they settle)")
    # The run key is derived from the files' content hashes: the same file never triggers two runs.
    run_key = "inbox-" + hashlib.sha256("\n".join(new).encode()).hexdigest()[:24]
    context.update_cursor(json.dumps((seen + new)[-_CURSOR_LIMIT:]))
    return dg.RunRequest(run_key=run_key, tags={"dothi/trigger": "inbox", "dothi/new_files": str(len(new))})


def automation_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[nightly_refresh], schedules=[nightly_schedule], sensors=[inbox_sensor])
