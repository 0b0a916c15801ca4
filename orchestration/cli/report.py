"""`dothi report`: the Excel reports, the HTML dashboards and dbt docs from the published marts.

Resolution 06's final review (progress_report.*.xlsx, dashboard.*.html: the nine old districts) and the
current report (current_report.*.xlsx, current_dashboard.*.html: the 65 units and the merged province).

The refresh writes the same files; this command rewrites them on demand (another language, another
folder) from the published warehouse, read-only, without running the pipeline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.cli.environment import export_environment
from orchestration.cli.progress import steps

if TYPE_CHECKING:
    from outputs.labels import Lang


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write the Excel reports (Resolution 06 and current), the dashboards and dbt docs")
    parser.add_argument("--lang", choices=("vi", "en", "all"), default="vi",
                        help="labels in Vietnamese (default), English, or both")
    parser.add_argument("--out", type=Path, default=None, help="folder to write to (default DOTHI_HOME/reports)")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the HTML dashboards")
    parser.add_argument("--no-docs", action="store_true", help="skip dbt docs (the slowest part, ~15 s)")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    home = export_environment()
    warehouse = home.warehouse
    if not warehouse.exists():
        message = f"no warehouse at {warehouse}: run `dothi refresh` first"
        print(json.dumps({"error": message}) if args.json else message, file=sys.stdout if args.json else sys.stderr)
        return 1
    from outputs.bundle import write_reports

    out = (args.out or home.reports).resolve()
    langs: tuple[Lang, ...] = ("vi", "en") if args.lang == "all" else (args.lang,)
    with steps("report", enabled=not args.json) as step:
        bundle = write_reports(warehouse, out, langs, dashboard=not args.no_dashboard, dbt_docs=not args.no_docs,
                               step=step)
    if args.json:
        print(json.dumps({"warehouse": str(warehouse), **bundle.to_dict()}, ensure_ascii=False))
        return 0
    for name, path in bundle.files.items():
        print(f"{name:>22}: {path}")
    print(f"Open findings: {bundle.open_findings} "
          + ", ".join(f"{n} {sev}" for sev, n in sorted(bundle.open_findings_by_severity.items())))
    if bundle.missing_marts:
        print("Not in the warehouse yet (their sections say so): " + ", ".join(bundle.missing_marts))
    if bundle.is_synthetic:
        print("Note: the warehouse holds synthetic sample figures; every output says so.")
    for warning in bundle.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
