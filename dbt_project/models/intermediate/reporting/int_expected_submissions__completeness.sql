{#- Completeness and timeliness (DHIS2's reporting rate) per expected submission
    (int_expected_submissions__figures): the report counts (expected unless not yet due; received on time
    or late; missing) beside how many of the figures it should carry came, with the period's totals on
    every row. -#}
with expected as (
    select * from {{ ref('int_expected_submissions__figures') }}
),

submissions as (
    select
        expected.reporter_code,
        expected.reporter_kind,
        expected.period,
        expected.period_end_date,
        expected.deadline_date,
        expected.first_submitted_at,
        expected.file_sha256,
        expected.file_name,
        expected.submission_status,
        expected.days_late,
        case when expected.submission_status = 'not_yet_due' then 0 else 1 end as reports_expected,
        case when expected.submission_status in ('on_time', 'late') then 1 else 0 end as reports_received,
        case when expected.submission_status = 'on_time' then 1 else 0 end as reports_on_time,
        case when expected.submission_status = 'late' then 1 else 0 end as reports_late,
        case when expected.submission_status = 'missing' then 1 else 0 end as reports_missing,
        expected.figures_expected,
        expected.figures_received
    from expected
),

period_totals as (
    select
        period,
        sum(reports_expected) as period_reports_expected,
        sum(reports_received) as period_reports_received,
        sum(reports_on_time) as period_reports_on_time
    from submissions
    group by period
),

final as (
    select
        submissions.*,
        case
            when submissions.figures_expected > 0
                then round(submissions.figures_received * 100.0 / submissions.figures_expected, 2)
        end as figure_completeness_pct,
        submissions.submission_status in ('late', 'missing') as is_flagged,
        period_totals.period_reports_expected,
        period_totals.period_reports_received,
        case
            when period_totals.period_reports_expected > 0
                then round(period_totals.period_reports_received * 100.0 / period_totals.period_reports_expected, 2)
        end as period_reporting_rate_pct,
        case
            when period_totals.period_reports_expected > 0
                then round(period_totals.period_reports_on_time * 100.0 / period_totals.period_reports_expected, 2)
        end as period_timeliness_rate_pct
    from submissions
    inner join period_totals
        on submissions.period = period_totals.period
)

select * from final
