{#- Gap to target and progress class per locality (and province) x indicator having a target.
    Method: see macros/progress.sql and the model's yml (Open SDG progress method). -#}
with targets as (
    select * from {{ ref('targets') }}
),

series as (
    select * from {{ ref('int_progress__series') }}
),

indicators as (
    select indicator_code, unit, direction from {{ ref('indicators') }}
),

candidates as (
    select
        targets.programme_code,
        targets.indicator_code,
        targets.locality_code,
        targets.target_value,
        targets.target_year,
        targets.is_placeholder,
        targets.source as target_source,
        series.points_count,
        series.baseline_period,
        series.baseline_end_date,
        series.baseline_value,
        series.latest_period,
        series.latest_end_date,
        series.latest_value,
        row_number() over (
            partition by targets.locality_code, targets.indicator_code
            order by
                case when targets.programme_code = '{{ var("primary_programme_code", "NQ06_2021_2025") }}' then 0 else 1 end,
                case when targets.target_year >= coalesce(series.latest_year, 0) then 0 else 1 end,
                case when targets.target_year >= coalesce(series.latest_year, 0)
                    then targets.target_year else -targets.target_year end
        ) as target_rank
    from targets
    left join series
        on targets.locality_code = series.locality_code
        and targets.indicator_code = series.indicator_code
),

chosen as (
    select
        candidates.*,
        indicators.unit,
        coalesce(indicators.direction, 'higher') as direction,
        cast({{ dbt.concat(["cast(candidates.target_year as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }} as date) as target_end_date
    from candidates
    left join indicators
        on candidates.indicator_code = indicators.indicator_code
    where candidates.target_rank = 1
),

timed as (
    select
        chosen.*,
        {{ years_between('baseline_end_date', 'latest_end_date') }} as years_observed,
        {{ years_between('baseline_end_date', 'target_end_date') }} as years_baseline_to_target,
        {{ years_between('latest_end_date', 'target_end_date') }} as years_remaining
    from chosen
),

measured as (
    select
        timed.*,
        case when points_count >= 2 then {{ cagr('baseline_value', 'latest_value', 'years_observed') }} end as observed_cagr_raw,
        case when points_count >= 2 then {{ cagr('baseline_value', 'target_value', 'years_baseline_to_target') }} end as required_cagr_raw
    from timed
),

final as (
    select
        locality_code,
        indicator_code,
        locality_code = '{{ var("province_code") }}' as is_province,
        latest_period as period,
        latest_end_date as period_end_date,
        latest_value as actual,
        unit,
        direction,
        target_value,
        cast(target_year as {{ dbt.type_int() }}) as target_year,
        programme_code,
        is_placeholder,
        target_source,
        baseline_period,
        baseline_value,
        cast(coalesce(points_count, 0) as {{ dbt.type_int() }}) as points_count,
        round(case when direction = 'lower' then latest_value - target_value else target_value - latest_value end, 6) as gap,
        round(case
            when direction = 'lower' and latest_value > 0 then target_value / latest_value * 100
            when direction <> 'lower' and target_value <> 0 then latest_value / target_value * 100
        end, 6) as achievement_pct,
        round(years_remaining, 6) as years_remaining,
        round(case when years_remaining > 0 then (target_value - latest_value) / years_remaining end, 6) as required_yearly_change,
        round(observed_cagr_raw, 6) as observed_cagr,
        round(required_cagr_raw, 6) as required_cagr,
        round(case when required_cagr_raw <> 0 then observed_cagr_raw / required_cagr_raw end, 6) as progress_ratio,
        {{ progress_class('latest_value', 'target_value', 'direction', 'coalesce(points_count, 0)', 'observed_cagr_raw', 'required_cagr_raw') }} as progress_class
    from measured
)

select * from final
