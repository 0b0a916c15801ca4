{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current', 'replace_always': 'is_province'}
) }}
{#- One consolidated value per locality x indicator x period, province rows included.
    Locality rows: int_values__localities (department over locality's self-report).
    Province rows: the aggregate of the localities when it can be computed, else the department's
    reported province total; the other one kept as other_source / other_value.
    unit: the indicator's catalogue unit (seed indicators).
    Incremental (macros/incremental.sql): locality rows by period; the province rows (a few per indicator
    and period) are replaced whole every run, because a weighted province value can borrow a locality's
    weight from an earlier period (int_values__province), i.e. look across periods. -#}
{#- The touched periods come from int_figures__current, never empty for a period with figures (a
    period of this model's own upstream may become empty when a revision blanks its values). -#}
{%- set touched_source = ref('int_figures__current') %}
with localities as (
    select * from {{ ref('int_values__localities') }}
    {% if is_incremental() -%}
    where period in ({{ touched_periods(touched_source) }})
    {%- endif %}
),

province as (
    select * from {{ ref('int_values__province') }}
    where aggregate_value is not null or province_total_value is not null
),

locality_rows as (
    select
        locality_code,
        indicator_code,
        period,
        value,
        chosen_source,
        chosen_reporter_code,
        other_source,
        other_value,
        other_reporter_code,
        numerator,
        denominator,
        revision,
        cast(null as {{ dbt.type_int() }}) as localities_count,
        cast(null as {{ dbt.type_string() }}) as aggregation_method,
        file_sha256,
        file_name,
        sheet_name,
        row_number,
        false as is_province,
        {{ watermark_of(ref('int_values__localities')) }} as watermark_ingested_at
    from localities
),

province_rows as (
    select
        locality_code,
        indicator_code,
        period,
        coalesce(aggregate_value, province_total_value) as value,
        case when aggregate_value is not null then 'aggregate_of_localities' else 'department_province_total' end
            as chosen_source,
        case
            when aggregate_value is not null then cast(null as {{ dbt.type_string() }}) else
                province_total_reporter_code
        end
            as chosen_reporter_code,
        case
            when aggregate_value is not null and province_total_value is not null then 'department_province_total'
        end as other_source,
        case when aggregate_value is not null then province_total_value end as other_value,
        case when aggregate_value is not null then province_total_reporter_code end as other_reporter_code,
        case when aggregate_value is not null then aggregate_numerator else province_total_numerator end as numerator,
        case when aggregate_value is not null then aggregate_denominator else province_total_denominator end
            as denominator,
        case when aggregate_value is not null then cast(null as {{ dbt.type_int() }}) else province_total_version end
            as revision,
        case when aggregate_value is not null then cast(localities_count as {{ dbt.type_int() }}) end
            as localities_count,
        case when aggregate_value is not null then aggregation_method end as aggregation_method,
        case
            when aggregate_value is not null then cast(null as {{ dbt.type_string() }}) else province_total_file_sha256
        end
            as file_sha256,
        case
            when aggregate_value is not null then cast(null as {{ dbt.type_string() }}) else province_total_file_name
        end
            as file_name,
        case
            when aggregate_value is not null then cast(null as {{ dbt.type_string() }}) else province_total_sheet_name
        end
            as sheet_name,
        case when aggregate_value is not null then cast(null as {{ dbt.type_int() }}) else province_total_row_number end
            as row_number,
        true as is_province,
        {{ watermark_of(ref('int_values__localities')) }} as watermark_ingested_at
    from province
),

unioned as (
    select * from locality_rows
    union all
    select * from province_rows
),

indicators as (
    select
        indicator_code,
        unit
    from {{ ref('indicators') }}
),

final as (
    {#- the catalogue unit travels with the value, so the marts need not re-join the seed -#}
    select
        unioned.*,
        indicators.unit
    from unioned
    left join indicators
        on unioned.indicator_code = indicators.indicator_code
)

select * from final
