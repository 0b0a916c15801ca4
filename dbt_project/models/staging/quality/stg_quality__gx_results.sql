{{ config(tags=['dq_findings']) }}
{#- The latest Great Expectations run's expectation results, typed; empty before the first GX run (macro
    dq_gx_results_relation). The findings take their run id and time from it (macro dq_run_id). -#}
with gx_results as (
    {{ dq_gx_results_relation() }}
)

select * from gx_results
