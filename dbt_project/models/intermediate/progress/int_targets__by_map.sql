{#- The programmes' targets (seed targets) with what progress is measured by: the map each programme's
    targets speak of (seed programmes) and the indicator's unit, upper bound and direction (seed
    indicators; higher is better when unset). One row per programme x indicator x locality. -#}
with targets as (
    select
        programme_code,
        indicator_code,
        locality_code,
        target_value,
        target_year,
        is_placeholder,
        source
    from {{ ref('targets') }}
),

programmes as (
    select
        programme_code,
        map_code
    from {{ ref('programmes') }}
),

indicators as (
    select
        indicator_code,
        unit,
        valid_max,
        direction
    from {{ ref('indicators') }}
),

final as (
    select
        targets.programme_code,
        targets.indicator_code,
        targets.locality_code,
        targets.target_value,
        targets.target_year,
        targets.is_placeholder,
        targets.source as target_source,
        programmes.map_code,
        indicators.unit,
        indicators.valid_max,
        coalesce(indicators.direction, 'higher') as direction
    from targets
    inner join programmes
        on targets.programme_code = programmes.programme_code
    left join indicators
        on targets.indicator_code = indicators.indicator_code
)

select * from final
