"""When the nightly refresh is scheduled, without importing Dagster (``dothi status`` must stay instant).

orchestration/defs/automation.py builds the Dagster schedule from these constants.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

NIGHTLY_CRON = "0 1 * * *"
NIGHTLY_TIMEZONE = "Asia/Ho_Chi_Minh"


def next_run(now: datetime, cron: str = NIGHTLY_CRON, timezone: str = NIGHTLY_TIMEZONE) -> datetime:
    """The next tick after ``now`` (aware), in the schedule's timezone.

    A daily "M H * * *" is computed here; any other cron goes to Dagster's own iterator (slower import).
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    fields = cron.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2:] == ["*", "*", "*"]:
        tick = local.replace(hour=int(fields[1]), minute=int(fields[0]), second=0, microsecond=0)
        return tick if tick > local else tick + timedelta(days=1)
    from dagster._utils.schedules import cron_string_iterator

    return next(cron_string_iterator(local.timestamp(), cron, timezone)).astimezone(zone)
