"""`dothi template`: a submission template (.xlsx) for a reporter and period, ready to fill in.

The period decides the map, as in the intake: a reporter, a name or a code means the one valid at the
period's end (2024, 2025-H1: old Khánh Hòa's departments and nine districts; 2025, 2025-H2, 2026…: the
departments and the 65 new People's Committees). ``--all`` writes one template per reporter valid then; a
reporter not valid then is refused, naming who reports instead."""

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
    who.add_argument("--reporter", help="reporter code or name (SXD, 'Sở Xây dựng', 568 for 2024, "
                                        "22651 or 'UBND Xã Diên Khánh' for 2026)")
    who.add_argument("--all", action="store_true",
                     help="one template per reporter valid at the period's end (departments and People's Committees)")
    parser.add_argument("--period", required=True,
                        help="2024, 2025-H1, 2026, 'Năm 2024', '6 tháng đầu năm 2025' (the units valid at its end)")
    parser.add_argument("--out", type=Path, default=None,
                        help="file (one reporter) or folder (--all); default DOTHI_HOME/reports/templates/")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(handler=template_command)


def template_command(args: argparse.Namespace) -> int:
    from outputs.template_plan import TemplateError, plan_template, resolve_period
    from outputs.templates import default_file_name, write_template
    from sources.reference import load_reference

    home = export_environment()
    folder = home.reports / "templates"
    written: list[dict] = []
    try:
        if args.all:
            folder = args.out or folder
            period = resolve_period(args.period)  # a bad period is an error, not "no reporter"
            plans = []
            for code in load_reference().reporters:
                try:
                    plans.append(plan_template(code, period))
                except TemplateError:
                    continue  # not valid at the period's end, or nothing to report: no template
            if not plans:
                raise TemplateError(f"no reporter has anything to report for {period}")
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
            area = plan.area
            written.append({"reporter_code": plan.reporter.code, "reporter": plan.reporter.name_vi,
                            "reporter_kind": plan.reporter.kind, "period": plan.period, "rows": len(plan.rows),
                            "locality_key": area.key if area else None,
                            "locality": area.name_vi if area else None,
                            "units": len({r.locality.key for r in plan.rows} - {area.key if area else ""}),
                            "path": str(path)})
    if args.json:
        print(json.dumps({"templates": written}, ensure_ascii=False))
    else:
        for item in written:
            print(f"{item['reporter_code']:>9} {item['period']}: {item['rows']:>3} row(s) → {item['path']}")
        if args.all:
            kinds = [item["reporter_kind"] for item in written]
            print(f"{len(written)} template(s) for {written[0]['period']}: {kinds.count('department')} "
                  f"department(s), {kinds.count('locality')} People's Committee(s), units valid on "
                  f"{plans[0].day:%d/%m/%Y}")
    return 0
