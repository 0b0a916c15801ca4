"""The benchmark harness: dothi vs the DuckDB floor vs a pandas script, on the same files.

    python -m benchmarks.run --scale sample                      # CI: ~1-2 min
    python -m benchmarks.run --scale province
    python -m benchmarks.run --scale national --intake-only --dothi-timeout 1200

Per scale: generate the files (benchmarks.generate, cached under --data), then, each in its own
process under a sampler of the whole process tree's RSS:
  dothi     a full refresh (`dothi refresh --json`; a synthetic scale's reference data as the overlay
            DOTHI_SEEDS_EXTRA=<scale>/reference), stage times from the Dagster run's step stats, then a
            no-op refresh (empty inbox) and an incremental one (one revised file);
  floor     benchmarks/baselines/floor.sql in DuckDB;
  pandas    benchmarks/baselines/pandas_refresh.py.
Files the floor cannot read natively (XLSX: no excel extension offline) are converted to CSV first,
outside the timing. Fixed overhead: `dothi --help`, Dagster definitions load. Writes
benchmarks/results/<scale>.md (+ .json) with the machine description.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from benchmarks.generate import DEFAULT_OUT, SCALES, generate, merge_seeds

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
BIN = Path(sys.executable).parent
# The dothi code under test: the committed HEAD (a `git archive` snapshot, so other engineers' uncommitted
# work in the checkout cannot break or skew a run) or the working tree (--code worktree).
CODE = REPO


def use_code(which: str) -> str:
    """Point every measured process at the code under test; returns its description."""
    global CODE
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    sha = sha.strip()
    if which == "worktree":
        CODE = REPO
        return f"the working tree at {REPO} (HEAD {sha} + uncommitted work)"
    snapshot = Path(f"/tmp/bench-code-{sha}")
    if not (snapshot / "dbt_project").exists():
        snapshot.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive.stdout, check=True)
    CODE = snapshot
    return f"commit {sha} (a `git archive` snapshot)"


STAGES = ("intake", "dbt build", "quality", "publish", "report")


# ============================================================================================
# Measuring a process tree
# ============================================================================================


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants (dbt runs as a child of Dagster)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.timeline: list[tuple[float, int]] = []  # (unix time, bytes): per-stage peaks from step windows
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._halt.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self.timeline.append((time.time(), total))
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


@dataclass
class Measurement:
    label: str
    seconds: float | None  # None: did not finish
    peak_rss_mb: float
    returncode: int | None
    load_before: float
    load_after: float
    output: dict = field(default_factory=dict)
    note: str = ""
    stage_peak_mb: dict[str, float] = field(default_factory=dict)  # filled for dothi runs (step windows)
    # RSS samples, kept out of the results file (asdict drops it in run_dothi)
    timeline: list[tuple[float, int]] = field(default_factory=list, repr=False)


def measure(label: str, cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> Measurement:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    # Own session: on timeout the whole tree (Dagster, dbt) is killed, nothing is left running.
    proc = subprocess.Popen(
        cmd,
        cwd=CODE,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    note = ""
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        seconds: float | None = time.perf_counter() - started
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        seconds, note = None, f"stopped after {timeout:.0f} s"
    peak = sampler.stop()
    output: dict = {}
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                output = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    if proc.returncode not in (0, None) and seconds is not None:  # a failed run has no meaningful time
        seconds = None
    if proc.returncode not in (0, None) and not note:
        note = f"exit {proc.returncode}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"[:300]
    return Measurement(
        label, seconds, round(peak / 2**20, 1), proc.returncode, load_before, os.getloadavg()[0], output, note,
        timeline=sampler.timeline,
    )


# ============================================================================================
# Table formatting (pure; unit-tested)
# ============================================================================================


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "—"
    return f"{a / b:.1f}×"


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def fmt_mb(mb: float | None) -> str:
    return "—" if mb is None else f"{mb:.0f} MB"


def fmt_rate(rows: int | None, s: float | None) -> str:
    if not rows or not s:
        return "—"
    rate = rows / s
    return f"{rate / 1000:.1f} k/s" if rate >= 1000 else f"{rate:.0f}/s"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def comparison_rows(dothi: float | None, floor: float | None, pandas: float | None) -> list[list[str]]:
    return [
        ["dothi / floor", ratio(dothi, floor)],
        ["dothi / pandas", ratio(dothi, pandas)],
        ["pandas / floor", ratio(pandas, floor)],
    ]


# ============================================================================================
# dothi's stage times (Dagster step stats)
# ============================================================================================


def stage_of(step_key: str) -> str:
    if step_key.startswith("intake"):
        return "intake"
    if step_key.startswith("dbt_"):
        return "dbt build"
    if step_key.startswith("gx_") or "quality" in step_key:
        return "quality"
    if "publish" in step_key:
        return "publish"
    if "summary" in step_key or "report" in step_key:
        return "report"
    return "other"


def step_windows(dagster_home: Path, run_id: str) -> dict[str, tuple[float, float]]:
    """(start, end) unix times of each step of one run, read from the persistent Dagster instance."""
    from dagster import DagsterInstance

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.start_time, s.end_time or s.start_time) for s in stats if s.start_time}


def step_stats(dagster_home: Path, run_id: str) -> dict[str, float]:
    """Seconds per step of one run."""
    return {k: round(end - start, 2) for k, (start, end) in step_windows(dagster_home, run_id).items()}


def stage_peaks(windows: dict[str, tuple[float, float]], timeline: list[tuple[float, int]]) -> dict[str, float]:
    """Peak RSS (MB) of the process tree while each stage's steps ran (steps run one at a time)."""
    peaks: dict[str, float] = {}
    for key, (start, end) in windows.items():
        during = [rss for t, rss in timeline if start <= t <= end]
        if during:
            stage = stage_of(key)
            peaks[stage] = max(peaks.get(stage, 0.0), round(max(during) / 2**20, 1))
    return peaks


def _measured(meas: Measurement, dagster_home: Path) -> dict:
    """A dothi run for the results file: its stage peaks from the RSS timeline, the timeline dropped."""
    if meas.returncode == 0 and meas.output.get("run_id"):
        meas.stage_peak_mb = stage_peaks(step_windows(dagster_home, meas.output["run_id"]), meas.timeline)
    return _plain(meas)


def _plain(meas: Measurement) -> dict:
    out = asdict(meas)
    out.pop("timeline")  # thousands of samples: not for the results file
    return out


def by_stage(steps: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, seconds in steps.items():
        out[stage_of(key)] = round(out.get(stage_of(key), 0.0) + seconds, 2)
    return out


# ============================================================================================
# One scale
# ============================================================================================


@dataclass
class Paths:
    data: Path  # generated scale: inbox/, reference/, manifest.json
    work: Path  # /tmp/bench-<scale>: home, merged seeds (for the baselines), converted CSVs

    @property
    def home(self) -> Path:
        return self.work / "home"

    @property
    def seeds(self) -> Path:
        return self.work / "seeds"

    @property
    def canon(self) -> Path:
        return self.work / "canon"


def prepare(scale: str, data_root: Path, regenerate: bool) -> tuple[Paths, dict]:
    data = data_root / scale
    if regenerate or not (data / "manifest.json").exists():
        print(f"generating {scale} into {data} …", flush=True)
        generate(scale, data_root)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    paths = Paths(data, Path(f"/tmp/bench-{scale}"))
    paths.work.mkdir(parents=True, exist_ok=True)
    if paths.seeds.exists():
        shutil.rmtree(paths.seeds)
    merge_seeds(data / "reference", paths.seeds, CODE / "dbt_project" / "seeds")
    return paths, manifest


def convert_for_baselines(scale: str, paths: Paths) -> dict:
    from benchmarks.baselines.convert import convert

    if paths.canon.exists():
        shutil.rmtree(paths.canon)
    inbox = paths.data / "inbox"
    # The sample holds cp1258, NFD, .xls and title blocks: all of it is converted. Synthetic scales: XLSX only.
    files = sorted(inbox.iterdir()) if scale == "sample" else sorted(inbox.glob("*.xlsx"))
    return convert(files, paths.canon)


def fill_inbox(paths: Paths) -> int:
    if paths.home.exists():
        shutil.rmtree(paths.home)
    inbox = paths.home / "inbox"
    inbox.mkdir(parents=True)
    count = 0
    for entry in os.scandir(paths.data / "inbox"):
        shutil.copyfile(entry.path, inbox / entry.name)
        count += 1
    return count


def dothi_command(extra: list[str]) -> list[str]:
    return [str(BIN / "dothi"), *extra]


def dothi_env(scale: str, paths: Paths) -> dict[str, str]:
    # A synthetic scale's communes, departments and indicators: the reference overlay a user would give.
    overlay = {"DOTHI_SEEDS_EXTRA": str(paths.data / "reference")} if scale != "sample" else {}
    return {
        **overlay,
        "DOTHI_HOME": str(paths.home),
        # Never the checkout's target/: other engineers run dbt there at the same time.
        "DOTHI_DBT_TARGET_PATH": f"/tmp/bench-target-{scale}",
        "GX_ANALYTICS_ENABLED": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # The code under test first; benchmarks/ (not in older commits) from the checkout.
        "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(CODE), str(REPO)])),
    }


def warehouse_counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    if not warehouse.exists():
        return {}
    queries = {
        "raw_figures": "select count(*) from raw.figures",
        "raw_rejected_rows": "select count(distinct file_sha256 || row_number) from raw.rejected_rows",
        "fct_indicator_values": "select count(*) from marts.fct_indicator_values",
        "fct_target_gaps_with_actual": "select count(*) from marts.fct_target_gaps where actual is not null",
        # the programme's province rows apart, so a difference with a baseline can be located
        "fct_indicator_values_province": "select count(*) from marts.fct_indicator_values where is_province",
        "fct_target_gaps_with_actual_province": (
            "select count(*) from marts.fct_target_gaps where actual is not null and is_province"
        ),
        # the baselines' disagreements: both channels of a unit below the province, beyond tolerance
        # (status minor or major; the province's aggregate-vs-total rows are not the baselines' job)
        "disagreements": (
            "select count(*) from marts.fct_reconciliation where comparison = 'locality_vs_department' and is_flagged"
        ),
        "fct_dq_issues": "select count(*) from marts.fct_dq_issues",
    }
    out: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for name, sql in queries.items():
            try:
                (row,) = conn.execute(sql).fetchall()  # a count: one row
                out[name] = row[0]
            except duckdb.Error:
                continue
    return out


def warm_up(scale: str, paths: Paths, timeout: float) -> dict:
    """An unmeasured refresh of the bundled sample in a throwaway home, with the scale's reference overlay:
    it leaves the dbt target as a nightly refresh finds it (the manifest and its fingerprint, dbt's partial
    parse, the docs cache), so the measured runs pay what a night pays and not a first install's costs."""
    home = paths.work / "warm-up-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(CODE / "sources" / "sample" / "submissions", home / "inbox")
    env = {**dothi_env(scale, paths), "DOTHI_HOME": str(home)}
    run = measure("warm-up refresh (sample)", dothi_command(["refresh", "--json"]), env, timeout)
    shutil.rmtree(home, ignore_errors=True)
    return {"seconds": run.seconds, "returncode": run.returncode}


def run_dothi(scale: str, paths: Paths, timeout: float) -> dict:
    warm = warm_up(scale, paths, timeout)
    files = fill_inbox(paths)
    env = dothi_env(scale, paths)
    full = measure("dothi refresh", dothi_command(["refresh", "--json"]), env, timeout)
    result: dict = {"files": files, "warm_up": warm, "full": _measured(full, paths.home / "dagster")}
    if full.seconds is None or full.returncode != 0:
        return result
    result["steps"] = step_stats(paths.home / "dagster", full.output["run_id"])
    result["stages"] = by_stage(result["steps"])
    result["counts"] = warehouse_counts(paths.home / "warehouse.duckdb")
    noop = measure("dothi no-op refresh", dothi_command(["refresh", "--json"]), env, timeout)
    result["noop"] = _measured(noop, paths.home / "dagster")
    if noop.returncode == 0:
        result["noop_stages"] = by_stage(step_stats(paths.home / "dagster", noop.output["run_id"]))
    # Incremental: one revised submission arrives after the full refresh.
    from benchmarks.revision import revised_submission

    name, data = revised_submission(paths.data / "inbox")
    (paths.home / "inbox" / name).write_bytes(data)
    one = measure("dothi incremental refresh", dothi_command(["refresh", "--json"]), env, timeout)
    result["incremental"] = {**_measured(one, paths.home / "dagster"), "file": name}
    if one.returncode == 0:
        result["incremental_stages"] = by_stage(step_stats(paths.home / "dagster", one.output["run_id"]))
    return result


def run_intake_only(scale: str, paths: Paths, timeout: float) -> dict:
    fill_inbox(paths)
    cmd = [sys.executable, "-m", "benchmarks.intake_only", "--max-seconds", str(timeout)]
    return _plain(measure("dothi intake only", cmd, dothi_env(scale, paths), timeout + 300))


def run_baselines(scale: str, paths: Paths, timeout: float, pandas: bool = True) -> dict:
    inbox = "-" if scale == "sample" else str(paths.data / "inbox")
    args = [inbox, str(paths.canon), str(paths.seeds)]
    env = {"PYTHONPATH": str(REPO)}  # the baselines are benchmarks/ code, whatever dothi code is under test
    floor = measure("floor (DuckDB SQL)", [sys.executable, "-m", "benchmarks.baselines.floor", *args], env, timeout)
    out = {"floor": _plain(floor)}
    if pandas:
        cmd = [sys.executable, "-m", "benchmarks.baselines.pandas_refresh", *args]
        out["pandas"] = _plain(measure("pandas script", cmd, env, timeout))
    return out


def fixed_overhead(paths: Paths) -> dict:
    env = dothi_env("sample", paths)
    helps = [measure("dothi --help", [str(BIN / "dothi"), "--help"], env) for _ in range(3)]
    code = (
        "import time; t = time.perf_counter(); "
        "from orchestration.definitions import build_definitions; i = time.perf_counter() - t; "
        "build_definitions(); import json; "
        "print(json.dumps({'import': round(i, 2), 'load': round(time.perf_counter() - t, 2)}))"
    )
    defs = [measure("definitions load", [sys.executable, "-c", code], env) for _ in range(2)]
    best = lambda ms: min(ms, key=lambda m: m.seconds or 1e9)  # noqa: E731
    return {"help": _plain(best(helps)), "definitions": _plain(best(defs))}


# ============================================================================================
# Report
# ============================================================================================


def machine() -> dict[str, str]:
    import importlib.metadata as md

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    versions = {}
    for pkg in (
        "duckdb",
        "dbt-core",
        "dbt-duckdb",
        "dagster",
        "dagster-dbt",
        "great-expectations",
        "pandas",
        "pyarrow",
    ):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = "—"
    return {
        "cpu": f"{cpu} × {os.cpu_count()} logical cores",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
    }


def planted(manifest: dict) -> str:
    bad = sum(manifest.get(k, 0) for k in ("bad_value", "bad_locality", "bad_indicator"))
    return (
        f" ({manifest.get('files_X', 0)} XLSX; planted: {bad} bad rows, {manifest.get('disagreement', 0)} "
        f"disagreements beyond tolerance, {manifest.get('missing', 0)} blank self-reports, "
        f"{manifest.get('revisions', 0)} revised files)"
    )


# (baseline output key, dothi warehouse_counts key, label, the keys of the programme's province part or None)
SAME_JOB = [
    ("figures", "raw_figures", "figures", None),
    ("rows_rejected", "raw_rejected_rows", "rejected rows", None),
    (
        "consolidated",
        "fct_indicator_values",
        "consolidated",
        ("consolidated_province", "fct_indicator_values_province"),
    ),
    ("disagreements", "disagreements", "disagreements", None),
    (
        "gaps",
        "fct_target_gaps_with_actual",
        "gaps with actual",
        ("gaps_province", "fct_target_gaps_with_actual_province"),
    ),
]


def same_job_verdict(base: dict, counts: dict) -> list[str]:
    """Per result column: "equal", or the difference located from the figures (the programme's province rows
    vs the other rows), so the speed ratios are read knowing whether the job was the same."""
    outputs = {name: (meas or {}).get("output") or {} for name, meas in base.items()}
    out = []
    for base_key, dothi_key, label, province_keys in SAME_JOB:
        seen = {"dothi": counts.get(dothi_key), **{n: o.get(base_key) for n, o in outputs.items()}}
        got: dict[str, int] = {n: v for n, v in seen.items() if isinstance(v, int)}
        if len(got) < 2:
            continue
        if len(set(got.values())) == 1:
            out.append(f"- {label}: equal ({next(iter(got.values())):,}) in {', '.join(got)}.")
            continue
        text = f"- {label}: **differ** — " + ", ".join(f"{n} {v:,}" for n, v in got.items())
        if province_keys:
            base_part, dothi_part = province_keys
            raw_parts = {"dothi": counts.get(dothi_part), **{n: o.get(base_part) for n, o in outputs.items()}}
            parts: dict[str, int] = {n: v for n, v in raw_parts.items() if isinstance(v, int)}
            if all(n in parts for n in got):
                rest = {n: got[n] - parts[n] for n in got}
                where = (
                    "in the programme's province rows only"
                    if len(set(rest.values())) == 1
                    else "in the rows below the province"
                    + ("" if len({parts[n] for n in got}) == 1 else " and in the province rows")
                )
                text += (
                    f"; province rows {', '.join(f'{n} {parts[n]:,}' for n in got)}; other rows "
                    f"{', '.join(f'{n} {rest[n]:,}' for n in got)}: the difference lies {where}"
                )
        out.append(text + ".")
    return out


def warm_up_line(warm: dict | None) -> list[str]:
    if not warm:
        return []
    outcome = "" if warm.get("returncode") == 0 else f" (it failed: exit {warm.get('returncode')})"
    return [
        f"Warm, as a night finds it: before the measured runs an unmeasured refresh of the bundled sample in a "
        f"throwaway home ({fmt_seconds(warm.get('seconds'))}{outcome}) left the dbt target with the manifest, "
        "dbt's partial parse and the docs cache of this commit."
    ]


def report(scale: str, manifest: dict, result: dict) -> str:
    rows_in = manifest.get("rows") or result.get("baselines", {}).get("floor", {}).get("output", {}).get("rows_read")
    lines = [f"# Benchmark: `{scale}` scale", ""]
    m = result["machine"]
    lines += [
        f"Measured {result['when']} on {m['cpu']}, {m['ram']} RAM, {m['os']}, Python {m['python']}; "
        f"{m['versions']}. dothi measured: {result.get('code', m['commit'])}.",
        "The machine is shared (2 cores, other engineers' jobs running): each row notes the 1-min load average "
        "before → after. Peak RSS is the whole process tree (dbt included), sampled every 50 ms.",
        *warm_up_line(result.get("dothi", {}).get("warm_up")),
        "",
        f"Input: {manifest.get('files')} files, {rows_in or '?'} figure rows"
        + (planted(manifest) if "files_X" in manifest else "")
        + ".",
        "",
    ]
    dothi = result.get("dothi", {})
    base = result.get("baselines", {})
    table = []

    def add(label: str, meas: dict | None, rows: int | None = rows_in) -> None:
        if not meas:
            return
        table.append(
            [
                label,
                fmt_seconds(meas["seconds"]),
                fmt_rate(rows, meas["seconds"]),
                f"{meas['peak_rss_mb']:.0f} MB",
                f"{meas['load_before']:.1f} → {meas['load_after']:.1f}",
                meas.get("note", ""),
            ]
        )

    if dothi.get("full"):
        add("dothi refresh (end to end)", dothi["full"])
    if result.get("intake_only"):
        io_ = result["intake_only"]
        out = io_.get("output", {})
        note = (
            (
                f"{out.get('files_done')}/{out.get('files_total')} files in {out.get('seconds')} s; "
                f"{out.get('files_per_second')} files/s; {out.get('rows_per_second')} rows/s"
            )
            if out
            else io_.get("note", "")
        )
        table.append(
            [
                "dothi intake only (no Dagster/dbt/GX)",
                fmt_seconds(io_["seconds"]),
                fmt_rate((out.get("rows_accepted", 0) + out.get("rows_rejected", 0)) or None, out.get("seconds")),
                f"{io_['peak_rss_mb']:.0f} MB",
                f"{io_['load_before']:.1f} → {io_['load_after']:.1f}",
                note,
            ]
        )
    add("floor: DuckDB SQL", base.get("floor"))
    add("pandas script", base.get("pandas"))
    if dothi.get("noop"):
        add("dothi no-op refresh (empty inbox)", dothi["noop"], None)
    if dothi.get("incremental"):
        add(
            f"dothi incremental refresh (one revised file, `{dothi['incremental']['file']}`)",
            dothi["incremental"],
            None,
        )
    lines += ["## Whole refresh", "", markdown_table(["run", "wall", "rows/s", "peak RSS", "load", "note"], table), ""]
    dothi_s = dothi["full"]["seconds"] if dothi.get("full") else None
    floor_s = base.get("floor", {}).get("seconds")
    pandas_s = base.get("pandas", {}).get("seconds")
    ratios = comparison_rows(dothi_s, floor_s, pandas_s)
    if dothi_s and (dothi.get("incremental") or {}).get("seconds"):
        ratios.append(
            ["incremental / full refresh (goal ≤ 10 %)", f"{100 * dothi['incremental']['seconds'] / dothi_s:.0f} %"]
        )
    lines += ["## Ratios", "", markdown_table(["", "ratio"], ratios), ""]
    if dothi.get("stages"):
        stages = dothi["stages"]
        accounted = sum(stages.values())
        full_peaks = dothi["full"].get("stage_peak_mb") or {}
        incremental_peaks = (dothi.get("incremental") or {}).get("stage_peak_mb") or {}
        srows = [
            [
                s,
                fmt_seconds(stages.get(s)),
                fmt_rate(rows_in, stages.get(s)),
                fmt_mb(full_peaks.get(s)),
                fmt_seconds(dothi.get("noop_stages", {}).get(s)),
                fmt_seconds(dothi.get("incremental_stages", {}).get(s)),
                fmt_mb(incremental_peaks.get(s)),
            ]
            for s in (*STAGES, "other")
            if s in stages
        ]
        if dothi_s:
            srows.append(
                [
                    "start-up, dbt parse, Dagster (wall − steps)",
                    fmt_seconds(dothi_s - accounted),
                    "—",
                    "—",
                    fmt_seconds((dothi["noop"]["seconds"] or 0) - sum(dothi.get("noop_stages", {}).values()))
                    if dothi.get("noop")
                    else "—",
                    fmt_seconds(
                        (dothi["incremental"]["seconds"] or 0) - sum(dothi.get("incremental_stages", {}).values())
                    )
                    if dothi.get("incremental")
                    else "—",
                    "—",
                ]
            )
        lines += [
            "## dothi by stage (Dagster step stats)",
            "",
            markdown_table(["stage", "full refresh", "rows/s", "peak RSS", "no-op refresh", "incremental",
                            "incremental peak RSS"], srows),
            "",
            "Peak RSS per stage: the whole process tree (dbt included) while the stage's steps ran.",
            "",
            "Steps: " + ", ".join(f"`{k}` {v:.2f} s" for k, v in dothi["steps"].items()),
            "",
        ]
    if result.get("overhead"):
        o = result["overhead"]
        d = o["definitions"]
        lines += [
            "## Fixed overhead",
            "",
            markdown_table(
                ["what", "wall", "goal"],
                [
                    ["`dothi --help` (best of 3)", fmt_seconds(o["help"]["seconds"]), "< 1 s"],
                    [
                        "Dagster definitions load (new process, manifest prepared; best of 2)",
                        fmt_seconds(d["seconds"]) + f" (in-process: import {d['output'].get('import')} s, "
                        f"import+build {d['output'].get('load')} s)",
                        "< 3 s",
                    ],
                    ["no-op refresh (empty inbox)", fmt_seconds(dothi.get("noop", {}).get("seconds")), "no rebuild"],
                    [
                        "sample refresh end to end (fresh home; warm dbt target, see above)",
                        fmt_seconds(dothi_s),
                        "≤ 15 s (issue 15)",
                    ],
                ],
            ),
            "",
        ]
    checks = []
    for name, meas in (("floor", base.get("floor")), ("pandas", base.get("pandas"))):
        if meas and meas.get("output"):
            o = meas["output"]
            checks.append([name, str(o.get("rows_read", "—")), *(str(o.get(k, "—")) for k, *_ in SAME_JOB)])
    if dothi.get("counts"):
        c = dothi["counts"]
        checks.append(["dothi", "—", *(str(c.get(k, "—")) for _, k, *_ in SAME_JOB)])
    if checks:
        lines += [
            "## Same job? (result counts)",
            "",
            markdown_table(["", "rows read", *(label for _, _, label, _ in SAME_JOB)], checks),
            "",
            *same_job_verdict(base, dothi.get("counts") or {}),
            "",
        ]
    if result.get("conversion"):
        cv = result["conversion"]
        lines += [
            f"Conversion for the baselines, outside their timing: {cv['files']} files → CSV in {cv['seconds']} s "
            "(DuckDB's excel extension cannot be installed offline; see benchmarks/baselines/convert.py).",
            "",
        ]
    lines += [*(f"- {n}" for n in result.get("notes", [])), ""]
    return "\n".join(lines)


def failed_runs(result: dict) -> list[str]:
    """Labels of measured runs that exited non-zero or were stopped at their timeout: CI fails on them."""
    runs = [
        *(result.get("baselines") or {}).values(),
        *(result.get(k) for k in ("intake_only",)),
        *((result.get("dothi") or {}).get(k) for k in ("full", "noop", "incremental")),
    ]
    return [r["label"] for r in runs if r and r.get("returncode") not in (0, None)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "tiny"] + ["tiny"], default="sample")
    parser.add_argument("--data", type=Path, default=DEFAULT_OUT, help="where generated scales live (not the repo)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--intake-only", action="store_true", help="dothi: intake alone, bounded by --dothi-timeout")
    parser.add_argument("--skip-dothi", action="store_true")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--reuse-dothi", action="store_true", help="keep dothi's figures from results/<scale>.json")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--dothi-timeout", type=float, default=1800)
    parser.add_argument("--baseline-timeout", type=float, default=1800)
    parser.add_argument("--code", choices=["head", "worktree"], default="head", help="dothi code to measure")
    parser.add_argument("--note", action="append", default=[], help="a line for the results file")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write benchmarks/results/")
    args = parser.parse_args(argv)

    code = use_code(args.code)
    paths, manifest = prepare(args.scale, args.data, args.regenerate)
    result: dict = {
        "scale": args.scale,
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "manifest": manifest,
        "notes": list(args.note),
        "code": code,
    }
    if not args.skip_baselines:
        result["conversion"] = convert_for_baselines(args.scale, paths)
        result["baselines"] = run_baselines(args.scale, paths, args.baseline_timeout, not args.skip_pandas)
    if args.intake_only:
        result["intake_only"] = run_intake_only(args.scale, paths, args.dothi_timeout)
    elif args.reuse_dothi:
        previous = json.loads((RESULTS / f"{args.scale}.json").read_text(encoding="utf-8"))
        for key in ("dothi", "overhead"):
            if key in previous:
                result[key] = previous[key]
        result["notes"].append(f"dothi's figures reused from the run of {previous['when']} (same files, same code).")
    elif not args.skip_dothi:
        result["dothi"] = run_dothi(args.scale, paths, args.dothi_timeout)
    if args.scale == "sample" and not (args.skip_dothi or args.reuse_dothi):
        result["overhead"] = fixed_overhead(paths)
    text = report(args.scale, manifest, result)
    print(text)
    failed = failed_runs(result)
    for label in failed:
        print(f"FAILED: {label}", file=sys.stderr)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.scale}.md").write_text(text, encoding="utf-8")
        (RESULTS / f"{args.scale}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
