{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current', 'replace_always': consolidated_province_rows()}
) }}
{#- The figures validation rules (seed dq_rules) run over, long format, in two scopes:
    report        each reporter's current figures: one "form" per reporter x locality x period, so a
                  violation names the file and the reporter to call (DHIS2: a data set's values);
    consolidated  the consolidated values (province aggregates included): rules across reporters.
    Incremental (macros/incremental.sql): by period, the consolidated province rows replaced whole every
    run as in int_values__consolidated. -#}
{%- set touched_source = ref('int_figures__current') %}
with report_figures as (
    select
        'report' as evaluated_on,
        reporter_code as scope_reporter_code,
        reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number,
        {{ watermark_of(ref('int_figures__current')) }} as watermark_ingested_at
    from {{ ref('int_figures__current') }}
    where (value is not null or numerator is not null or denominator is not null)
    {%- if is_incremental() %}
        and period in ({{ touched_periods(touched_source) }})
    {%- endif %}
),

consolidated_values as (
    select
        'consolidated' as evaluated_on,
        cast(null as {{ dbt.type_string() }}) as scope_reporter_code,
        chosen_reporter_code as reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number,
        {{ watermark_of(ref('int_values__consolidated')) }} as watermark_ingested_at
    from {{ ref('int_values__consolidated') }}
    where value is not null
    {%- if is_incremental() %}
        and (period in ({{ touched_periods(touched_source) }}) or locality_code = '{{ var("province_code") }}')
    {%- endif %}
)

select * from report_figures
union all
select * from consolidated_values
