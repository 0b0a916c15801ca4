{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current'}
) }}
{#- The consolidated value per unit below the province (old districts and communes, new communes) x
    indicator x period, for units that existed at the period's end (intake refuses the others).
    Source precedence: the department (the responsible sector) over the locality's self-report; the
    losing value is kept as other_source / other_value. Incremental by period (macros/incremental.sql). -#}
{#- The touched periods come from int_figures__current, never empty for a period with figures (a
    period of this model's own upstream may become empty when a revision blanks its values). -#}
{%- set touched_source = ref('int_figures__current') %}
with by_channel as (
    select * from {{ ref('int_values__by_channel') }}
    {% if is_incremental() -%}
    where period in ({{ touched_periods(touched_source) }})
    {%- endif %}
),

units as (
    select
        locality_code,
        period
    from {{ ref('int_units__by_period') }}
    where level <> 'province'
),

district_rows as (
    select by_channel.*
    from by_channel
    inner join units
        on
            by_channel.locality_code = units.locality_code
            and by_channel.period = units.period
),

chosen as (
    select
        locality_code,
        indicator_code,
        period,
        case when department_value is not null then 'department' else 'locality' end as chosen_source,
        coalesce(department_value, locality_value) as value,
        case when department_value is not null then department_reporter_code else locality_reporter_code end
            as chosen_reporter_code,
        case when department_value is not null then department_numerator else locality_numerator end as numerator,
        case when department_value is not null then department_denominator else locality_denominator end as denominator,
        case when department_value is not null then department_version else locality_version end as revision,
        case when department_value is not null then department_file_sha256 else locality_file_sha256 end as file_sha256,
        case when department_value is not null then department_file_name else locality_file_name end as file_name,
        case when department_value is not null then department_sheet_name else locality_sheet_name end as sheet_name,
        case when department_value is not null then department_row_number else locality_row_number end as row_number,
        case when department_value is not null and locality_value is not null then 'locality' end as other_source,
        case when department_value is not null then locality_value end as other_value,
        case when department_value is not null then locality_reporter_code end as other_reporter_code,
        {{ watermark_of(ref('int_values__by_channel')) }} as watermark_ingested_at
    from district_rows
)

select * from chosen
