{{ config(tags=['dq_findings']) }}
{#- Open error findings per series (locality x indicator): the findings of this run (int_dq_findings:
    exactly the open rows of fct_dq_issues) on a figure of the series; a province row also counts those
    on any district's figure, since the province value aggregates them. Flows count annual periods only,
    as the progress series does. fct_target_gaps reads its flag from here. -#}
with series_points as (
    select
        locality_code,
        indicator_code,
        period,
        value
    from {{ ref('int_values__consolidated') }}
),

periods as (
    select
        period,
        period_type
    from {{ ref('int_periods') }}
),

indicators as (
    select
        indicator_code,
        measure_type
    from {{ ref('indicators') }}
),

error_findings as (
    select
        issue_id,
        locality_code,
        indicator_code,
        period
    from {{ ref('int_dq_findings') }}
    where severity = 'error'
),

final as (
    select
        series_points.locality_code,
        series_points.indicator_code,
        count(distinct error_findings.issue_id) as error_findings_count
    from series_points
    inner join periods
        on series_points.period = periods.period
    inner join indicators
        on series_points.indicator_code = indicators.indicator_code
    inner join error_findings
        on
            series_points.indicator_code = error_findings.indicator_code
            and series_points.period = error_findings.period
            and (
                series_points.locality_code = error_findings.locality_code
                or series_points.locality_code = '{{ var("province_code") }}'
            )
    where
        series_points.value is not null
        and (indicators.measure_type <> 'flow' or periods.period_type = 'annual')
    group by series_points.locality_code, series_points.indicator_code
)

select * from final
