{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current'}
) }}
{#- Current figures of rate indicators (rate_scale set) with value, numerator and denominator all
    present: the input of the RATE_MISMATCH and NUMERATOR_GT_DENOMINATOR expectations (GX).
    computed_value = numerator / denominator x rate_scale; deviation_ratio = |value - computed| /
    consistency_tolerance (> 1 is a mismatch); is_share (rate_scale = 100): numerator must not exceed
    the denominator.
    Incremental by period (macros/incremental.sql): a figure's checks depend on its own row only. -#}
with figures as (
    select * from {{ ref('int_figures__current') }}
    where
        value is not null
        and numerator is not null
        and denominator is not null
    {%- if is_incremental() %}
        and period in ({{ touched_periods(ref('int_figures__current')) }})
    {%- endif %}
),

indicators as (
    select
        indicator_code,
        rate_scale,
        consistency_tolerance
    from {{ ref('indicators') }}
    where rate_scale is not null
),

computed as (
    select
        figures.*,
        indicators.rate_scale,
        indicators.consistency_tolerance,
        case
            when figures.denominator <> 0
                then figures.numerator / figures.denominator * indicators.rate_scale
        end as computed_value
    from figures
    inner join indicators
        on figures.indicator_code = indicators.indicator_code
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "'rate_consistency|'", "file_sha256", "'|'", "cast(row_number as " ~ dbt.type_string() ~ ")"
        ])) }}
            as check_key,
        file_sha256,
        file_name,
        row_number,
        reporter_code,
        reporter_kind,
        locality_code,
        indicator_code,
        period,
        value,
        numerator,
        denominator,
        rate_scale,
        computed_value,
        abs(value - computed_value) as abs_deviation,
        consistency_tolerance,
        case
            when computed_value is null then null
            when consistency_tolerance is null or consistency_tolerance = 0
                then
                    case when value = computed_value then 0.0 else {{ var('dq_large_ratio') }} * 1.0 end
            else abs(value - computed_value) / consistency_tolerance
        end as deviation_ratio,
        rate_scale = 100 as is_share,
        numerator > denominator as numerator_exceeds_denominator,
        {{ watermark_of(ref('int_figures__current')) }} as watermark_ingested_at
    from computed
)

select * from final
