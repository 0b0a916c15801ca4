{{ config(tags=['dq_findings']) }}
{#- Findings of family range (VALUE_OUT_OF_RANGE): Great Expectations' failing rows of
    int_checks__value_range, with the check row's value, bounds and lineage. -#}
with context as (
    select
        c.check_key,
        'int_checks__value_range' as check_model,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat([
            "'['", fmt_num('c.valid_min'), "', '", fmt_num('c.valid_max'), "'] '", "coalesce(c.unit, '')"
        ]) }} as expected,
        c.valid_min as expected_low,
        c.valid_max as expected_high,
        {{ dbt.concat(["'value='", fmt_num('c.value')]) }} as figures,
        {{ dbt.concat([
            "'giá trị '", fmt_num('c.value'), "' '", "coalesce(c.unit, '')", "' nằm ngoài khoảng hợp lệ ['",
            fmt_num('c.valid_min'), "' – '", fmt_num('c.valid_max'), "']'"
        ]) }} as detail_vi,
        {{ dbt.concat([
            "'value '", fmt_num('c.value'), "' '", "coalesce(c.unit, '')", "' is outside the valid range ['",
            fmt_num('c.valid_min'), "', '", fmt_num('c.valid_max'), "']'"
        ]) }} as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        c.file_sha256,
        c.file_name,
        c.row_number
    from {{ ref('int_checks__value_range') }} as c
),

findings as (
    {{ gx_finding(['int_checks__value_range']) }}
),

{{ dq_finding_rows() }}
