"""The publish asset: the job's last step makes the run's working copy the live warehouse, atomically.

It depends on every other asset of the code location, so it runs after the marts, the findings and
the reports, and is skipped (nothing published, the live warehouse unchanged) when any of them fails.
"""


import dagster as dg

from orchestration.publishing import publish
from orchestration.resources import DothiHomeResource

PUBLISH_KEY = dg.AssetKey(["publish", "warehouse"])


def upstream_keys(defs: dg.Definitions) -> list[dg.AssetKey]:
    keys: set[dg.AssetKey] = set()
    for item in defs.assets or []:
        if isinstance(item, dg.AssetsDefinition):
            keys |= set(item.keys)
        elif isinstance(item, dg.AssetSpec):
            keys.add(item.key)
    keys.discard(PUBLISH_KEY)
    return sorted(keys, key=lambda k: k.to_user_string())


def publish_definitions(upstream: dg.Definitions) -> dg.Definitions:
    @dg.asset(
        key=PUBLISH_KEY,
        deps=upstream_keys(upstream),
        group_name="publish",
        kinds={"duckdb", "parquet"},
        owners=["team:data-engineering"],
        description="Atomically replaces DOTHI_HOME/warehouse.duckdb with this run's working copy (the "
        "old one kept as warehouse.previous.duckdb), writes Parquet exports of the marts and records the "
        "run in raw.refresh_runs. BI tools holding the old file keep a consistent snapshot.",
    )
    def published_warehouse(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.MaterializeResult:
        scope = dothi_home.run_scope
        if scope is None:
            raise dg.Failure("publish runs only inside a refresh run (it needs the run's lock and working copy)")
        done = publish(scope, intake=scope.read_note("intake"))
        home = scope.home
        context.log.info(
            f"published run {done.run_id} to {done.warehouse} in {done.seconds:.2f} s "
            f"(previous: {done.previous_run_id}); exports in {done.exports_dir}"
        )
        return dg.MaterializeResult(
            metadata={
                "warehouse": dg.MetadataValue.path(str(done.warehouse)),
                "sha256": done.sha256,
                "previous_run_id": done.previous_run_id or "",
                "exports": dg.MetadataValue.path(str(done.exports_dir)),
                "mart_rows": dg.MetadataValue.json(done.mart_rows),
                "working_copy_seconds": round(scope.copy_seconds, 3),
                "publish_seconds": round(done.seconds, 3),
                "journal_entries_cleared": done.pending_cleared,
                "previous_warehouse": dg.MetadataValue.path(str(home.previous_warehouse)),
            }
        )

    return dg.Definitions(assets=[published_warehouse])
