"""The Dagster definitions load and validate: job, schedule, sensor, assets and checks."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.definitions import build_definitions
from orchestration.defs.automation import NIGHTLY_JOB, inbox_sensor
from orchestration.resources import DothiHomeResource


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def test_definitions_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)


def test_job_schedule_and_sensor(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(NIGHTLY_JOB)
    assert job.name == NIGHTLY_JOB
    schedule = defs.resolve_schedule_def("nightly_refresh_0100")
    assert schedule.cron_schedule == "0 1 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == NIGHTLY_JOB
    sensor = defs.resolve_sensor_def("inbox_sensor")
    assert sensor.job_name == NIGHTLY_JOB


def test_assets_and_checks_present(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for expected in [
        "raw/figures",
        "raw/submissions",
        "quality/gx_findings",
        "marts/fct_indicator_values",
        "marts/fct_target_gaps",
        "marts/fct_dq_issues",
        "marts/fct_submissions",
        "reports/refresh_summary",
    ]:
        assert expected in keys, expected
    check_names = {key.name for key in graph.asset_check_keys}
    assert any(name.startswith("gx_") for name in check_names), check_names


def test_inbox_sensor_uses_content_run_keys(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.csv").write_text("indicator,value\nX,1\n", encoding="utf-8")
    resource = DothiHomeResource(root=str(tmp_path))

    with dg.build_sensor_context(resources={"dothi_home": resource}) as context:
        first = inbox_sensor(context)
        assert isinstance(first, dg.RunRequest)
        # The same file seen again (cursor carried over): no second run. (`with`: the resource has a
        # setup/teardown, the run's lock, so its context must be entered.)
        with dg.build_sensor_context(cursor=context.cursor, resources={"dothi_home": resource}) as again_context:
            again = inbox_sensor(again_context)
        assert isinstance(again, dg.SkipReason)

    # The same bytes under another name in a fresh sensor yield the same run key (deduplicated by Dagster).
    (inbox / "a.csv").rename(inbox / "copy of a.csv")
    with dg.build_sensor_context(resources={"dothi_home": resource}) as context:
        renamed = inbox_sensor(context)
    assert isinstance(renamed, dg.RunRequest) and renamed.run_key == first.run_key
