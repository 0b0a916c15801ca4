{{ config(tags=['dq_findings']) }}
{#- Gap to target and progress class per locality (and province) x indicator having a target.
    Method: see macros/progress.sql and the model's yml (Open SDG progress method with a target), plus,
    for information, Open SDG's near-limit factor C (Open SDG uses it only without a target), the
    ESCAP-style projection to the target year (int_progress__projection) and whether the class rests on
    figures with open error findings (int_dq_error_counts__by_series). Built after the findings (tag
    dq_findings) because of the latter. The targets come with their map and the indicator's unit and direction (int_targets__by_map), the
    series break's reason with the series (int_progress__series): each concept enters once. -#}
with targets as (
    select * from {{ ref('int_targets__by_map') }}
),

map_units as (
    {#- the unit version a programme's target speaks of: the one its map is made of -#}
    {{ map_unit_versions() }}
),

series as (
    select * from {{ ref('int_progress__series') }}
),

projection as (
    select * from {{ ref('int_progress__projection') }}
),

error_findings as (
    select * from {{ ref('int_dq_error_counts__by_series') }}
),

candidates as (
    select
        targets.map_code,
        targets.programme_code,
        targets.indicator_code,
        targets.locality_code,
        targets.target_value,
        targets.target_year,
        targets.is_placeholder,
        targets.target_source,
        targets.unit,
        targets.valid_max,
        targets.direction,
        series.points_count,
        series.baseline_period,
        series.baseline_end_date,
        series.baseline_value,
        series.latest_period,
        series.latest_end_date,
        series.latest_value,
        series.latest_map_method,
        series.latest_pieces_expected,
        series.latest_pieces_reported,
        series.series_break_date,
        series.series_break_reason_vi,
        series.series_break_reason_en,
        series.latest_approval_status,
        series.latest_approved_by,
        series.latest_approved_at,
        series.latest_revision_value,
        series.latest_revised_after_approval,
        row_number() over (
            partition by targets.map_code, targets.locality_code, targets.indicator_code
            order by
                case
                    when targets.programme_code = '{{ var("primary_programme_code", "NQ06_2021_2025") }}' then 0 else 1
                end,
                case when targets.target_year >= coalesce(series.latest_year, 0) then 0 else 1 end,
                case
                    when targets.target_year >= coalesce(series.latest_year, 0)
                        then targets.target_year
                    else -targets.target_year
                end
        ) as target_rank
    from targets
    left join series
        on
            targets.map_code = series.map_code
            and targets.locality_code = series.locality_code
            and targets.indicator_code = series.indicator_code
),

chosen as (
    select
        candidates.*,
        cast({{ dbt.concat(["cast(candidates.target_year as " ~ dbt.type_string() ~ ")", "'-12-31'"]) }} as date)
            as target_end_date
    from candidates
    where candidates.target_rank = 1
),

timed as (
    select
        chosen.*,
        {{ years_between('baseline_end_date', 'latest_end_date') }} as years_observed,
        {{ years_between('baseline_end_date', 'target_end_date') }} as years_baseline_to_target,
        {{ years_between('latest_end_date', 'target_end_date') }} as years_remaining,
        projection.slope_per_year,
        projection.intercept,
        projection.origin_date as projection_origin_date,
        coalesce(error_findings.error_findings_count, 0) as error_findings_count
    from chosen
    left join projection
        on
            chosen.map_code = projection.map_code
            and chosen.locality_code = projection.locality_code
            and chosen.indicator_code = projection.indicator_code
    left join error_findings
        on
            chosen.locality_code = error_findings.locality_code
            and chosen.indicator_code = error_findings.indicator_code
),

measured as (
    select
        timed.*,
        case when timed.points_count >= 2 then {{ cagr('baseline_value', 'latest_value', 'years_observed') }} end
            as observed_cagr_raw,
        case
            when timed.points_count >= 2 then {{ cagr('baseline_value', 'target_value', 'years_baseline_to_target') }}
        end
            as required_cagr_raw,
        {#- Open SDG's near-limit coefficient for indicators bounded by 100 % (higher is better), limit L = 100:
            C = 1 - (baseline / L)^4.44 up to L, 1 - ((2L - baseline) / L)^4.44 above it, 1 from 2L. Open SDG
            uses it only without a target (its methodology 1, scaling the fixed rates 0.015 / 0.005 / 0):
            informational here, never in progress_class (every row here has a target). -#}
        case
            when
                timed.unit = '%' and timed.valid_max = 100 and timed.direction <> 'lower' and timed.baseline_value >= 0
                then
                    case
                        when timed.baseline_value >= 200 then 1.0
                        when timed.baseline_value <= 100 then 1 - {{ dothi.power('baseline_value / 100.0', '4.44') }}
                        else 1 - {{ dothi.power('(200 - baseline_value) / 100.0', '4.44') }}
                    end
        end as near_limit_factor_raw,
        case
            when timed.slope_per_year is not null
                then
                    timed.intercept
                    + timed.slope_per_year * {{ years_between('projection_origin_date', 'target_end_date') }}
        end as projected_value_raw
    from timed
),

ratioed as (
    select
        measured.*,
        {{ progress_ratio('baseline_value', 'direction', 'observed_cagr_raw', 'required_cagr_raw') }}
            as progress_ratio_raw
    from measured
),

{%- set break_date = "cast(measured.series_break_date as " ~ dbt.type_string() ~ ")" %}

final as (
    select
        measured.map_code,
        map_units.locality_key,
        measured.locality_code,
        measured.indicator_code,
        measured.locality_code = '{{ var("province_code") }}' as is_province,
        measured.latest_period as period,
        measured.latest_end_date as period_end_date,
        measured.latest_value as actual,
        measured.unit,
        measured.direction,
        measured.target_value,
        cast(measured.target_year as {{ dbt.type_int() }}) as target_year,
        measured.programme_code,
        measured.is_placeholder,
        measured.target_source,
        measured.baseline_period,
        measured.baseline_value,
        cast(coalesce(measured.points_count, 0) as {{ dbt.type_int() }}) as points_count,
        round(
            case
                when measured.direction = 'lower' then measured.latest_value - measured.target_value else
                    measured.target_value - measured.latest_value
            end,
            6
        )
            as gap,
        round(case
            when
                measured.direction = 'lower' and measured.latest_value > 0
                then measured.target_value / measured.latest_value * 100
            when
                measured.direction <> 'lower' and measured.target_value <> 0
                then measured.latest_value / measured.target_value * 100
        end, 6) as achievement_pct,
        round(measured.years_remaining, 6) as years_remaining,
        round(
            case
                when
                    measured.years_remaining > 0
                    then (measured.target_value - measured.latest_value) / measured.years_remaining
            end,
            6
        )
            as required_yearly_change,
        round(measured.observed_cagr_raw, 6) as observed_cagr,
        round(measured.required_cagr_raw, 6) as required_cagr,
        round(measured.progress_ratio_raw, 6) as progress_ratio,
        {{ progress_class(
            'measured.latest_value', 'measured.target_value', 'measured.direction', 'coalesce(measured.points_count, 0)',
            'measured.observed_cagr_raw', 'measured.required_cagr_raw', 'measured.progress_ratio_raw'
        ) }}
            as progress_class,
        round(measured.near_limit_factor_raw, 6) as near_limit_factor,
        round(
            case
                when measured.near_limit_factor_raw > 0 then measured.observed_cagr_raw / measured.near_limit_factor_raw
            end,
            6
        )
            as limit_adjusted_cagr,
        round(measured.projected_value_raw, 6) as projected_value,
        round(case
            when measured.projected_value_raw is not null then
                case
                    when measured.direction = 'lower' then measured.projected_value_raw - measured.target_value else
                        measured.target_value - measured.projected_value_raw
                end
        end, 6) as projected_shortfall,
        cast(measured.error_findings_count as {{ dbt.type_int() }}) as error_findings_count,
        measured.error_findings_count > 0 as is_class_from_flagged_figures,
        coalesce(measured.latest_map_method <> 'as_reported', false) as actual_is_rolled_up,
        cast(measured.latest_pieces_expected as {{ dbt.type_int() }}) as actual_pieces_expected,
        cast(measured.latest_pieces_reported as {{ dbt.type_int() }}) as actual_pieces_reported,
        measured.series_break_date is not null as crosses_series_break,
        case
            when measured.series_break_date is not null then
                {{ dbt.concat([
                    "'Chuỗi số liệu bị gián đoạn (b) từ '", break_date, "': '", "measured.series_break_reason_vi",
                    "'. Tốc độ tăng trưởng tính qua điểm gián đoạn, chỉ để tham khảo.'"
                ]) }}
        end as series_break_note_vi,
        case
            when measured.series_break_date is not null then
                {{ dbt.concat([
                    "'Series break (b) on '", break_date, "': '", "measured.series_break_reason_en",
                    "'. Growth is computed across the break: indicative only.'"
                ]) }}
        end as series_break_note_en,
        coalesce(measured.latest_approval_status, 'not_approved') as approval_status,
        measured.latest_approved_by as approved_by,
        measured.latest_approved_at as approved_at,
        measured.latest_revision_value as revision_value,
        coalesce(measured.latest_revised_after_approval = 1, false) as has_revision_after_approval
    from ratioed as measured
    left join map_units
        on
            measured.map_code = map_units.map_code
            and measured.locality_code = map_units.locality_code
)

select * from final
