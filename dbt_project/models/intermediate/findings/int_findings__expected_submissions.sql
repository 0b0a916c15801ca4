{{ config(tags=['dq_findings']) }}
{#- Findings of families completeness and timeliness (SUBMISSION_MISSING, SUBMISSION_LATE): Great
    Expectations' failing rows of int_expected_submissions, naming the reporter, the period and the
    deadline (dates written dd/mm/yyyy in Vietnamese). -#}
{%- set txt = dbt.type_string() %}
{%- set reporter_vi = "coalesce(reporters.short_name_vi, c.reporter_code)" %}
{%- set reporter_en = "coalesce(reporters.name_en, c.reporter_code)" %}
{%- set days_late = "coalesce(cast(c.days_late as " ~ txt ~ "), '?')" %}
{%- set deadline = "cast(c.deadline_date as " ~ txt ~ ")" %}
{%- set submitted_on = "cast(cast(c.first_submitted_at as date) as " ~ txt ~ ")" %}
with reporters as (
    select
        reporter_code,
        locality_code,
        short_name_vi,
        name_en
    from {{ ref('reporters') }}
),

context as (
    select
        c.check_key,
        'int_expected_submissions' as check_model,
        c.reporter_code,
        case when c.reporter_kind = 'locality' then reporters.locality_code end as locality_code,
        cast(null as {{ txt }}) as indicator_code,
        c.period,
        cast(c.days_late as {{ type_double() }}) as observed_value,
        {{ dbt.concat(["'deadline '", deadline]) }} as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(0 as {{ type_double() }}) as expected_high,
        {{ dbt.concat([
            "'deadline='", deadline, "'; first_submitted='", "coalesce(" ~ submitted_on ~ ", 'none')",
            "'; days_late='", days_late
        ]) }} as figures,
        case
            when c.submission_status = 'late'
                then
            {{ dbt.concat([
                reporter_vi, "' gửi báo cáo kỳ '", "c.period", "' ngày '", fmt_date_vi('c.first_submitted_at'),
                "', trễ '", "cast(c.days_late as " ~ txt ~ ")", "' ngày so với hạn '", fmt_date_vi('c.deadline_date')
            ]) }}
            else
            {{ dbt.concat([
                reporter_vi, "' chưa gửi báo cáo kỳ '", "c.period", "' (hạn '", fmt_date_vi('c.deadline_date'),
                "', đã quá '", days_late, "' ngày)'"
            ]) }}
        end as detail_vi,
        case
            when c.submission_status = 'late'
                then
            {{ dbt.concat([
                reporter_en, "' submitted the '", "c.period", "' report on '", submitted_on,
                "', '", "cast(c.days_late as " ~ txt ~ ")", "' days after the deadline '", deadline
            ]) }}
            else
            {{ dbt.concat([
                reporter_en, "' has not submitted the '", "c.period", "' report (deadline '", deadline,
                "', '", days_late, "' days overdue)'"
            ]) }}
        end as detail_en,
        cast(null as {{ txt }}) as alt_detail_vi,
        cast(null as {{ txt }}) as alt_detail_en,
        cast(null as {{ txt }}) as recon_status,
        c.file_sha256,
        c.file_name,
        cast(null as {{ dbt.type_int() }}) as row_number
    from {{ ref('int_expected_submissions') }} as c
    left join reporters
        on c.reporter_code = reporters.reporter_code
),

findings as (
    {{ gx_finding(['int_expected_submissions']) }}
),

{{ dq_finding_rows() }}
