{#- The GX layer's findings (quality.gx_findings), or an empty relation with the same columns when
    the table does not exist yet (dbt running standalone, before the first GX run), so `dbt build`
    always works. source() is called so the lineage (and Dagster's asset graph) shows the dependency. -#}
{% macro gx_findings_relation() -%}
    {%- set src = source('quality', 'gx_findings') -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(database=src.database, schema=src.schema, identifier=src.identifier) -%}
    {%- endif -%}
    {%- if existing is not none -%}
    (
        select
            cast(run_id as {{ dbt.type_string() }}) as run_id,
            cast(validated_at as {{ dbt.type_timestamp() }}) as validated_at,
            cast(suite_name as {{ dbt.type_string() }}) as suite_name,
            cast(expectation_type as {{ dbt.type_string() }}) as expectation_type,
            cast(rule_code as {{ dbt.type_string() }}) as rule_code,
            cast(severity as {{ dbt.type_string() }}) as severity,
            cast(table_name as {{ dbt.type_string() }}) as table_name,
            cast(check_key as {{ dbt.type_string() }}) as check_key,
            cast(row_key as {{ dbt.type_string() }}) as row_key,
            cast(observed as {{ dbt.type_string() }}) as observed
        from {{ existing }}
    )
    {%- else -%}
    (
        select
            cast(null as {{ dbt.type_string() }}) as run_id,
            cast(null as {{ dbt.type_timestamp() }}) as validated_at,
            cast(null as {{ dbt.type_string() }}) as suite_name,
            cast(null as {{ dbt.type_string() }}) as expectation_type,
            cast(null as {{ dbt.type_string() }}) as rule_code,
            cast(null as {{ dbt.type_string() }}) as severity,
            cast(null as {{ dbt.type_string() }}) as table_name,
            cast(null as {{ dbt.type_string() }}) as check_key,
            cast(null as {{ dbt.type_string() }}) as row_key,
            cast(null as {{ dbt.type_string() }}) as observed
        where 1 = 0
    )
    {%- endif -%}
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
