"""`dothi reprocess [--dry-run] [--json]`: recover the rejected rows and the quarantined files a fix now lets
in, without the files being sent again. Runs the nightly refresh with the recovery step on (intake reads the
inbox as usual, then re-reads from the archive the files with open rejections and those quarantined for a
reason the seeds fix: sources/reprocess.py), so what is recovered is built, checked and published like any
other figures, under the single-writer lock; then the quarantine/ copies of recovered files move to
quarantine/recovered/. ``--dry-run`` only says what would be recovered (reads the published warehouse,
writes nothing).
"""

from __future__ import annotations

import argparse
import json
import sys

from orchestration.cli.environment import export_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reprocess", help="recover rejected rows that resolve now (after an alias, a new unit, a corrected range)"
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would be recovered; write nothing")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--verbose", action="store_true", help="show Dagster and dbt logs")
    parser.set_defaults(handler=lambda args: reprocess_command(args.dry_run, args.json, args.verbose))


def _print_files(report: dict, dry_run: bool = False) -> None:
    for f in report["files"]:
        if f.get("kind") == "file":
            if f.get("status"):
                verb = "would be recovered" if dry_run else "recovered"
                print(f"  {f['file_name']} (quarantined): {verb} as {f['status']}, {f['rows_recovered']} row(s) "
                      f"accepted, {f['rows_still_rejected']} rejected")
            else:
                print(f"  {f['file_name']} (quarantined): stays quarantined ({f['note']})")
        elif f["rows_recovered"] or f["note"]:
            note = f" ({f['note']})" if f["note"] else ""
            print(f"  {f['file_name']}: {f['rows_recovered']} row(s) recovered, "
                  f"{f['rows_still_rejected']} still rejected{note}")


def reprocess_command(dry_run: bool, as_json: bool, verbose: bool = False) -> int:
    home = export_environment()
    if not home.warehouse.exists():
        print(f"No warehouse at {home.warehouse}: run `dothi refresh` first.", file=sys.stderr)
        return 1
    if dry_run:
        from orchestration.publishing import now_local
        from sources.reprocess import recover_rejected_rows

        try:
            result = recover_rejected_rows(home.warehouse, home, "dry-run", now_local(), dry_run=True).to_dict()
        except Exception as exc:  # noqa: BLE001 - a refresh publishing right now
            print(f"Cannot read {home.warehouse} ({exc}); is a refresh running?", file=sys.stderr)
            return 1
        if as_json:
            print(json.dumps(result, ensure_ascii=False, default=str))
            return 0
        print(f"Dry run: {result['files_read']} archived file(s) with open rejections; "
              f"{result['rows_recovered']} row(s) would be recovered, {result['rows_still_rejected']} stay rejected. "
              f"{result['quarantined_read']} quarantined file(s) the seeds may fix; {result['files_recovered']} "
              f"would be recovered, {result['files_still_quarantined']} stay quarantined.")
        _print_files(result, dry_run=True)
        return 0
    return _run(as_json, verbose)


def _run(as_json: bool, verbose: bool) -> int:
    import contextlib
    import io

    from orchestration.cli.refresh import refresh_command
    from orchestration.defs.intake import REPROCESS_TAG
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # the refresh's JSON summary, read back for ours
        code = refresh_command(False, True, verbose, extra_tags={REPROCESS_TAG: "true"})
    if code != 0:
        return code
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    recovered = summary.get("this_run", {}).get("reprocess") or {}
    filed_away = _file_away_quarantine_copies()
    if as_json:
        print(json.dumps({"run_id": summary.get("run_id"), **recovered, "quarantine_copies_filed": filed_away,
                          "refresh": summary}, ensure_ascii=False))
        return 0
    print(f"Reprocess finished (run {summary.get('run_id')}): {recovered.get('files_read', 0)} archived file(s) "
          f"re-read, {recovered.get('rows_recovered', 0)} row(s) recovered, "
          f"{recovered.get('rows_still_rejected', 0)} still rejected; {recovered.get('files_recovered', 0)} "
          f"quarantined file(s) recovered, {recovered.get('files_still_quarantined', 0)} stay quarantined.")
    if recovered:
        _print_files(recovered)
    if recovered.get("rows_recovered") or recovered.get("files_recovered"):
        print(f"Published: {home_warehouse()} with what was recovered (lineage: the original files).")
    if filed_away:
        print(f"Moved {len(filed_away)} quarantine copy(ies) of recovered files to quarantine/recovered/.")
    return 0


def _file_away_quarantine_copies() -> list[str]:
    """After the publish, under the lock: quarantine/ then lists only the files still waiting for a person.
    A failure here changes nothing published (the next reprocess tries again)."""
    from orchestration.publishing import RefreshBusy, RefreshLock, lock_wait_seconds
    from sources.home import DothiHome
    from sources.reprocess import file_away_quarantine_copies

    home = DothiHome.from_env()
    lock = RefreshLock(home.lock_file)
    try:
        lock.acquire("dothi-reprocess", lock_wait_seconds())
    except RefreshBusy as exc:
        print(f"Quarantine copies of recovered files left in quarantine/: {exc}", file=sys.stderr)
        return []
    try:
        return file_away_quarantine_copies(home, home.warehouse)
    except Exception as exc:  # noqa: BLE001 - never fails a reprocess that published
        print(f"Quarantine copies of recovered files left in quarantine/ ({exc})", file=sys.stderr)
        return []
    finally:
        lock.release()


def home_warehouse() -> str:
    from sources.home import DothiHome

    return str(DothiHome.from_env().warehouse)
