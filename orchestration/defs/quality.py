"""Great Expectations as Dagster assets and asset checks.

The asset ``quality/gx_findings`` runs every suite in ``expectations/suites`` after dbt has built the
tables they guard and stores the findings (read by ``fct_dq_issues``). One asset check per suite, on
the table it guards, reports that suite's figures as metadata.
"""

import dagster as dg

from expectations import SuiteOutcome, load_suites, summarise, validate_warehouse
from orchestration.resources import DothiHomeResource

GX_FINDINGS_KEY = dg.AssetKey(["quality", "gx_findings"])


def _table_key(schema: str, table: str) -> dg.AssetKey:
    # Same keys as intake (raw/<table>) and dagster-dbt (<schema>/<model>) give these tables.
    return dg.AssetKey([schema, table])


def _check_name(suite_name: str) -> str:
    return f"gx_{suite_name}"


def quality_definitions() -> dg.Definitions:
    suites = load_suites()
    guarded = {_table_key(s.schema, s.table) for s in suites}
    references = {_table_key(*t.split(".", 1)) for s in suites for t in s.reference_tables}

    @dg.asset(
        key=GX_FINDINGS_KEY,
        deps=sorted(guarded | references, key=lambda k: k.to_user_string()),
        group_name="quality",
        kinds={"great_expectations", "duckdb"},
        owners=["team:data-engineering"],
        description="Runs the Great Expectations suites over raw and intermediate tables; stores the "
        "failing rows in quality.gx_findings and each expectation's result in quality.gx_results.",
    )
    def gx_findings(context: dg.AssetExecutionContext, dothi_home: DothiHomeResource) -> dg.Output:
        home = dothi_home.home()
        outcomes = validate_warehouse(dothi_home.build_warehouse(), context.run_id, data_docs_dir=home.reports / "gx")
        totals = summarise(outcomes)
        return dg.Output(outcomes, metadata={k: v for k, v in totals.items() if isinstance(v, int | float | str)})

    @dg.multi_asset_check(
        name="gx_suite_checks",
        specs=[
            dg.AssetCheckSpec(
                _check_name(s.name),
                asset=_table_key(s.schema, s.table),
                additional_deps=[GX_FINDINGS_KEY],
                description=s.description or f"Great Expectations suite {s.name} on {s.qualified_table}",
            )
            for s in suites
        ],
        ins={"outcomes": dg.AssetIn(key=GX_FINDINGS_KEY)},
    )
    def gx_suite_checks(outcomes: list[SuiteOutcome]):
        for outcome in outcomes:
            spec = next((s for s in suites if s.name == outcome.suite_name), None)
            if spec is None:
                continue
            yield dg.AssetCheckResult(
                check_name=_check_name(outcome.suite_name),
                asset_key=_table_key(spec.schema, spec.table),
                passed=outcome.passed and not outcome.skipped,
                severity=dg.AssetCheckSeverity.ERROR
                if outcome.worst_severity == "error"
                else dg.AssetCheckSeverity.WARN,
                metadata=outcome.check_metadata(),
            )

    return dg.Definitions(assets=[gx_findings], asset_checks=[gx_suite_checks])
