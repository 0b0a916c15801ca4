"""`dothi refresh`: runs the nightly_refresh job in-process (the same job the schedule and sensor launch)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.cli.environment import export_environment

if TYPE_CHECKING:  # dagster is imported when a refresh runs, not for `--help`
    import dagster as dg

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sources" / "sample" / "submissions"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("refresh", help="run the nightly refresh now, over whatever is in the inbox")
    parser.add_argument("--sample", action="store_true", help="first copy the bundled sample submissions in")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--verbose", action="store_true", help="show Dagster and dbt logs")
    parser.add_argument(
        "--full", action="store_true",
        help="rebuild even when nothing is new (by default a refresh with no new files, on the same day and "
        "with the same dbt project, rebuilds nothing)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="when another refresh is running, wait this long for it before giving up "
        "(default: $DOTHI_LOCK_WAIT or 600; 0 = give up at once)",
    )
    parser.set_defaults(
        handler=lambda args: refresh_command(args.sample, args.json, args.verbose, args.wait, full=args.full)
    )


def copy_sample(inbox: Path) -> int:
    count = 0
    for path in sorted(SAMPLE_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, inbox / path.name)
            count += 1
    return count


def refresh_command(
    sample: bool, as_json: bool, verbose: bool, wait: float | None = None, *, full: bool = False,
    extra_tags: dict[str, str] | None = None,
) -> int:
    home = export_environment()
    if wait is not None:  # read by the run's resource when it takes the refresh lock
        os.environ["DOTHI_LOCK_WAIT"] = str(max(0.0, wait))
    say: Callable[[str], None] = (lambda _: None) if as_json else (lambda text: print(text, flush=True))
    from orchestration.publishing import busy_message, lock_holder, lock_wait_seconds

    # Fast path for people: say so at once rather than after preparing dbt. The run itself takes the
    # lock (in its resource), which is what also guards the schedule, the sensor and the UI.
    holder = lock_holder(home.lock_file)
    if holder is not None and lock_wait_seconds() == 0:
        print(f"Refresh NOT started: {busy_message(holder, 0)}", file=sys.stderr)
        return 75
    if sample:
        say(f"Copied {copy_sample(home.inbox)} sample submission(s) into {home.inbox}")
    say("Preparing the dbt project…")

    from orchestration.cli.instance import refresh_instance
    from orchestration.definitions import build_definitions
    from orchestration.defs.automation import NIGHTLY_JOB
    from orchestration.defs.intake import FULL_REFRESH_TAG
    from orchestration.resources import prepare_dbt_manifest
    from outputs.summary import RefreshSummary

    prepare_dbt_manifest()
    job = build_definitions().resolve_job_def(NIGHTLY_JOB)
    say(f"Running job {NIGHTLY_JOB} (intake → dbt → quality → findings → report) on {home.root}…")
    log_level = "INFO" if verbose else "ERROR"
    if not verbose:
        # A no-op refresh skips every step, so each blocking check "emitted no result": expected, not news.
        logging.getLogger("dagster._core.execution.plan.active").setLevel(logging.ERROR)
    # dagster-dbt echoes dbt's output on stdout: keep it in a log file unless asked to show it.
    log_path = home.root / "logs" / "last_refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        refresh_instance(home.dagster_home) as instance,
        open(log_path, "w", encoding="utf-8") as log_file,
        contextlib.nullcontext() if verbose else contextlib.redirect_stdout(log_file),
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"dothi/trigger": "cli", **({FULL_REFRESH_TAG: "true"} if full else {}), **(extra_tags or {})},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    # No daemon sees an in-process run: its alerts (failure, new error findings) are sent from here.
    from orchestration.defs.alerts import alert_after_cli_run, describe_deliveries

    alerts = alert_after_cli_run(home, result, log_path)
    if not result.success:
        busy = _busy_message(result)
        if busy:  # another refresh holds the lock: nothing was touched
            print(f"Refresh NOT started (run {result.run_id}): {busy}", file=sys.stderr)
            return 75  # EX_TEMPFAIL: try again later
        failed = [event for event in result.all_events if event.is_step_failure]
        print(
            f"Refresh FAILED (run {result.run_id}); nothing was published, {home.warehouse} is unchanged. "
            f"dbt output in {log_path}:",
            file=sys.stderr,
        )
        for event in failed:
            error = event.step_failure_data.error
            print(f"  step {event.step_key}: {error.message.strip() if error else 'failed'}", file=sys.stderr)
            # Dagster wraps the step's own exception: say what went wrong, not only where.
            cause = error.cause if error else None
            while cause is not None and cause.cause is not None:
                cause = cause.cause
            if cause is not None:
                print(f"    cause: {cause.message.strip()}", file=sys.stderr)
        if alerts:
            print(f"  alert: {describe_deliveries(alerts)}", file=sys.stderr)
        return 1

    intake = _intake_metadata(result)
    summary_path = home.reports / "refresh_summary.json"
    summary = RefreshSummary(**json.loads(summary_path.read_text(encoding="utf-8")))
    # This run's inbox notes, also when nothing was rebuilt (the summary file is then the last published one's).
    summary.inbox = list(intake.get("inbox_notes") or [])
    if as_json:
        print(json.dumps(
            {"run_id": result.run_id, "this_run": intake, **summary.to_dict(), "alerts": alerts}, ensure_ascii=False
        ))
        return 0
    print(f"\nRefresh finished (run {result.run_id}).")
    if intake.get("nothing_new"):
        seen = intake["files_seen"]
        inbox = f"{seen} file(s) in the inbox, all already ingested" if seen else "no file in the inbox to read"
        print(
            f"Nothing new since the last refresh ({inbox}): nothing rebuilt, the published warehouse is "
            "unchanged (`--full` rebuilds anyway)."
        )
    elif intake:
        print(
            "This run: {files_seen} file(s) in the inbox, {files_accepted} accepted, "
            "{files_accepted_with_rejections} accepted with rejected rows, {files_quarantined} quarantined, "
            "{duplicates_skipped} already ingested.".format(**intake)
        )
    print(summary.to_text())
    print(f"Reports: {home.reports}")
    if alerts:
        print(f"Alert (new error findings): {describe_deliveries(alerts)}")
    if intake.get("nothing_new"):
        return 0
    print(f"Published: {home.warehouse} (previous kept as {home.previous_warehouse.name}); "
          f"Parquet exports in {home.exports / 'latest'}")
    return 0


def _busy_message(result: dg.ExecuteInProcessResult) -> str | None:
    """The lock's message when the run could not start because another refresh is running."""
    for event in result.all_events:
        data = getattr(event, "event_specific_data", None)
        error = getattr(data, "error", None)
        while error is not None:
            if error.cls_name == "RefreshBusy":  # message: "orchestration.publishing.RefreshBusy: <text>"
                return error.message.split("RefreshBusy:", 1)[-1].strip()
            error = error.cause
    return None


def _intake_metadata(result: dg.ExecuteInProcessResult) -> dict:
    import dagster as dg

    events: list[dg.AssetMaterialization | dg.AssetObservation] = [
        *result.asset_materializations_for_node("intake"), *result.asset_observations_for_node("intake")
    ]
    for event in events:
        if event.asset_key == dg.AssetKey(["raw", "submissions"]):
            return {key: value.value for key, value in event.metadata.items() if key != "outcomes"}
    return {}
