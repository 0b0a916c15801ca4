{{ config(tags=['dq_findings']) }}
{#- Findings of family completeness on intake (REQUIRED_FIELD_MISSING): Great Expectations' failing
    rows of raw.figures (table 'figures'), located by the figure's file and row. An error here is a
    blocking check in Dagster (int_dq_rule_catalogue.blocks_publication). -#}
{%- set row_text = "cast(f.row_number as " ~ dbt.type_string() ~ ")" %}
with context as (
    select
        f.figure_key as check_key,
        'figures' as check_model,
        f.reporter_code,
        f.locality_code,
        f.indicator_code,
        f.period,
        f.value as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        cast(null as {{ dbt.type_string() }}) as figures,
        {{ dbt.concat(["'tệp '", "f.file_name", "', dòng '", row_text, "': thiếu trường bắt buộc'"]) }} as detail_vi,
        {{ dbt.concat(["'file '", "f.file_name", "', row '", row_text, "': a required field is missing'"]) }}
            as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        f.file_sha256,
        f.file_name,
        f.row_number
    from {{ ref('int_figures__versioned') }} as f
),

findings as (
    {{ gx_finding(['figures']) }}
),

{{ dq_finding_rows() }}
