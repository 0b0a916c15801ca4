"""`dothi aliases [--json]`: the names intake could not resolve, most frequent first, with the closest known
name; `dothi aliases --add RAW --as CODE [--kind …] [--note …]` appends an alias to its seed (under the
single-writer lock). Then `dothi reprocess` brings back the rows it fixes. Logic: sources/aliases.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.cli.environment import export_environment
from sources.home import DothiHome

if TYPE_CHECKING:  # duckdb and the name indices load when the command runs
    from sources.aliases import NameReport


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "aliases", help="list the names intake could not resolve (closest known name), or add an alias to the seeds"
    )
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.add_argument("--add", metavar="RAW", help="the name as written in the files, to add as an alias")
    parser.add_argument("--as", dest="code", metavar="CODE",
                        help="the code it names: locality_code or locality_key, reporter_code, indicator_code")
    parser.add_argument("--kind", choices=("locality", "reporter", "indicator"),
                        help="which kind of name (default: the kind it was refused as)")
    parser.add_argument("--note", help="why: written in the seed's source column")
    parser.set_defaults(handler=lambda args: aliases_command(args.json, args.add, args.code, args.kind, args.note))


def _names(warehouse_path: Path) -> NameReport:
    import duckdb

    from sources.aliases import unresolved_names

    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        return unresolved_names(conn)


def aliases_command(as_json: bool, add: str | None, code: str | None, kind: str | None, note: str | None) -> int:
    home = export_environment()
    if (add is None) != (code is None):
        print("--add RAW and --as CODE go together", file=sys.stderr)
        return 2
    if add is not None and code is not None:
        return _add(home, as_json, add, code, kind, note)
    if not home.warehouse.exists():
        print(f"No warehouse at {home.warehouse}: run `dothi refresh` first.", file=sys.stderr)
        return 1
    try:
        report = _names(home.warehouse)
    except Exception as exc:  # noqa: BLE001 - a refresh publishing right now, or a warehouse without raw tables
        print(f"Cannot read the rejected rows in {home.warehouse} ({exc}); is a refresh running?", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return 0
    if not report.unresolved:
        print("No unresolved name in the rejected rows or quarantined files.")
    else:
        print(f"{len(report.unresolved)} unresolved name(s), most frequent first:")
        for u in report.unresolved:
            closest = f"closest: {u.closest} ({u.closest_code})" if u.closest_code else (
                f"expected: {u.closest}" if u.closest else "no similar known name")
            quarantined = f", {u.quarantined_files} quarantined file(s)" if u.quarantined_files else ""
            print(f"  {u.kind:9} '{u.raw}': {u.rows} row(s){quarantined}; {closest}")
            print(f"            in {', '.join(u.files)}")
        print("Add one with: dothi aliases --add '<name>' --as <CODE> [--note '<why>'], then `dothi reprocess`.")
    if report.fixed_awaiting_reprocess:
        print(f"{report.fixed_awaiting_reprocess} rejected row(s) have names that resolve now: `dothi reprocess` "
              "recovers them.")
    if report.quarantined_fixed_awaiting_reprocess:
        print(f"{report.quarantined_fixed_awaiting_reprocess} quarantined file(s) have a reporter that resolves now: "
              "`dothi reprocess` recovers them.")
    return 0


def _add(home: DothiHome, as_json: bool, raw: str, code: str, kind: str | None, note: str | None) -> int:
    from orchestration.publishing import RefreshBusy, RefreshLock, lock_wait_seconds, now_local
    from sources.aliases import AliasError, add_alias, infer_kind
    from sources.reference import load_reference

    lock = RefreshLock(home.lock_file)  # the seeds are an input of the refresh: not edited under a running one
    try:
        lock.acquire("dothi-aliases", lock_wait_seconds())
    except RefreshBusy as exc:
        print(f"Alias NOT added: {exc}", file=sys.stderr)
        return 75
    try:
        names: NameReport | None = None
        if kind is None and home.warehouse.exists():
            try:
                names = _names(home.warehouse)
            except Exception:  # noqa: BLE001 - the kind is then inferred from the code alone
                names = None
        added = add_alias(raw, code, kind or infer_kind(raw, code, names, load_reference()), note,
                          today=now_local().date())
    except AliasError as exc:
        print(f"Alias NOT added: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    if as_json:
        print(json.dumps(added.__dict__, ensure_ascii=False))
    else:
        print(f"Added {added.kind} alias '{added.alias}' → {added.name} ({added.code}) to {added.seed}.")
        print("Run `dothi reprocess` to recover the rows it fixes (the next refresh also picks the seed up).")
    return 0
