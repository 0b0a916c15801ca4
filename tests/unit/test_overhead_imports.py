"""Loading the Dagster definitions never imports what only a run needs (issue 5: definitions load < 3 s)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# pandas + openpyxl (reports), pyarrow (intake, publish), duckdb (quality), Great Expectations: ~2–8 s together.
RUN_ONLY = ("pandas", "openpyxl", "pyarrow", "duckdb", "great_expectations")


def test_definitions_module_does_not_import_run_only_libraries() -> None:
    code = (
        "import sys, orchestration.definitions; "
        f"print(','.join(m for m in {RUN_ONLY!r} if m in sys.modules))"
    )
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
