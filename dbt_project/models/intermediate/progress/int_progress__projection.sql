{#- ESCAP-style time-weighted linear trend per locality (province included) x indicator, over the same points
    as int_progress__series (flows: annual periods only), when there are at least four. Time t = years from
    the first point (period ends, whole months / 12); weight w = t + 1, so recent points count more (ESCAP's
    time-weighted regression, SD/WP/04 2017: weights rise with time; the exact weights here are dothi's
    documented choice). Weighted least squares: slope = (W·Σwty − Σwt·Σwy) / (W·Σwt² − (Σwt)²),
    intercept = (Σwy − slope·Σwt) / W. fct_target_gaps projects the trend to the target year. -#}
with consolidated as (
    select * from {{ ref('int_progress__map_values') }}
),

indicators as (
    select
        indicator_code,
        measure_type
    from {{ ref('indicators') }}
),

periods as (
    select
        period,
        period_type,
        end_date
    from {{ ref('int_periods') }}
),

eligible as (
    select
        consolidated.map_code,
        consolidated.locality_code,
        consolidated.indicator_code,
        consolidated.value,
        periods.end_date
    from consolidated
    inner join indicators
        on consolidated.indicator_code = indicators.indicator_code
    inner join periods
        on consolidated.period = periods.period
    where indicators.measure_type <> 'flow' or periods.period_type = 'annual'
),

firsts as (
    select
        map_code,
        locality_code,
        indicator_code,
        min(end_date) as origin_date,
        count(*) as points_count
    from eligible
    group by map_code, locality_code, indicator_code
),

timed as (
    select
        eligible.map_code,
        eligible.locality_code,
        eligible.indicator_code,
        eligible.value,
        firsts.origin_date,
        firsts.points_count,
        {{ years_between('firsts.origin_date', 'eligible.end_date') }} as t
    from eligible
    inner join firsts
        on
            eligible.map_code = firsts.map_code
            and eligible.locality_code = firsts.locality_code
            and eligible.indicator_code = firsts.indicator_code
    where firsts.points_count >= 4
),

sums as (
    select
        map_code,
        locality_code,
        indicator_code,
        origin_date,
        points_count,
        sum(t + 1) as sw,
        sum((t + 1) * t) as swt,
        sum((t + 1) * value) as swy,
        sum((t + 1) * t * t) as swtt,
        sum((t + 1) * t * value) as swty
    from timed
    group by map_code, locality_code, indicator_code, origin_date, points_count
),

final as (
    select
        map_code,
        locality_code,
        indicator_code,
        origin_date,
        cast(points_count as {{ dbt.type_int() }}) as points_count,
        case when sw * swtt - swt * swt <> 0 then (sw * swty - swt * swy) / (sw * swtt - swt * swt) end
            as slope_per_year,
        case
            when sw * swtt - swt * swt <> 0
                then (swy - (sw * swty - swt * swy) / (sw * swtt - swt * swt) * swt) / sw
        end as intercept
    from sums
)

select * from final
