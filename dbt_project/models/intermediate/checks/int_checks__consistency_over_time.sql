{#- Consistency over time of the consolidated values (WHO DQR): each value vs the mean of the locality's
    previous var dq_time_consistency_periods (3) values, flagged beyond ± time_consistency_pct (seed
    dq_indicator_settings, default var dq_time_consistency_pct = 33 %); all previous values must exist.
    Stocks compare with the previous periods of any type in time order; flows (a half-year is half a
    year's worth) only with periods of the same type. Cumulative indicators (measure_type 'cumulative')
    are instead checked for decreases against the previous period. A series is one unit version's: a
    reused code (56 after the merger, 22411) starts a new series. One row per value checked. -#}
with consolidated as (
    select * from {{ ref('int_values__consolidated') }}
    where value is not null
),

indicators as (
    select
        indicator_code,
        measure_type
    from {{ ref('indicators') }}
),

settings as (
    select
        indicator_code,
        time_consistency_pct
    from {{ ref('dq_indicator_settings') }}
),

periods as (
    select
        period,
        period_type,
        end_date,
        sort_key
    from {{ ref('int_periods') }}
),

units as (
    select
        period,
        locality_code,
        locality_key,
        short_name_vi
    from {{ ref('int_units__by_period') }}
),

series as (
    select
        consolidated.locality_code,
        units.locality_key,
        units.short_name_vi as locality_short_name_vi,
        consolidated.indicator_code,
        consolidated.period,
        consolidated.value,
        consolidated.chosen_reporter_code as reporter_code,
        consolidated.file_sha256,
        consolidated.file_name,
        consolidated.row_number,
        indicators.measure_type,
        periods.period_type,
        periods.end_date,
        periods.sort_key,
        case when indicators.measure_type = 'flow' then periods.period_type else 'all' end as series_type
    from consolidated
    inner join periods
        on consolidated.period = periods.period
    inner join units
        on
            consolidated.locality_code = units.locality_code
            and consolidated.period = units.period
    left join indicators
        on consolidated.indicator_code = indicators.indicator_code
),

ordered as (
    select
        series.*,
        row_number() over (
            partition by series.locality_key, series.indicator_code, series.series_type
            order by series.end_date, series.sort_key
        ) as position
    from series
),

history as (
    {#- previous values of the same series, by position (no window frames: portable) -#}
    select
        current_point.locality_code,
        current_point.indicator_code,
        current_point.period,
        count(*) as previous_count,
        avg(previous_point.value) as previous_mean,
        max(case when previous_point.position = current_point.position - 1 then previous_point.value end)
            as previous_value,
        max(case when previous_point.position = current_point.position - 1 then previous_point.period end)
            as previous_period
    from ordered as current_point
    inner join ordered as previous_point
        on
            current_point.locality_key = previous_point.locality_key
            and current_point.indicator_code = previous_point.indicator_code
            and current_point.series_type = previous_point.series_type
            and current_point.position > previous_point.position
            and previous_point.position >= current_point.position - {{ var('dq_time_consistency_periods') }}
    group by current_point.locality_code, current_point.indicator_code, current_point.period
),

checked as (
    select
        ordered.*,
        history.previous_count,
        history.previous_mean,
        history.previous_value,
        history.previous_period,
        settings.time_consistency_pct as configured_pct,
        case
            when ordered.measure_type = 'cumulative' then 'cumulative_decrease'
            else 'mean_of_previous'
        end as check_type
    from ordered
    inner join history
        on
            ordered.locality_code = history.locality_code
            and ordered.indicator_code = history.indicator_code
            and ordered.period = history.period
    left join settings
        on ordered.indicator_code = settings.indicator_code
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "'time|'", "check_type", "'|'", "locality_code", "'|'", "indicator_code", "'|'", "period"
        ])) }}
            as check_key,
        check_type,
        locality_code,
        indicator_code,
        period,
        value,
        reporter_code,
        file_sha256,
        file_name,
        row_number,
        locality_short_name_vi,
        cast(previous_count as {{ dbt.type_int() }}) as previous_count,
        previous_mean,
        previous_period,
        previous_value,
        case
            when
                check_type = 'mean_of_previous'
                then coalesce(configured_pct, {{ var('dq_time_consistency_pct') }}) * 1.0
        end
            as threshold_pct,
        case
            when check_type = 'mean_of_previous' and previous_mean <> 0
                then (value - previous_mean) / abs(previous_mean) * 100
        end as change_pct,
        case
            when check_type = 'cumulative_decrease' then value < previous_value
            when previous_count < {{ var('dq_time_consistency_periods') }} or previous_mean = 0 then false
            else
                abs(value - previous_mean) / abs(previous_mean) * 100
                > coalesce(configured_pct, {{ var('dq_time_consistency_pct') }})
        end as is_flagged
    from checked
    where
        check_type = 'cumulative_decrease'
        or previous_count >= {{ var('dq_time_consistency_periods') }}
)

select * from final
