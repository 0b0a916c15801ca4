{#- Expected submissions from the reporting calendar (seed reporting_calendar): one row per expected
    reporter x period. A blank reporter_code means every reporter of that kind; a reporter is expected
    only in periods it is valid for (valid at the period's end date). deadline = period end +
    deadline_days. The first submission is the earliest accepted figure of the reporter for the
    period (quarantined files carry no figure, so they do not count). Statuses: on_time, late,
    missing (deadline passed, nothing received), not_yet_due (deadline not reached, nothing
    received). 'Today' is var('as_of_date') when set (tests, re-runs of a past day), else the
    current date. -#}
with calendar as (
    select * from {{ ref('reporting_calendar') }}
),

periods as (
    select
        period,
        period_type,
        start_date,
        end_date,
        sort_key
    from {{ ref('int_periods') }}
),

reporters as (
    select
        reporter_code,
        kind,
        valid_from,
        valid_to
    from {{ ref('reporters') }}
),

calendar_periods as (
    select
        calendar.reporter_kind,
        calendar.reporter_code as calendar_reporter_code,
        calendar.deadline_days,
        periods.period,
        periods.end_date
    from calendar
    inner join periods as first_period
        on calendar.first_period = first_period.period
    left join periods as last_period
        on calendar.last_period = last_period.period
    inner join periods
        on
            calendar.period_type = periods.period_type
            and first_period.end_date <= periods.end_date
            and (last_period.end_date is null or last_period.end_date >= periods.end_date)
    {#- an open-ended calendar row expects every period that has begun by 'today' -#}
    where calendar.last_period is not null or periods.start_date <= {{ as_of_date_expr() }}
),

expected_candidates as (
    select
        reporters.reporter_code,
        reporters.kind as reporter_kind,
        calendar_periods.period,
        calendar_periods.end_date as period_end_date,
        {{ dbt.dateadd('day', 'calendar_periods.deadline_days', 'calendar_periods.end_date') }} as deadline_at,
        row_number() over (
            partition by reporters.reporter_code, calendar_periods.period
            order by calendar_periods.deadline_days
        ) as calendar_rank
    from calendar_periods
    inner join reporters
        on
            calendar_periods.reporter_kind = reporters.kind
            and (
                calendar_periods.calendar_reporter_code is null
                or calendar_periods.calendar_reporter_code = reporters.reporter_code
            )
    where
        reporters.valid_from <= calendar_periods.end_date
        and (reporters.valid_to is null or reporters.valid_to >= calendar_periods.end_date)
),

expected as (
    select
        reporter_code,
        reporter_kind,
        period,
        period_end_date,
        cast(deadline_at as date) as deadline_date
    from expected_candidates
    where calendar_rank = 1
),

received_candidates as (
    select
        reporter_code,
        period,
        file_sha256,
        file_name,
        effective_submitted_at,
        row_number() over (
            partition by reporter_code, period
            order by effective_submitted_at, ingested_at, file_sha256
        ) as received_rank
    from {{ ref('int_figures__versioned') }}
),

received as (
    select * from received_candidates
    where received_rank = 1
),

joined as (
    select
        expected.*,
        received.effective_submitted_at as first_submitted_at,
        received.file_sha256,
        received.file_name,
        cast(received.effective_submitted_at as date) as first_submitted_date,
        {{ as_of_date_expr() }} as as_of_date
    from expected
    left join received
        on
            expected.reporter_code = received.reporter_code
            and expected.period = received.period
),

final as (
    select
        {{ dbt.hash(dbt.concat(["'expected_submission|'", "reporter_code", "'|'", "period"])) }} as check_key,
        reporter_code,
        reporter_kind,
        period,
        period_end_date,
        deadline_date,
        first_submitted_at,
        file_sha256,
        file_name,
        case
            when first_submitted_at is null and deadline_date < as_of_date then 'missing'
            when first_submitted_at is null then 'not_yet_due'
            when first_submitted_date > deadline_date then 'late'
            else 'on_time'
        end as submission_status,
        cast(case
            when first_submitted_at is not null and first_submitted_date > deadline_date
                then {{ dbt.datediff('deadline_date', 'first_submitted_date', 'day') }}
            when first_submitted_at is not null then 0
            when deadline_date < as_of_date
                then {{ dbt.datediff('deadline_date', 'as_of_date', 'day') }}
        end as {{ dbt.type_int() }}) as days_late
    from joined
)

select * from final
