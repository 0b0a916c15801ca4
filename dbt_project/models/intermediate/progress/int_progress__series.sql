{#- Per map x locality (province included) x indicator: the points that count for progress (for
    measure_type 'flow' only annual periods), the baseline (earliest point) and the latest point, and
    the first series break (seed series_breaks) between them, if any, with its reason; the latest point's
    approval state (approved / partly_approved / not_approved, by whom, when, a revision waiting). -#}
with consolidated as (
    select * from {{ ref('int_progress__map_values') }}
),

breaks as (
    select
        indicator_code,
        break_date,
        reason_vi,
        reason_en
    from {{ ref('series_breaks') }}
),

indicators as (
    select
        indicator_code,
        measure_type
    from {{ ref('indicators') }}
),

periods as (
    select
        period,
        period_type,
        year,
        end_date,
        sort_key
    from {{ ref('int_periods') }}
),

eligible as (
    select
        consolidated.map_code,
        consolidated.locality_code,
        consolidated.indicator_code,
        consolidated.period,
        consolidated.value,
        consolidated.chosen_source,
        consolidated.map_method,
        consolidated.pieces_expected,
        consolidated.pieces_reported,
        consolidated.approval_status,
        consolidated.approved_by,
        consolidated.approved_at,
        consolidated.revision_value,
        consolidated.has_revision_after_approval,
        periods.end_date,
        periods.year,
        row_number() over (
            partition by consolidated.map_code, consolidated.locality_code, consolidated.indicator_code
            order by periods.end_date, periods.sort_key
        ) as point_asc,
        row_number() over (
            partition by consolidated.map_code, consolidated.locality_code, consolidated.indicator_code
            order by periods.end_date desc, periods.sort_key asc
        ) as point_desc
    from consolidated
    inner join indicators
        on consolidated.indicator_code = indicators.indicator_code
    inner join periods
        on consolidated.period = periods.period
    where indicators.measure_type <> 'flow' or periods.period_type = 'annual'
),

summary as (
    select
        map_code,
        locality_code,
        indicator_code,
        cast(count(*) as {{ dbt.type_int() }}) as points_count,
        max(case when point_asc = 1 then period end) as baseline_period,
        max(case when point_asc = 1 then end_date end) as baseline_end_date,
        max(case when point_asc = 1 then value end) as baseline_value,
        max(case when point_desc = 1 then period end) as latest_period,
        max(case when point_desc = 1 then end_date end) as latest_end_date,
        max(case when point_desc = 1 then year end) as latest_year,
        max(case when point_desc = 1 then value end) as latest_value,
        max(case when point_desc = 1 then chosen_source end) as latest_chosen_source,
        max(case when point_desc = 1 then map_method end) as latest_map_method,
        max(case when point_desc = 1 then pieces_expected end) as latest_pieces_expected,
        max(case when point_desc = 1 then pieces_reported end) as latest_pieces_reported,
        max(case when point_desc = 1 then approval_status end) as latest_approval_status,
        max(case when point_desc = 1 then approved_by end) as latest_approved_by,
        max(case when point_desc = 1 then approved_at end) as latest_approved_at,
        max(case when point_desc = 1 then revision_value end) as latest_revision_value,
        max(case when point_desc = 1 and has_revision_after_approval then 1 else 0 end) as latest_revised_after_approval
    from eligible
    group by map_code, locality_code, indicator_code
),

final as (
    select
        summary.*,
        breaks.break_date as series_break_date,
        breaks.reason_vi as series_break_reason_vi,
        breaks.reason_en as series_break_reason_en
    from summary
    left join breaks
        on
            summary.indicator_code = breaks.indicator_code
            and summary.baseline_end_date < breaks.break_date
            and summary.latest_end_date >= breaks.break_date
)

select * from final
