"""fct_reporter_freshness on the sample: each reporter's last submission against the reporting calendar, and
consistent with the per-period detail in fct_reporting_completeness."""

from __future__ import annotations

import pandas as pd

from tests.conftest import RefreshRun
from tests.integration.test_sample_refresh import mart


def test_reporter_freshness_against_the_calendar(sample_refresh: RefreshRun) -> None:
    fresh = mart(sample_refresh, "fct_reporter_freshness").set_index("reporter_code")
    detail = mart(sample_refresh, "fct_reporting_completeness")
    assert set(fresh.index) == set(detail["reporter_code"])  # every expected reporter, once
    due = detail[detail["deadline_date"] < pd.Timestamp(fresh["as_of_date"].iloc[0])]
    missing = due[due["status"] == "missing"].groupby("reporter_code").size()
    assert fresh["periods_missing"].to_dict() == missing.reindex(fresh.index, fill_value=0).to_dict()
    for code, row in fresh.iterrows():
        mine = due[due["reporter_code"] == code].sort_values(["deadline_date", "period"])
        if mine.empty:
            assert pd.isna(row["last_due_period"]) and pd.isna(row["days_overdue"])
            continue
        last = mine.iloc[-1]
        assert row["last_due_period"] == last["period"] and row["last_due_status"] == last["status"], code
        assert row["days_overdue"] == (last["days_late"] if last["status"] == "missing" else 0), code
    # Nha Trang (575) sent its 2024 report late: it is received, so that period is not overdue.
    submissions = mart(sample_refresh, "fct_submissions")
    sent = submissions[submissions["reporter_code"] == "575"]
    assert fresh.loc["575", "files_received"] == len(sent)
    assert fresh.loc["575", "last_received_at"] == sent["received_at"].max()
    assert fresh.loc["576", "periods_missing"] >= 1  # 576 never sent 2025-H1
