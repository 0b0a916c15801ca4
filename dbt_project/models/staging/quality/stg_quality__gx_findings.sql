{{ config(tags=['dq_findings']) }}
{#- The latest Great Expectations run's failing rows, typed; empty before the first GX run (macro
    gx_findings_relation). Tag dq_findings: rebuilt after the GX step of every refresh, so the view
    never keeps the empty fallback once the table exists. -#}
with gx_findings as (
    {{ gx_findings_relation() }}
)

select * from gx_findings
