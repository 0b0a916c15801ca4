{#- The indicator's aggregation rule (seed indicators.aggregation), as the method a province or roll-up
    value is computed by — one statement of it for int_values__province and macros/rollup.sql:
      sum             only when every expected part reported (a partial sum is not a total)
      ratio_of_sums   a ratio indicator whose reporting parts all gave numerator and denominator
      ratio_of_indicator_sums  (province only) the ratio of the numerator and denominator indicators' sums
      weighted        a ratio or weighted indicator with weights for some parts
    Arguments are SQL expressions; indicator_sums_denominator none leaves out ratio_of_indicator_sums. -#}
{% macro aggregation_method(aggregation, reported, expected, with_fraction, denominator_sum, weighted_count,
                            weight_total, indicator_sums_denominator=none, has_indicator_pair=none) -%}
    case
        when {{ aggregation }} = 'sum'
            and {{ reported }} = {{ expected }}
            then 'sum'
        when {{ aggregation }} = 'ratio'
            and {{ reported }} > 0
            and {{ with_fraction }} = {{ reported }}
            and {{ denominator_sum }} <> 0
            then 'ratio_of_sums'
        {%- if indicator_sums_denominator is not none %}
        when {{ aggregation }} = 'ratio'
            and {{ has_indicator_pair }}
            and {{ indicator_sums_denominator }} <> 0
            then 'ratio_of_indicator_sums'
        {%- endif %}
        when {{ aggregation }} in ('ratio', 'weighted')
            and {{ weighted_count }} > 0
            and {{ weight_total }} <> 0
            then 'weighted'
    end
{%- endmacro %}
