"""`dothi rebuild [--out PATH] [--json]`: could the warehouse be rebuilt from the archive if it were lost?

Wiring only: ``sources.rebuild`` journals every archived file into a fresh home, a real
``dothi refresh --full`` runs there (its own lock, its own run history) as of the day the published marts
report (late and missing reports depend on the day), then the marts are compared with the published ones.
The published warehouse is never touched, unless ``--publish``: then, when every mart is equal (or with
``--force`` whatever the comparison, e.g. the published warehouse is lost), the rebuilt warehouse is kept
in ``publishes/`` and made live by the same rename as a rollback, under the lock, so ``dothi rollback``
can undo it. Without a published warehouse the list of files comes from the newest kept publish.
Exit 0: it rebuilds to the same marts; 1: some mart differs (not published without --force);
2: an archived file is missing or changed (or there is nothing to rebuild); 75: a refresh holds the lock.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.cli.environment import export_environment

if TYPE_CHECKING:
    from sources.home import DothiHome

_MARKER = ".dothi-rebuild"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rebuild", help="rebuild a fresh warehouse from archive/ and compare its marts")
    parser.add_argument("--out", metavar="PATH", help="the fresh home to build in (default: DOTHI_HOME/rebuild)")
    parser.add_argument("--publish", action="store_true",
                        help="make the rebuilt warehouse live when every mart is equal (`dothi rollback` undoes it)")
    parser.add_argument("--force", action="store_true",
                        help="with --publish: publish even when marts differ or no published warehouse is left")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=lambda args: rebuild_command(args.out, args.json, args.publish, args.force))


def _say(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))


def _publish_rebuilt(home: DothiHome, rebuilt: Path, as_json: bool) -> tuple[int, dict]:
    """The rebuilt warehouse made live (``publishing.publish_rebuilt``), under the lock."""
    from orchestration.publishing import (
        RefreshBusy,
        RefreshLock,
        append_run_event,
        busy_message,
        lock_holder,
        publish_rebuilt,
    )

    lock = RefreshLock(home.lock_file)
    try:
        lock.acquire("rebuild", 0)
    except RefreshBusy:
        return 75, {"published": False, "error": busy_message(lock_holder(home.lock_file), 0)}
    try:
        try:
            kept, replaced, info = publish_rebuilt(home, rebuilt, lock)
        except ValueError as exc:
            return 2, {"published": False, "error": str(exc)}
        append_run_event(home, "rebuilt_published", kept.run_id,
                         replaced_run_id=replaced.run_id if replaced else None, exports=info["exports_dir"])
    finally:
        lock.release()
    return 0, {"published": True, "run_id": kept.run_id, "replaced_run_id": replaced.run_id if replaced else None,
               "exports": info["exports_dir"]}


def rebuild_command(out: str | None, as_json: bool, publish: bool = False, force: bool = False) -> int:
    home = export_environment()
    from orchestration.publishing import AS_OF_ENV, kept_publishes
    from sources.home import DothiHome
    from sources.rebuild import archived_files, compare_marts, missing_from_archive, reported_as_of, seed_home

    if force and not publish:
        print("Rebuild NOT done: --force only makes sense with --publish", file=sys.stderr)
        return 2
    listed_from = home.warehouse
    if not home.warehouse.exists():
        kept = kept_publishes(home)  # newest published first
        if not kept:
            message = (f"no published warehouse at {home.warehouse} and no kept publish in publishes/ to read the "
                       "list of archived files from")
            _say({"ok": False, "error": message}, as_json) if as_json else print(f"Rebuild NOT done: {message}",
                                                                                      file=sys.stderr)
            return 2
        listed_from = kept[0].path
        if not as_json:
            print(f"No published warehouse: the list of archived files comes from the newest kept publish, run "
                  f"{kept[0].run_id} (published {kept[0].published_at}, {listed_from}); files received after it "
                  "are not in the rebuild.", flush=True)
    target = DothiHome(Path(out).resolve() if out else home.root / "rebuild")
    if target.root == home.root:
        print("Rebuild NOT done: --out must not be DOTHI_HOME itself", file=sys.stderr)
        return 2
    if target.root.exists() and any(target.root.iterdir()) and not (target.root / _MARKER).exists():
        print(f"Rebuild NOT done: {target.root} is not empty and not a previous rebuild: choose another --out",
              file=sys.stderr)
        return 2
    entries = archived_files(listed_from)
    missing = missing_from_archive(home, entries)
    if missing:
        result: dict = {"ok": False, "files": len(entries), "missing": missing, "listed_from": str(listed_from),
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
    as_of = reported_as_of(listed_from)
    if as_of is not None:  # late and missing reports judged by the published marts' day, not today's
        env[AS_OF_ENV] = as_of.isoformat()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh", "--full", "--json"],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        error = (proc.stderr or proc.stdout).strip()[-2000:]
        _say({"ok": False, "error": "the rebuild's refresh failed", "detail": error}, as_json) if as_json else print(
            f"Rebuild FAILED: the refresh in {target.root} failed:\n{error}", file=sys.stderr)
        return 2
    comparisons = compare_marts(listed_from, target.warehouse)
    differing = [c for c in comparisons if not c.equal]
    result = {"ok": not differing, "files": len(entries), "out": str(target.root),
              "warehouse": str(target.warehouse), "listed_from": str(listed_from),
              "compared_with": "published" if listed_from == home.warehouse else "newest kept publish",
              "as_of_date": as_of.isoformat() if as_of else None,
              "marts": [c.to_dict() for c in comparisons]}
    publish_code = 0
    if publish and (not differing and listed_from == home.warehouse or force):
        publish_code, result["publish"] = _publish_rebuilt(home, target.warehouse, as_json)
    elif publish:
        result["publish"] = {"published": False, "error": "not published: " + (
            f"{len(differing)} mart(s) differ" if differing else "no published warehouse to compare with")
            + " (--force publishes it anyway)"}
    if as_json:
        _say(result, True)
    else:
        if as_of is not None:
            print(f"Rebuilt as of {as_of:%d/%m/%Y}, the day the published marts report as of.")
        for c in comparisons:
            state = "equal" if c.equal else (f"DIFFERS: {c.only_published} row(s) only in the published, "
                                             f"{c.only_rebuilt} only in the rebuild")
            print(f"  {c.mart}: {c.published_rows} / {c.rebuilt_rows} rows, {state}"
                  + (f" (left out: {', '.join(c.left_out)})" if c.left_out else "")
                  + ("" if c.rows_compared == "all" else f" (rows: {c.rows_compared})"))
        print("The published warehouse can be rebuilt from the archive: every mart is equal." if not differing
              else f"{len(differing)} mart(s) differ from the published warehouse.")
        if "publish" in result:
            outcome = result["publish"]
            print(f"Published the rebuilt warehouse (run {outcome['run_id']}), replacing run "
                  f"{outcome['replaced_run_id']}: `dothi rollback` undoes it." if outcome["published"]
                  else f"Rebuilt warehouse NOT published: {outcome['error']}", file=sys.stdout if outcome[
                      "published"] else sys.stderr)
    if publish_code:
        return publish_code
    return 0 if not differing else 1
