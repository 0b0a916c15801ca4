{#- Per reporter, how current its reporting is against the reporting calendar (seed reporting_calendar, via
    int_expected_submissions): the last file received from it, the last period whose deadline has passed and
    whether it came, how many days it is overdue, how many due periods are still missing, and the next
    deadline. One row per reporter the calendar expects anything from. 'Today' is var('as_of_date') when set,
    else the current date (macro as_of_date_expr). -#}
with expected as (
    select * from {{ ref('int_expected_submissions') }}
),

submissions as (
    select
        reporter_code,
        submitted_at,
        received_at
    from {{ ref('stg_raw__submissions') }}
    where reporter_code is not null
),

reporters as (
    select
        reporter_code,
        name_vi,
        name_en
    from {{ ref('reporters') }}
),

received as (
    select
        reporter_code,
        max(received_at) as last_received_at,
        max(coalesce(submitted_at, received_at)) as last_submitted_at,
        count(*) as files_received
    from submissions
    group by reporter_code
),

due_ranked as (
    select
        reporter_code,
        period,
        deadline_date,
        submission_status,
        days_late,
        row_number() over (partition by reporter_code order by deadline_date desc, period desc) as due_rank
    from expected
    where deadline_date < {{ as_of_date_expr() }}
),

upcoming_ranked as (
    select
        reporter_code,
        period,
        deadline_date,
        row_number() over (partition by reporter_code order by deadline_date asc, period asc) as upcoming_rank
    from expected
    where deadline_date >= {{ as_of_date_expr() }}
),

per_reporter as (
    select
        reporter_code,
        reporter_kind,
        sum(case when submission_status = 'missing' then 1 else 0 end) as periods_missing,
        max(case when submission_status = 'missing' then days_late end) as oldest_missing_days_overdue
    from expected
    group by reporter_code, reporter_kind
),

final as (
    select
        per_reporter.reporter_code,
        per_reporter.reporter_kind,
        reporters.name_vi as reporter_name_vi,
        reporters.name_en as reporter_name_en,
        received.last_received_at,
        received.last_submitted_at,
        cast(coalesce(received.files_received, 0) as {{ dbt.type_int() }}) as files_received,
        due_ranked.period as last_due_period,
        due_ranked.deadline_date as last_due_deadline_date,
        due_ranked.submission_status as last_due_status,
        cast(case
            when due_ranked.submission_status = 'missing' then due_ranked.days_late
            when due_ranked.period is not null then 0
        end as {{ dbt.type_int() }}) as days_overdue,
        cast(per_reporter.periods_missing as {{ dbt.type_int() }}) as periods_missing,
        cast(per_reporter.oldest_missing_days_overdue as {{ dbt.type_int() }}) as oldest_missing_days_overdue,
        upcoming_ranked.period as next_due_period,
        upcoming_ranked.deadline_date as next_deadline_date,
        {{ as_of_date_expr() }} as as_of_date
    from per_reporter
    left join reporters
        on per_reporter.reporter_code = reporters.reporter_code
    left join received
        on per_reporter.reporter_code = received.reporter_code
    left join due_ranked
        on
            per_reporter.reporter_code = due_ranked.reporter_code
            and due_ranked.due_rank = 1
    left join upcoming_ranked
        on
            per_reporter.reporter_code = upcoming_ranked.reporter_code
            and upcoming_ranked.upcoming_rank = 1
)

select * from final
