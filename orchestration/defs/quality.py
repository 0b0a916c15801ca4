"""Great Expectations and the findings mart as Dagster assets and asset checks.

What "blocking" means here (findings are data, pitfall 4):

- **Intake checks block.** The GX suites on intake tables (schema ``raw``) run as *blocking* asset
  checks right after intake (``gx_intake_checks``). An error-severity failure there (e.g.
  REQUIRED_FIELD_MISSING on raw.figures: a figure without its file, row, reporter, locality,
  indicator or period) means the marts would be built from rows that cannot be keyed or traced, so
  Dagster does not run the dbt models downstream of that table in the run: nothing is published.
  Intake's own row and file refusals (INTAKE_ROW_REJECTED, FILE_QUARANTINED) never block: those
  rows never reached raw.figures.
- **Everything else is data and never blocks**: late or missing reports, channel disagreements,
  out-of-range values, validation rules, outliers. They are rows in ``marts.fct_dq_issues`` and are
  shown as non-blocking checks: one per GX suite on the table it guards (``gx_suite_checks``) and one
  per rule family on the findings mart (``dq_findings_checks``), with their figures as metadata (counted
  in dbt: ``marts.fct_dq_family_counts``).
"""


import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg

from expectations import SuiteOutcome, SuiteSpec, load_suites, summarise
from orchestration.resources import DBT_PROJECT_DIR, DothiHomeResource

GX_FINDINGS_KEY = dg.AssetKey(["quality", "gx_findings"])
GX_RESULTS_KEY = dg.AssetKey(["quality", "gx_results"])
DQ_ISSUES_KEY = dg.AssetKey(["marts", "fct_dq_issues"])
# The per-family counts are a dbt model (tag dq_findings, built with fct_dq_issues): the checks only read it.
FAMILY_COUNTS_KEY = dg.AssetKey(["marts", "fct_dq_family_counts"])
INTAKE_SCHEMA = "raw"


def _table_key(schema: str, table: str) -> dg.AssetKey:
    # Same keys as intake (raw/<table>) and dagster-dbt (<schema>/<model>) give these tables.
    return dg.AssetKey([schema, table])


def _check_name(suite_name: str) -> str:
    return f"gx_{suite_name}"


def _severity(outcome: SuiteOutcome) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if outcome.worst_severity == "error" else dg.AssetCheckSeverity.WARN


def finding_families() -> list[str]:
    """Rule families of the catalogue (seed dq_checks) plus the validation rules as data."""
    with open(DBT_PROJECT_DIR / "seeds" / "dq_checks.csv", encoding="utf-8") as handle:
        families = {row["family"] for row in csv.DictReader(handle)}
    return sorted(families | {"validation_rule"})


def validate_intake(warehouse: Path, specs: list[SuiteSpec]) -> list[SuiteOutcome]:
    """Run the intake suites only (no storing: gx_findings stores every suite's findings later)."""
    from expectations import validate_tables  # streams the tables; GX imported on first use

    return validate_tables(warehouse, specs)


def family_check_results(warehouse: Path, families: list[str]) -> Iterator[dg.AssetCheckResult]:
    """One result per rule family from the dbt mart fct_dq_family_counts (read-only): open findings fail."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select family, open_findings, open_errors, new_this_run, resolved_total, first_findings_md "
            "from marts.fct_dq_family_counts"
        ).fetchall()
    by_family: dict[str, tuple[Any, ...]] = {str(row[0]): row[1:] for row in rows}
    for family in families:
        open_count, open_errors, new_count, resolved, first_findings = by_family.get(family, (0, 0, 0, 0, None))
        metadata: dict[str, Any] = {
            "open_findings": int(open_count or 0),
            "open_errors": int(open_errors or 0),
            "new_this_run": int(new_count or 0),
            "resolved_total": int(resolved or 0),
        }
        if first_findings:
            metadata["first_findings"] = dg.MetadataValue.md(str(first_findings))
        yield dg.AssetCheckResult(
            check_name=f"dq_{family}",
            asset_key=DQ_ISSUES_KEY,
            passed=metadata["open_findings"] == 0,
            severity=dg.AssetCheckSeverity.ERROR if metadata["open_errors"] else dg.AssetCheckSeverity.WARN,
            metadata=metadata,
        )


def quality_definitions() -> dg.Definitions:
    suites = load_suites()
    intake_suites = [s for s in suites if s.schema == INTAKE_SCHEMA]
    other_suites = [s for s in suites if s.schema != INTAKE_SCHEMA]
    guarded = {_table_key(s.schema, s.table) for s in suites}
    references = {_table_key(*t.split(".", 1)) for s in suites for t in s.reference_tables}
    families = finding_families()
    gx_deps: list[dg.AssetKey] = sorted(guarded | references, key=dg.AssetKey.to_user_string)

    # One step writes both GX tables; each is its own asset, as dbt declares each as a source
    # (models/staging/quality/): the findings (the outcomes, read by gx_suite_checks) and the results.
    @dg.multi_asset(
        name="quality__gx_findings",
        deps=gx_deps,
        outs={
            "gx_findings": dg.AssetOut(
                key=GX_FINDINGS_KEY,
                group_name="quality",
                kinds={"great_expectations", "duckdb"},
                owners=["team:data-engineering"],
                description="Runs the Great Expectations suites over raw and intermediate tables; stores the "
                "failing rows in quality.gx_findings and each expectation's result in quality.gx_results; "
                "Data Docs under DOTHI_HOME/reports/gx.",
            ),
            "gx_results": dg.AssetOut(
                key=GX_RESULTS_KEY,
                dagster_type=dg.Nothing,
                group_name="quality",
                kinds={"great_expectations", "duckdb"},
                owners=["team:data-engineering"],
                description="Each expectation's result of the latest Great Expectations run (quality.gx_results, "
                "written with quality.gx_findings); the findings take their run id and time from it.",
            ),
        },
    )
    def gx_findings(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> Iterator[dg.Output]:
        home = dothi_home.home()
        from expectations import validate_warehouse  # duckdb, pyarrow and (on first use) GX: not at load

        outcomes = validate_warehouse(dothi_home.build_warehouse(), context.run_id, data_docs_dir=home.reports / "gx")
        totals = summarise(outcomes)
        metadata = {k: v for k, v in totals.items() if isinstance(v, int | float | str)}
        yield dg.Output(outcomes, output_name="gx_findings", metadata=metadata)
        yield dg.Output(None, output_name="gx_results")

    @dg.multi_asset_check(
        name="gx_intake_checks",
        specs=[
            dg.AssetCheckSpec(
                _check_name(s.name),
                asset=_table_key(s.schema, s.table),
                blocking=True,
                description=(s.description or f"Great Expectations suite {s.name}")
                + " Blocking: an error here stops the marts built from this table.",
            )
            for s in intake_suites
        ],
    )
    def gx_intake_checks(dothi_home: DothiHomeResource) -> Iterator[dg.AssetCheckResult]:
        for outcome in validate_intake(dothi_home.build_warehouse(), intake_suites):
            spec = next(s for s in intake_suites if s.name == outcome.suite_name)
            yield dg.AssetCheckResult(
                check_name=_check_name(outcome.suite_name),
                asset_key=_table_key(spec.schema, spec.table),
                # A suite that could not run (skipped) is not a data failure: it does not block.
                passed=outcome.passed or outcome.skipped,
                severity=_severity(outcome),
                metadata=outcome.check_metadata(),
            )

    @dg.multi_asset_check(
        name="gx_suite_checks",
        specs=[
            dg.AssetCheckSpec(
                _check_name(s.name),
                asset=_table_key(s.schema, s.table),
                additional_deps=[GX_FINDINGS_KEY],
                description=s.description or f"Great Expectations suite {s.name} on {s.qualified_table}",
            )
            for s in other_suites
        ],
        ins={"outcomes": dg.AssetIn(key=GX_FINDINGS_KEY)},
    )
    def gx_suite_checks(outcomes: list[SuiteOutcome]) -> Iterator[dg.AssetCheckResult]:
        for outcome in outcomes:
            spec = next((s for s in other_suites if s.name == outcome.suite_name), None)
            if spec is None:
                continue
            yield dg.AssetCheckResult(
                check_name=_check_name(outcome.suite_name),
                asset_key=_table_key(spec.schema, spec.table),
                passed=outcome.passed and not outcome.skipped,
                severity=_severity(outcome),
                metadata=outcome.check_metadata(),
            )

    @dg.multi_asset_check(
        name="dq_findings_checks",
        specs=[
            dg.AssetCheckSpec(
                f"dq_{family}",
                asset=DQ_ISSUES_KEY,
                additional_deps=[FAMILY_COUNTS_KEY],
                description=f"Open findings of family {family} in marts.fct_dq_issues, as counted by "
                "marts.fct_dq_family_counts (never blocking: findings are data).",
            )
            for family in families
        ],
    )
    def dq_findings_checks(dothi_home: DothiHomeResource) -> Iterator[dg.AssetCheckResult]:
        yield from family_check_results(dothi_home.build_warehouse(), families)

    return dg.Definitions(assets=[gx_findings], asset_checks=[gx_intake_checks, gx_suite_checks, dq_findings_checks])
