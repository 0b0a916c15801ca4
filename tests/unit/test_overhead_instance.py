"""The CLI's Dagster instance: same run history on disk, written without an fsync per event."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.cli.instance import PooledSqliteEventLogStorage, refresh_instance


@dg.asset
def tiny() -> int:
    return 1


@dg.asset_check(asset=tiny)
def tiny_is_one() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _home(tmp_path: Path, config: str = "telemetry:\n  enabled: false\n") -> Path:
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(config, encoding="utf-8")
    return home


def test_runs_written_by_the_cli_are_read_by_the_stock_instance(tmp_path: Path) -> None:
    home = _home(tmp_path)
    with refresh_instance(home) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = dg.materialize([tiny, tiny_is_one], instance=instance)
        assert result.success
    # Closed cleanly: WAL checkpointed into the database files, nothing left beside them.
    assert not list((home / "history").rglob("*-wal"))
    with dg.DagsterInstance.from_config(str(home)) as stock:  # what `dothi ui` and the daemon use
        assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
        runs = stock.get_runs()
        assert [r.run_id for r in runs] == [result.run_id]
        assert runs[0].status == dg.DagsterRunStatus.SUCCESS
        assert stock.get_latest_materialization_event(dg.AssetKey("tiny")) is not None
        check = stock.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("tiny"), "tiny_is_one")]
        )
        assert check
        logs = stock.all_logs(result.run_id)
        assert any(r.dagster_event and r.dagster_event.event_type_value == "STEP_SUCCESS" for r in logs)


def test_a_configured_storage_is_left_alone(tmp_path: Path) -> None:
    home = _home(tmp_path, f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n")
    with refresh_instance(home) as instance:
        assert not isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
