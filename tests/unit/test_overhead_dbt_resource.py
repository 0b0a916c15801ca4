"""The dbt resource skips dagster-dbt's `dbt --version` process and its unused in-process adapter."""

from __future__ import annotations

import importlib.metadata
import subprocess
from functools import cached_property

import pytest
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration.resources import DothiDbtCliResource, dbt_project, dbt_resource


def test_the_private_hooks_we_override_still_exist() -> None:
    # If a dagster-dbt upgrade renames them, our overrides silently stop saving time: fail here instead.
    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), cached_property)
    assert callable(DbtCliResource.__dict__.get("_initialize_dbt_core_adapter"))


def test_version_comes_from_the_installed_package_without_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_process(*args, **kwargs):
        raise AssertionError(f"unexpected subprocess: {args}")

    monkeypatch.setattr(subprocess, "check_output", no_process)
    resource = dbt_resource(dbt_project())
    assert isinstance(resource, DothiDbtCliResource)
    assert resource._cli_version == Version(importlib.metadata.version("dbt-core"))
    assert resource._cli_version.major < 2  # dbt Core, not Fusion: dagster-dbt parses Core's events


def test_no_in_process_adapter() -> None:
    assert dbt_resource(dbt_project())._initialize_dbt_core_adapter(["build"]) is None
