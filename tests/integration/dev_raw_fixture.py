"""A small hand-made raw layer for developing and testing the dbt project without the intake.

Usage::

    python tests/integration/dev_raw_fixture.py /tmp/dbtdev/warehouse.duckdb
    cd dbt_project && DOTHI_WAREHOUSE=/tmp/dbtdev/warehouse.duckdb dbt build
    # optional: findings shaped like the GX layer's, then rebuild the findings mart
    python tests/integration/dev_raw_fixture.py /tmp/dbtdev/warehouse.duckdb --gx-only
    cd dbt_project && DOTHI_WAREHOUSE=/tmp/dbtdev/warehouse.duckdb dbt build -s tag:dq_findings

Creates (replacing) the ``raw`` tables from ``sources/raw_schema.py`` and fills them with a handful of
submissions that exercise every path of the dbt models: a locality vs department disagreement
(Cam Ranh CLEAN_WATER_RATE 2024: 92.0 vs KHAWASCO 84.5), a revision (KHAWASCO resubmits 2024), a rate
that does not match its numerator/denominator, an out-of-range value, a late and a missing
submission, a rejected row and a quarantined file, province totals from the statistics office.
``--gx-only`` (after a dbt build) writes a ``quality.gx_findings`` table shaped like the GX layer's
output, keyed on the dbt check models' ``check_key``.
All figures are synthetic.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from sources.raw_schema import ALL_DDL  # noqa: E402

LOCALITIES = ["568", "569", "570", "571", "572", "573", "574", "575", "576"]
# synthetic average population and urban population per locality (2023 baseline)
POP = {
    "568": 560000,
    "569": 135000,
    "570": 110000,
    "571": 135000,
    "572": 250000,
    "573": 40000,
    "574": 145000,
    "575": 25000,
    "576": 5000,
}
URB = {
    "568": 0.80,
    "569": 0.60,
    "570": 0.25,
    "571": 0.30,
    "572": 0.35,
    "573": 0.20,
    "574": 0.45,
    "575": 0.18,
    "576": 0.50,
}


def sha(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode()).hexdigest()


def build(path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(path)
    con.execute("create schema if not exists raw")
    for t in ("submissions", "figures", "rejected_rows"):
        con.execute(f"drop table if exists raw.{t}")
    for ddl in ALL_DDL:
        con.execute(ddl)

    subs: list[dict[str, Any]] = []
    figs: list[dict[str, Any]] = []
    rej: list[dict[str, Any]] = []

    def submission(
        name,
        reporter,
        kind,
        periods,
        submitted,
        status="accepted",
        reason=None,
        rows_read=None,
        rows_rejected=0,
        fmt="csv",
    ):
        s = sha(name)
        ingested = datetime.fromisoformat(submitted).replace(hour=23)
        subs.append(
            dict(
                file_sha256=s,
                file_name=name,
                file_format=fmt,
                reporter_code=reporter,
                reporter_kind=kind,
                periods=periods,
                submitted_at=submitted,
                received_at=submitted,
                ingested_at=ingested,
                run_id="dev-run-1",
                status=status,
                reason=reason,
                rows_read=rows_read,
                rows_rejected=rows_rejected,
                is_synthetic=True,
            )
        )
        return s, name, ingested

    def figure(
        f, row, reporter, kind, loc, ind, period, value, num=None, den=None, submitted=None, unit=None
    ):
        s, name, ingested = f
        figs.append(
            dict(
                file_sha256=s,
                file_name=name,
                sheet_name=None,
                row_number=row,
                reporter_code=reporter,
                reporter_kind=kind,
                locality_code=loc,
                indicator_code=ind,
                period=period,
                value=value,
                unit=unit,
                numerator=num,
                denominator=den,
                value_raw=None if value is None else str(value),
                submitted_at=submitted,
                ingested_at=ingested,
                run_id="dev-run-1",
            )
        )

    # --- statistics office: population 2022-2024 for every locality + province total
    for year, growth in (("2022", 0.98), ("2023", 1.0), ("2024", 1.012)):
        sub_date = f"{int(year) + 1}-03-15"
        f = submission(f"CTK_dan_so_{year}.csv", "CTK", "department", year, sub_date)
        row = 2
        tot = urb = 0
        for loc in LOCALITIES:
            p = round(POP[loc] * growth)
            u = round(p * URB[loc] * (growth if year != "2022" else 1))
            tot += p
            urb += u
            figure(f, row, "CTK", "department", loc, "TOTAL_POP", year, p, submitted=sub_date)
            figure(f, row + 1, "CTK", "department", loc, "URBAN_POP", year, u, submitted=sub_date)
            row += 2
        # province totals: TOTAL_POP matches, URBAN_POP is off by 4 % (province total mismatch)
        figure(f, row, "CTK", "department", "56", "TOTAL_POP", year, tot, submitted=sub_date)
        figure(
            f, row + 1, "CTK", "department", "56", "URBAN_POP", year, round(urb * 1.04), submitted=sub_date
        )
        figure(
            f,
            row + 2,
            "CTK",
            "department",
            "56",
            "URBAN_POP_SHARE_GSO",
            year,
            round(urb / tot * 100, 1),
            submitted=sub_date,
        )

    # --- KHAWASCO clean water 2023 and 2024 (+ a 2024 revision for Nha Trang only)
    water = {
        "568": (96.0, 97.5),
        "569": (83.0, 84.5),
        "570": (70.0, 72.0),
        "572": (80.0, 81.0),
        "574": (85.0, 86.0),
    }
    for i, year in enumerate(("2023", "2024")):
        sub_date = f"{int(year) + 1}-02-20"
        f = submission(f"KHAWASCO_{year}.xlsx", "KHAWASCO", "department", year, sub_date, fmt="xlsx")
        row = 5
        for loc, vals in water.items():
            den = round(POP[loc] * URB[loc])
            num = round(den * vals[i] / 100)
            figure(
                f,
                row,
                "KHAWASCO",
                "department",
                loc,
                "CLEAN_WATER_RATE",
                year,
                vals[i],
                num,
                den,
                submitted=sub_date,
            )
            figure(
                f,
                row + 1,
                "KHAWASCO",
                "department",
                loc,
                "WATER_PER_CAPITA",
                year,
                100 + 10 * i + len(loc),
                submitted=sub_date,
            )
            row += 2
    rev = submission("KHAWASCO_2024_sua_doi.xlsx", "KHAWASCO", "department", "2024", "2025-03-10", fmt="xlsx")
    figure(
        rev,
        5,
        "KHAWASCO",
        "department",
        "568",
        "CLEAN_WATER_RATE",
        "2024",
        98.0,
        439040,
        448000,
        submitted="2025-03-10",
    )

    # --- localities' own reports 2023 (on time) and 2024 (Cam Ranh late, Trường Sa missing)
    for year in ("2023", "2024"):
        for loc in LOCALITIES:
            if year == "2024" and loc == "576":
                continue  # missing submission
            sub_date = f"{int(year) + 1}-02-10"
            if year == "2024" and loc == "569":
                sub_date = "2025-03-01"  # late (deadline 45 days after 31/12)
            f = submission(
                f"{loc}_bao_cao_{year}.csv",
                loc,
                "locality",
                year,
                sub_date,
                rows_read=4,
                rows_rejected=1 if (loc, year) == ("571", "2024") else 0,
            )
            urate = round(URB[loc] * 100 + (2 if year == "2024" else 0) + 5, 1)
            figure(
                f,
                2,
                loc,
                "locality",
                loc,
                "URBANIZATION_RATE",
                year,
                urate,
                round(POP[loc] * urate / 100),
                POP[loc],
                submitted=sub_date,
            )
            if loc in water:
                v = water[loc][0 if year == "2023" else 1]
                if (loc, year) == ("569", "2024"):
                    v = 92.0  # disagrees with KHAWASCO's 84.5
                figure(f, 3, loc, "locality", loc, "CLEAN_WATER_RATE", year, v, submitted=sub_date)
            gl = {"2023": 3.0, "2024": 3.4}[year]
            if (loc, year) == ("573", "2024"):
                gl = 75.0  # out of range (valid 0-50)
            figure(f, 4, loc, "locality", loc, "GREEN_LAND_PC", year, gl, submitted=sub_date)
            if (loc, year) == ("574", "2024"):
                # rate mismatch: 6000/10000 = 60 %, reported 80 %
                figure(
                    f,
                    5,
                    loc,
                    "locality",
                    loc,
                    "SOLID_WASTE_RATE",
                    year,
                    80.0,
                    6000,
                    10000,
                    submitted=sub_date,
                )
            if (loc, year) == ("571", "2024"):
                rej.append(
                    dict(
                        file_sha256=f[0],
                        file_name=f[1],
                        row_number=6,
                        field="value",
                        value_raw="khoảng 80",
                        reason="value 'khoảng 80' is not a number",
                        reporter_code=loc,
                        period=year,
                        ingested_at=f[2],
                        run_id="dev-run-1",
                    )
                )

    # --- SXD housing (province) and a quarantined file
    f = submission("SXD_nha_o_2024.xlsx", "SXD", "department", "2023,2024", "2025-02-25", fmt="xlsx")
    figure(f, 6, "SXD", "department", "56", "HOUSING_FLOOR_PC", "2023", 25.1, submitted="2025-02-25")
    figure(f, 7, "SXD", "department", "56", "HOUSING_FLOOR_PC", "2024", 26.0, submitted="2025-02-25")
    figure(f, 8, "SXD", "department", "56", "URBANIZATION_RATE", "2024", 63.0, submitted="2025-02-25")
    submission(
        "bao_cao_loi.xls",
        None,
        None,
        None,
        "2025-02-26",
        status="quarantined",
        reason="no recognisable header row in the first 30 rows",
        fmt="xls",
    )

    def insert(table, rows):
        if not rows:
            return
        cols = list(rows[0].keys())
        con.executemany(
            f"insert into raw.{table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
            [[r[c] for c in cols] for r in rows],
        )

    for s in subs:
        s["rows_accepted"] = sum(1 for x in figs if x["file_sha256"] == s["file_sha256"])
        if s["rows_read"] is None and s["status"] != "quarantined":
            s["rows_read"] = s["rows_accepted"] + s["rows_rejected"]
        if s["rows_rejected"]:
            s["status"] = "accepted_with_rejections"
    insert("submissions", subs)
    insert("figures", figs)
    insert("rejected_rows", rej)

    con.close()


def write_gx_findings(con) -> None:
    """Findings as the GX layer would write them, keyed on the dbt models' check_key."""
    con.execute("create schema if not exists quality")
    con.execute("drop table if exists quality.gx_findings")
    con.execute("""
        create table quality.gx_findings (run_id varchar, validated_at timestamp, suite_name varchar,
            expectation_type varchar, rule_code varchar, severity varchar, table_name varchar,
            check_key varchar, row_key varchar, observed varchar)""")
    rows = []
    now = datetime(2025, 8, 1, 1, 0)

    def add(table, rule, sev, where, expectation):
        for (key,) in con.execute(f"select check_key from intermediate.{table} where {where}").fetchall():
            rows.append(
                (
                    "gx-dev-1",
                    now,
                    f"{table}_suite",
                    expectation,
                    rule,
                    sev,
                    table,
                    key,
                    json.dumps({"check_key": key}),
                    None,
                )
            )

    add(
        "int_checks__value_range",
        "VALUE_OUT_OF_RANGE",
        "error",
        "value < valid_min or value > valid_max",
        "expect_column_values_to_be_between",
    )
    add(
        "int_checks__rate_consistency",
        "RATE_MISMATCH",
        "warning",
        "deviation_ratio > 1",
        "expect_column_values_to_be_between",
    )
    add(
        "int_checks__rate_consistency",
        "NUMERATOR_GT_DENOMINATOR",
        "error",
        "is_share and numerator > denominator",
        "expect_column_pair_values_a_to_be_greater_than_b",
    )
    add(
        "int_reconciliation",
        "CHANNEL_DISAGREEMENT",
        "warning",
        "comparison = 'locality_vs_department' and status in ('minor', 'major')",
        "expect_column_values_to_be_in_set",
    )
    add(
        "int_reconciliation",
        "PROVINCE_TOTAL_MISMATCH",
        "warning",
        "comparison = 'aggregate_vs_province_total' and status in ('minor', 'major')",
        "expect_column_values_to_be_in_set",
    )
    add(
        "int_expected_submissions",
        "SUBMISSION_MISSING",
        "error",
        "submission_status = 'missing'",
        "expect_column_values_to_not_be_in_set",
    )
    add(
        "int_expected_submissions",
        "SUBMISSION_LATE",
        "warning",
        "submission_status = 'late'",
        "expect_column_values_to_not_be_in_set",
    )
    con.executemany("insert into quality.gx_findings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = args[0] if args else "/tmp/dbtdev/warehouse.duckdb"
    if "--gx-only" in sys.argv:
        c = duckdb.connect(target)
        write_gx_findings(c)
        c.close()
    else:
        build(target)
    print(f"raw fixture written to {target}")
