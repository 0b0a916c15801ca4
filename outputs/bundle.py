"""Everything a refresh publishes for people, in one call: in each language asked for, Resolution 06's
final-review report (``progress_report.*.xlsx``, ``dashboard.*.html``: the nine districts and old Khánh
Hòa) and the current report (``current_report.*.xlsx``, ``current_dashboard.*.html``: the 65 units and
the merged province); dbt's docs; and the figures the orchestration shows as metadata."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import multiprocessing.context
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from outputs import dashboard as dashboard_module
from outputs import excel_report, views
from outputs.dashboard import write_dashboard
from outputs.dbt_docs import DbtDocsError, dbt_docs_dir, generate_dbt_docs
from outputs.excel_report import write_current_report, write_excel_report
from outputs.labels import Lang
from outputs.marts import NQ06_MAP, MartSet, ReportScope, on_map, read_marts

Step = Callable[[str], None]


def excel_path(reports: Path, lang: Lang) -> Path:
    return reports / f"progress_report.{lang}.xlsx"


def dashboard_path(reports: Path, lang: Lang) -> Path:
    return reports / f"dashboard.{lang}.html"


def current_excel_path(reports: Path, lang: Lang) -> Path:
    return reports / f"current_report.{lang}.xlsx"


def current_dashboard_path(reports: Path, lang: Lang) -> Path:
    return reports / f"current_dashboard.{lang}.html"


def _write_workbooks(marts: MartSet, reports: Path, lang: Lang, generated_at: dt.datetime) -> dict[str, str]:
    """Both workbooks of one language: Resolution 06's report and the current report."""
    return {
        f"excel_{lang}": str(write_excel_report(marts, excel_path(reports, lang), lang, generated_at)),
        f"current_excel_{lang}": str(write_current_report(marts, current_excel_path(reports, lang), lang,
                                                          generated_at)),
    }


@dataclass
class ReportBundle:
    files: dict[str, str] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    missing_marts: list[str] = field(default_factory=list)
    open_findings: int = 0
    open_findings_by_severity: dict[str, int] = field(default_factory=dict)
    worst_gaps_markdown: str = ""
    # Resolution 06's final review: targets per review_status (met, not_met, incomplete, no_data, in_progress)
    final_review: dict[str, int] = field(default_factory=dict)
    # figures of Resolution 06's map rolled up from the new units, and of those the incomplete ones
    rolled_up_figures: int = 0
    incomplete_figures: int = 0
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
    dim = marts.get("dim_locality")
    names = {} if dim is None or "locality_key" not in dim.columns else dict(
        zip(dim["locality_key"], dim["name_en"], strict=False))
    lines = ["| map | locality | indicator | period | actual | target | achieved % | progress | target status |",
             "|---|---|---|---|---:|---:|---:|---|---|"]
    for r in frame.itertuples():
        status = "**placeholder**" if r.is_placeholder is True else "official"
        key = getattr(r, "locality_key", None)
        name = names.get(key, r.locality_code)
        lines.append(
            f"| {getattr(r, 'map_code', '')} | {name} ({r.locality_code}) | {r.indicator_code} | {r.period} "
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


# From this many figures on, a second process writes the other languages' Excel reports while this one
# writes the first: openpyxl is pure Python, one core per workbook, and a province's report takes ~19 s per
# language. Below it, the worker's start-up (imports, reading the marts again) costs more than it saves.
PARALLEL_EXCEL_MIN_FIGURES = 50_000


def _excel_in_worker(warehouse: str, reports: str, lang: Lang, generated_at: dt.datetime) -> dict[str, str]:
    marts = read_marts(warehouse, scope=report_scope())
    return _write_workbooks(marts, Path(reports), lang, generated_at)


def _worker_context() -> multiprocessing.context.BaseContext:
    # Never a plain fork: the caller is a Dagster process with threads.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _write_excel_reports(
    marts: MartSet, warehouse: Path, reports: Path, langs: Sequence[Lang], generated_at: dt.datetime, step: Step
) -> dict[str, str]:
    """The Excel reports in each language; at scale the first language's here and the others in a worker
    beside. Keys: excel_<lang>, current_excel_<lang>."""
    beside = list(langs[1:]) if (
        len(langs) > 1 and (os.cpu_count() or 1) > 1
        and marts.totals.get("fct_indicator_values", 0) >= PARALLEL_EXCEL_MIN_FIGURES
    ) else []
    written: dict[str, dict[str, str]] = {}
    with contextlib.ExitStack() as stack:
        futures = {}
        if beside:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=1, mp_context=_worker_context()))
            futures = {lang: pool.submit(_excel_in_worker, str(warehouse), str(reports), lang, generated_at)
                       for lang in beside}
        for lang in langs:
            if lang not in futures:
                step(f"Excel report ({lang})")
                written[lang] = _write_workbooks(marts, reports, lang, generated_at)
        for lang, future in futures.items():
            step(f"Excel report ({lang}, written by a worker process)")
            try:
                written[lang] = future.result()
            except BrokenProcessPool:  # the worker died (e.g. out of memory): write it here instead
                written[lang] = _write_workbooks(marts, reports, lang, generated_at)
    ordered = {f"excel_{lang}": written[lang][f"excel_{lang}"] for lang in langs}
    ordered.update({f"current_excel_{lang}": written[lang][f"current_excel_{lang}"] for lang in langs})
    return ordered


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
    nq06 = on_map(marts, NQ06_MAP)
    review = views.programme_review(nq06, "en")
    if review is not None:
        bundle.final_review = views.review_counts(review)
    flags = views.figure_flags(nq06).values()
    bundle.rolled_up_figures = sum(1 for f in flags if f.rolled_up)
    bundle.incomplete_figures = sum(1 for f in flags if f.rolled_up and not f.complete)
    if excel:
        bundle.files.update(_write_excel_reports(marts, warehouse, reports, langs, generated_at, step))
    if dashboard:
        for lang in langs:
            step(f"dashboard ({lang})")
            bundle.files[f"dashboard_{lang}"] = str(write_dashboard(marts, dashboard_path(reports, lang), lang,
                                                                    generated_at))
        for lang in langs:
            step(f"current dashboard ({lang})")
            bundle.files[f"current_dashboard_{lang}"] = str(write_dashboard(
                marts, current_dashboard_path(reports, lang), lang, generated_at, current=True))
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
