{#- Completeness and timeliness (DHIS2's reporting rate), per expected reporter x period of the reporting
    calendar (int_expected_submissions): whether the report came, on time or late, and how many of the
    figures the reporter is responsible for it carries. Expected figures: a locality, every indicator
    with locality_reports for its own area; a department, every indicator whose responsible reporter
    (or, once that reporter has ended, its successor in seed reporters) it is, for every unit of the
    province valid at the period's end (the 9 districts up to 2025-H1, the 65 communes from 2025-H2). Period-level rates are repeated on each row of the period. -#}
with expected as (
    select * from {{ ref('int_expected_submissions') }}
),

reporters as (
    select * from {{ ref('reporters') }}
),

indicators as (
    select indicator_code, responsible_reporter_code, locality_reports from {{ ref('indicators') }}
),

province_units as (
    {#- the units a department reports on: the province's own units of the period's map -#}
    select period, locality_code from {{ ref('int_units__by_period') }} where is_province_child
),

periods as (
    select period, period_type, end_date from {{ ref('int_periods') }}
),

responsible as (
    {#- the indicator's responsible reporter at each period's end: itself while valid, else its successor -#}
    select
        indicators.indicator_code,
        periods.period,
        case
            when owner.valid_to is not null and owner.valid_to < periods.end_date and owner.successor_code is not null
                then owner.successor_code
            else owner.reporter_code
        end as reporter_code
    from indicators
    cross join periods
    inner join reporters as owner
        on indicators.responsible_reporter_code = owner.reporter_code
),

expected_figures as (
    select expected.reporter_code, expected.period, province_units.locality_code, responsible.indicator_code
    from expected
    inner join responsible
        on responsible.reporter_code = expected.reporter_code
        and responsible.period = expected.period
    inner join province_units
        on province_units.period = expected.period
    where expected.reporter_kind = 'department'
    union all
    select expected.reporter_code, expected.period, reporters.locality_code, indicators.indicator_code
    from expected
    inner join reporters
        on expected.reporter_code = reporters.reporter_code
    cross join indicators
    where expected.reporter_kind = 'locality'
        and indicators.locality_reports
),

received_figures as (
    select distinct reporter_code, period, locality_code, indicator_code
    from {{ ref('int_figures__versioned') }}
    where value is not null
),

figure_counts as (
    select
        expected_figures.reporter_code,
        expected_figures.period,
        count(*) as figures_expected,
        sum(case when received_figures.indicator_code is not null then 1 else 0 end) as figures_received
    from expected_figures
    left join received_figures
        on expected_figures.reporter_code = received_figures.reporter_code
        and expected_figures.period = received_figures.period
        and expected_figures.locality_code = received_figures.locality_code
        and expected_figures.indicator_code = received_figures.indicator_code
    group by expected_figures.reporter_code, expected_figures.period
),

rows_ as (
    select
        expected.reporter_code,
        expected.reporter_kind,
        reporters.name_vi as reporter_name_vi,
        reporters.name_en as reporter_name_en,
        expected.period,
        periods.period_type,
        expected.period_end_date,
        expected.deadline_date,
        expected.first_submitted_at,
        expected.file_sha256,
        expected.file_name,
        expected.submission_status as status,
        expected.days_late,
        case when expected.submission_status = 'not_yet_due' then 0 else 1 end as reports_expected,
        case when expected.submission_status in ('on_time', 'late') then 1 else 0 end as reports_received,
        case when expected.submission_status = 'on_time' then 1 else 0 end as reports_on_time,
        case when expected.submission_status = 'late' then 1 else 0 end as reports_late,
        case when expected.submission_status = 'missing' then 1 else 0 end as reports_missing,
        coalesce(figure_counts.figures_expected, 0) as figures_expected,
        coalesce(figure_counts.figures_received, 0) as figures_received
    from expected
    inner join periods
        on expected.period = periods.period
    left join reporters
        on expected.reporter_code = reporters.reporter_code
    left join figure_counts
        on expected.reporter_code = figure_counts.reporter_code
        and expected.period = figure_counts.period
),

period_totals as (
    select
        period,
        sum(reports_expected) as period_reports_expected,
        sum(reports_received) as period_reports_received,
        sum(reports_on_time) as period_reports_on_time
    from rows_
    group by period
),

final as (
    select
        rows_.reporter_code,
        rows_.reporter_kind,
        rows_.reporter_name_vi,
        rows_.reporter_name_en,
        rows_.period,
        rows_.period_type,
        rows_.period_end_date,
        rows_.deadline_date,
        rows_.first_submitted_at,
        rows_.file_sha256,
        rows_.file_name,
        rows_.status,
        cast(rows_.days_late as {{ dbt.type_int() }}) as days_late,
        cast(rows_.reports_expected as {{ dbt.type_int() }}) as reports_expected,
        cast(rows_.reports_received as {{ dbt.type_int() }}) as reports_received,
        cast(rows_.reports_on_time as {{ dbt.type_int() }}) as reports_on_time,
        cast(rows_.reports_late as {{ dbt.type_int() }}) as reports_late,
        cast(rows_.reports_missing as {{ dbt.type_int() }}) as reports_missing,
        cast(rows_.figures_expected as {{ dbt.type_int() }}) as figures_expected,
        cast(rows_.figures_received as {{ dbt.type_int() }}) as figures_received,
        cast(case when rows_.figures_expected > 0
            then round(rows_.figures_received * 100.0 / rows_.figures_expected, 2) end as {{ type_double() }}) as figure_completeness_pct,
        rows_.status in ('late', 'missing') as is_flagged,
        cast(period_totals.period_reports_expected as {{ dbt.type_int() }}) as period_reports_expected,
        cast(period_totals.period_reports_received as {{ dbt.type_int() }}) as period_reports_received,
        cast(case when period_totals.period_reports_expected > 0
            then round(period_totals.period_reports_received * 100.0 / period_totals.period_reports_expected, 2) end as {{ type_double() }}) as period_reporting_rate_pct,
        cast(case when period_totals.period_reports_expected > 0
            then round(period_totals.period_reports_on_time * 100.0 / period_totals.period_reports_expected, 2) end as {{ type_double() }}) as period_timeliness_rate_pct
    from rows_
    inner join period_totals
        on rows_.period = period_totals.period
)

select * from final
