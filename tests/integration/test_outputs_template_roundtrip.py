"""Templates filled in with the sample's values go through the full intake with zero rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from outputs.template_plan import TemplateError, plan_template
from outputs.templates import fill_template, write_template
from sources.home import DothiHome
from sources.intake import run_intake
from sources.reference import load_reference

pytestmark = pytest.mark.integration


def test_every_template_roundtrips_through_intake(sample_refresh, tmp_path: Path) -> None:
    with duckdb.connect(str(sample_refresh.warehouse), read_only=True) as conn:
        values = conn.table("marts.fct_indicator_values").df()
    home = DothiHome(tmp_path / "home").ensure()
    expected_figures = 0
    files = 0
    for period in ("2024", "2025-H1"):
        sample = values[(values["period"] == period) & values["value"].notna()]
        figures = {(r.locality_code, r.indicator_code): float(r.value) for r in sample.itertuples()}
        for code in load_reference().reporters:
            try:
                plan = plan_template(code, period)
            except TemplateError:
                continue
            template = write_template(plan, tmp_path / "templates" / f"{code}_{period}.xlsx")
            expected_figures += fill_template(template, figures, dt.date(2025, 7, 20),
                                              home.inbox / f"{code}_{period}.xlsx")
            files += 1
    assert files >= 15
    # The new map (issue 11 §6): a new People's Committee and a department for 2026, and a department for
    # the year 2025 (it ends on the new map). The sample has no figures there yet: mid-range values.
    new_map = [("22651", "2026"), ("22504", "2026-H1"), ("SXD", "2026"), ("CTK", "2025")]
    new_keys: set[tuple[str, str, str]] = set()
    for code, period in new_map:
        plan = plan_template(code, period)
        assert all(not r.locality.valid_to for r in plan.rows), (code, period)  # no district, no old unit
        mid = {(r.locality.key, r.indicator.code): _midrange(r.indicator) for r in plan.rows}
        template = write_template(plan, tmp_path / "templates" / f"{code}_{period}.xlsx")
        written = fill_template(template, mid, dt.date(2026, 11, 20), home.inbox / f"{code}_{period}.xlsx")
        assert written == len(plan.rows)
        expected_figures += written
        new_keys |= {(r.locality.key, r.indicator.code, period) for r in plan.rows}
        files += 1

    report = run_intake(home, run_id="template-roundtrip", warehouse=home.warehouse)
    assert report.files_seen == files
    assert report.quarantined == 0 and report.errors == 0
    assert report.accepted_with_rejections == 0 and report.rows_rejected == 0
    assert report.accepted == files
    assert report.rows_accepted >= expected_figures
    with duckdb.connect(str(home.warehouse), read_only=True) as conn:
        loaded = set(conn.sql("select locality_key, indicator_code, period from raw.figures "
                              "where period in ('2025', '2026', '2026-H1')").fetchall())
    assert new_keys <= loaded  # each figure landed on the unit version the template listed


def _midrange(indicator) -> float:
    low, high = indicator.valid_min or 0.0, indicator.valid_max or 100.0
    return round((low + high) / 2, 1)
