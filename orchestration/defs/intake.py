"""The intake asset: inbox → archive/quarantine → DuckDB raw tables (the work itself is in ``sources/``)."""

import dataclasses
from collections.abc import Iterator

import dagster as dg

from orchestration.publishing import NOTHING_NEW_NOTE, now_local, published_inputs, run_day
from orchestration.resources import DothiHomeResource, dbt_project_fingerprint

FULL_REFRESH_TAG = "dothi/full"
REPROCESS_TAG = "dothi/reprocess"  # `dothi reprocess`: also recover the rejected rows a fix now lets in

RAW_TABLES = ("submissions", "figures", "rejected_rows", "recovered_rows", "recovered_files", "approvals")
RAW_KEYS = {name: dg.AssetKey(["raw", name]) for name in RAW_TABLES}

_DESCRIPTIONS = {
    "submissions": "One row per file received: hash, reporter, periods, status, reason, row counts.",
    "figures": "Every accepted figure, every version, with lineage to file and row (append-only).",
    "rejected_rows": "Rows refused at intake, one per bad field, with the reason and the whole row.",
    "recovered_rows": "Rejected rows later recovered from the archive (`dothi reprocess`), one per row.",
    "recovered_files": "Quarantined files later recovered from the archive (`dothi reprocess`), one per file.",
    "approvals": "The approval log (DOTHI_HOME/control/approvals.jsonl), mirrored whole every run.",
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
            # Not yielded when nothing is new: every downstream step is then skipped (a no-op refresh).
            skippable=True,
        )
        for name, key in RAW_KEYS.items()
    ],
)
def intake(
    context: dg.AssetExecutionContext, dothi_home: DothiHomeResource
) -> Iterator[dg.AssetObservation | dg.MaterializeResult]:
    """Reads every file in the inbox once: archive by SHA-256, parse, load or quarantine."""
    from sources.approvals import log_digest as approvals_log_digest
    from sources.intake import run_intake  # pyarrow and the parsers: at run time, not at definitions load
    from sources.parallel import stop_worker_server

    home = dothi_home.export_env()
    report = run_intake(home, run_id=context.run_id, warehouse=dothi_home.build_warehouse())
    recovered, files_recovered, reprocessed = 0, 0, None
    if context.run.tags.get(REPROCESS_TAG) == "true":
        from sources.reprocess import recover_rejected_rows

        reprocess = recover_rejected_rows(dothi_home.build_warehouse(), home, context.run_id, now_local())
        recovered, files_recovered = reprocess.rows_recovered, reprocess.files_recovered
        reprocessed = reprocess.to_dict()
        if dothi_home.run_scope is not None:
            dothi_home.run_scope.write_note("reprocess", reprocess.to_dict())
        context.log.info("reprocess: %s file(s) re-read, %s row(s) recovered; %s quarantined file(s) re-read, "
                         "%s recovered", reprocess.files_read, recovered, reprocess.quarantined_read, files_recovered)
    stop_worker_server()  # the parse workers are done for this run: their server's memory goes back before dbt
    if dothi_home.run_scope is not None:  # the publish step records it in raw.refresh_runs
        dothi_home.run_scope.write_note("intake", {k: v for k, v in report.to_dict().items() if k != "outcomes"})
    context.log.info(
        "intake: %s file(s) seen, %s accepted, %s with rejections, %s quarantined, %s duplicate(s)",
        report.files_seen,
        report.accepted,
        report.accepted_with_rejections,
        report.quarantined,
        report.duplicates,
    )
    for note in report.inbox_notes:  # folders, FIFOs, symlinks, files still being written: named, never silent
        context.log.warning("inbox: %s (%s): %s", note["name"], note["kind"], note["reason"])
    metadata: dict[str, int | dg.MetadataValue] = {
        "files_seen": report.files_seen,
        "files_quarantined": report.quarantined,
        "duplicates_skipped": report.duplicates,
        "files_recovered": report.recovered,
        "files_accepted": report.accepted,
        "files_accepted_with_rejections": report.accepted_with_rejections,
        "outcomes": dg.MetadataValue.json([dataclasses.asdict(o) for o in report.outcomes]),
        "files_left_in_inbox": report.left_in_inbox,
        "inbox_notes": dg.MetadataValue.json(report.inbox_notes),
        "rows_recovered": recovered,
        "quarantined_files_recovered": files_recovered,
        **({"reprocess": dg.MetadataValue.json(reprocessed)} if reprocessed is not None else {}),
    }
    # The warehouse depends on the files received, the dbt project (seeds included) and the day
    # (reports become late or missing as days pass): when none changed, there is nothing to rebuild.
    day = dothi_home.run_scope.as_of_date if dothi_home.run_scope is not None else run_day()
    inputs = {"dbt_project": dbt_project_fingerprint(), "day": day.isoformat()}
    inputs["approvals"] = approvals_log_digest(home)  # an approve/unapprove since then: rebuild
    new_data = report.accepted + report.accepted_with_rejections + report.quarantined + report.recovered + recovered
    new_data += files_recovered
    forced = context.run.tags.get(FULL_REFRESH_TAG) == "true"
    published = dothi_home.published_warehouse().exists() and published_inputs(dothi_home.home())
    if not new_data and not forced and published == inputs:
        context.log.info("nothing new since the last refresh: no rebuild, nothing published")
        if dothi_home.run_scope is not None:  # the run ends "unchanged", not "failed" (logs/runs.jsonl)
            dothi_home.run_scope.write_note(NOTHING_NEW_NOTE, {"inputs": inputs})
        yield dg.AssetObservation(asset_key=RAW_KEYS["submissions"], metadata={**metadata, "nothing_new": True})
        return
    if dothi_home.run_scope is not None:
        dothi_home.run_scope.write_note("inputs", inputs)
    yield dg.MaterializeResult(asset_key=RAW_KEYS["submissions"], metadata=metadata)
    yield dg.MaterializeResult(asset_key=RAW_KEYS["figures"], metadata={"rows_added": report.rows_accepted})
    yield dg.MaterializeResult(
        asset_key=RAW_KEYS["rejected_rows"], metadata={"rows_added": report.rows_rejected}
    )
    yield dg.MaterializeResult(asset_key=RAW_KEYS["recovered_rows"], metadata={"rows_added": recovered})
    yield dg.MaterializeResult(asset_key=RAW_KEYS["recovered_files"], metadata={"rows_added": files_recovered})
    yield dg.MaterializeResult(asset_key=RAW_KEYS["approvals"])


def intake_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[intake])
