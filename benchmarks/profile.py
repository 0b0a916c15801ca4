"""Where a sample refresh's fixed cost goes: each component timed alone, in a fresh process.

    python -m benchmarks.profile [--code worktree] [--repeat 2]

Prints a markdown table (best of --repeat): interpreter start, the heavy imports, Dagster definitions,
a `dbt parse` (full and partial), a bare dbt process, and each dbt invocation's own elapsed time vs the
Dagster step that wraps it (from the last sample benchmark run). Complements a cProfile / py-spy run:

    python -X importtime -m cProfile -o refresh.prof -m orchestration.cli refresh --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from benchmarks import run as harness

PY = sys.executable
COMPONENTS: list[tuple[str, list[str]]] = [
    ("python start (`python -c pass`)", [PY, "-c", "pass"]),
    ("`dothi --help`", [str(harness.BIN / "dothi"), "--help"]),
    ("import duckdb", [PY, "-c", "import duckdb"]),
    ("import pandas", [PY, "-c", "import pandas"]),
    ("import dagster", [PY, "-c", "import dagster"]),
    ("import dagster_dbt", [PY, "-c", "import dagster_dbt"]),
    ("import great_expectations", [PY, "-c", "import great_expectations"]),
    ("import dbt.cli.main (what every dbt process pays)", [PY, "-c", "import dbt.cli.main"]),
    ("import orchestration.definitions", [PY, "-c", "import orchestration.definitions"]),
    (
        "definitions: import + build_definitions() (manifest prepared)",
        [PY, "-c", "from orchestration.definitions import build_definitions; build_definitions()"],
    ),
    (
        "import expectations.run (GX, pandas)",
        [PY, "-c", "import expectations.run"],
    ),
]


def best(label: str, cmd: list[str], env: dict[str, str], repeat: int) -> harness.Measurement:
    runs = [harness.measure(label, cmd, env) for _ in range(repeat)]
    return min(runs, key=lambda m: m.seconds or 1e9)


def dbt_parse(env: dict[str, str], project: Path, target: Path, repeat: int) -> list[harness.Measurement]:
    cmd = [
        str(harness.BIN / "dbt"),
        "parse",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
    ]
    shutil.rmtree(target, ignore_errors=True)
    full = harness.measure("dbt parse (no partial parse state)", cmd, env)
    partial = best("dbt parse (partial parse, nothing changed)", cmd, env, repeat)
    return [full, partial]


def invocations(project: Path) -> list[list[str]]:
    """dbt's own elapsed time and Σ node time per invocation dir under <project>/target (latest run)."""
    rows = []
    dirs = sorted((project / "target").glob("dbt_*-*"), key=lambda p: p.stat().st_mtime)[-2:]
    for d in dirs:
        results = json.loads((d / "run_results.json").read_text(encoding="utf-8"))
        kinds: dict[str, float] = {}
        for r in results["results"]:
            kind = r["unique_id"].split(".")[0]
            kinds[kind] = kinds.get(kind, 0.0) + r["execution_time"]
        spent = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
        rows.append([d.name.rsplit("-", 2)[0], f"{results['elapsed_time']:.1f} s", str(len(results["results"])), spent])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", choices=["head", "worktree"], default="head")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    code = harness.use_code(args.code)
    paths = harness.Paths(Path("/tmp/bench-data/sample"), Path("/tmp/bench-profile"))
    paths.home.mkdir(parents=True, exist_ok=True)
    env = harness.dothi_env("profile", paths)
    rows = []
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    for label, cmd in COMPONENTS:
        m = best(label, cmd, env, args.repeat)
        rows.append([label, harness.fmt_seconds(m.seconds), f"{m.peak_rss_mb:.0f} MB", f"{m.load_before:.1f}", m.note])
    project = harness.CODE / "dbt_project"
    for m in dbt_parse(
        {**env, "DOTHI_WAREHOUSE": str(paths.home / "w.duckdb")},
        project,
        Path("/tmp/bench-profile/target"),
        args.repeat,
    ):
        rows.append(
            [m.label, harness.fmt_seconds(m.seconds), f"{m.peak_rss_mb:.0f} MB", f"{m.load_before:.1f}", m.note]
        )
    print(f"Components, each in a fresh process, best of {args.repeat} ({started}; {code}):\n")
    print(harness.markdown_table(["component", "wall", "peak RSS", "load", "note"], rows))
    inv = invocations(project)
    if inv:
        print("\ndbt's own time per invocation (run_results.json of the latest refresh of this code):\n")
        print(harness.markdown_table(["invocation", "dbt elapsed", "nodes", "node time by type"], inv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
