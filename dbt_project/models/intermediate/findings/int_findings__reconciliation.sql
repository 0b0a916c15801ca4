{{ config(tags=['dq_findings']) }}
{#- Findings of family reconciliation (CHANNEL_DISAGREEMENT, PROVINCE_TOTAL_MISMATCH): Great
    Expectations' failing rows of int_reconciliation, with both channels' figures. The grade follows the
    reconciliation's status: major takes the catalogue's escalated severity, minor its severity. -#}
{%- set is_aggregate = "c.comparison = 'aggregate_vs_province_total'" %}
{%- set department = "coalesce(departments.short_name_vi, c.department_reporter_code, '?')" %}
{%- set localities_count = "cast(coalesce(c.localities_count, 0) as " ~ dbt.type_string() ~ ")" %}
with departments as (
    select
        reporter_code,
        short_name_vi
    from {{ ref('reporters') }}
),

context as (
    select
        c.check_key,
        'int_reconciliation' as check_model,
        coalesce(c.locality_reporter_code, c.department_reporter_code) as reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.locality_value as observed_value,
        {{ dbt.concat([
            "'|difference| <= '", fmt_num('c.tolerance_pct'), "' % of '", fmt_num('c.department_value')
        ]) }} as expected,
        c.department_value - abs(c.department_value) * c.tolerance_pct / 100.0 as expected_low,
        c.department_value + abs(c.department_value) * c.tolerance_pct / 100.0 as expected_high,
        {{ dbt.concat([
            "case when " ~ is_aggregate ~ " then 'aggregate=' else 'locality=' end", fmt_num('c.locality_value'),
            "'; '", "coalesce(c.department_reporter_code, 'department')", "'='", fmt_num('c.department_value'),
            "'; diff='", fmt_num('c.rel_diff_pct', 1), "' %'"
        ]) }} as figures,
        case
            when {{ is_aggregate }}
                then
            {{ dbt.concat([
                "'tổng hợp '", localities_count, "' địa phương là '", fmt_num('c.locality_value'),
                "', số toàn tỉnh của '", department, "' là '", fmt_num('c.department_value'),
                "' (chênh '", fmt_num('c.rel_diff_pct', 1), "' %, cho phép '", fmt_num('c.tolerance_pct', 1), "' %)'"
            ]) }}
            else
            {{ dbt.concat([
                "'địa phương báo cáo '", fmt_num('c.locality_value'), "', '", department,
                "' báo cáo '", fmt_num('c.department_value'),
                "' (chênh '", fmt_num('c.rel_diff_pct', 1), "' %, cho phép '", fmt_num('c.tolerance_pct', 1), "' %)'"
            ]) }}
        end as detail_vi,
        case
            when {{ is_aggregate }}
                then
            {{ dbt.concat([
                "'aggregate of '", localities_count, "' localities is '", fmt_num('c.locality_value'),
                "', '", department, "' reports a province total of '", fmt_num('c.department_value'),
                "' ('", fmt_num('c.rel_diff_pct', 1), "' % apart, tolerance '", fmt_num('c.tolerance_pct', 1), "' %)'"
            ]) }}
            else
            {{ dbt.concat([
                "'locality reports '", fmt_num('c.locality_value'), "', '", department,
                "' reports '", fmt_num('c.department_value'),
                "' ('", fmt_num('c.rel_diff_pct', 1), "' % apart, tolerance '", fmt_num('c.tolerance_pct', 1), "' %)'"
            ]) }}
        end as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        c.status as recon_status,
        coalesce(c.locality_file_sha256, c.department_file_sha256) as file_sha256,
        coalesce(c.locality_file_name, c.department_file_name) as file_name,
        case
            when c.locality_file_sha256 is not null then c.locality_row_number
            else c.department_row_number
        end as row_number
    from {{ ref('int_reconciliation') }} as c
    left join departments
        on c.department_reporter_code = departments.reporter_code
),

findings as (
    {{ gx_finding(['int_reconciliation']) }}
),

{{ dq_finding_rows() }}
