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

    report = run_intake(home, run_id="template-roundtrip", warehouse=home.warehouse)
    assert report.files_seen == files
    assert report.quarantined == 0 and report.errors == 0
    assert report.accepted_with_rejections == 0 and report.rows_rejected == 0
    assert report.accepted == files
    assert report.rows_accepted >= expected_figures
