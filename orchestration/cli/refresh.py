"""`dothi refresh`: runs the nightly_refresh job in-process (the same job the schedule and sensor launch)."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
from pathlib import Path

from orchestration.cli.environment import export_environment

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sources" / "sample" / "submissions"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("refresh", help="run the nightly refresh now, over whatever is in the inbox")
    parser.add_argument("--sample", action="store_true", help="first copy the bundled sample submissions in")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--verbose", action="store_true", help="show Dagster and dbt logs")
    parser.set_defaults(handler=lambda args: refresh_command(args.sample, args.json, args.verbose))


def copy_sample(inbox: Path) -> int:
    count = 0
    for path in sorted(SAMPLE_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, inbox / path.name)
            count += 1
    return count


def refresh_command(sample: bool, as_json: bool, verbose: bool) -> int:
    home = export_environment()
    say = (lambda *_: None) if as_json else (lambda text: print(text, flush=True))
    if sample:
        say(f"Copied {copy_sample(home.inbox)} sample submission(s) into {home.inbox}")
    say("Preparing the dbt project…")

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.defs.automation import NIGHTLY_JOB
    from orchestration.resources import prepare_dbt_manifest
    from orchestration.summary import RefreshSummary

    prepare_dbt_manifest(force=True)
    job = build_definitions().resolve_job_def(NIGHTLY_JOB)
    say(f"Running job {NIGHTLY_JOB} (intake → dbt → quality → findings → report) on {home.root}…")
    log_level = "INFO" if verbose else "ERROR"
    # dagster-dbt echoes dbt's output on stdout: keep it in a log file unless asked to show it.
    log_path = home.root / "logs" / "last_refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        dg.DagsterInstance.get() as instance,
        open(log_path, "w", encoding="utf-8") as log_file,
        contextlib.nullcontext() if verbose else contextlib.redirect_stdout(log_file),
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"dothi/trigger": "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    if not result.success:
        failed = [event for event in result.all_events if event.is_step_failure]
        print(f"Refresh FAILED (run {result.run_id}); dbt output in {log_path}:", file=sys.stderr)
        for event in failed:
            error = event.step_failure_data.error
            print(f"  step {event.step_key}: {error.message.strip() if error else 'failed'}", file=sys.stderr)
        return 1

    intake = _intake_metadata(result)
    summary_path = home.reports / "refresh_summary.json"
    summary = RefreshSummary(**json.loads(summary_path.read_text(encoding="utf-8")))
    if as_json:
        print(json.dumps({"run_id": result.run_id, "this_run": intake, **summary.to_dict()}, ensure_ascii=False))
        return 0
    print(f"\nRefresh finished (run {result.run_id}).")
    if intake:
        print(
            "This run: {files_seen} file(s) in the inbox, {files_accepted} accepted, "
            "{files_accepted_with_rejections} accepted with rejected rows, {files_quarantined} quarantined, "
            "{duplicates_skipped} already ingested.".format(**intake)
        )
    print(summary.to_text())
    print(f"Reports: {home.reports}")
    return 0


def _intake_metadata(result) -> dict:
    import dagster as dg

    for materialization in result.asset_materializations_for_node("intake"):
        if materialization.asset_key == dg.AssetKey(["raw", "submissions"]):
            return {key: value.value for key, value in materialization.metadata.items() if key != "outcomes"}
    return {}
