"""`dothi quality [--json]`: the open findings, grouped by reporter (whom to call), worst first.

Reads ``marts.fct_dq_issues`` read-only through DuckDB's relation API, so it never blocks a refresh
for long; while a refresh holds the warehouse it says so instead of waiting.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration.cli.environment import export_environment

_SEVERITY_RANK = {"error": 0, "warning": 1}
_IMPORTANCE_RANK = {"high": 0, "medium": 1, "low": 2}
_COLUMNS = (
    "issue_id", "rule_code", "severity", "importance", "family", "reporter_code", "locality_code",
    "indicator_code", "period", "message_vi", "message_en", "instruction_vi", "instruction_en",
    "file_name", "row_number", "first_seen_at", "last_seen_at",
)


@dataclass
class ReporterFindings:
    reporter_code: str
    reporter_name_vi: str
    reporter_name_en: str
    errors: int = 0
    warnings: int = 0
    findings: list[dict] = field(default_factory=list)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quality", help="print the open data-quality findings, by reporter, worst first")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of messages (text output)")
    parser.set_defaults(handler=lambda args: quality_command(args.json, args.lang))


def _finding_key(finding: dict) -> tuple:
    return (
        _SEVERITY_RANK.get(finding["severity"], 9),
        _IMPORTANCE_RANK.get(finding["importance"], 9),
        finding["rule_code"] or "",
        finding["locality_code"] or "",
        finding["indicator_code"] or "",
        finding["period"] or "",
    )


def group_findings(rows: list[dict], reporters: dict[str, tuple[str, str]]) -> list[ReporterFindings]:
    """Open findings per reporter; reporters with the most errors (then warnings) first."""
    groups: dict[str, ReporterFindings] = {}
    for row in rows:
        code = row.get("reporter_code") or "?"
        name_vi, name_en = reporters.get(code, (code, code))
        group = groups.setdefault(code, ReporterFindings(code, name_vi, name_en))
        group.findings.append(row)
        if row["severity"] == "error":
            group.errors += 1
        else:
            group.warnings += 1
    for group in groups.values():
        group.findings.sort(key=_finding_key)
    return sorted(groups.values(), key=lambda g: (-g.errors, -g.warnings, g.reporter_code))


def load_open_findings(warehouse: Path) -> tuple[list[dict], dict[str, tuple[str, str]]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        issues = conn.table("marts.fct_dq_issues").filter("status = 'open'").project(", ".join(_COLUMNS))
        rows = [dict(zip(_COLUMNS, values, strict=True)) for values in issues.fetchall()]
        reporters = {
            str(code): (str(name_vi), str(name_en))
            for code, name_vi, name_en in conn.table("reference.reporters")
            .project("reporter_code, name_vi, name_en").fetchall()
        }
    for row in rows:
        for key in ("first_seen_at", "last_seen_at"):
            if row[key] is not None:
                row[key] = row[key].isoformat(sep=" ", timespec="seconds")
    return rows, reporters


def render_text(groups: list[ReporterFindings], lang: str = "vi") -> str:
    if not groups:
        return "No open findings." if lang == "en" else "Không có lỗi dữ liệu nào đang mở."
    total = sum(len(g.findings) for g in groups)
    lines = [f"{total} open finding(s) from {len(groups)} reporter(s), worst first:" if lang == "en"
             else f"{total} lỗi dữ liệu đang mở, {len(groups)} đơn vị báo cáo, nặng nhất trước:"]
    for group in groups:
        name = group.reporter_name_en if lang == "en" else group.reporter_name_vi
        lines.append("")
        lines.append(f"== {name} ({group.reporter_code}): {group.errors} error(s), {group.warnings} warning(s)")
        for finding in group.findings:
            where = ""
            if finding["file_name"]:
                row = f", row {finding['row_number']}" if finding["row_number"] else ""
                where = f" [{finding['file_name']}{row}]"
            message = finding[f"message_{lang}"]
            lines.append(f"  {finding['severity'].upper():7} {finding['rule_code']}: {message}{where}")
            lines.append(f"          → {finding[f'instruction_{lang}']}")
    return "\n".join(lines)


def quality_command(as_json: bool, lang: str = "vi") -> int:
    home = export_environment()
    if not home.warehouse.exists():
        print(f"No warehouse at {home.warehouse}: run `dothi refresh` first.", file=sys.stderr)
        return 1
    try:
        rows, reporters = load_open_findings(home.warehouse)
    except Exception as exc:  # noqa: BLE001 - a lock held by a running refresh, or no marts yet
        print(f"Cannot read the findings in {home.warehouse} ({exc}); is a refresh running?", file=sys.stderr)
        return 1
    groups = group_findings(rows, reporters)
    if as_json:
        print(json.dumps([asdict(g) for g in groups], ensure_ascii=False, default=str))
    else:
        print(render_text(groups, lang))
    return 0
