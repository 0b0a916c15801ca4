{#- Province ('56') rows computed from the province's own units valid in the period (valid at the
    period's end date: the 9 districts of old Khánh Hòa up to 2025-06-30, the 65 communes of the merged
    province from 2025-07-01, so each period speaks its own map), by the indicator's aggregation (seed
    indicators):
      sum       Σ value, only when every valid locality has a value (a partial sum is not a total)
      ratio     Σ numerator / Σ denominator × rate_scale when every contributing locality gave both;
                else, when numerator_indicator_code / denominator_indicator_code are set, the ratio
                of those indicators' sums × rate_scale; else weighted as below
      weighted  Σ(value × w) / Σ w, w = the weight indicator's consolidated value for the same
                locality and period, else its most recent earlier period
      none      no computed row
    Never a plain average of rates. The department's reported province total (figures with
    locality_code '56') is kept alongside. -#}
with indicators as (
    select * from {{ ref('indicators') }}
),


periods as (
    select
        period,
        end_date,
        sort_key
    from {{ ref('int_periods') }}
),

locality_values as (
    select * from {{ ref('int_values__localities') }}
    where value is not null
),

province_totals as (
    select * from {{ ref('int_values__by_channel') }}
    where
        locality_code = '{{ var("province_code") }}'
        and department_value is not null
),

valid_localities as (
    select
        period,
        period_end_date as end_date,
        locality_code
    from {{ ref('int_units__by_period') }}
    where is_province_child
),

expected_counts as (
    select
        period,
        count(*) as expected_localities_count
    from valid_localities
    group by period
),

contributing as (
    select
        locality_values.locality_code,
        locality_values.indicator_code,
        locality_values.period,
        locality_values.value,
        locality_values.numerator,
        locality_values.denominator,
        valid_localities.end_date
    from locality_values
    inner join valid_localities
        on
            locality_values.locality_code = valid_localities.locality_code
            and locality_values.period = valid_localities.period
),

{# A unit's weight for a period: the weight indicator's value for the same period, else for its most recent
    earlier period (the latest end date up to the period's, ties to the smallest sort key). Found in one
    ordered pass per unit and weight indicator, not by joining every period with every earlier one (that
    join grew with the square of the periods and ran out of memory at scale): weight rows and requests
    in one sequence, each request takes the weight row last seen before it. #}
weight_values as (
    select
        weights.locality_code,
        weights.indicator_code as weight_indicator_code,
        weights.period,
        weights.value as weight,
        weight_periods.end_date,
        weight_periods.sort_key,
        row_number() over (
            partition by weights.locality_code, weights.indicator_code
            order by weight_periods.end_date asc, weight_periods.sort_key desc
        ) as weight_ordinal
    from locality_values as weights
    inner join periods as weight_periods
        on weights.period = weight_periods.period
    where weights.indicator_code in (
        select weighted.weight_indicator_code from indicators as weighted
        where weighted.weight_indicator_code is not null
    )
),

weight_requests as (
    select
        contributing.locality_code,
        contributing.indicator_code,
        contributing.period,
        contributing.end_date,
        indicators.weight_indicator_code
    from contributing
    inner join indicators
        on contributing.indicator_code = indicators.indicator_code
    where indicators.weight_indicator_code is not null
),

weight_sequence as (
    select
        locality_code,
        weight_indicator_code,
        end_date,
        0 as is_request,
        sort_key,
        weight_ordinal,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        cast(null as {{ dbt.type_string() }}) as period
    from weight_values
    union all
    select
        locality_code,
        weight_indicator_code,
        end_date,
        1 as is_request,
        cast(null as {{ dbt.type_int() }}) as sort_key,
        cast(null as {{ dbt.type_bigint() }}) as weight_ordinal,
        indicator_code,
        period
    from weight_requests
),

latest_weight as (
    select
        locality_code,
        weight_indicator_code,
        indicator_code,
        period,
        -- ordinals grow along the order: the largest so far is the weight row last seen
        max(weight_ordinal) over (
            partition by locality_code, weight_indicator_code
            order by end_date asc, is_request asc, sort_key desc
            rows between unbounded preceding and current row
        ) as weight_ordinal,
        is_request
    from weight_sequence
),

weights as (
    select
        weight_requests.locality_code,
        weight_requests.indicator_code,
        weight_requests.period,
        coalesce(same_period.weight, earlier.weight) as weight
    from weight_requests
    left join weight_values as same_period
        on
            weight_requests.locality_code = same_period.locality_code
            and weight_requests.weight_indicator_code = same_period.weight_indicator_code
            and weight_requests.period = same_period.period
    left join latest_weight
        on
            latest_weight.is_request = 1
            and weight_requests.locality_code = latest_weight.locality_code
            and weight_requests.weight_indicator_code = latest_weight.weight_indicator_code
            and weight_requests.indicator_code = latest_weight.indicator_code
            and weight_requests.period = latest_weight.period
    left join weight_values as earlier
        on
            latest_weight.locality_code = earlier.locality_code
            and latest_weight.weight_indicator_code = earlier.weight_indicator_code
            and latest_weight.weight_ordinal = earlier.weight_ordinal
    where coalesce(same_period.weight, earlier.weight) is not null
),

aggregated as (
    select
        contributing.indicator_code,
        contributing.period,
        count(*) as localities_count,
        sum(contributing.value) as sum_value,
        sum(case when contributing.numerator is not null and contributing.denominator is not null then 1 else 0 end)
            as with_fraction_count,
        sum(contributing.numerator) as sum_numerator,
        sum(contributing.denominator) as sum_denominator,
        sum(case when weights.weight is not null then contributing.value * weights.weight end) as weighted_sum,
        sum(weights.weight) as weight_total,
        sum(case when weights.weight is not null then 1 else 0 end) as weighted_count
    from contributing
    left join weights
        on
            contributing.locality_code = weights.locality_code
            and contributing.indicator_code = weights.indicator_code
            and contributing.period = weights.period
    group by contributing.indicator_code, contributing.period
),

indicator_sums as (
    select
        indicators.indicator_code,
        num.period,
        count(*) as pair_count,
        sum(num.value) as numerator_sum,
        sum(den.value) as denominator_sum
    from indicators
    inner join contributing as num
        on indicators.numerator_indicator_code = num.indicator_code
    inner join contributing as den
        on
            indicators.denominator_indicator_code = den.indicator_code
            and num.locality_code = den.locality_code
            and num.period = den.period
    where indicators.aggregation = 'ratio'
    group by indicators.indicator_code, num.period
),

computable as (
    select
        indicator_code,
        period
    from aggregated
    union
    select
        indicator_code,
        period
    from indicator_sums
),

computed as (
    select
        computable.indicator_code,
        computable.period,
        indicators.aggregation,
        indicators.rate_scale,
        expected_counts.expected_localities_count,
        aggregated.localities_count,
        aggregated.sum_value,
        aggregated.with_fraction_count,
        aggregated.sum_numerator,
        aggregated.sum_denominator,
        aggregated.weighted_sum,
        aggregated.weight_total,
        aggregated.weighted_count,
        indicator_sums.pair_count,
        indicator_sums.numerator_sum,
        indicator_sums.denominator_sum,
        {{ aggregation_method(
            'indicators.aggregation', 'aggregated.localities_count', 'expected_counts.expected_localities_count',
            'aggregated.with_fraction_count', 'aggregated.sum_denominator', 'aggregated.weighted_count',
            'aggregated.weight_total', indicator_sums_denominator='indicator_sums.denominator_sum',
            has_indicator_pair='indicators.numerator_indicator_code is not null '
                ~ 'and indicators.denominator_indicator_code is not null') }} as aggregation_method
    from computable
    inner join indicators
        on computable.indicator_code = indicators.indicator_code
    left join aggregated
        on
            computable.indicator_code = aggregated.indicator_code
            and computable.period = aggregated.period
    left join indicator_sums
        on
            computable.indicator_code = indicator_sums.indicator_code
            and computable.period = indicator_sums.period
    left join expected_counts
        on computable.period = expected_counts.period
    where indicators.aggregation <> 'none'
),

computed_values as (
    select
        indicator_code,
        period,
        aggregation,
        aggregation_method,
        expected_localities_count,
        case aggregation_method
            when 'sum' then sum_value
            when 'ratio_of_sums' then sum_numerator / sum_denominator * coalesce(rate_scale, 1)
            when 'ratio_of_indicator_sums' then numerator_sum / denominator_sum * coalesce(rate_scale, 1)
            when 'weighted' then weighted_sum / weight_total
        end as aggregate_value,
        case aggregation_method
            when 'ratio_of_sums' then sum_numerator
            when 'ratio_of_indicator_sums' then numerator_sum
        end as aggregate_numerator,
        case aggregation_method
            when 'ratio_of_sums' then sum_denominator
            when 'ratio_of_indicator_sums' then denominator_sum
        end as aggregate_denominator,
        case aggregation_method
            when 'ratio_of_indicator_sums' then pair_count
            when 'weighted' then weighted_count
            else coalesce(localities_count, 0)
        end as localities_count
    from computed
),

final as (
    select
        '{{ var("province_code") }}' as locality_code,
        coalesce(computed_values.indicator_code, province_totals.indicator_code) as indicator_code,
        coalesce(computed_values.period, province_totals.period) as period,
        coalesce(computed_values.aggregation, indicators.aggregation) as aggregation,
        computed_values.aggregation_method,
        computed_values.aggregate_value,
        computed_values.aggregate_numerator,
        computed_values.aggregate_denominator,
        cast(coalesce(computed_values.localities_count, 0) as {{ dbt.type_int() }}) as localities_count,
        cast(
            coalesce(
                computed_values.expected_localities_count, expected_counts.expected_localities_count, 0
            ) as {{ dbt.type_int() }}
        ) as expected_localities_count,
        province_totals.department_value as province_total_value,
        province_totals.department_reporter_code as province_total_reporter_code,
        province_totals.department_numerator as province_total_numerator,
        province_totals.department_denominator as province_total_denominator,
        province_totals.department_file_sha256 as province_total_file_sha256,
        province_totals.department_file_name as province_total_file_name,
        province_totals.department_sheet_name as province_total_sheet_name,
        province_totals.department_row_number as province_total_row_number,
        province_totals.department_version as province_total_version
    from computed_values
    full outer join province_totals
        on
            computed_values.indicator_code = province_totals.indicator_code
            and computed_values.period = province_totals.period
    left join indicators
        on province_totals.indicator_code = indicators.indicator_code
    left join expected_counts
        on province_totals.period = expected_counts.period
)

select * from final
