{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current', 'replace_always': "comparison = 'aggregate_vs_province_total'"}
) }}
{#- Reconciliation of the two reporting channels, per locality x indicator x period with any value.
    District rows compare the locality's self-report with the department's figure; the province row
    ('56') compares the aggregate of the localities with the department's reported province total.
    rel_diff_pct is relative to the department's value; diff_over_tolerance = rel_diff_pct / tolerance
    (status: <= 1 consistent, <= 2 minor, else major).
    Incremental (macros/incremental.sql): district rows by period; the province rows are replaced whole
    every run (see int_values__consolidated). -#}
{#- The touched periods come from int_figures__current, never empty for a period with figures (a
    period of this model's own upstream may become empty when a revision blanks its values). -#}
{%- set touched_source = ref('int_figures__current') %}
with by_channel as (
    select * from {{ ref('int_values__by_channel') }}
    {% if is_incremental() -%}
    where period in ({{ touched_periods(touched_source) }})
    {%- endif %}
),

localities as (
    select
        locality_code,
        period
    from {{ ref('int_units__by_period') }}
    where level <> 'province'
),

province as (
    select * from {{ ref('int_values__province') }}
),

indicators as (
    select
        indicator_code,
        tolerance_pct
    from {{ ref('indicators') }}
),

district_pairs as (
    select
        by_channel.locality_code,
        by_channel.indicator_code,
        by_channel.period,
        'locality_vs_department' as comparison,
        by_channel.locality_value,
        by_channel.department_value,
        by_channel.locality_reporter_code,
        by_channel.department_reporter_code,
        by_channel.locality_file_sha256,
        by_channel.locality_file_name,
        by_channel.locality_row_number,
        by_channel.department_file_sha256,
        by_channel.department_file_name,
        by_channel.department_row_number,
        cast(null as {{ dbt.type_int() }}) as localities_count
    from by_channel
    inner join localities
        on
            by_channel.locality_code = localities.locality_code
            and by_channel.period = localities.period
),

province_pairs as (
    select
        locality_code,
        indicator_code,
        period,
        'aggregate_vs_province_total' as comparison,
        aggregate_value as locality_value,
        province_total_value as department_value,
        cast(null as {{ dbt.type_string() }}) as locality_reporter_code,
        province_total_reporter_code as department_reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_file_sha256,
        cast(null as {{ dbt.type_string() }}) as locality_file_name,
        cast(null as {{ dbt.type_int() }}) as locality_row_number,
        province_total_file_sha256 as department_file_sha256,
        province_total_file_name as department_file_name,
        province_total_row_number as department_row_number,
        cast(localities_count as {{ dbt.type_int() }}) as localities_count
    from province
    where aggregate_value is not null or province_total_value is not null
),

pairs as (
    select * from district_pairs
    union all
    select * from province_pairs
),

measured as (
    select
        pairs.*,
        indicators.tolerance_pct,
        abs(pairs.locality_value - pairs.department_value) as abs_diff,
        case
            when pairs.locality_value is null or pairs.department_value is null then null
            when pairs.department_value = 0 and pairs.locality_value = 0 then 0.0
            when pairs.department_value = 0 then null
            else abs(pairs.locality_value - pairs.department_value) / abs(pairs.department_value) * 100
        end as rel_diff_pct
    from pairs
    left join indicators
        on pairs.indicator_code = indicators.indicator_code
),

rated as (
    select
        measured.*,
        {{ diff_over_tolerance('locality_value', 'department_value', 'rel_diff_pct', 'tolerance_pct') }}
            as diff_over_tolerance
    from measured
),

final as (
    select
        {{ dbt.hash(dbt.concat(["'reconciliation|'", "locality_code", "'|'", "indicator_code", "'|'", "period"])) }}
            as check_key,
        locality_code,
        indicator_code,
        period,
        comparison,
        locality_value,
        department_value,
        locality_reporter_code,
        department_reporter_code,
        locality_file_sha256,
        locality_file_name,
        locality_row_number,
        department_file_sha256,
        department_file_name,
        department_row_number,
        localities_count,
        abs_diff,
        rel_diff_pct,
        tolerance_pct,
        diff_over_tolerance,
        {{ reconciliation_status('locality_value', 'department_value', 'diff_over_tolerance') }} as status,
        case
            when
                comparison = 'aggregate_vs_province_total' and locality_value is not null
                then 'aggregate_of_localities'
            when comparison = 'aggregate_vs_province_total' then 'department_province_total'
            when department_value is not null then 'department'
            else 'locality'
        end as authoritative_source,
        {{ watermark_of(ref('int_values__by_channel')) }} as watermark_ingested_at
    from rated
)

select * from final
