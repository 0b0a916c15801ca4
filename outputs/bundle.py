"""Everything a refresh publishes for people, in one call: the Excel report and the dashboard (in each
language asked for), dbt's docs, and the figures the orchestration shows as metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from outputs import dashboard as dashboard_module
from outputs import excel_report, views
from outputs.dashboard import write_dashboard
from outputs.dbt_docs import DbtDocsError, dbt_docs_dir, generate_dbt_docs
from outputs.excel_report import write_excel_report
from outputs.labels import Lang
from outputs.marts import MartSet, ReportScope, read_marts

Step = Callable[[str], None]


def excel_path(reports: Path, lang: Lang) -> Path:
    return reports / f"progress_report.{lang}.xlsx"


def dashboard_path(reports: Path, lang: Lang) -> Path:
    return reports / f"dashboard.{lang}.html"


@dataclass
class ReportBundle:
    files: dict[str, str] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    missing_marts: list[str] = field(default_factory=list)
    open_findings: int = 0
    open_findings_by_severity: dict[str, int] = field(default_factory=dict)
    worst_gaps_markdown: str = ""
    is_synthetic: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def worst_gaps_markdown(marts: MartSet, top_n: int = 10) -> str:
    """A markdown table of the pairs furthest from target, placeholders marked (for the Dagster UI)."""
    frame = views.worst_gaps(marts, top_n)
    if frame is None:
        return "_fct_target_gaps is not built yet_"
    if frame.empty:
        return "_no assessable gap: every target with data is achieved_"
    names = dict(views.localities(marts, "en"))
    lines = ["| locality | indicator | period | actual | target | achieved % | progress | target status |",
             "|---|---|---|---:|---:|---:|---|---|"]
    for r in frame.itertuples():
        status = "**placeholder**" if r.is_placeholder is True else "official"
        lines.append(
            f"| {names.get(r.locality_code, r.locality_code)} ({r.locality_code}) | {r.indicator_code} | {r.period} "
            f"| {r.actual:.4g} | {r.target_value:.4g} ({r.target_year}) | {r.achievement_pct:.0f} "
            f"| {r.progress_class} | {status} |"
        )
    if marts.is_synthetic:
        lines.append("\n_Synthetic sample figures: not official statistics._")
    return "\n".join(lines)


def report_scope() -> ReportScope:
    """As much of the marts as the longest list and the per-locality sheets show (read at call time)."""
    return ReportScope(localities=views.REPORT_LOCALITIES_MAX, rows=max(excel_report.EXCEL_ROWS_MAX,
                                                                    dashboard_module.TABLE_ROWS_MAX,
                                                                    dashboard_module.BARS_MAX))


def write_reports(
    warehouse: Path,
    reports: Path,
    langs: Sequence[Lang] = ("vi", "en"),
    *,
    excel: bool = True,
    dashboard: bool = True,
    dbt_docs: bool = True,
    dbt_docs_cache: tuple[Path, str] | None = None,
    step: Step | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportBundle:
    """Read the marts once, write every output; a failing dbt docs run is a warning, not a failure."""
    step = step or (lambda _: None)
    generated_at = generated_at or dt.datetime.now()
    step("reading the marts")
    marts = read_marts(warehouse, scope=report_scope())
    bundle = ReportBundle(row_counts=marts.row_counts(), missing_marts=list(marts.missing),
                          is_synthetic=marts.is_synthetic)
    counts = views.open_finding_counts(marts)
    if counts is not None:
        bundle.open_findings = views.open_finding_total(marts)
        bundle.open_findings_by_severity = {
            str(k): int(v) for k, v in counts.groupby("severity")["n"].sum().items() if v
        }
    bundle.worst_gaps_markdown = worst_gaps_markdown(marts)
    for lang in langs:
        if excel:
            step(f"Excel report ({lang})")
            written = write_excel_report(marts, excel_path(reports, lang), lang, generated_at)
            bundle.files[f"excel_{lang}"] = str(written)
        if dashboard:
            step(f"dashboard ({lang})")
            bundle.files[f"dashboard_{lang}"] = str(write_dashboard(marts, dashboard_path(reports, lang), lang,
                                                                    generated_at))
    if dbt_docs:
        step("dbt docs")
        try:
            cache_dir, cache_key = dbt_docs_cache or (None, None)
            bundle.files["dbt_docs"] = str(
                generate_dbt_docs(warehouse, dbt_docs_dir(reports), cache_dir=cache_dir, cache_key=cache_key)
            )
        except (DbtDocsError, OSError) as exc:
            bundle.warnings.append(str(exc))
    return bundle
