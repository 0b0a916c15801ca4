{#- Each expected submission (int_expected_submissions) with the figures it should carry and how many came
    (with a value, any version). A locality owes every indicator with locality_reports, for its own area. A
    department owes every indicator it is responsible for at the period's end: the catalogue's responsible
    reporter (seed indicators) while valid, else its successor (seed reporters) once it has ended, so SGTVT's
    indicators pass to SXD after 28/02/2025; for every unit of the province valid at the period's end
    (int_units__by_period: the 9 districts up to 2025-H1, the 65 communes from 2025-H2). -#}
with expected as (
    select
        reporter_code,
        reporter_kind,
        period,
        period_end_date,
        deadline_date,
        first_submitted_at,
        file_sha256,
        file_name,
        submission_status,
        days_late
    from {{ ref('int_expected_submissions') }}
),

indicators as (
    select
        indicator_code,
        responsible_reporter_code,
        locality_reports
    from {{ ref('indicators') }}
),

reporters as (
    select
        reporter_code,
        locality_code,
        successor_code,
        valid_to
    from {{ ref('reporters') }}
),

province_units as (
    select
        period,
        locality_code
    from {{ ref('int_units__by_period') }}
    where is_province_child
),

received as (
    select distinct
        reporter_code,
        period,
        locality_code,
        indicator_code
    from {{ ref('int_figures__versioned') }}
    where value is not null
),

indicator_owners as (
    select
        indicators.indicator_code,
        owner_reporter.reporter_code as owner_code,
        owner_reporter.successor_code,
        owner_reporter.valid_to
    from indicators
    inner join reporters as owner_reporter
        on indicators.responsible_reporter_code = owner_reporter.reporter_code
),

department_indicators as (
    {#- who answers for each indicator at the submission's period end: the catalogue's reporter, or its
        successor once that one has ended -#}
    select
        expected.reporter_code,
        expected.period,
        indicator_owners.indicator_code,
        case
            when
                indicator_owners.valid_to is not null
                and indicator_owners.valid_to < expected.period_end_date
                and indicator_owners.successor_code is not null
                then indicator_owners.successor_code
            else indicator_owners.owner_code
        end as responsible_code
    from expected
    cross join indicator_owners
    where expected.reporter_kind = 'department'
),

department_figures as (
    select
        department_indicators.reporter_code,
        department_indicators.period,
        province_units.locality_code,
        department_indicators.indicator_code
    from department_indicators
    inner join province_units
        on department_indicators.period = province_units.period
    where department_indicators.reporter_code = department_indicators.responsible_code
),

locality_figures as (
    select
        expected.reporter_code,
        expected.period,
        reporters.locality_code,
        indicators.indicator_code
    from expected
    inner join reporters
        on expected.reporter_code = reporters.reporter_code
    cross join indicators
    where expected.reporter_kind = 'locality' and indicators.locality_reports
),

expected_figures as (
    select * from department_figures
    union all
    select * from locality_figures
),

figure_counts as (
    select
        expected_figures.reporter_code,
        expected_figures.period,
        count(*) as figures_expected,
        sum(case when received.indicator_code is not null then 1 else 0 end) as figures_received
    from expected_figures
    left join received
        on
            expected_figures.reporter_code = received.reporter_code
            and expected_figures.period = received.period
            and expected_figures.locality_code = received.locality_code
            and expected_figures.indicator_code = received.indicator_code
    group by expected_figures.reporter_code, expected_figures.period
),

final as (
    select
        expected.*,
        coalesce(figure_counts.figures_expected, 0) as figures_expected,
        coalesce(figure_counts.figures_received, 0) as figures_received
    from expected
    left join figure_counts
        on
            expected.reporter_code = figure_counts.reporter_code
            and expected.period = figure_counts.period
)

select * from final
