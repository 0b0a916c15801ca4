{#- Progress towards a target, by the Open SDG progress method (Statistics Canada / Open SDG):

      observed CAGR  = (current / baseline) ^ (1 / years(baseline -> current)) - 1
      required CAGR  = (target  / baseline) ^ (1 / years(baseline -> target year end)) - 1
      R              = observed CAGR / required CAGR

    Classes: the current value meets the target -> achieved; R >= 0.95 on_track;
    0.6 <= R < 0.95 acceleration_needed; 0 <= R < 0.6 limited_progress; R < 0 deterioration;
    fewer than two points, or a non-positive baseline/current/target value -> unable_to_assess.
    If the baseline already met the target (the required growth does not point in the indicator's
    desired direction) while the current value does not, the indicator moved away: deterioration.
    The formula is direction-agnostic: for lower-is-better indicators both CAGRs are negative. -#}

{% macro power(base, exponent) -%}
    {{ return(adapter.dispatch('power', 'dothi')(base, exponent)) }}
{%- endmacro %}

{% macro default__power(base, exponent) -%}
    power({{ base }}, {{ exponent }})
{%- endmacro %}

{#- Compound annual growth rate from start_value to end_value over years; null when undefined. -#}
{% macro cagr(start_value, end_value, years) -%}
    case
        when {{ start_value }} > 0 and {{ end_value }} > 0 and {{ years }} > 0
            then {{ dothi.power('(' ~ end_value ~ ') / (' ~ start_value ~ ')', '1.0 / (' ~ years ~ ')') }} - 1
    end
{%- endmacro %}

{#- Years between two dates in whole months / 12 (period ends are month ends, so 2024-12-31 ->
    2025-06-30 is exactly 0.5). -#}
{% macro years_between(start_date, end_date) -%}
    ({{ dbt.datediff(start_date, end_date, 'month') }} / 12.0)
{%- endmacro %}

{#- Whether the actual value meets the target, in the indicator's direction ('lower' = lower is
    better; anything else counts as higher is better). -#}
{% macro meets_target(actual, target, direction) -%}
    (case when {{ direction }} = 'lower' then {{ actual }} <= {{ target }} else {{ actual }} >= {{ target }} end)
{%- endmacro %}

{% macro progress_class(actual, target, direction, points_count, observed_cagr, required_cagr) -%}
    case
        when {{ actual }} is null or {{ target }} is null then 'unable_to_assess'
        when {{ meets_target(actual, target, direction) }} then 'achieved'
        when {{ points_count }} < 2 or {{ observed_cagr }} is null or {{ required_cagr }} is null then 'unable_to_assess'
        when ({{ direction }} = 'lower' and {{ required_cagr }} >= 0)
            or ({{ direction }} <> 'lower' and {{ required_cagr }} <= 0) then 'deterioration'
        when {{ observed_cagr }} / {{ required_cagr }} >= 0.95 then 'on_track'
        when {{ observed_cagr }} / {{ required_cagr }} >= 0.6 then 'acceleration_needed'
        when {{ observed_cagr }} / {{ required_cagr }} >= 0 then 'limited_progress'
        else 'deterioration'
    end
{%- endmacro %}
