"""dbt's documentation site written under ``reports/dbt_docs``: ``index.html`` opens offline (``--static``
embeds the manifest and the catalog), so the marts' column docs and lineage travel with the reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


class DbtDocsError(RuntimeError):
    pass


def dbt_docs_dir(reports: Path) -> Path:
    return reports / "dbt_docs"


def _dbt() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def generate_dbt_docs(
    warehouse: Path,
    out_dir: Path,
    timeout: int = 300,
    *,
    cache_dir: Path | None = None,
    cache_key: str | None = None,
    partial_parse: Path | None = None,
) -> Path:
    """Run ``dbt docs generate --static`` against ``warehouse`` into a private target dir (other dbt runs
    keep their own), then publish index.html (self-contained), manifest.json and catalog.json.

    The docs depend on the dbt project alone (the marts' shape follows from it), and generating them costs
    ~15 s: with ``cache_dir`` and ``cache_key`` (the project's fingerprint) they are generated once per
    project version and copied afterwards. ``partial_parse``: a partial_parse.msgpack that dbt saved for
    the same warehouse path (a build of the same run); dbt then skips most of its parse (~3 s), and
    ignores the file if anything differs.
    """
    cached = cache_dir / cache_key if cache_dir is not None and cache_key else None
    if cached is not None and (cached / "index.html").exists():
        _replace_dir(out_dir, lambda staging: shutil.copytree(cached, staging, dirs_exist_ok=True))
        return out_dir / "index.html"
    env = {**os.environ, "DOTHI_WAREHOUSE": str(warehouse), "DBT_USE_COLORS": "false"}
    with tempfile.TemporaryDirectory(prefix="dothi-dbt-docs-") as target:
        seed = partial_parse if partial_parse is not None and partial_parse.is_file() else None
        seeded = seed is not None
        if seed is not None:
            shutil.copy2(seed, Path(target) / "partial_parse.msgpack")
        command = [
            _dbt(), "docs", "generate", "--static", "--partial-parse" if seeded else "--no-partial-parse",
            "--target-path", target, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        ]
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=DBT_PROJECT_DIR)
        static = Path(target) / "static_index.html"
        if proc.returncode != 0 or not static.exists():
            raise DbtDocsError(f"dbt docs generate failed ({proc.returncode}): {(proc.stdout + proc.stderr)[-2000:]}")

        def fill(staging: Path) -> None:
            shutil.copy2(static, staging / "index.html")
            for name in ("manifest.json", "catalog.json"):
                if (Path(target) / name).exists():
                    shutil.copy2(Path(target) / name, staging / name)

        _replace_dir(out_dir, fill)
    if cached is not None:
        _replace_dir(cached, lambda staging: shutil.copytree(out_dir, staging, dirs_exist_ok=True))
    return out_dir / "index.html"


def _replace_dir(out_dir: Path, fill: Callable[[Path], object]) -> None:
    """Fill a sibling staging folder, then swap it in, so a reader never sees half a docs site."""
    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    fill(staging)
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.replace(out_dir)
