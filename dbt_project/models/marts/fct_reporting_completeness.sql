{#- Completeness and timeliness (DHIS2's reporting rate), per expected reporter x period of the reporting
    calendar: whether the report came, on time or late, and how many of the figures the reporter is
    responsible for it carries. Computed in int_expected_submissions__completeness (the expected figures:
    int_expected_submissions__figures); this mart names the reporter and the period and publishes the
    contract's types. Period-level rates are repeated on each row of the period. -#}
with completeness as (
    select * from {{ ref('int_expected_submissions__completeness') }}
),

reporters as (
    select
        reporter_code,
        name_vi,
        name_en
    from {{ ref('reporters') }}
),

periods as (
    select
        period,
        period_type
    from {{ ref('int_periods') }}
),

final as (
    select
        completeness.reporter_code,
        completeness.reporter_kind,
        reporters.name_vi as reporter_name_vi,
        reporters.name_en as reporter_name_en,
        completeness.period,
        periods.period_type,
        completeness.period_end_date,
        completeness.deadline_date,
        completeness.first_submitted_at,
        completeness.file_sha256,
        completeness.file_name,
        completeness.submission_status as status,
        cast(completeness.days_late as {{ dbt.type_int() }}) as days_late,
        cast(completeness.reports_expected as {{ dbt.type_int() }}) as reports_expected,
        cast(completeness.reports_received as {{ dbt.type_int() }}) as reports_received,
        cast(completeness.reports_on_time as {{ dbt.type_int() }}) as reports_on_time,
        cast(completeness.reports_late as {{ dbt.type_int() }}) as reports_late,
        cast(completeness.reports_missing as {{ dbt.type_int() }}) as reports_missing,
        cast(completeness.figures_expected as {{ dbt.type_int() }}) as figures_expected,
        cast(completeness.figures_received as {{ dbt.type_int() }}) as figures_received,
        cast(completeness.figure_completeness_pct as {{ type_double() }}) as figure_completeness_pct,
        completeness.is_flagged,
        cast(completeness.period_reports_expected as {{ dbt.type_int() }}) as period_reports_expected,
        cast(completeness.period_reports_received as {{ dbt.type_int() }}) as period_reports_received,
        cast(completeness.period_reporting_rate_pct as {{ type_double() }}) as period_reporting_rate_pct,
        cast(completeness.period_timeliness_rate_pct as {{ type_double() }}) as period_timeliness_rate_pct
    from completeness
    inner join periods
        on completeness.period = periods.period
    left join reporters
        on completeness.reporter_code = reporters.reporter_code
)

select * from final
