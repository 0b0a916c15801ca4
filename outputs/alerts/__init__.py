"""Alerts for the engineer on duty: a failed refresh, or a refresh that published new error findings.

Plain Python (no Dagster import). ``orchestration/defs/alerts.py`` (the Dagster sensors) and
``dothi refresh`` (which runs the job in-process, without the daemon) build an :class:`Alert` and call
:func:`notify`; settings come from the environment (:class:`AlertSettings`, see the README).
"""

from outputs.alerts.findings import new_error_findings
from outputs.alerts.message import NEW_ERRORS, RUN_FAILED, TEST, Alert, FailedStep
from outputs.alerts.send import Delivery, notify
from outputs.alerts.settings import AlertSettings

__all__ = [
    "NEW_ERRORS", "RUN_FAILED", "TEST", "Alert", "AlertSettings", "Delivery", "FailedStep",
    "new_error_findings", "notify",
]
