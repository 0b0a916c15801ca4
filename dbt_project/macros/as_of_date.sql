{#- 'Today' for completeness and programme reviews: var('as_of_date') when set (tests, re-runs of a
    past day), else the current date. -#}
{% macro as_of_date_expr() -%}
    {%- if var('as_of_date', none) -%}
    cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
    cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}
