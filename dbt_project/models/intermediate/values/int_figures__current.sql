{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__versioned'}
) }}
{#- The current version of every figure; incremental by period like int_figures__versioned, whose
    watermark_ingested_at it keeps. -#}
with versioned as (
    select * from {{ ref('int_figures__versioned') }}
    {% if is_incremental() -%}
    where period in ({{ touched_periods(ref('int_figures__versioned')) }})
    {%- endif %}
)

select * from versioned
where is_current
