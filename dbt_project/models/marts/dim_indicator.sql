with indicators as (
    select * from {{ ref('indicators') }}
),

reporters as (
    select
        reporter_code,
        name_vi,
        name_en,
        short_name_vi
    from {{ ref('reporters') }}
),

aliases as (
    select
        indicator_code,
        {{ dbt.listagg('alias', "' | '", 'order by alias') }} as aliases
    from {{ ref('indicator_aliases') }}
    group by indicator_code
),

final as (
    select
        indicators.indicator_code,
        indicators.name_vi,
        indicators.name_en,
        indicators.unit,
        indicators.unit_aliases,
        indicators.direction,
        indicators.measure_type,
        indicators.aggregation,
        indicators.weight_indicator_code,
        indicators.numerator_indicator_code,
        indicators.denominator_indicator_code,
        indicators.rate_scale,
        indicators.numerator_label_en,
        indicators.denominator_label_en,
        indicators.valid_min,
        indicators.valid_max,
        indicators.responsible_reporter_code,
        reporters.name_vi as responsible_reporter_name_vi,
        reporters.name_en as responsible_reporter_name_en,
        reporters.short_name_vi as responsible_reporter_short_name_vi,
        indicators.locality_reports,
        indicators.tolerance_pct,
        indicators.consistency_tolerance,
        indicators.resolution_weak,
        indicators.sort_order,
        aliases.aliases
    from indicators
    left join reporters
        on indicators.responsible_reporter_code = reporters.reporter_code
    left join aliases
        on indicators.indicator_code = aliases.indicator_code
)

select * from final
