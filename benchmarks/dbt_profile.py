"""Where a refresh's dbt time went: each dbt node's execution time, read from a run's Dagster events.

    python -m benchmarks.dbt_profile <DOTHI_HOME> [run_id] [--top N]

dagster-dbt records dbt's own ``Execution Duration`` on every model's materialization; the data tests
(asset checks) carry no duration, so they are counted, not timed. The latest run when no id is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NodeTime:
    step: str
    node: str
    seconds: float


def dbt_node_times(dagster_home: Path, run_id: str | None = None) -> tuple[str, list[NodeTime], dict[str, int]]:
    """(run id, models by execution time, descending; data tests evaluated per dbt step)."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.get() as instance:
        if run_id is None:
            runs = instance.get_runs(limit=1)
            if not runs:
                raise SystemExit(f"no Dagster run in {dagster_home}")
            run_id = runs[0].run_id
        records = instance.all_logs(run_id)
    times: list[NodeTime] = []
    checks: dict[str, int] = {}
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        step = event.step_key or ""
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            metadata = materialization.metadata
            duration = metadata.get("Execution Duration")
            unique_id = metadata.get("unique_id")
            if duration is not None and unique_id is not None:
                times.append(NodeTime(step, str(unique_id.value), float(str(duration.value))))
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and step.startswith("dbt_"):
            checks[step] = checks.get(step, 0) + 1
    return run_id, sorted(times, key=lambda t: -t.seconds), checks


def render(run_id: str, times: list[NodeTime], checks: dict[str, int], top: int) -> str:
    lines = [f"run {run_id}: {len(times)} dbt models, {sum(t.seconds for t in times):.1f} s of model time"]
    for step in sorted({t.step for t in times} | set(checks)):
        mine = [t for t in times if t.step == step]
        seconds = sum(t.seconds for t in mine)
        lines.append(f"  {step}: {len(mine)} models {seconds:.1f} s, {checks.get(step, 0)} data tests")
    lines.append(f"slowest {min(top, len(times))}:")
    lines += [f"  {t.seconds:8.2f} s  {t.node.removeprefix('model.dothi.')}" for t in times[:top]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="the DOTHI_HOME of the refresh")
    parser.add_argument("run_id", nargs="?")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    run_id, times, checks = dbt_node_times(args.home / "dagster", args.run_id)
    print(render(run_id, times, checks, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
