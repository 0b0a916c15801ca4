{#- Outliers in the consolidated values (what the marts publish), two ways (WHO DQR / DHIS2 outlier analysis):
      across_localities  a district's value vs the other districts' values of the same indicator and period
      over_time          a value vs the same locality's own series (flows: annual periods only, since a
                         half-year flow is half a year's worth)
    Method per indicator (seed dq_indicator_settings, default var dq_outlier_method):
      modified_z  M = 0.6745 (x - median) / MAD, outlier when |M| > threshold (default 3.5); a group whose
                  MAD is 0 (most values identical) has no defined M and is not scored
      z_score     z = (x - mean) / sd; |z| > dq_z_moderate (2) moderate, > dq_z_extreme (3) extreme
    A group needs var dq_outlier_min_points values (default 5). Units are compared with units of their own
    level, and a locality's series is one unit version's (a reused code starts a new series). One row per
    scored value. -#}
with consolidated as (
    select * from {{ ref('int_values__consolidated') }}
    where value is not null
),

indicators as (
    select
        indicator_code,
        measure_type
    from {{ ref('indicators') }}
),

settings as (
    select * from {{ ref('dq_indicator_settings') }}
),

periods as (
    select
        period,
        period_type
    from {{ ref('int_periods') }}
),

units as (
    select
        period,
        locality_code,
        locality_key,
        level,
        short_name_vi
    from {{ ref('int_units__by_period') }}
),

points as (
    select
        consolidated.locality_code,
        units.locality_key,
        units.level as locality_level,
        units.short_name_vi as locality_short_name_vi,
        consolidated.indicator_code,
        consolidated.period,
        consolidated.value,
        consolidated.chosen_reporter_code as reporter_code,
        consolidated.file_sha256,
        consolidated.file_name,
        consolidated.row_number,
        periods.period_type,
        indicators.measure_type,
        coalesce(settings.outlier_method, '{{ var("dq_outlier_method") }}') as method,
        coalesce(
            settings.outlier_threshold,
            case
                when coalesce(settings.outlier_method, '{{ var("dq_outlier_method") }}') = 'z_score'
                    then {{ var('dq_z_moderate') }}
                else {{ var('dq_modified_z_threshold') }}
            end
        ) * 1.0 as threshold,
        coalesce(settings.outliers_across_localities, false) as across_enabled,
        coalesce(settings.outliers_over_time, false) as over_time_enabled
    from consolidated
    inner join periods
        on consolidated.period = periods.period
    inner join units
        on
            consolidated.locality_code = units.locality_code
            and consolidated.period = units.period
    left join indicators
        on consolidated.indicator_code = indicators.indicator_code
    left join settings
        on consolidated.indicator_code = settings.indicator_code
),

grouped as (
    {#- across: one group per indicator x period (districts only); over time: one per locality x indicator
        (x period type for flows). -#}
    select
        'across_localities' as comparison,
        {{ dbt.concat(["points.indicator_code", "'|'", "points.period", "'|'", "points.locality_level"]) }}
            as group_key,
        points.*
    from points
    where points.across_enabled and points.locality_code <> '{{ var("province_code") }}'
    union all
    select
        'over_time' as comparison,
        {{ dbt.concat([
            "points.locality_key", "'|'", "points.indicator_code", "'|'",
            "case when points.measure_type = 'flow' then points.period_type else 'all' end"
        ]) }} as group_key,
        points.*
    from points
    where points.over_time_enabled and (points.measure_type <> 'flow' or points.period_type = 'annual')
),

centres as (
    select
        comparison,
        group_key,
        count(*) as group_size,
        {{ dq_median('value') }} as group_median,
        avg(value) as group_mean,
        stddev_samp(value) as group_sd
    from grouped
    group by comparison, group_key
),

deviations as (
    select
        grouped.*,
        centres.group_size,
        centres.group_median,
        centres.group_mean,
        centres.group_sd,
        abs(grouped.value - centres.group_median) as abs_deviation
    from grouped
    inner join centres
        on
            grouped.comparison = centres.comparison
            and grouped.group_key = centres.group_key
    where centres.group_size >= {{ var('dq_outlier_min_points') }}
),

mads as (
    select
        comparison,
        group_key,
        {{ dq_median('abs_deviation') }} as group_mad
    from deviations
    group by comparison, group_key
),

scored as (
    select
        deviations.*,
        mads.group_mad,
        case
            when deviations.method = 'z_score'
                then
                    case
                        when
                            deviations.group_sd > 0
                            then (deviations.value - deviations.group_mean) / deviations.group_sd
                    end
            when mads.group_mad > 0 then 0.6745 * (deviations.value - deviations.group_median) / mads.group_mad
        end as score
    from deviations
    inner join mads
        on
            deviations.comparison = mads.comparison
            and deviations.group_key = mads.group_key
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "'outlier|'", "comparison", "'|'", "locality_code", "'|'", "indicator_code", "'|'", "period"
        ])) }}
            as check_key,
        comparison,
        locality_code,
        indicator_code,
        period,
        value,
        reporter_code,
        file_sha256,
        file_name,
        row_number,
        locality_short_name_vi,
        method,
        threshold,
        cast(group_size as {{ dbt.type_int() }}) as group_size,
        group_median,
        group_mad,
        group_mean,
        group_sd,
        score,
        case
            when score is null then 'not_scored'
            when method = 'z_score' and abs(score) > {{ var('dq_z_extreme') }} then 'extreme'
            when abs(score) > threshold then 'moderate'
            else 'normal'
        end as outlier_class,
        coalesce(score is not null and abs(score) > threshold, false) as is_outlier
    from scored
)

select * from final
