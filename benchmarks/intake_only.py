"""Run dothi against a synthetic scale without touching the checkout: a *shadow* dbt project.

    python -m benchmarks.shadow --dbt-dir /tmp/bench-province/dbt_project refresh --json
    python -m benchmarks.shadow --dbt-dir ... --intake-only [--max-seconds 1200]

What dothi lacks to accept the synthetic scales is their reference data (synthetic communes, departments
and indicators), supplied here *in this process only*: the shadow dbt project is a copy of dbt_project/
whose seeds are the real seeds + the scale's overlay (benchmarks.generate.merge_seeds), and
``orchestration.resources.DBT_PROJECT_DIR`` and ``sources.reference.seeds_dir`` point at it. (Monthly
periods, once patched in here too, are native since commit daccba2.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from benchmarks.generate import REPO, merge_seeds


def build_shadow(scale_dir: Path, shadow: Path, code: Path = REPO) -> Path:
    """<shadow>/dbt_project: <code>/dbt_project without artefacts, seeds merged with <scale_dir>/reference."""
    target = shadow / "dbt_project"
    if target.exists():
        shutil.rmtree(target)
    source = code / "dbt_project"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "seeds"))
    merge_seeds(scale_dir / "reference", target / "seeds", source / "seeds")
    return target


def apply_patches(dbt_dir: Path) -> None:
    import orchestration.resources as resources
    import sources.reference as reference

    resources.DBT_PROJECT_DIR = dbt_dir
    reference.seeds_dir = lambda: dbt_dir / "seeds"


def intake_only(max_seconds: float) -> dict[str, object]:
    """The intake alone (no Dagster, no dbt), stopping cleanly after ``max_seconds``."""
    import sources.intake as intake
    from sources.home import DothiHome

    home = DothiHome.from_env().ensure()
    started = time.perf_counter()
    files = intake.list_inbox(home)
    original = intake.list_inbox
    deadline = started + max_seconds
    done = 0

    def bounded(_home: DothiHome):  # stop handing out files once the time budget is spent
        nonlocal done
        for path in files:
            if time.perf_counter() > deadline:
                return
            done += 1
            yield path

    intake.list_inbox = bounded  # type: ignore[assignment]
    try:
        report = intake.run_intake(home, run_id="bench-intake-only")
    finally:
        intake.list_inbox = original
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 2),
        "files_total": len(files),
        "files_done": report.files_seen,
        "complete": report.files_seen == len(files),
        "rows_accepted": report.rows_accepted,
        "rows_rejected": report.rows_rejected,
        "quarantined": report.quarantined,
        "files_per_second": round(report.files_seen / elapsed, 1) if elapsed else None,
        "rows_per_second": round((report.rows_accepted + report.rows_rejected) / elapsed) if elapsed else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbt-dir", type=Path, required=True)
    parser.add_argument("--intake-only", action="store_true")
    parser.add_argument("--max-seconds", type=float, default=1200)
    args, rest = parser.parse_known_args(argv)
    apply_patches(args.dbt_dir.resolve())
    if args.intake_only:
        print(json.dumps(intake_only(args.max_seconds)))
        return 0
    from orchestration.cli import main as dothi

    return dothi(rest)


if __name__ == "__main__":
    sys.exit(main())
