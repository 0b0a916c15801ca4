"""Shared fixtures. Integration tests share ONE real refresh of the sample (a session fixture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.publishing import now_local

REPO = Path(__file__).resolve().parents[1]

# A file must sit still this long before intake reads it (3 s in production, for copies over a share). The
# tests write their inbox files a moment before each run; those that test the settling set their own value.
os.environ.setdefault("DOTHI_INBOX_SETTLE_S", "0.3")
# Every refresh of the session reports as of one day, the day it started (in Vietnam): a suite that runs
# across midnight must not compare a mart built yesterday with one built today. Tests of a day's passing
# set their own (test_incremental_refresh, test_rollback_rebuild).
os.environ.setdefault("DOTHI_AS_OF_DATE", now_local().date().isoformat())


@dataclass
class RefreshRun:
    home: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def summary(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_cli(home: Path, *args: str, timeout: int = 600, env_extra: dict[str, str] | None = None) -> RefreshRun:
    """Runs the real `dothi` CLI in a subprocess against its own DOTHI_HOME."""
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "DOTHI_WAREHOUSE"}}
    env.update(env_extra or {})
    env["DOTHI_HOME"] = str(home)
    env["GX_ANALYTICS_ENABLED"] = "false"
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )
    return RefreshRun(home, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory) -> RefreshRun:
    """`dothi refresh --sample --json` into a temporary DOTHI_HOME, once for the whole session."""
    home = tmp_path_factory.mktemp("dothi_home")
    run = run_cli(home, "refresh", "--sample", "--json")
    assert run.returncode == 0, f"refresh failed\nSTDOUT:\n{run.stdout[-4000:]}\nSTDERR:\n{run.stderr[-8000:]}"
    return run
