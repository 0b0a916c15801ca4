{#- The figures each expected submission (int_expected_submissions) should carry, one row per
    reporter x period x locality x indicator, and whether a value came (any version). A locality: every
    indicator with locality_reports, for its own area. A department: every indicator it is responsible
    for at the period's end (int_reporters__responsible), for every unit of the province valid at the
    period's end (int_units__by_period: the 9 districts up to 2025-H1, the 65 communes from 2025-H2). -#}
with expected as (
    select
        reporter_code,
        reporter_kind,
        period
    from {{ ref('int_expected_submissions') }}
),

responsible as (
    select
        indicator_code,
        period,
        reporter_code
    from {{ ref('int_reporters__responsible') }}
),

locality_indicators as (
    select indicator_code from {{ ref('indicators') }}
    where locality_reports
),

reporters as (
    select
        reporter_code,
        locality_code
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

department_figures as (
    select
        expected.reporter_code,
        expected.reporter_kind,
        expected.period,
        province_units.locality_code,
        responsible.indicator_code
    from expected
    inner join responsible
        on
            expected.reporter_code = responsible.reporter_code
            and expected.period = responsible.period
    inner join province_units
        on expected.period = province_units.period
    where expected.reporter_kind = 'department'
),

locality_figures as (
    select
        expected.reporter_code,
        expected.reporter_kind,
        expected.period,
        reporters.locality_code,
        locality_indicators.indicator_code
    from expected
    inner join reporters
        on expected.reporter_code = reporters.reporter_code
    cross join locality_indicators
    where expected.reporter_kind = 'locality'
),

expected_figures as (
    select * from department_figures
    union all
    select * from locality_figures
),

final as (
    select
        expected_figures.reporter_code,
        expected_figures.reporter_kind,
        expected_figures.period,
        expected_figures.locality_code,
        expected_figures.indicator_code,
        received.indicator_code is not null as is_received
    from expected_figures
    left join received
        on
            expected_figures.reporter_code = received.reporter_code
            and expected_figures.period = received.period
            and expected_figures.locality_code = received.locality_code
            and expected_figures.indicator_code = received.indicator_code
)

select * from final
