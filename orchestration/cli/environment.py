"""The process environment every command shares: DOTHI_HOME resolved once, handed to subprocesses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sources.home import DothiHome


def export_environment() -> DothiHome:
    """Resolve DOTHI_HOME once and hand it to every subprocess (dbt, the Dagster UI and daemon)."""
    home = DothiHome.from_env().ensure()
    os.environ["DOTHI_HOME"] = str(home.root)
    os.environ["DOTHI_WAREHOUSE"] = str(home.warehouse)
    # The CLI's runs, the UI and the daemon share one run history inside DOTHI_HOME.
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    config = home.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return home
