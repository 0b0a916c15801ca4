"""The intake asset: inbox → archive/quarantine → DuckDB raw tables (the work itself is in ``sources/``)."""

import dagster as dg

from orchestration.resources import DothiHomeResource
from sources.intake import run_intake

RAW_TABLES = ("submissions", "figures", "rejected_rows")
RAW_KEYS = {name: dg.AssetKey(["raw", name]) for name in RAW_TABLES}

_DESCRIPTIONS = {
    "submissions": "One row per file received: hash, reporter, periods, status, reason, row counts.",
    "figures": "Every accepted figure, every version, with lineage to file and row (append-only).",
    "rejected_rows": "Rows refused at intake, one per bad field, with the reason and the whole row.",
}


@dg.multi_asset(
    name="intake",
    specs=[
        dg.AssetSpec(
            key,
            group_name="intake",
            description=_DESCRIPTIONS[name],
            kinds={"python", "duckdb"},
            owners=["team:data-engineering"],
            skippable=False,
        )
        for name, key in RAW_KEYS.items()
    ],
)
def intake(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource):
    """Reads every file in the inbox once: archive by SHA-256, parse, load or quarantine."""
    home = dothi_home.export_env()
    report = run_intake(home, run_id=context.run_id, warehouse=dothi_home.build_warehouse())
    context.log.info(
        "intake: %s file(s) seen, %s accepted, %s with rejections, %s quarantined, %s duplicate(s)",
        report.files_seen,
        report.accepted,
        report.accepted_with_rejections,
        report.quarantined,
        report.duplicates,
    )
    summary = report.to_dict()
    common = {
        "files_seen": report.files_seen,
        "files_quarantined": report.quarantined,
        "duplicates_skipped": report.duplicates,
    }
    yield dg.MaterializeResult(
        asset_key=RAW_KEYS["submissions"],
        metadata={
            **common,
            "files_accepted": report.accepted,
            "files_accepted_with_rejections": report.accepted_with_rejections,
            "outcomes": dg.MetadataValue.json(summary.get("outcomes", [])),
        },
    )
    yield dg.MaterializeResult(asset_key=RAW_KEYS["figures"], metadata={"rows_added": report.rows_accepted})
    yield dg.MaterializeResult(
        asset_key=RAW_KEYS["rejected_rows"], metadata={"rows_added": report.rows_rejected}
    )


def intake_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[intake])
