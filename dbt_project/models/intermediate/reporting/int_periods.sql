{#- The period spine: every year, half-year, quarter and month from the warehouse's horizon (var
    horizon_date, 2020) to the last year any programme or target speaks of (seeds programmes and
    targets, 2030 today), so a programme entered for 2031-2035 extends it. Built from a digits cross
    join, without generate_series, so it runs on any warehouse. Months ('2024-03') serve commune-level
    monthly reporting. -#}
with digits as (
    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9
),

offsets as (
    {#- 0-99: a century of years is more than any programme spans -#}
    select tens.digit * 10 + ones.digit as n
    from digits as tens
    cross join digits as ones
),

horizon as (
    select {{ var('horizon_date')[:4] | int }} as first_year
),

programme_years as (
    select end_year as last_year from {{ ref('programmes') }}
    union all
    select target_year as last_year from {{ ref('targets') }}
),

bounds as (
    select
        horizon.first_year,
        max(programme_years.last_year) as last_year
    from horizon
    cross join programme_years
    group by horizon.first_year
),

years as (
    select cast(bounds.first_year + offsets.n as {{ dbt.type_int() }}) as period_year
    from bounds
    cross join offsets
    where bounds.first_year + offsets.n <= bounds.last_year
),

parts as (
    {#- one row per part of a year: its type, number, first and last day (mm-dd) and rank in the sort key -#}
    select
        'annual' as period_type,
        0 as part,
        '01-01' as start_mmdd,
        '12-31' as end_mmdd,
        1 as type_rank
    union all
    select
        'half_year' as period_type,
        1 as part,
        '01-01' as start_mmdd,
        '06-30' as end_mmdd,
        2 as type_rank
    union all
    select
        'half_year' as period_type,
        2 as part,
        '07-01' as start_mmdd,
        '12-31' as end_mmdd,
        2 as type_rank
    {%- for quarter, start_mmdd, end_mmdd in [(1, '01-01', '03-31'), (2, '04-01', '06-30'),
                                               (3, '07-01', '09-30'), (4, '10-01', '12-31')] %}
        union all
        select
            'quarter' as period_type,
            {{ quarter }} as part,
            '{{ start_mmdd }}' as start_mmdd,
            '{{ end_mmdd }}' as end_mmdd,
            3 as type_rank
    {%- endfor %}
    {%- for month in range(1, 13) %}
        union all
        select
            'month' as period_type,
            {{ month }} as part,
            '{{ "%02d" % month }}-01' as start_mmdd,
            null as end_mmdd,
            4 as type_rank
    {%- endfor %}
),

spine as (
    select
        years.period_year,
        parts.period_type,
        parts.part,
        parts.type_rank,
        parts.start_mmdd,
        parts.end_mmdd,
        cast(years.period_year as {{ dbt.type_string() }}) as year_text,
        cast(parts.part as {{ dbt.type_string() }}) as part_text,
        {{ dbt.concat(["cast(years.period_year as " ~ dbt.type_string() ~ ")", "'-'", "parts.start_mmdd"]) }}
            as start_text
    from years
    cross join parts
),

{%- set month_end = dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'cast(start_text as date)')) %}
{%- set quarter_roman = "case part when 1 then 'I' when 2 then 'II' when 3 then 'III' else 'IV' end" %}

final as (
    select
        case period_type
            when 'annual' then year_text
            when 'half_year' then {{ dbt.concat(["year_text", "'-H'", "part_text"]) }}
            when 'month' then {{ dbt.concat(["year_text", "'-'", "substring(start_mmdd, 1, 2)"]) }}
            else {{ dbt.concat(["year_text", "'-Q'", "part_text"]) }}
        end as period,
        period_type,
        period_year as year,
        case when period_type = 'half_year' then part end as half,
        case when period_type = 'quarter' then part end as quarter,
        case when period_type = 'month' then part end as month,
        cast(start_text as date) as start_date,
        case
            -- the month's last day, leap years included
            when period_type = 'month' then cast({{ month_end }} as date)
            else cast({{ dbt.concat(["year_text", "'-'", "end_mmdd"]) }} as date)
        end as end_date,
        case period_type
            when 'annual' then {{ dbt.concat(["'Năm '", "year_text"]) }}
            when 'half_year' then {{ dbt.concat([
                "case when part = 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end", "year_text"
            ]) }}
            when 'month' then {{ dbt.concat(["'Tháng '", "part_text", "'/'", "year_text"]) }}
            else {{ dbt.concat(["'Quý '", quarter_roman, "'/'", "year_text"]) }}
        end as label_vi,
        case period_type
            when 'annual' then {{ dbt.concat(["'Year '", "year_text"]) }}
            when 'half_year' then {{ dbt.concat([
                "case when part = 1 then 'First half of ' else 'Second half of ' end", "year_text"
            ]) }}
            when 'month' then {{ dbt.concat(["'Month '", "substring(start_mmdd, 1, 2)", "'/'", "year_text"]) }}
            else {{ dbt.concat(["'Q'", "part_text", "' '", "year_text"]) }}
        end as label_en,
        period_year * 100 + type_rank * 10 + part as sort_key
    from spine
)

select * from final
