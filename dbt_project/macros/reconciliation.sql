{#- rel_diff_pct / tolerance_pct; when the tolerance is 0 (or the reference value is 0): 0 if the two
    sides are equal, else var('dq_large_ratio'). Null unless both sides are present. -#}
{% macro diff_over_tolerance(left_value, right_value, rel_diff_pct, tolerance_pct) -%}
    case
        when {{ left_value }} is null or {{ right_value }} is null then null
        when {{ left_value }} = {{ right_value }} then 0.0
        when {{ tolerance_pct }} is null then null
        when {{ tolerance_pct }} = 0 or {{ rel_diff_pct }} is null then {{ var('dq_large_ratio') }} * 1.0
        else {{ rel_diff_pct }} / {{ tolerance_pct }}
    end
{%- endmacro %}

{#- consistent (<= tolerance), minor (<= 2x tolerance), major, locality_only, department_only. -#}
{% macro reconciliation_status(left_value, right_value, diff_over_tolerance) -%}
    case
        when {{ left_value }} is not null and {{ right_value }} is null then 'locality_only'
        when {{ left_value }} is null and {{ right_value }} is not null then 'department_only'
        when {{ diff_over_tolerance }} is null then 'major'
        when {{ diff_over_tolerance }} <= 1 then 'consistent'
        when {{ diff_over_tolerance }} <= 2 then 'minor'
        else 'major'
    end
{%- endmacro %}
