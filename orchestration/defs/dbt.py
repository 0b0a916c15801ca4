"""The dbt project as Dagster assets: seeds → staging → intermediate → marts.

Two selections of one project: ``fct_dq_issues`` (tag ``dq_findings``) reads what Great Expectations
found, so it is built after the quality step, while everything else is built before it.

The per-figure models are incremental by period (dbt_project/README.md, "Incremental refresh"). A build
is a full rebuild (``--full-refresh``) when the run asks for it (``dothi refresh --full``: run tag
``dothi/full=true``) or when the dbt project (models, macros, seeds, config) differs from the one that
built the published warehouse: incremental rows are only as good as the logic that wrote them. dbt unit
tests are left out of the nightly build (they test the code, not the data); pytest runs them.
"""

import shutil
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.intake import FULL_REFRESH_TAG
from orchestration.publishing import published_inputs
from orchestration.resources import (
    DothiHomeResource,
    dbt_project,
    dbt_project_fingerprint,
    dbt_resource,
    prepare_dbt_manifest,
)

FINDINGS_SELECTION = "tag:dq_findings"

# What a dbt invocation's stream yields to Dagster.
DbtEvent = dg.Output | dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckResult | dg.AssetCheckEvaluation
_GROUP_BY_SCHEMA = {"reference": "reference", "staging": "staging", "intermediate": "intermediate"}


class DothiDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = (dbt_resource_props.get("config") or {}).get("schema")
        if FINDINGS_SELECTION.removeprefix("tag:") in (dbt_resource_props.get("tags") or []):
            return "quality"
        return _GROUP_BY_SCHEMA.get(schema or "", "marts")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data-engineering"]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        # The layer as a tag, so the UI can filter "layer=marts" (the BI contract) at a glance.
        schema = (dbt_resource_props.get("config") or {}).get("schema")
        return {**super().get_tags(dbt_resource_props), "layer": str(schema or "marts")}

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        config = dbt_resource_props.get("config") or {}
        if config.get("schema") == "marts":
            metadata["dothi/bi_contract"] = (
                "Public mart: columns documented and persisted as DuckDB comments; contract enforced. "
                "See docs/bi.md and reports/dbt_docs/index.html."
            )
        metadata["dothi/relation"] = f"{config.get('schema') or ''}.{dbt_resource_props.get('name')}"
        return metadata

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        # dbt's generic tests rarely carry a description: say what the test checks, in words.
        test = (manifest.get("nodes") or {}).get(unique_id) or {}
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        column = kwargs.get("column_name")
        severity = (test.get("config") or {}).get("severity", "error")
        what = meta.get("name") or test.get("name") or "test"
        where = f"column {column} of {asset_spec.key.to_user_string()}" if column else asset_spec.key.to_user_string()
        return spec._replace(description=f"dbt test {what} on {where} (severity {severity.lower()}).")


def _translator() -> DothiDbtTranslator:
    return DothiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# Unit tests run in pytest (tests/integration/test_incremental_refresh.py), not in every refresh.
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


def full_rebuild_reason(run_tags: Mapping[str, str], published_dbt_project: str | None) -> str | None:
    """Why this build must rebuild every model from scratch, or None for an incremental build."""
    if run_tags.get(FULL_REFRESH_TAG) == "true":
        return "asked for (dothi refresh --full)"
    if published_dbt_project != dbt_project_fingerprint():
        # A changed model, macro, seed or config: rows kept by an incremental build would be stale.
        # No published warehouse (first build): the tables don't exist, dbt builds them in full anyway.
        return "the dbt project differs from the one that built the published warehouse"
    return None


# An incremental build runs one model at a time. Its models replace a few periods of tables of millions of
# rows, and two of them side by side shared DuckDB's 1 GB cap and ran out of memory at national scale
# (int_checks__value_range beside int_values__by_channel); each alone fits. DuckDB still uses every core
# inside a query: a second dbt thread mostly overlapped the small data tests (a few seconds on the sample).
INCREMENTAL_THREADS = ("--threads", "1")


def build_args(full_reason: str | None) -> list[str]:
    return [*BUILD_ARGS, "--full-refresh"] if full_reason else [*BUILD_ARGS, *INCREMENTAL_THREADS]


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, dothi_home: DothiHomeResource) -> Iterator[DbtEvent]:
    home = dothi_home.export_env()
    reason = full_rebuild_reason(context.run.tags, published_inputs(home).get("dbt_project"))
    # fct_dq_issues (full_refresh=false) keeps its findings history even then.
    context.log.info(f"dbt: full rebuild, {reason}" if reason else "dbt: incremental build (touched periods only)")
    # The run's dbt invocations share one target folder (work/<run_id>/dbt, removed at publish, kept when
    # the run fails): the second one and the docs then parse incrementally from the first one's parse.
    shared = dothi_home.dbt_target_path()
    invocation = dbt.cli(build_args(reason), context=context, target_path=shared)
    yield from invocation.stream()
    dothi_home.keep_dbt_parse()
    if shared is None:  # a folder of its own: kept only when dbt failed (its dbt.log says why)
        shutil.rmtree(invocation.target_path, ignore_errors=True)


def dbt_definitions() -> dg.Definitions:
    project = prepare_dbt_manifest(dbt_project())
    translator = _translator()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_warehouse",
        exclude=FINDINGS_SELECTION,
        dagster_dbt_translator=translator,
    )
    def dbt_warehouse(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, dothi_home: DothiHomeResource
    ) -> Iterator[DbtEvent]:
        """Seeds, staging, intermediate and marts (all but the findings mart)."""
        yield from _build(context, dbt, dothi_home)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_dq_findings",
        select=FINDINGS_SELECTION,
        dagster_dbt_translator=translator,
    )
    def dbt_dq_findings(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, dothi_home: DothiHomeResource
    ) -> Iterator[DbtEvent]:
        """The findings mart: dbt-side findings plus the latest Great Expectations findings."""
        yield from _build(context, dbt, dothi_home)

    return dg.Definitions(assets=[dbt_warehouse, dbt_dq_findings], resources={"dbt": dbt_resource(project)})
