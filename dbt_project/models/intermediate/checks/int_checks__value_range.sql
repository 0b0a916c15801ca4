{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current'}
) }}
{#- One row per current figure with a value, with the indicator's valid range: the input of the
    VALUE_OUT_OF_RANGE expectation (GX). is_out_of_range is provided for convenience.
    Incremental by period (macros/incremental.sql): a figure's checks depend on its own row only. -#}
with figures as (
    select * from {{ ref('int_figures__current') }}
    where value is not null
    {%- if is_incremental() %}
        and period in ({{ touched_periods(ref('int_figures__current')) }})
    {%- endif %}
),

indicators as (
    select
        indicator_code,
        valid_min,
        valid_max,
        unit
    from {{ ref('indicators') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "'value_range|'", "figures.file_sha256", "'|'", "cast(figures.row_number as " ~ dbt.type_string() ~ ")"
        ])) }}
            as check_key,
        figures.file_sha256,
        figures.file_name,
        figures.row_number,
        figures.reporter_code,
        figures.reporter_kind,
        figures.locality_code,
        figures.indicator_code,
        figures.period,
        figures.value,
        indicators.valid_min,
        indicators.valid_max,
        indicators.unit,
        (figures.value < indicators.valid_min or figures.value > indicators.valid_max) as is_out_of_range,
        {{ watermark_of(ref('int_figures__current')) }} as watermark_ingested_at
    from figures
    left join indicators
        on figures.indicator_code = indicators.indicator_code
)

select * from final
