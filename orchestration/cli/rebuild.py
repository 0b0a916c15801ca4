"""`dothi rebuild [--out PATH] [--json]`: could the warehouse be rebuilt from the archive if it were lost?

Wiring only: ``sources.rebuild`` journals every archived file into a fresh home, a real
``dothi refresh --full`` runs there (its own lock, its own run history), then the marts are compared
with the published ones. The published warehouse is never touched. Exit 0: it rebuilds to the same
marts; 1: some mart differs; 2: an archived file is missing or changed (or there is nothing to rebuild).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.cli.environment import export_environment

_MARKER = ".dothi-rebuild"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rebuild", help="rebuild a fresh warehouse from archive/ and compare its marts")
    parser.add_argument("--out", metavar="PATH", help="the fresh home to build in (default: DOTHI_HOME/rebuild)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=lambda args: rebuild_command(args.out, args.json))


def _say(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))


def rebuild_command(out: str | None, as_json: bool) -> int:
    home = export_environment()
    from sources.home import DothiHome
    from sources.rebuild import archived_files, compare_marts, missing_from_archive, seed_home

    if not home.warehouse.exists():
        message = f"no published warehouse at {home.warehouse} to read the list of archived files from"
        _say({"ok": False, "error": message}, as_json) if as_json else print(f"Rebuild NOT done: {message}",
                                                                                  file=sys.stderr)
        return 2
    target = DothiHome(Path(out).resolve() if out else home.root / "rebuild")
    if target.root == home.root:
        print("Rebuild NOT done: --out must not be DOTHI_HOME itself", file=sys.stderr)
        return 2
    if target.root.exists() and any(target.root.iterdir()) and not (target.root / _MARKER).exists():
        print(f"Rebuild NOT done: {target.root} is not empty and not a previous rebuild: choose another --out",
              file=sys.stderr)
        return 2
    entries = archived_files(home.warehouse)
    missing = missing_from_archive(home, entries)
    if missing:
        result = {"ok": False, "files": len(entries), "missing": missing,
                  "error": f"{len(missing)} archived file(s) missing or changed: the warehouse cannot be rebuilt"}
        if as_json:
            _say(result, True)
        else:
            print(f"Rebuild NOT possible: {result['error']}:", file=sys.stderr)
            for m in missing:
                print(f"  {m['file_name']}: {m['archive_path']} ({m['problem']})", file=sys.stderr)
        return 2
    shutil.rmtree(target.root, ignore_errors=True)
    target.root.mkdir(parents=True)
    (target.root / _MARKER).write_text(f"rebuilt from {home.root}\n", encoding="utf-8")
    seed_home(home, target, entries)
    if not as_json:
        print(f"Replaying {len(entries)} archived file(s) into {target.root}…", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "DOTHI_WAREHOUSE"}}
    env["DOTHI_HOME"] = str(target.root)
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--full", "--json"],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        error = (proc.stderr or proc.stdout).strip()[-2000:]
        _say({"ok": False, "error": "the rebuild's refresh failed", "detail": error}, as_json) if as_json else print(
            f"Rebuild FAILED: the refresh in {target.root} failed:\n{error}", file=sys.stderr)
        return 2
    comparisons = compare_marts(home.warehouse, target.warehouse)
    differing = [c for c in comparisons if not c.equal]
    result = {"ok": not differing, "files": len(entries), "out": str(target.root),
              "warehouse": str(target.warehouse), "marts": [c.to_dict() for c in comparisons]}
    if as_json:
        _say(result, True)
    else:
        for c in comparisons:
            state = "equal" if c.equal else (f"DIFFERS: {c.only_published} row(s) only in the published, "
                                             f"{c.only_rebuilt} only in the rebuild")
            print(f"  {c.mart}: {c.published_rows} / {c.rebuilt_rows} rows, {state}"
                  + (f" (left out: {', '.join(c.left_out)})" if c.left_out else "")
                  + ("" if c.rows_compared == "all" else f" (rows: {c.rows_compared})"))
        print("The published warehouse can be rebuilt from the archive: every mart is equal." if not differing
              else f"{len(differing)} mart(s) differ from the published warehouse.")
    return 0 if not differing else 1
