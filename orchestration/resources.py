"""Resources: where dothi's runtime home is, and how dbt is invoked against its warehouse."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from sources.home import DothiHome

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


class DothiHomeResource(dg.ConfigurableResource):
    """The runtime home; empty means ``DOTHI_HOME`` (default ``./var``), read when a run starts."""

    root: str = ""

    def home(self) -> DothiHome:
        home = DothiHome(Path(self.root).resolve()) if self.root else DothiHome.from_env()
        return home.ensure()

    def build_warehouse(self) -> Path:
        """The DuckDB file this run writes and reads: every step of a refresh goes through here."""
        return self.home().warehouse

    def export_env(self) -> DothiHome:
        """Point dbt (a subprocess reading ``DOTHI_WAREHOUSE`` in profiles.yml) at the run's warehouse."""
        home = self.home()
        os.environ["DOTHI_HOME"] = str(home.root)
        os.environ["DOTHI_WAREHOUSE"] = str(self.build_warehouse())
        return home


def dbt_project() -> DbtProject:
    # DOTHI_DBT_TARGET_PATH lets parallel checkouts/tests keep their dbt artefacts apart.
    target = os.environ.get("DOTHI_DBT_TARGET_PATH", "target")
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=Path(target))


def dbt_executable() -> str:
    # dagster-dbt looks for `dbt` on PATH; a venv's python called directly doesn't put its bin/ there.
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def prepare_dbt_manifest(project: DbtProject | None = None, force: bool = False) -> DbtProject:
    """Parse the dbt project into target/manifest.json (``prepare_if_dev`` does nothing outside ``dagster dev``)."""
    project = project or dbt_project()
    if force or not project.manifest_path.exists():
        os.environ.setdefault("DOTHI_WAREHOUSE", str(DothiHome.from_env().warehouse))
        # The preparer calls plain `dbt`: make the interpreter's own bin/ visible first.
        bin_dir = str(Path(sys.executable).parent)
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
        project.preparer.prepare(project)
    return project


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
