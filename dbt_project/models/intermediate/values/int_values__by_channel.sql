{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current'}
) }}
{#- Per locality x indicator x period, the locality's self-reported figure and the department's figure
    side by side (current versions with a value). When several departments report the same figure
    (e.g. around the 2025 mergers), the indicator's responsible reporter wins, then the most recently
    submitted. Incremental by period (macros/incremental.sql): both channels of a key are in its period,
    so a department's file, which touches every locality, is covered by its period. -#}
with current_figures as (
    select * from {{ ref('int_figures__current') }}
    where value is not null
    {%- if is_incremental() %}
        and period in ({{ touched_periods(ref('int_figures__current')) }})
    {%- endif %}
),

indicators as (
    select
        indicator_code,
        responsible_reporter_code
    from {{ ref('indicators') }}
),

ranked as (
    select
        current_figures.*,
        row_number() over (
            partition by
                current_figures.reporter_kind, current_figures.locality_code,
                current_figures.indicator_code, current_figures.period
            order by
                case when current_figures.reporter_code = indicators.responsible_reporter_code then 0 else 1 end,
                current_figures.effective_submitted_at desc,
                current_figures.ingested_at desc,
                current_figures.file_sha256 asc,
                current_figures.row_number asc
        ) as channel_rank
    from current_figures
    left join indicators
        on current_figures.indicator_code = indicators.indicator_code
),

reporter_counts as (
    select
        reporter_kind,
        locality_code,
        indicator_code,
        period,
        count(distinct reporter_code) as reporters_count
    from current_figures
    group by 1, 2, 3, 4
),

channel_firsts as (
    -- the chosen figure of each channel, with how many reporters of that channel sent one
    select
        ranked.*,
        reporter_counts.reporters_count
    from ranked
    inner join reporter_counts
        on
            ranked.reporter_kind = reporter_counts.reporter_kind
            and ranked.locality_code = reporter_counts.locality_code
            and ranked.indicator_code = reporter_counts.indicator_code
            and ranked.period = reporter_counts.period
    where ranked.channel_rank = 1
),

locality_side as (
    select * from channel_firsts
    where reporter_kind = 'locality'
),

department_side as (
    select * from channel_firsts
    where reporter_kind = 'department'
),

joined as (
    select
        l.reporter_code as locality_reporter_code,
        l.value as locality_value,
        l.numerator as locality_numerator,

        l.denominator as locality_denominator,
        l.file_sha256 as locality_file_sha256,
        l.file_name as locality_file_name,
        l.sheet_name as locality_sheet_name,
        l.row_number as locality_row_number,
        l.version as locality_version,
        l.effective_submitted_at as locality_submitted_at,
        d.reporter_code as department_reporter_code,
        d.value as department_value,
        d.numerator as department_numerator,

        d.denominator as department_denominator,
        d.file_sha256 as department_file_sha256,
        d.file_name as department_file_name,
        d.sheet_name as department_sheet_name,
        d.row_number as department_row_number,
        d.version as department_version,
        d.effective_submitted_at as department_submitted_at,
        coalesce(l.locality_code, d.locality_code) as locality_code,
        coalesce(l.indicator_code, d.indicator_code) as indicator_code,
        coalesce(l.period, d.period) as period,
        coalesce(d.reporters_count, 0) as department_reporters_count,
        {{ watermark_of(ref('int_figures__current')) }} as watermark_ingested_at
    from locality_side as l
    full outer join department_side as d
        on
            l.locality_code = d.locality_code
            and l.indicator_code = d.indicator_code
            and l.period = d.period
)

select * from joined
