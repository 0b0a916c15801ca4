"""The refresh summary people read after a run: files, flags, and who is furthest from target.

It only reads the public marts (read-only), so it shows exactly what a BI tool would see.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from outputs.marts import PROVINCE_CODE, connect_read_only

TOP_N = 5


@dataclass
class RefreshSummary:
    files: dict[str, int] = field(default_factory=dict)
    flags_by_severity: dict[str, int] = field(default_factory=dict)
    flags_by_rule: dict[str, int] = field(default_factory=dict)
    furthest_localities: list[dict] = field(default_factory=list)
    furthest_indicators: list[dict] = field(default_factory=list)
    localities_with_values: int = 0
    warehouse: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        lines = [f"Warehouse: {self.warehouse}"]
        lines.append(
            "Files: " + ", ".join(f"{n} {status}" for status, n in sorted(self.files.items())) if self.files
            else "Files: none received yet"
        )
        lines.append(
            "Flags: " + ", ".join(f"{n} {sev}" for sev, n in sorted(self.flags_by_severity.items()))
            if self.flags_by_severity else "Flags: none"
        )
        for rule, n in sorted(self.flags_by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {rule}: {n}")
        lines.append("Province indicators furthest from target (achievement %):")
        lines += [_gap_line(row) for row in self.furthest_indicators] or ["  (no targets assessable)"]
        lines.append("Localities furthest from target (achievement %):")
        lines += [_gap_line(row) for row in self.furthest_localities] or ["  (no targets assessable)"]
        return "\n".join(lines)


def _gap_line(row: dict) -> str:
    placeholder = " [placeholder target]" if row.get("is_placeholder") else ""
    return (
        f"  {row['locality_name_vi']} ({row['locality_code']}) · {row['indicator_code']} {row['period']}: "
        f"{row['actual']:.4g} vs {row['target_value']:.4g} by {row['target_year']} "
        f"({row['achievement_pct']:.0f} %, {row['progress_class']}){placeholder}"
    )


def build_summary(warehouse: Path, top_n: int = TOP_N) -> RefreshSummary:
    summary = RefreshSummary(warehouse=str(warehouse))
    # Only the columns counted: the per-figure marts hold millions of rows at national scale.
    with connect_read_only(warehouse) as conn:
        submissions = conn.table("marts.fct_submissions").select("status").df()
        issues = conn.table("marts.fct_dq_issues").select("status", "severity", "rule_code").df()
        gaps = conn.table("marts.fct_target_gaps").df()
        localities = conn.table("marts.dim_locality").select("locality_code", "name_vi").df()
        valued = conn.table("marts.fct_indicator_values").select("locality_code").distinct().df()
    summary.files = {str(k): int(v) for k, v in submissions["status"].value_counts().items()}
    # Resolved findings stay in the mart as history; the summary counts what is still open.
    issues = issues[issues["status"] == "open"]
    summary.flags_by_severity = {str(k): int(v) for k, v in issues["severity"].value_counts().items()}
    summary.flags_by_rule = {str(k): int(v) for k, v in issues["rule_code"].value_counts().items()}
    summary.localities_with_values = int((valued["locality_code"] != PROVINCE_CODE).sum())

    gaps = gaps.merge(localities.rename(columns={"name_vi": "locality_name_vi"}), on="locality_code", how="left")
    gaps = gaps[gaps["achievement_pct"].notna() & (gaps["progress_class"] != "achieved")]
    gaps = gaps.sort_values(["achievement_pct", "locality_code", "indicator_code"])
    columns = [
        "locality_code", "locality_name_vi", "indicator_code", "period", "actual", "target_value",
        "target_year", "achievement_pct", "progress_class", "is_placeholder",
    ]
    province = gaps["locality_code"] == PROVINCE_CODE
    summary.furthest_indicators = _records(gaps.loc[province, columns].head(top_n))
    summary.furthest_localities = _records(gaps.loc[~province, columns].head(top_n))
    return summary


def _records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def write_summary(summary: RefreshSummary, reports_dir: Path) -> tuple[Path, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    text_path = reports_dir / "refresh_summary.md"
    json_path = reports_dir / "refresh_summary.json"
    text_path.write_text("# dothi refresh summary\n\n```\n" + summary.to_text() + "\n```\n", encoding="utf-8")
    json_path.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return text_path, json_path
