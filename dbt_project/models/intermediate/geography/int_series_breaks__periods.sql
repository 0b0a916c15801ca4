{#- Per indicator with a series break (seed series_breaks) x period type: the first period ending on or
    after the break date. That observation carries SDMX's observation status 'b'; the periods before it
    are not comparable with it or with later ones. -#}
with breaks as (
    select * from {{ ref('series_breaks') }}
),

periods as (
    select
        period,
        period_type,
        end_date
    from {{ ref('int_periods') }}
),

candidates as (
    select
        breaks.indicator_code,
        breaks.break_date,
        breaks.obs_status,
        periods.period,
        periods.period_type,
        row_number() over (
            partition by breaks.indicator_code, periods.period_type
            order by periods.end_date
        ) as period_rank
    from breaks
    inner join periods
        on breaks.break_date <= periods.end_date
)

select
    indicator_code,
    break_date,
    obs_status,
    period,
    period_type
from candidates
where period_rank = 1
