"""How the nightly dbt build is invoked: incremental by default, full when asked or when the dbt project changed;
never the unit tests (they run in tests/integration/test_incremental_refresh.py)."""

from orchestration.defs.dbt import build_args, full_rebuild_reason
from orchestration.defs.intake import FULL_REFRESH_TAG
from orchestration.resources import dbt_project_fingerprint


def test_incremental_when_the_published_warehouse_was_built_by_this_dbt_project() -> None:
    reason = full_rebuild_reason({}, dbt_project_fingerprint())
    assert reason is None
    assert build_args(reason) == ["build", "--exclude-resource-type", "unit_test"]


def test_full_when_asked() -> None:
    reason = full_rebuild_reason({FULL_REFRESH_TAG: "true"}, dbt_project_fingerprint())
    assert reason and "--full" in reason
    assert build_args(reason) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_full_when_the_dbt_project_changed_or_nothing_was_published() -> None:
    assert full_rebuild_reason({}, "an older fingerprint")
    assert full_rebuild_reason({}, None)
    assert full_rebuild_reason({FULL_REFRESH_TAG: "false"}, "an older fingerprint")
