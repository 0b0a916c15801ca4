"""Baselines: the same job as dothi, written the way a user would (floor.sql, pandas_refresh.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def province_code() -> str:
    """The programme's province, the root of the locality tree: dbt's var province_code (stated once)."""
    return str(yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"]["province_code"])
