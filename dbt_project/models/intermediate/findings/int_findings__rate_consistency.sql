{{ config(tags=['dq_findings']) }}
{#- Findings of family related_indicators (RATE_MISMATCH, NUMERATOR_GT_DENOMINATOR): Great
    Expectations' failing rows of int_checks__rate_consistency, with the rate, its numerator and
    denominator. A numerator above its denominator has a message of its own (alt_detail_*). -#}
with context as (
    select
        c.check_key,
        'int_checks__rate_consistency' as check_model,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat([
            "'numerator/denominator x '", fmt_num('c.rate_scale', 0), "' = '", fmt_num('c.computed_value'),
            "' ± '", fmt_num('c.consistency_tolerance')
        ]) }} as expected,
        c.computed_value - coalesce(c.consistency_tolerance, 0) as expected_low,
        c.computed_value + coalesce(c.consistency_tolerance, 0) as expected_high,
        {{ dbt.concat([
            "'value='", fmt_num('c.value'), "'; numerator='", fmt_num('c.numerator'),
            "'; denominator='", fmt_num('c.denominator'), "'; computed='", fmt_num('c.computed_value')
        ]) }} as figures,
        {{ dbt.concat([
            "'báo cáo tỷ lệ '", fmt_num('c.value'), "' nhưng tử số / mẫu số ('", fmt_num('c.numerator'),
            "' / '", fmt_num('c.denominator'), "') cho '", fmt_num('c.computed_value'),
            "' (chênh '", fmt_num('c.abs_deviation'), "', cho phép '", fmt_num('c.consistency_tolerance'), "')'"
        ]) }} as detail_vi,
        {{ dbt.concat([
            "'reported '", fmt_num('c.value'), "' but numerator / denominator ('", fmt_num('c.numerator'),
            "' / '", fmt_num('c.denominator'), "') give '", fmt_num('c.computed_value'),
            "' (off by '", fmt_num('c.abs_deviation'), "', tolerance '", fmt_num('c.consistency_tolerance'), "')'"
        ]) }} as detail_en,
        {{ dbt.concat([
            "'tử số '", fmt_num('c.numerator'), "' lớn hơn mẫu số '", fmt_num('c.denominator')
        ]) }} as alt_detail_vi,
        {{ dbt.concat([
            "'numerator '", fmt_num('c.numerator'), "' exceeds denominator '", fmt_num('c.denominator')
        ]) }} as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        c.file_sha256,
        c.file_name,
        c.row_number
    from {{ ref('int_checks__rate_consistency') }} as c
),

findings as (
    {{ gx_finding(['int_checks__rate_consistency']) }}
),

{{ dq_finding_rows() }}
