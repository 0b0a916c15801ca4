"""The process environment every command shares: DOTHI_HOME resolved once, handed to subprocesses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sources.home import DothiHome

_OLD_DAGSTER_YAML = "telemetry:\n  enabled: false\n"
# Run monitoring (where `dagster-daemon` runs): a run whose process died is marked failed by the daemon, as
# the next refresh does under the lock (orchestration/run_history.py).
DAGSTER_YAML = _OLD_DAGSTER_YAML + (
    "run_monitoring:\n"
    "  enabled: true\n"
    "  start_timeout_seconds: 300\n"
    "  max_resume_run_attempts: 0\n"
    "  poll_interval_seconds: 60\n"
)


def export_environment() -> DothiHome:
    """Resolve DOTHI_HOME once and hand it to every subprocess (dbt, the Dagster UI and daemon)."""
    home = DothiHome.from_env().ensure()
    os.environ["DOTHI_HOME"] = str(home.root)
    os.environ["DOTHI_WAREHOUSE"] = str(home.warehouse)
    # The CLI's runs, the UI and the daemon share one run history inside DOTHI_HOME.
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    config = home.dagster_home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") == _OLD_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return home
