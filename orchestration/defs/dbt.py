"""The dbt project as Dagster assets: seeds → staging → intermediate → marts.

Two selections of one project: ``fct_dq_issues`` (tag ``dq_findings``) reads what Great Expectations
found, so it is built after the quality step, while everything else is built before it.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import DothiHomeResource, dbt_project, dbt_resource, prepare_dbt_manifest

FINDINGS_SELECTION = "tag:dq_findings"

_GROUP_BY_SCHEMA = {"reference": "reference", "staging": "staging", "intermediate": "intermediate"}


class DothiDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = (dbt_resource_props.get("config") or {}).get("schema")
        if FINDINGS_SELECTION.removeprefix("tag:") in (dbt_resource_props.get("tags") or []):
            return "quality"
        return _GROUP_BY_SCHEMA.get(schema, "marts")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data-engineering"]


def _translator() -> DothiDbtTranslator:
    return DothiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


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
    def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, dothi_home: DothiHomeResource):
        """Seeds, staging, intermediate and marts (all but the findings mart)."""
        dothi_home.export_env()
        yield from dbt.cli(["build"], context=context).stream()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_dq_findings",
        select=FINDINGS_SELECTION,
        dagster_dbt_translator=translator,
    )
    def dbt_dq_findings(context: dg.AssetExecutionContext, dbt: DbtCliResource, dothi_home: DothiHomeResource):
        """The findings mart: dbt-side findings plus the latest Great Expectations findings."""
        dothi_home.export_env()
        yield from dbt.cli(["build"], context=context).stream()

    return dg.Definitions(assets=[dbt_warehouse, dbt_dq_findings], resources={"dbt": dbt_resource(project)})
