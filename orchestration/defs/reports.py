"""Report assets: what a person reads after a refresh (written under DOTHI_HOME/reports)."""

import dagster as dg

from orchestration.resources import DothiHomeResource
from orchestration.summary import build_summary, write_summary

MART_DEPS = [
    dg.AssetKey(["marts", name])
    for name in ("fct_submissions", "fct_indicator_values", "fct_target_gaps", "dim_locality", "fct_dq_issues")
]


@dg.asset(
    key=dg.AssetKey(["reports", "refresh_summary"]),
    deps=MART_DEPS,
    group_name="reports",
    kinds={"python", "markdown"},
    owners=["team:data-engineering"],
    description="Short summary of the refresh: files received, flags by severity, furthest from target.",
)
def refresh_summary(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
    home = dothi_home.home()
    summary = build_summary(dothi_home.build_warehouse())
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


def reports_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[refresh_summary])
