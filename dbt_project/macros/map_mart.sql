{#- The published columns of a fixed-map mart: the map's rows with the unit's names and validity, the
    indicator's unit, SDMX's break status and whether the period holds synthetic (sample) figures. -#}
{% macro map_mart(map_relation, map_code) -%}
with map_values as (
    select * from {{ map_relation }}
),

units as (
    select * from {{ ref('localities') }}
),

indicators as (
    select indicator_code, unit from {{ ref('indicators') }}
),

breaks as (
    select indicator_code, period, obs_status from {{ ref('int_series_breaks__periods') }}
),

synthetic_periods as (
    {#- a period is synthetic when any figure of it came from a file marked synthetic (the sample) -#}
    select figures.period, max(case when submissions.is_synthetic then 1 else 0 end) as any_synthetic
    from {{ ref('int_figures__current') }} as figures
    inner join {{ ref('stg_raw__submissions') }} as submissions
        on figures.file_sha256 = submissions.file_sha256
    group by figures.period
),

final as (
    select
        '{{ map_code }}' as map_code,
        map_values.locality_key,
        map_values.locality_code,
        units.level as locality_level,
        units.name_vi as locality_name_vi,
        units.name_en as locality_name_en,
        map_values.indicator_code,
        map_values.period,
        map_values.value,
        indicators.unit,
        map_values.numerator,
        map_values.denominator,
        map_values.map_method,
        map_values.map_method <> 'as_reported' as is_rolled_up,
        map_values.chosen_source,
        map_values.aggregation_method,
        map_values.pieces_expected,
        map_values.pieces_reported,
        cast(case when map_values.pieces_expected > 0
            then map_values.pieces_reported * 1.0 / map_values.pieces_expected end as {{ type_double() }}) as completeness_share,
        coalesce(map_values.pieces_reported = map_values.pieces_expected, false) as is_complete,
        map_values.uses_placeholder_share,
        map_values.lineage,
        breaks.obs_status,
        coalesce(synthetic_periods.any_synthetic = 1, false) as is_synthetic,
        map_values.approval_status,
        map_values.approved_by,
        map_values.approved_at,
        map_values.revision_value,
        map_values.has_revision_after_approval
    from map_values
    inner join units
        on map_values.locality_key = units.locality_key
    left join indicators
        on map_values.indicator_code = indicators.indicator_code
    left join breaks
        on map_values.indicator_code = breaks.indicator_code
        and map_values.period = breaks.period
    left join synthetic_periods
        on map_values.period = synthetic_periods.period
)

select * from final
{%- endmacro %}
