"""Report assets: what a person reads after a refresh (written under DOTHI_HOME/reports).

The work is in ``outputs/`` (plain Python); these assets call it against the run's warehouse and
publish the figures a person needs in the Dagster UI: row counts of the marts (as observations on the
marts themselves), the open findings, and a markdown preview of the worst gaps.
"""

from typing import TYPE_CHECKING, Any

import dagster as dg

from orchestration.resources import DothiHomeResource, dbt_project, dbt_project_fingerprint

if TYPE_CHECKING:  # outputs.bundle pulls in pandas and openpyxl (~1.5 s): imported by the assets that run it
    from outputs.bundle import ReportBundle

OWNER = "team:data-engineering"
PUBLIC_MARTS = (
    "fct_submissions", "fct_indicator_values", "fct_indicator_values_nq06_map", "fct_indicator_values_current_map",
    "fct_target_gaps", "fct_programme_review", "fct_dq_issues", "dim_locality", "dim_indicator", "dim_period",
)
MART_DEPS = [dg.AssetKey(["marts", name]) for name in PUBLIC_MARTS]


@dg.asset(
    key=dg.AssetKey(["reports", "refresh_summary"]),
    deps=MART_DEPS,
    group_name="reports",
    kinds={"python", "markdown"},
    owners=[OWNER],
    description="Short summary of the refresh: files received, flags by severity, furthest from target.",
)
def refresh_summary(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
    from outputs.summary import build_summary, write_summary

    home = dothi_home.home()
    summary = build_summary(dothi_home.build_warehouse())
    summary.warehouse = str(dothi_home.published_warehouse())  # where readers will find it once published
    text_path, json_path = write_summary(summary, home.reports)
    context.log.info("\n" + summary.to_text())
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(text_path)),
            "json": dg.MetadataValue.path(str(json_path)),
            "flags_error": summary.flags_by_severity.get("error", 0),
            "flags_warning": summary.flags_by_severity.get("warning", 0),
            "preview": dg.MetadataValue.md("```\n" + summary.to_text() + "\n```"),
        }
    )


def _common_metadata(bundle: "ReportBundle") -> dict[str, Any]:
    return {
        "open_findings": bundle.open_findings,
        "open_findings_error": bundle.open_findings_by_severity.get("error", 0),
        "open_findings_warning": bundle.open_findings_by_severity.get("warning", 0),
        "worst_gaps": dg.MetadataValue.md(bundle.worst_gaps_markdown),
        "is_synthetic": bundle.is_synthetic,
        "final_review": dg.MetadataValue.json(bundle.final_review),
        "rolled_up_figures": bundle.rolled_up_figures,
        "incomplete_rolled_up_figures": bundle.incomplete_figures,
        "missing_marts": ", ".join(bundle.missing_marts) or "none",
    }


@dg.asset(
    key=dg.AssetKey(["reports", "progress_report"]),
    deps=MART_DEPS,
    group_name="reports",
    kinds={"python", "excel"},
    owners=[OWNER, "team:department-of-construction"],
    tags={"audience": "officials"},
    description="The reports officials read (Excel, Vietnamese and English, print-ready). "
    "progress_report.*.xlsx: Resolution 06's final review on its map (old Khánh Hòa and its nine districts; "
    "figures after 2025-H1 rolled up from the new units and marked): province summary, the final review of "
    "2025, progress classes per district, one sheet per district, open data-quality findings with "
    "instructions, submissions, reconciliation, target sources. current_report.*.xlsx: the merged province "
    "and its 65 units from 2025-H2 (every target a placeholder), compared with old Khánh Hòa on the same "
    "territory.",
)
def progress_report(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
    home = dothi_home.home()
    from outputs.bundle import write_reports

    bundle = write_reports(dothi_home.build_warehouse(), home.reports, dashboard=False, dbt_docs=False,
                           step=lambda s: context.log.info("progress report: %s", s))
    # Row counts shown on the marts themselves (the dbt step does not report them).
    for name, count in bundle.row_counts.items():
        context.log_event(dg.AssetObservation(asset_key=dg.AssetKey(["marts", name]),
                                              metadata={"dagster/row_count": count}))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(bundle.files["excel_vi"]),
            "path_en": dg.MetadataValue.path(bundle.files["excel_en"]),
            "current_path": dg.MetadataValue.path(bundle.files["current_excel_vi"]),
            "current_path_en": dg.MetadataValue.path(bundle.files["current_excel_en"]),
            "row_counts": dg.MetadataValue.json(bundle.row_counts),
            **_common_metadata(bundle),
        }
    )


@dg.asset(
    key=dg.AssetKey(["reports", "dashboard"]),
    deps=MART_DEPS,
    group_name="reports",
    kinds={"python", "html", "svg"},
    owners=[OWNER],
    tags={"audience": "analysts"},
    description="Self-contained HTML dashboards (one file each, no network, offline SVG maps). "
    "dashboard.*.html: Resolution 06's final review on the nine districts and old Khánh Hòa (province "
    "progress, final review of 2025, map of the districts per indicator, achievement by district, trends, "
    "reconciliation, findings). current_dashboard.*.html: the merged province and its 65 units from "
    "2025-H2 (placeholder targets), comparable territory, map of the 65 units.",
)
def dashboard(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
    home = dothi_home.home()
    from outputs.bundle import write_reports

    bundle = write_reports(dothi_home.build_warehouse(), home.reports, excel=False, dbt_docs=False,
                           step=lambda s: context.log.info("dashboard: %s", s))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(bundle.files["dashboard_vi"]),
            "path_en": dg.MetadataValue.path(bundle.files["dashboard_en"]),
            "current_path": dg.MetadataValue.path(bundle.files["current_dashboard_vi"]),
            "current_path_en": dg.MetadataValue.path(bundle.files["current_dashboard_en"]),
            **_common_metadata(bundle),
        }
    )


@dg.asset(
    key=dg.AssetKey(["reports", "dbt_docs"]),
    deps=MART_DEPS,
    group_name="reports",
    kinds={"dbt", "html"},
    owners=[OWNER],
    description="dbt's documentation site (models, columns, lineage, exposures) as one offline "
    "index.html under reports/dbt_docs.",
)
def dbt_docs(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
    from outputs.dbt_docs import DbtDocsError, dbt_docs_dir, generate_dbt_docs

    home = dothi_home.home()
    # Cached per dbt project version beside the manifest: the nightly run pays for docs only after a change.
    project = dbt_project()
    run_target = dothi_home.dbt_target_path()
    metadata: dict[str, Any] = {"warnings": 0}
    try:
        index = generate_dbt_docs(
            dothi_home.dbt_warehouse(),  # the path the build gave dbt: its saved parse then applies
            dbt_docs_dir(home.reports),
            cache_dir=project.project_dir / project.target_path / "docs-cache",
            cache_key=dbt_project_fingerprint(),
            partial_parse=run_target / "partial_parse.msgpack" if run_target else None,
        )
        metadata["path"] = dg.MetadataValue.path(str(index))
    except (DbtDocsError, OSError) as exc:  # docs are a convenience: a failure is a warning, not a failed refresh
        context.log.warning(str(exc))
        metadata["warnings"] = 1
    return dg.MaterializeResult(metadata=metadata)


def reports_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[refresh_summary, progress_report, dashboard, dbt_docs])
