"""`dothi rollback [--to N|RUN] [--list] [--json]`: republish a kept previous warehouse (hoàn tác).

Wiring only: publishes are kept and swapped by ``orchestration.publishing`` (under the refresh lock,
a rename, as a publish); the files the replaced warehouse had loaded are re-queued from the archive
(``sources.rebuild.requeue``) so that nothing received is lost: the next refresh loads them again.
Officials read ``reports/``: still under the lock, they are rewritten from the restored warehouse by the
same code as ``dothi report`` (read-only on it). A failure there does not undo the rollback: it is said.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchestration.cli.environment import export_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rollback", help="republish the previous warehouse (undo a bad publish)")
    parser.add_argument("--to", metavar="N|RUN_ID",
                        help="which kept publish: its number in --list (1 = the one before the live one) or its run id")
    parser.add_argument("--list", action="store_true", help="list the kept publishes, change nothing")
    parser.add_argument("--no-reports", action="store_true",
                        help="do not rewrite reports/ from the restored warehouse (the next refresh does)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=lambda args: rollback_command(args.to, args.list, args.json,
                                                              reports=not args.no_reports))


def rewrite_reports(warehouse: Path, reports: Path, announce: bool) -> dict:
    """The Excel reports and dashboards, both languages, as the refresh writes them (dbt docs describe the
    project, not the data: left as they are). Never raises: the outcome is returned."""
    import time

    from outputs.bundle import write_reports

    started = time.monotonic()
    if announce:
        print(f"Rewriting the reports in {reports} from the restored warehouse…", flush=True)
    try:
        bundle = write_reports(warehouse, reports, ("vi", "en"), dbt_docs=False)
    except Exception as exc:  # noqa: BLE001 (any failure: the rollback stands, the output says what failed)
        return {"rewritten": False, "folder": str(reports), "error": f"{type(exc).__name__}: {exc}",
                "seconds": round(time.monotonic() - started, 2)}
    return {"rewritten": True, "folder": str(reports), "files": sorted(bundle.files.values()),
            "seconds": round(time.monotonic() - started, 2)}


def _fail(message: str, as_json: bool, code: int = 2) -> int:
    if as_json:
        print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    else:
        print(f"Rollback NOT done: {message}", file=sys.stderr)
    return code


def rollback_command(to: str | None, list_only: bool, as_json: bool, reports: bool = True) -> int:
    home = export_environment()
    from orchestration.publishing import (
        KeptPublish,
        RefreshBusy,
        RefreshLock,
        append_run_event,
        busy_message,
        kept_publishes,
        lock_holder,
        republish,
    )

    kept = kept_publishes(home)
    live = next((k for k in kept if k.live), None)
    previous = [k for k in kept if not k.live]
    if list_only:
        if as_json:
            print(json.dumps({"live": live.to_dict() if live else None,
                              "kept": [{"n": n, **k.to_dict()} for n, k in enumerate(previous, 1)]},
                             ensure_ascii=False))
            return 0
        print(f"Live: {live.run_id} published {live.published_at}" if live else "Live: (not in publishes/)")
        for n, k in enumerate(previous, 1):
            print(f"  {n}. run {k.run_id}  published {k.published_at}  "
                  f"{sum(k.mart_rows.values())} mart rows")
        if not previous:
            print("  nothing kept to roll back to")
        return 0

    target: KeptPublish | None
    if to is None:
        # The last publish before the live one (entries newer than it are publishes rolled back from).
        older = [k for k in previous if live is None or k.published_at < live.published_at]
        target = older[0] if older else None
        if target is None:
            return _fail("nothing to roll back to: no publish before the live one is kept "
                         "(see `dothi rollback --list`; DOTHI_KEEP_PUBLISHES sets how many are kept)", as_json)
    elif to.isdigit():
        n = int(to)
        if not 1 <= n <= len(previous):
            return _fail(f"--to {to}: there are {len(previous)} kept publish(es) (see `dothi rollback --list`)",
                         as_json)
        target = previous[n - 1]
    else:
        found = [k for k in previous if k.run_id.startswith(to)] if len(to) >= 4 else []
        if len(found) != 1:
            return _fail(f"--to {to}: {'no' if not found else 'more than one'} kept publish has that run id "
                         "(see `dothi rollback --list`)", as_json)
        target = found[0]

    lock = RefreshLock(home.lock_file)
    try:
        lock.acquire("rollback", 0)
    except RefreshBusy:
        return _fail(busy_message(lock_holder(home.lock_file), 0) + " Roll back once it has finished.", as_json, 75)
    try:
        from sources.rebuild import archived_files, requeue

        before = live.mart_rows if live else {}
        before_files = {e.sha256: e for e in archived_files(home.warehouse)} if home.warehouse.exists() else {}
        after_files = {e.sha256 for e in archived_files(target.path)}
        info = republish(home, target, lock)
        dropped = [e for sha, e in before_files.items() if sha not in after_files]
        requeued = requeue(home, dropped)
        append_run_event(home, "rolled_back", target.run_id, replaced_run_id=live.run_id if live else None,
                         requeued_files=requeued, exports=info["exports_dir"])
        # Still under the lock: no refresh can publish between the swap and the reports that describe it.
        written = (rewrite_reports(home.warehouse, home.reports, announce=not as_json) if reports
                   else {"rewritten": False, "folder": str(home.reports), "skipped": "--no-reports"})
        if reports:
            append_run_event(home, "reports_rewritten" if written["rewritten"] else "reports_failed", target.run_id,
                             error=written.get("error"), after="rollback")
    finally:
        lock.release()
    result = {
        "ok": True,
        "replaced": {"run_id": live.run_id if live else None, "published_at": live.published_at if live else None},
        "now_live": {"run_id": target.run_id, "published_at": target.published_at},
        "mart_rows": {m: {"before": before.get(m), "after": target.mart_rows.get(m)}
                      for m in sorted(set(before) | set(target.mart_rows))},
        "exports": info["exports_dir"],
        "requeued_files": [e.file_name for e in dropped],
        "reports": written,
    }
    # 1: the rollback is done but the reports still show the replaced warehouse (a person must look).
    code = 1 if reports and not written["rewritten"] else 0
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return code
    print(f"Rolled back: run {target.run_id} (published {target.published_at}) is live again, replacing run "
          f"{result['replaced']['run_id']} (published {result['replaced']['published_at']}).")
    print("  mart rows (before → after):")
    for mart, rows in result["mart_rows"].items():
        print(f"    {mart}: {rows['before']} → {rows['after']}")
    print(f"  Parquet exports: exports/latest → {info['exports_dir']}")
    if dropped:
        print(f"  {len(dropped)} file(s) loaded by the replaced warehouse are re-queued from the archive: the next "
              "refresh loads them again (nothing received is lost).")
    if written["rewritten"]:
        print(f"  Reports rewritten from this warehouse / Báo cáo đã được viết lại: {len(written['files'])} file(s) "
              f"in {home.reports} ({written['seconds']:.1f} s).")
    elif not reports:
        print(f"  Reports in {home.reports} NOT rewritten (--no-reports): they still show the replaced warehouse "
              "until `dothi report` or the next refresh.")
    else:
        print(f"Reports NOT rewritten / Chưa viết lại được báo cáo: {written['error']}\n  The rollback stands; the "
              f"reports in {home.reports} may still show the replaced warehouse: fix the cause and run "
              "`dothi report`.", file=sys.stderr)
    return code
