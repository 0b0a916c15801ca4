"""`dothi template`: a submission template (.xlsx) for a reporter and period, ready to fill in."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchestration.cli.environment import export_environment
from orchestration.cli.progress import steps


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("template", help="write a submission template for a reporter and period")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--reporter", help="reporter code or name (SXD, 'Sở Xây dựng', 568, 'UBND TP. Nha Trang')")
    who.add_argument("--all", action="store_true", help="one template per reporter expected for the period")
    parser.add_argument("--period", required=True, help="2024, 2025-H1, 'Năm 2024', '6 tháng đầu năm 2025'")
    parser.add_argument("--out", type=Path, default=None,
                        help="file (one reporter) or folder (--all); default DOTHI_HOME/reports/templates/")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(handler=template_command)


def template_command(args: argparse.Namespace) -> int:
    from outputs.template_plan import TemplateError, plan_template
    from outputs.templates import default_file_name, write_template
    from sources.reference import load_reference

    home = export_environment()
    folder = home.reports / "templates"
    written: list[dict] = []
    try:
        if args.all:
            folder = args.out or folder
            plans = []
            for code in load_reference().reporters:
                try:
                    plans.append(plan_template(code, args.period))
                except TemplateError:
                    continue  # not valid for the period, or nothing to report: no template
        else:
            plans = [plan_template(args.reporter, args.period)]
    except TemplateError as exc:
        print(json.dumps({"error": str(exc)}, ensure_ascii=False) if args.json else f"error: {exc}",
              file=sys.stdout if args.json else sys.stderr)
        return 2
    with steps("template", enabled=not args.json and len(plans) > 1) as step:
        for plan in plans:
            step(f"{plan.reporter.code} {plan.period}")
            target = args.out if (args.out and not args.all) else folder / default_file_name(plan)
            path = write_template(plan, Path(target).resolve())
            written.append({"reporter_code": plan.reporter.code, "reporter": plan.reporter.name_vi,
                            "period": plan.period, "rows": len(plan.rows), "path": str(path)})
    if args.json:
        print(json.dumps({"templates": written}, ensure_ascii=False))
    else:
        for item in written:
            print(f"{item['reporter_code']:>9} {item['period']}: {item['rows']:>3} row(s) → {item['path']}")
    return 0
