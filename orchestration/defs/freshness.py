"""Freshness of the published warehouse: an asset check on the publish asset, evaluated by the nightly job
(right after publishing) and every hour by its own small job, which reads files only (no lock, no copy).

It warns (it never blocks anything) when the live warehouse is older than DOTHI_MAX_WAREHOUSE_AGE_H hours
(default 26: one missed night plus slack). Its age is the publish time in published.json, else the
file's mtime (outputs/status.py, which `dothi status` shares). The raw layer's own freshness is dbt's:
`dbt source freshness` on raw.* (loaded_at_field ingested_at), see README, "Freshness".
"""

from __future__ import annotations

from datetime import datetime

import dagster as dg

from orchestration.defs.publish import PUBLISH_KEY
from outputs.status import VIETNAM, max_age_hours, published_at
from sources.home import DothiHome

FRESHNESS_CHECK = "warehouse_not_stale"
FRESHNESS_JOB = "warehouse_freshness"


@dg.asset_check(
    asset=PUBLISH_KEY,
    name=FRESHNESS_CHECK,
    blocking=False,
    description="Warns when the published warehouse is older than DOTHI_MAX_WAREHOUSE_AGE_H hours (default 26).",
)
def warehouse_not_stale() -> dg.AssetCheckResult:
    home = DothiHome.from_env()
    limit = max_age_hours()
    stamp = published_at(home)
    if stamp is None:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.WARN,
            description=f"no published warehouse at {home.warehouse}", metadata={"max_age_hours": limit},
        )
    age = (datetime.now(VIETNAM) - stamp).total_seconds() / 3600
    return dg.AssetCheckResult(
        passed=age <= limit,
        severity=dg.AssetCheckSeverity.WARN,
        description=(f"published {age:.1f} h ago" + ("" if age <= limit else f", more than {limit:g} h: stale")),
        metadata={"age_hours": round(age, 2), "max_age_hours": limit, "published_at": stamp.isoformat()},
    )


freshness_job = dg.define_asset_job(
    FRESHNESS_JOB,
    selection=dg.AssetSelection.checks(warehouse_not_stale),
    executor_def=dg.in_process_executor,
    description="Checks the published warehouse's age (files only: no lock, no working copy).",
)

freshness_schedule = dg.ScheduleDefinition(
    name="warehouse_freshness_hourly",
    job=freshness_job,
    cron_schedule="17 * * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour: is the published warehouse older than DOTHI_MAX_WAREHOUSE_AGE_H?",
)


def freshness_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=[warehouse_not_stale], jobs=[freshness_job], schedules=[freshness_schedule])
