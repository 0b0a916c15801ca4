"""Property test of the roll-up onto Resolution 06's map, on the model's own compiled SQL and real DuckDB.

For additive indicators, rolling the new units up to the old districts and then to the province must
equal rolling them straight to the province (the model computes both from the same pieces, so this
holds only if the pieces are right: every new unit of old Khánh Hòa in exactly one district, none
lost, none counted twice). Rates rolled up from numerators and denominators must equal the ratio of
the districts' sums. hypothesis draws the new units' figures; each example rewrites the official
figures of a copy of the sample warehouse and runs the compiled ``int_values__nq06_map``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, RefreshRun

pytestmark = pytest.mark.integration

PERIOD = "2025"
PROVINCE = "56"


@pytest.fixture(scope="module")
def compiled(sample_refresh: RefreshRun, tmp_path_factory) -> tuple[Path, str, list[str]]:
    """A copy of the sample warehouse, the compiled SELECT of int_values__nq06_map against it, and the
    new units of the old Khánh Hòa area (from the map's pieces)."""
    folder = tmp_path_factory.mktemp("rollup")
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(sample_refresh.warehouse, warehouse)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["DOTHI_WAREHOUSE"] = str(warehouse)
    dbt = Path(sys.executable).parent / "dbt"
    target = folder / "target"
    proc = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "compile", "--select", "int_values__nq06_map",
         "--target-path", str(target), "--log-path", str(folder / "logs")],
        cwd=REPO / "dbt_project", env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    sql = next(target.rglob("int_values__nq06_map.sql")).read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        units = [r[0] for r in conn.execute(
            "select distinct source_code from intermediate.int_geo__map_pieces "
            "where map_code = 'nq06_map' and target_code = ? order by 1", [PROVINCE]).fetchall()]
    return warehouse, sql, units


def test_the_old_area_is_41_units_each_in_one_district(compiled) -> None:
    warehouse, _, units = compiled
    assert len(units) == 41
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        per_unit = conn.execute(
            "select source_code, count(*) from intermediate.int_geo__map_pieces "
            "where map_code = 'nq06_map' and target_code <> ? group by 1", [PROVINCE]).fetchall()
    assert sorted(code for code, _ in per_unit) == units
    assert {n for _, n in per_unit} == {1}


def _roll_up(warehouse: Path, sql: str, figures: dict[str, tuple[float, float]]) -> dict[tuple[str, str], tuple]:
    """Replaces the year's official (consolidated) unit figures by ``figures`` (code → urban, total population) and
    returns the roll-up: (locality, indicator) → (value, numerator, denominator, complete)."""
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from intermediate.int_values__official where period = ?", [PERIOD])
        rows: list[tuple[str, str, float, float | None, float | None]] = []
        for code, (urban, total) in figures.items():
            rows.append((code, "URBAN_POP", urban, None, None))
            rows.append((code, "TOTAL_POP", total, None, None))
            rows.append((code, "URBANIZATION_RATE", urban / total * 100, urban, total))
        conn.executemany(
            "insert into intermediate.int_values__official "
            "(locality_code, indicator_code, period, value, numerator, denominator, is_province) "
            "values (?, ?, ?, ?, ?, ?, false)",
            [(c, i, PERIOD, v, n, d) for c, i, v, n, d in rows],
        )
        result = conn.execute(
            f"select locality_code, indicator_code, value, numerator, denominator, "
            f"pieces_reported = pieces_expected from ({sql}) where period = ?", [PERIOD]).fetchall()
    return {(r[0], r[1]): r[2:] for r in result}


populations = st.tuples(st.integers(0, 200_000), st.integers(1, 300_000)).map(
    lambda p: (float(min(p)), float(max(p[1], 1))))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_units_to_districts_to_province_equals_units_to_province(compiled, data) -> None:
    warehouse, sql, units = compiled
    reporting = data.draw(st.lists(st.sampled_from(units), min_size=1, unique=True), label="reporting units")
    figures = {code: data.draw(populations, label=code) for code in reporting}
    rolled = _roll_up(warehouse, sql, figures)
    districts = {loc for loc, _ in rolled if loc != PROVINCE}
    everyone = len(reporting) == len(units)

    for indicator in ("URBAN_POP", "TOTAL_POP"):
        province_value, _, _, complete = rolled[(PROVINCE, indicator)]
        assert complete == everyone
        if everyone:
            straight = sum(f[0 if indicator == "URBAN_POP" else 1] for f in figures.values())
            via_districts = sum(rolled[(d, indicator)][0] for d in districts)
            assert province_value == pytest.approx(straight)
            assert via_districts == pytest.approx(province_value)
        else:
            assert province_value is None  # a partial sum is never a total

    _, numerator, denominator, _ = rolled[(PROVINCE, "URBANIZATION_RATE")]
    via_numerators = sum(rolled[(d, "URBANIZATION_RATE")][1] for d in districts)
    via_denominators = sum(rolled[(d, "URBANIZATION_RATE")][2] for d in districts)
    assert numerator == pytest.approx(via_numerators)
    assert denominator == pytest.approx(via_denominators)
    assert rolled[(PROVINCE, "URBANIZATION_RATE")][0] == pytest.approx(via_numerators / via_denominators * 100)
