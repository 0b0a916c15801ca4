{#- Double-precision float. dbt.type_float() is single precision on DuckDB (FLOAT = REAL), which
    loses digits on figures like populations; every adapter here spells double 'double'. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'dothi')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
