"""Resources: where dothi's runtime home is, and how dbt is invoked against its warehouse."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version
from pydantic import PrivateAttr

from orchestration.publishing import RunScope, begin_run, end_run, run_day
from sources.home import DothiHome
from sources.reference import DBT_SEED_PATH_ENV, dbt_seed_path, seeds_dir

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
DBT_AS_OF_ENV = "DOTHI_DBT_AS_OF_DATE"
PARTIAL_PARSE = "partial_parse.msgpack"


def _trigger(tags: dict[str, str]) -> str:
    if "dothi/trigger" in tags:
        return tags["dothi/trigger"]
    if "dagster/schedule_name" in tags:
        return "schedule"
    if "dagster/sensor_name" in tags:
        return "sensor"
    return "ui"


class DothiHomeResource(dg.ConfigurableResource):
    """The runtime home; empty means ``DOTHI_HOME`` (default ``./var``), read when a run starts.

    In a run (CLI, schedule, sensor or UI alike) the resource is the single writer's gate: its setup
    takes the refresh lock and makes the run's working copy of the warehouse, its teardown releases the
    lock (see orchestration/publishing.py). The job runs in-process, so that is once per run.
    """

    root: str = ""
    _scope: RunScope | None = PrivateAttr(default=None)

    def home(self) -> DothiHome:
        home = DothiHome(Path(self.root).resolve()) if self.root else DothiHome.from_env()
        return home.ensure()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.run
        if run is None:  # sensor evaluation, definitions loading: no writing, no lock
            return
        log = context.log

        def waiting(holder: dict) -> None:
            if log is not None:
                who = f"run {holder.get('run_id')} (pid {holder.get('pid')})"
                log.warning(f"another refresh is running ({who}): waiting for the refresh lock")

        from orchestration.run_history import mark_dead_runs, tag_process

        if context.instance is not None:  # lets a later refresh tell whether this process is alive
            tag_process(context.instance, run.run_id)
        self._scope = begin_run(self.home(), run.run_id, trigger=_trigger(dict(run.tags)), on_wait=waiting)
        # Under the lock: a run still "in progress" in the history that held it, or whose process is gone, died.
        dead_runs = mark_dead_runs(context.instance, self._scope.home, run.run_id) if context.instance else []
        for dead in dead_runs:
            if log is not None:
                log.warning(f"run {dead} had died mid-way: marked failed in the run history")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._scope is not None:
            # No link to a folder about to go (published) or to be kept for inspection: a home stays copyable.
            self._scope.home.dbt_run_link.unlink(missing_ok=True)
            step = error = None
            if not self._scope.published and context.run is not None and context.instance is not None:
                from orchestration.run_history import failed_step

                step, error = failed_step(context.instance, context.run.run_id)
            end_run(self._scope, error=error, step=step)
            self._scope = None

    @property
    def run_scope(self) -> RunScope | None:
        """The current run's lock and working copy (None outside a run)."""
        return self._scope

    def build_warehouse(self) -> Path:
        """The DuckDB file this run writes and reads: every step of a refresh goes through here.

        In a run: the run's working copy (``work/<run_id>/warehouse.duckdb``), published by the last
        asset. Outside a run: the published warehouse, which must then only be opened read-only.
        """
        return self._scope.working if self._scope is not None else self.home().warehouse

    def dbt_warehouse(self) -> Path:
        """The path dbt is given for the run's working copy: the same every night, ``dbt/run/warehouse.duckdb``
        with ``dbt/run`` a link to ``work/<run_id>`` (outside a run: the published warehouse).

        dbt reuses a saved parse only if the profile (its path included) is unchanged; a path per run cost
        every refresh a full parse (~5 s). The link is to the run's folder, not to the file, so DuckDB's WAL
        lands beside the working copy. Only the lock holder repoints it.
        """
        if self._scope is None:
            return self.home().warehouse
        link = self._scope.home.dbt_run_link
        target = os.path.relpath(self._scope.work_dir, link.parent)
        if not (link.is_symlink() and os.readlink(link) == target):
            link.parent.mkdir(parents=True, exist_ok=True)
            tmp = link.with_name(f".run.{os.getpid()}")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(target, target_is_directory=True)
            os.replace(tmp, link)
        return link / self._scope.working.name

    def dbt_target_path(self) -> Path | None:
        """A folder the run's dbt invocations can share (``work/<run_id>/dbt``); None outside a run.

        dbt saves its parsed project there (partial_parse.msgpack); a later invocation (same profile, thanks
        to ``dbt_warehouse``) then parses incrementally instead of from scratch (~5 s of CPU). The folder
        starts with the parse the last run kept (``keep_dbt_parse``): dbt checks it against the project,
        profile, vars and env vars, and parses afresh if anything differs. Removed with the working copy at
        publish, kept when the run fails.
        """
        if self._scope is None:
            return None
        target = self._scope.work_dir / "dbt"
        kept = self._scope.home.dbt_state / PARTIAL_PARSE
        if not (target / PARTIAL_PARSE).exists() and kept.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kept, target / PARTIAL_PARSE)
        return target

    def keep_dbt_parse(self) -> None:
        """Keep this run's dbt parse (``dbt/partial_parse.msgpack``) for the next run to start from."""
        if self._scope is None:
            return
        parsed = self._scope.work_dir / "dbt" / PARTIAL_PARSE
        if parsed.is_file():
            kept = self._scope.home.dbt_state / PARTIAL_PARSE
            kept.parent.mkdir(parents=True, exist_ok=True)
            tmp = kept.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
            shutil.copy2(parsed, tmp)
            os.replace(tmp, kept)

    def published_warehouse(self) -> Path:
        """What BI tools read; open it with ``read_only=True``."""
        return self.home().warehouse

    def export_env(self) -> DothiHome:
        """Point dbt (a subprocess reading ``DOTHI_WAREHOUSE`` in profiles.yml) at the run's warehouse and day."""
        home = self.home()
        os.environ["DOTHI_HOME"] = str(home.root)
        os.environ["DOTHI_WAREHOUSE"] = str(self.dbt_warehouse())
        # The day the run reports as of, fixed when it started (macros/as_of_date.sql reads it).
        as_of = self._scope.as_of_date if self._scope is not None else run_day()
        os.environ[DBT_AS_OF_ENV] = as_of.isoformat()
        return home


def dbt_project() -> DbtProject:
    # DOTHI_DBT_TARGET_PATH lets parallel checkouts/tests keep their dbt artefacts apart.
    target = os.environ.get("DOTHI_DBT_TARGET_PATH", "target")
    os.environ[DBT_SEED_PATH_ENV] = dbt_seed_path()  # DOTHI_SEEDS_DIR: dbt reads the seeds intake reads
    # dbt's own log file at debug level (every statement, every event) costs ~1.3 s of ~18 s per sample build;
    # at info it still holds each node's start, end and error. Set DBT_LOG_LEVEL_FILE=debug to dig.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=Path(target))


def dbt_executable() -> str:
    # dagster-dbt looks for `dbt` on PATH; a venv's python called directly doesn't put its bin/ there.
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


# What makes up the dbt project's behaviour: a change to any of these files needs a new manifest.
_DBT_PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def dbt_project_fingerprint() -> str:
    """SHA-256 over the dbt project's own files (models, macros, seeds, config), in a stable order. The seeds are
    read where dbt reads them (``DOTHI_SEEDS_DIR``, sources/reference.py ``seeds_dir``)."""
    digest = hashlib.sha256()
    seeds = seeds_dir()
    if seeds != (DBT_PROJECT_DIR / "seeds").resolve():  # another folder is another manifest (its seed paths)
        digest.update(b"seeds-dir\0" + str(seeds).encode() + b"\0")
    for name in _DBT_PROJECT_INPUTS:
        root = seeds if name == "seeds" else DBT_PROJECT_DIR / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.exists():
                rel = Path(name) / path.relative_to(root) if root.is_dir() else Path(name)
                digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or when the process dies
        yield


def prepare_dbt_manifest(project: DbtProject | None = None, force: bool = False) -> DbtProject:
    """Parse the dbt project into target/manifest.json (``prepare_if_dev`` does nothing outside ``dagster dev``).

    Parsing costs several seconds, so it is skipped while the project's files are unchanged since the last
    parse (their fingerprint is kept beside the manifest).
    """
    project = project or dbt_project()
    stamp = project.manifest_path.with_name("dothi_fingerprint.txt")
    fingerprint = dbt_project_fingerprint()

    def fresh() -> bool:
        return project.manifest_path.exists() and stamp.exists() and stamp.read_text() == fingerprint

    if force or not fresh():
        project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        # One parser at a time per target folder (tests, the UI and a refresh may start together).
        with _exclusive(project.manifest_path.with_suffix(".concurrent-update-lock")):
            if force or not fresh():
                os.environ.setdefault("DOTHI_WAREHOUSE", str(DothiHome.from_env().warehouse))
                # What DbtProject's preparer runs, through our resource: no `dbt --version` process first.
                dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
                stamp.write_text(fingerprint)
    return project


class DothiDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource without two costs paid on every invocation that dothi doesn't need.

    - ``_cli_version``: dagster-dbt runs ``dbt --version`` (a whole dbt process, ~3 s, plus a network
      check for a newer release) to tell dbt Core from dbt Fusion. Our executable is the dbt beside this
      interpreter, so its version is the installed dbt-core's.
    - ``_initialize_dbt_core_adapter``: an in-process dbt adapter (imports most of dbt-core, ~2 s), used
      only by ``fetch_row_counts``/``fetch_column_metadata``, which dothi doesn't call (row counts come
      from the reports step).

    Both are private hooks of dagster-dbt 0.29; tests/unit/test_overhead_dbt_resource.py fails if they move.
    """

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable).resolve() == (Path(sys.executable).parent / "dbt").resolve():
            return Version(importlib.metadata.version("dbt-core"))
        return super()._cli_version  # another dbt (on PATH): ask it

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    # DbtCliResource's own __init__ takes a DbtProject; the fields dagster's dataclass_transform reads say str.
    return DothiDbtCliResource(project_dir=project, dbt_executable=dbt_executable())  # type: ignore[arg-type]
