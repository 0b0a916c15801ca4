"""Baselines: the same job as dothi, written the way a user would (floor.sql, pandas_refresh.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    import pandas as pd

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def dbt_var(name: str) -> str:
    """A var of the dbt project (stated once, in dbt_project.yml)."""
    return str(yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"][name])


def province_code() -> str:
    """The programme's province, the root of the locality tree: dbt's var province_code."""
    return dbt_var("province_code")


def map_units(localities: pd.DataFrame) -> dict[str, set[str]]:
    """The locality codes on each programme map (dbt macro map_unit_versions and int_values__nq06_map):
    nq06_map = the province as of the horizon and its districts; current_map = the units from the
    reorganisation date. A programme's target has an actual only for a unit of its map."""
    key = f"{province_code()}@{dbt_var('horizon_date')}"
    nq06 = (localities["locality_key"] == key) | (
        (localities["parent_key"] == key) & (localities["level"] == "district")
    )
    current = localities["valid_from"] >= dbt_var("reorganisation_date")
    return {
        "nq06_map": set(localities.loc[nq06, "locality_code"]),
        "current_map": set(localities.loc[current, "locality_code"]),
    }
