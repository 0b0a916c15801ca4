{#- 'Today' for completeness and programme reviews: var('as_of_date') when set (unit tests, a re-run of a
    past day by hand), else the run's day that orchestration hands to dbt in DOTHI_DBT_AS_OF_DATE (fixed when
    the run starts, in Vietnam: orchestration/publishing.py run_day), else the current date. An env var, not
    --vars: a new value of a var makes dbt re-parse the whole project (~4 s), of an env var only what reads it. -#}
{% macro as_of_date_expr() -%}
    {%- set day = var('as_of_date', none) or env_var('DOTHI_DBT_AS_OF_DATE', '') -%}
    {%- if day -%}
    cast('{{ day }}' as date)
    {%- else -%}
    cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}
