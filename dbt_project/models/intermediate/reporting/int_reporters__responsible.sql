{#- The reporter responsible for each indicator at each period's end: the indicator's responsible
    reporter (seed indicators) while it is valid, else, once it has ended, its successor (seed
    reporters), so a department merged away in 2025 hands its indicators to the one that took it over. -#}
with indicators as (
    select
        indicator_code,
        responsible_reporter_code
    from {{ ref('indicators') }}
),

reporters as (
    select
        reporter_code,
        successor_code,
        valid_to
    from {{ ref('reporters') }}
),

periods as (
    select
        period,
        end_date
    from {{ ref('int_periods') }}
),

final as (
    select
        indicators.indicator_code,
        periods.period,
        indicators.responsible_reporter_code,
        case
            when
                owner_reporter.valid_to is not null
                and owner_reporter.valid_to < periods.end_date
                and owner_reporter.successor_code is not null
                then owner_reporter.successor_code
            else owner_reporter.reporter_code
        end as reporter_code
    from indicators
    cross join periods
    inner join reporters as owner_reporter
        on indicators.responsible_reporter_code = owner_reporter.reporter_code
)

select * from final
