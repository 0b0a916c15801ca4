{#- Progress towards a target, by the Open SDG progress method (sdg-build, sdg/ProgressMeasure.py,
    "methodology 2": a quantitative target is given):

      observed CAGR  = (current / baseline) ^ (1 / years(baseline -> current)) - 1
      required CAGR  = (target  / baseline) ^ (1 / years(baseline -> target year end)) - 1
      R              = sign x direction x observed CAGR / |required CAGR|
                       (sign -1 when the baseline is negative, else 1; direction 1 higher is better, -1 lower)

    Classes (lower bounds inclusive, as Open SDG's): the current value meets the target (>= / <= in the
    indicator's direction) -> achieved, whatever the number of points; R >= 0.95 on_track; 0.6 <= R < 0.95
    acceleration_needed; 0 <= R < 0.6 limited_progress; R < 0 deterioration (a baseline that already met
    the target while the current value does not gives R < 0). Required CAGR exactly 0 (target = baseline,
    not met) -> deterioration (Open SDG divides by zero). Fewer than two points, a baseline of 0, a target
    or current value of the other sign than the baseline, no time from the baseline to the target year's
    end -> unable_to_assess.
    Open SDG's near-limit factor C belongs to its methodology 1 (no target) and is ignored with a target:
    it never enters the class here. Deviations from Open SDG: dbt_project/README.md "Progress method". -#}

{% macro power(base, exponent) -%}
    {{ return(adapter.dispatch('power', 'dothi')(base, exponent)) }}
{%- endmacro %}

{% macro default__power(base, exponent) -%}
    power({{ base }}, {{ exponent }})
{%- endmacro %}

{#- Compound annual growth rate from start_value to end_value over years, as Open SDG's
    growth_calculation: (end / start)^(1 / years) - 1. Null when undefined: start 0 (Open SDG substitutes
    0.001, dothi does not: see the README), end of the other sign than start (Open SDG: not available), or
    no time between them. An end value of 0 gives -1 (Open SDG: the same for a current value of 0; for a
    target of 0 it substitutes 0.001, giving a value near -1 that depends on the unit). -#}
{% macro cagr(start_value, end_value, years) -%}
    case
        when (({{ start_value }} > 0 and {{ end_value }} >= 0) or ({{ start_value }} < 0 and {{ end_value }} <= 0))
            and {{ years }} > 0
            then {{ dothi.power('(' ~ end_value ~ ') / (' ~ start_value ~ ')', '1.0 / (' ~ years ~ ')') }} - 1
    end
{%- endmacro %}

{#- Years between two dates in whole months / 12 (period ends are month ends, so 2024-12-31 ->
    2025-06-30 is exactly 0.5): the calendar months between them, as DuckDB's datediff('month') counts.
    Not dbt.datediff: on Spark it is months_between plus one when the end's day of month is smaller
    (2025-12-31 -> 2026-06-30 gave 7 months), and only its last term was divided when unwrapped. A double on
    every adapter: Spark divides an integer by 12.0 as decimal(28,6), rounded to 6 places. -#}
{% macro years_between(start_date, end_date) -%}
    (cast(
        (extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + (extract(month from {{ end_date }}) - extract(month from {{ start_date }}))
        as {{ type_double() }}) / 12)
{%- endmacro %}

{#- Whether the actual value meets the target, in the indicator's direction ('lower' = lower is
    better; anything else counts as higher is better). -#}
{% macro meets_target(actual, target, direction) -%}
    (case when {{ direction }} = 'lower' then {{ actual }} <= {{ target }} else {{ actual }} >= {{ target }} end)
{%- endmacro %}

{#- Open SDG's progress value R with a target: sign x direction x observed / |required|; null when
    undefined or when the required CAGR is 0. -#}
{% macro progress_ratio(baseline, direction, observed_cagr, required_cagr) -%}
    case when {{ required_cagr }} <> 0 then
        (case when {{ baseline }} < 0 then -1 else 1 end)
        * (case when {{ direction }} = 'lower' then -1 else 1 end)
        * {{ observed_cagr }} / abs({{ required_cagr }})
    end
{%- endmacro %}

{% macro progress_class(actual, target, direction, points_count, observed_cagr, required_cagr, ratio) -%}
    case
        when {{ actual }} is null or {{ target }} is null then 'unable_to_assess'
        when {{ meets_target(actual, target, direction) }} then 'achieved'
        when {{ points_count }} < 2 or {{ observed_cagr }} is null or {{ required_cagr }} is null then 'unable_to_assess'
        when {{ required_cagr }} = 0 then 'deterioration'
        when {{ ratio }} >= 0.95 then 'on_track'
        when {{ ratio }} >= 0.6 then 'acceleration_needed'
        when {{ ratio }} >= 0 then 'limited_progress'
        else 'deterioration'
    end
{%- endmacro %}
