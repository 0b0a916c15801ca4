{#- The dbt sources on Spark: every table of the `raw` and `quality` sources declared over its Parquet file
    of the raw hand-off (sources/raw_export.py writes <dir>/<schema>/<table>.parquet; publish leaves it
    in exports/<run>/raw/). Run once per new hand-off, before `dbt build` on the spark target:
        dbt run-operation attach_raw_parquet --target spark --args '{dir: /path/to/exports/<run>/raw}'
    dir defaults to env DOTHI_SPARK_RAW_DIR; `tables` ('schema.table' names) limits it to the files
    present (a warehouse before its first GX run has no quality tables: quality_relation() then reads an
    empty relation). External tables: dropping one leaves its file. -#}
{% macro attach_raw_parquet(dir=none, tables=none) -%}
    {%- set dir = dir or env_var('DOTHI_SPARK_RAW_DIR', '') -%}
    {%- if not dir -%}
        {{ exceptions.raise_compiler_error("attach_raw_parquet needs dir (or env DOTHI_SPARK_RAW_DIR)") }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set name = node.schema ~ '.' ~ node.identifier -%}
        {%- if tables is none or name in tables -%}
            {%- do run_query('create schema if not exists ' ~ node.schema) -%}
            {%- do run_query('drop table if exists ' ~ name) -%}
            {%- do run_query("create table " ~ name ~ " using parquet location '"
                ~ dir ~ "/" ~ node.schema ~ "/" ~ node.identifier ~ ".parquet'") -%}
            {%- do log('attached ' ~ name, info=true) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
