{#- The tables of the Great Expectations layer (source `quality`, written by expectations/store.py) may
    not exist yet: dbt running standalone, before the first GX run. The staging models
    (models/staging/quality/) read them through these macros, which substitute an empty relation with
    the same columns and types, so `dbt build` always works. source() is called either way, so the
    lineage (and Dagster's asset graph) shows the dependency. `columns`: list of (name, type). -#}
{% macro quality_relation(table, columns) -%}
    {%- set src = source('quality', table) -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(database=src.database, schema=src.schema, identifier=src.identifier) -%}
    {%- endif %}
    select
        {%- for name, type in columns %}
        cast({{ name if existing is not none else 'null' }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- if existing is not none %}
    from {{ existing }}
    {%- else %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#- quality.gx_findings: one row per failing row of an expectation. -#}
{% macro gx_findings_relation() -%}
    {{ quality_relation('gx_findings', [
        ('run_id', dbt.type_string()), ('validated_at', dbt.type_timestamp()),
        ('suite_name', dbt.type_string()), ('expectation_type', dbt.type_string()),
        ('rule_code', dbt.type_string()), ('severity', dbt.type_string()),
        ('table_name', dbt.type_string()), ('check_key', dbt.type_string()),
        ('row_key', dbt.type_string()), ('observed', dbt.type_string()),
    ]) }}
{%- endmacro %}

{#- quality.gx_results: one row per expectation run (the run id and time of the GX run). -#}
{% macro dq_gx_results_relation() -%}
    {{ quality_relation('gx_results', [
        ('run_id', dbt.type_string()), ('validated_at', dbt.type_timestamp()),
        ('suite_name', dbt.type_string()), ('table_name', dbt.type_string()),
        ('expectation_type', dbt.type_string()), ('column_name', dbt.type_string()),
        ('rule_code', dbt.type_string()), ('severity', dbt.type_string()),
        ('success', dbt.type_boolean()), ('element_count', dbt.type_bigint()),
        ('unexpected_count', dbt.type_bigint()), ('unexpected_percent', type_double()),
        ('raised_exception', dbt.type_boolean()), ('exception_message', dbt.type_string()),
        ('details', dbt.type_string()),
    ]) }}
{%- endmacro %}

{#- A text field of a JSON object held in a text column; null when absent. -#}
{% macro json_text(column, key) -%}
    {{ return(adapter.dispatch('json_text', 'dothi')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- A number as text for messages: rounded, no exponent for the sizes seen here. -#}
{% macro fmt_num(expr, decimals=2) -%}
    coalesce(
        case
            when round({{ expr }}, {{ decimals }}) = round({{ expr }}, 0) and abs({{ expr }}) < 1e15
                then cast(cast(round({{ expr }}, 0) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
            else cast(round({{ expr }}, {{ decimals }}) as {{ dbt.type_string() }})
        end,
        '?')
{%- endmacro %}

{#- A date as dd/mm/yyyy (how Vietnamese documents write dates). -#}
{% macro fmt_date_vi(date_expr) -%}
    {%- set iso = "cast(cast(" ~ date_expr ~ " as date) as " ~ dbt.type_string() ~ ")" -%}
    coalesce({{ dbt.concat(["substring(" ~ iso ~ ", 9, 2)", "'/'", "substring(" ~ iso ~ ", 6, 2)", "'/'", "substring(" ~ iso ~ ", 1, 4)"]) }}, '?')
{%- endmacro %}
