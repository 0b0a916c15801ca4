{{ config(tags=['dq_findings']) }}
{#- Findings of family approval (REVISION_AFTER_APPROVAL): a figure submitted after its value was
    approved (dothi approve) differs from the approved one. The approved value stays official
    (int_values__official); the finding gives both figures. One issue per value and revising file. -#}
{%- set approved_on = "cast(c.approved_at as " ~ dbt.type_string() ~ ")" %}
with this_run as (
    {{ dq_this_run() }}
),

findings as (
    select
        {{ dbt_check_rule("'REVISION_AFTER_APPROVAL'") }},
        c.chosen_reporter_code as reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.revision_value as observed_value,
        {{ dbt.concat(["'= '", fmt_num('c.value'), "' (approved)'"]) }} as expected,
        c.value as expected_low,
        c.value as expected_high,
        {{ dbt.concat([
            "'approved='", fmt_num('c.value'), "'; revision='", fmt_num('c.revision_value'),
            "'; approved_by='", "c.approved_by"
        ]) }} as figures,
        {{ dbt.concat([
            "'số đã phê duyệt '", fmt_num('c.value'), "' ('", "c.approved_by", "', '", approved_on,
            "') được giữ làm số chính thức; bản sửa gửi sau là '", fmt_num('c.revision_value')
        ]) }} as detail_vi,
        {{ dbt.concat([
            "'approved value '", fmt_num('c.value'), "' ('", "c.approved_by", "', '", approved_on,
            "') stays official; the later revision is '", fmt_num('c.revision_value')
        ]) }} as detail_en,
        c.revision_file_sha256 as file_sha256,
        c.revision_file_name as file_name,
        c.revision_row_number as row_number,
        {{ dbt.concat(["c.locality_code", "'|'", "c.indicator_code", "'|'", "c.period"]) }} as check_key,
        'int_values__official' as check_model,
        this_run.run_id,
        this_run.detected_at,
        {{ dbt.hash(dbt.concat([
            "'REVISION_AFTER_APPROVAL|'", "c.locality_code", "'|'", "c.indicator_code", "'|'", "c.period",
            "'|'", "coalesce(c.revision_file_sha256, '')", "'|'", fmt_num('c.revision_value')
        ])) }} as issue_id
    from {{ ref('int_values__official') }} as c
    cross join this_run
    where c.is_revised_after_approval
),

{{ dq_finding_rows() }}
