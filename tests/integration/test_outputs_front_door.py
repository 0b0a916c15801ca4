"""The Dagster UI as the front door: groups, descriptions, owners, kinds on every asset; checks described."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.definitions import build_definitions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def test_groups(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"intake", "reference", "staging", "intermediate", "marts", "quality", "reports"} <= groups
    reports = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).group_name == "reports"}
    assert {"reports/progress_report", "reports/dashboard", "reports/dbt_docs", "reports/refresh_summary"} <= reports


def test_every_asset_has_description_owner_and_kinds(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        name = key.to_user_string()
        assert node.description and node.description.strip(), f"{name}: no description"
        assert node.owners, f"{name}: no owner"
        assert node.kinds, f"{name}: no kinds"
    marts = graph.get(dg.AssetKey(["marts", "fct_target_gaps"]))
    assert "dothi/bi_contract" in marts.metadata and marts.tags.get("layer") == "marts"


def test_every_check_is_described(defs: dg.Definitions) -> None:
    specs = [spec for item in defs.assets or [] if isinstance(item, dg.AssetsDefinition) for spec in item.check_specs]
    specs += [spec for item in defs.asset_checks or [] for spec in item.check_specs]
    assert specs
    undescribed = [spec.key for spec in specs if not spec.description]
    assert not undescribed, undescribed[:5]
