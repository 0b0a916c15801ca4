{#- dbt.listagg on Spark keeping the order. dbt-spark's version drops order_by_clause (a warning, then
    collect_list in whatever order the rows arrive: lineage texts came out in another order than on
    DuckDB). Spark 4 has listagg ... within group (order by ...), as the SQL standard. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ return(dbt_spark.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
