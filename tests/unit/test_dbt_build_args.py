"""How the nightly dbt build is invoked: incremental by default, full when asked or when the dbt project changed;
never the unit tests (they run in tests/integration/test_incremental_refresh.py)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from orchestration.defs.dbt import build_args, full_rebuild_reason
from orchestration.defs.intake import FULL_REFRESH_TAG
from orchestration.publishing import AS_OF_ENV, now_local, run_day
from orchestration.resources import dbt_project_fingerprint


def test_incremental_when_the_published_warehouse_was_built_by_this_dbt_project() -> None:
    reason = full_rebuild_reason({}, dbt_project_fingerprint())
    assert reason is None
    # one model at a time: two incremental models side by side ran out of memory at national scale
    assert build_args(reason) == ["build", "--exclude-resource-type", "unit_test", "--threads", "1"]


def test_full_when_asked() -> None:
    reason = full_rebuild_reason({FULL_REFRESH_TAG: "true"}, dbt_project_fingerprint())
    assert reason and "--full" in reason
    assert build_args(reason) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_full_when_the_dbt_project_changed_or_nothing_was_published() -> None:
    assert full_rebuild_reason({}, "an older fingerprint")
    assert full_rebuild_reason({}, None)
    assert full_rebuild_reason({FULL_REFRESH_TAG: "false"}, "an older fingerprint")


def test_the_run_day_is_the_environment_s_or_today_in_vietnam(monkeypatch) -> None:
    monkeypatch.setenv(AS_OF_ENV, "2025-12-31")
    assert run_day() == date(2025, 12, 31)
    monkeypatch.setenv(AS_OF_ENV, "31/12/2025")
    with pytest.raises(ValueError, match="DOTHI_AS_OF_DATE='31/12/2025' is not a date: write it as YYYY-MM-DD"):
        run_day()
    monkeypatch.delenv(AS_OF_ENV)
    # A server clock in UTC is seven hours behind Vietnam: at 20:00 UTC it is already tomorrow there.
    assert run_day() == datetime.now(timezone(timedelta(hours=7))).date() == now_local().date()
