{#- Roll unit figures up to the units of another map, by the indicator's aggregation rule (seed
    indicators), never by averaging rates:
      sum       Σ share × value, only when every piece reported (a partial sum is not a total)
      ratio     Σ share × numerator / Σ share × denominator × rate_scale when every reporting piece gave
                both; else weighted as below
      weighted  Σ share × weight × value / Σ share × weight, the weight being the weight indicator's value
                of the same piece in the same period, else its most recent earlier one (as for the province,
                int_values__province)
      none      no row
    pieces: a relation/CTE (target_key, target_code, source_code, share, share_is_placeholder, period) of the
    pieces that exist in each period; child_values: (locality_code, indicator_code, period, value, numerator,
    denominator, file_name, row_number, approval_status, approved_by, approved_at, is_revised_after_approval).
    Every row says how many pieces were expected and reported
    (completeness), whether a placeholder share was used, and the pieces' lineage. -#}
{% macro rollup(pieces, child_values) -%}
with rollup_indicators as (
    select * from {{ ref('indicators') }} where aggregation <> 'none'
),

rollup_periods as (
    select period, end_date, sort_key from {{ ref('int_periods') }}
),

rollup_expected as (
    select
        {{ pieces }}.target_key,
        {{ pieces }}.target_code,
        rollup_indicators.indicator_code,
        {{ pieces }}.period,
        count(*) as pieces_expected
    from {{ pieces }}
    cross join rollup_indicators
    group by {{ pieces }}.target_key, {{ pieces }}.target_code, rollup_indicators.indicator_code, {{ pieces }}.period
),

rollup_contributions as (
    select
        {{ pieces }}.target_key,
        {{ pieces }}.target_code,
        {{ pieces }}.source_code,
        {{ pieces }}.share,
        {{ pieces }}.share_is_placeholder,
        {{ child_values }}.indicator_code,
        {{ child_values }}.period,
        {{ child_values }}.value,
        {{ child_values }}.numerator,
        {{ child_values }}.denominator,
        {{ child_values }}.file_name,
        {{ child_values }}.row_number,
        {{ child_values }}.approval_status,
        {{ child_values }}.approved_by,
        {{ child_values }}.approved_at,
        {{ child_values }}.is_revised_after_approval,
        rollup_periods.end_date
    from {{ pieces }}
    inner join {{ child_values }}
        on {{ pieces }}.source_code = {{ child_values }}.locality_code
        and {{ pieces }}.period = {{ child_values }}.period
    inner join rollup_periods
        on {{ child_values }}.period = rollup_periods.period
    where {{ child_values }}.value is not null
),

rollup_weight_candidates as (
    select
        rollup_contributions.target_key,
        rollup_contributions.source_code,
        rollup_contributions.indicator_code,
        rollup_contributions.period,
        weights.value as weight,
        row_number() over (
            partition by rollup_contributions.target_key, rollup_contributions.source_code,
                rollup_contributions.indicator_code, rollup_contributions.period
            order by
                case when weights.period = rollup_contributions.period then 0 else 1 end,
                weight_periods.end_date desc,
                weight_periods.sort_key
        ) as weight_rank
    from rollup_contributions
    inner join rollup_indicators
        on rollup_contributions.indicator_code = rollup_indicators.indicator_code
    inner join {{ child_values }} as weights
        on weights.locality_code = rollup_contributions.source_code
        and weights.indicator_code = rollup_indicators.weight_indicator_code
    inner join rollup_periods as weight_periods
        on weights.period = weight_periods.period
    where weight_periods.end_date <= rollup_contributions.end_date
        and weights.value is not null
),

rollup_weighted as (
    select
        rollup_contributions.*,
        rollup_weight_candidates.weight
    from rollup_contributions
    left join rollup_weight_candidates
        on rollup_contributions.target_key = rollup_weight_candidates.target_key
        and rollup_contributions.source_code = rollup_weight_candidates.source_code
        and rollup_contributions.indicator_code = rollup_weight_candidates.indicator_code
        and rollup_contributions.period = rollup_weight_candidates.period
        and rollup_weight_candidates.weight_rank = 1
),

rollup_sums as (
    select
        target_key,
        indicator_code,
        period,
        count(*) as pieces_reported,
        sum(share * value) as sum_value,
        sum(case when numerator is not null and denominator is not null then 1 else 0 end) as with_fraction_count,
        sum(share * numerator) as sum_numerator,
        sum(share * denominator) as sum_denominator,
        sum(case when weight is not null then share * weight * value end) as weighted_sum,
        sum(case when weight is not null then share * weight end) as weight_total,
        sum(case when weight is not null then 1 else 0 end) as weighted_count,
        max(case when share_is_placeholder then 1 else 0 end) as any_placeholder_share,
        {{ dbt.listagg(
            dbt.concat(["source_code", "' ('", "coalesce(file_name, '')", "' #'",
                "coalesce(cast(row_number as " ~ dbt.type_string() ~ "), '')", "')'"]),
            "'; '", 'order by source_code') }} as pieces_lineage,
        sum(case when approval_status = 'approved' then 1 else 0 end) as approved_count,
        count(distinct approved_by) as approvers_count,
        min(approved_by) as first_approver,
        max(approved_at) as last_approved_at,
        max(case when is_revised_after_approval then 1 else 0 end) as any_revised
    from rollup_weighted
    group by target_key, indicator_code, period
),

rollup_methods as (
    select
        rollup_expected.target_key,
        rollup_expected.target_code,
        rollup_expected.indicator_code,
        rollup_expected.period,
        rollup_indicators.aggregation,
        rollup_indicators.rate_scale,
        rollup_expected.pieces_expected,
        coalesce(rollup_sums.pieces_reported, 0) as pieces_reported,
        rollup_sums.sum_value,
        rollup_sums.sum_numerator,
        rollup_sums.sum_denominator,
        rollup_sums.weighted_sum,
        rollup_sums.weight_total,
        rollup_sums.any_placeholder_share,
        rollup_sums.pieces_lineage,
        rollup_sums.approved_count,
        rollup_sums.approvers_count,
        rollup_sums.first_approver,
        rollup_sums.last_approved_at,
        rollup_sums.any_revised,
        {{ aggregation_method(
            'rollup_indicators.aggregation', 'rollup_sums.pieces_reported', 'rollup_expected.pieces_expected',
            'rollup_sums.with_fraction_count', 'rollup_sums.sum_denominator', 'rollup_sums.weighted_count',
            'rollup_sums.weight_total') }} as aggregation_method
    from rollup_expected
    inner join rollup_indicators
        on rollup_expected.indicator_code = rollup_indicators.indicator_code
    inner join rollup_sums
        on rollup_expected.target_key = rollup_sums.target_key
        and rollup_expected.indicator_code = rollup_sums.indicator_code
        and rollup_expected.period = rollup_sums.period
)

select
    target_key,
    target_code,
    indicator_code,
    period,
    aggregation_method,
    case aggregation_method
        when 'sum' then sum_value
        when 'ratio_of_sums' then sum_numerator / sum_denominator * coalesce(rate_scale, 1)
        when 'weighted' then weighted_sum / weight_total
    end as value,
    case when aggregation_method = 'ratio_of_sums' then sum_numerator end as numerator,
    case when aggregation_method = 'ratio_of_sums' then sum_denominator end as denominator,
    cast(pieces_expected as {{ dbt.type_int() }}) as pieces_expected,
    cast(pieces_reported as {{ dbt.type_int() }}) as pieces_reported,
    cast(pieces_reported * 1.0 / pieces_expected as {{ type_double() }}) as completeness_share,
    pieces_reported = pieces_expected as is_complete,
    any_placeholder_share = 1 as uses_placeholder_share,
    pieces_lineage,
    case
        when approved_count > 0 and approved_count = pieces_reported then 'approved'
        when approved_count > 0 then 'partly_approved'
        else 'not_approved'
    end as approval_status,
    case
        when approvers_count = 1 then first_approver
        when approvers_count > 1 then
            {{ dbt.concat(["first_approver", "' (+'", "cast(approvers_count - 1 as " ~ dbt.type_string() ~ ")", "')'"]) }}
    end as approved_by,
    case when approved_count > 0 then last_approved_at end as approved_at,
    coalesce(any_revised = 1, false) as has_revision_after_approval
from rollup_methods
{%- endmacro %}
