"""Intake checks block the marts; findings never do (orchestration/defs/quality.py's contract)."""

from __future__ import annotations

import dagster as dg
import duckdb

from expectations import load_suites
from orchestration.definitions import build_definitions
from orchestration.defs.quality import INTAKE_SCHEMA, validate_intake


def _checks(defs: dg.Definitions, name: str) -> dg.AssetsDefinition:
    return next(c for c in defs.asset_checks or [] if c.node_def.name == name)


def test_intake_suites_are_blocking_checks_upstream_of_the_marts() -> None:
    defs = build_definitions()
    intake_specs = list(_checks(defs, "gx_intake_checks").check_specs)
    assert intake_specs and all(spec.blocking for spec in intake_specs)
    assert {spec.asset_key for spec in intake_specs} == {dg.AssetKey(["raw", "figures"])}
    for name in ("gx_suite_checks", "dq_findings_checks"):
        assert not any(spec.blocking for spec in _checks(defs, name).check_specs), name

    # The marts are built from raw.figures, so a failed blocking check there keeps them from being built.
    graph = defs.resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["staging", "stg_raw__figures"])).parent_keys
    assert dg.AssetKey(["raw", "figures"]) in upstream


def test_a_figure_without_its_keys_fails_the_blocking_check(tmp_path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        # No constraints: a corrupted or hand-edited raw table is what this check exists for.
        conn.execute("create schema raw")
        conn.execute(
            "create table raw.figures (file_sha256 varchar, file_name varchar, row_number integer, "
            "reporter_code varchar, reporter_kind varchar, locality_code varchar, indicator_code varchar, "
            "period varchar, value double)"
        )
        conn.execute(
            "insert into raw.figures values "
            "('aaa', 'a.csv', 2, 'SXD', 'department', '568', 'URBAN_POP', '2024', 1), "
            "('aaa', 'a.csv', 3, 'SXD', 'department', null, 'URBAN_POP', '2024', 2)"
        )
    specs = [s for s in load_suites() if s.schema == INTAKE_SCHEMA]
    (outcome,) = validate_intake(warehouse, specs)
    assert not outcome.passed and outcome.worst_severity == "error"
    assert outcome.findings_by_rule() == {"REQUIRED_FIELD_MISSING": 1}

    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from raw.figures where locality_code is null")
    (clean,) = validate_intake(warehouse, specs)
    assert clean.passed
