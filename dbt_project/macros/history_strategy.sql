{#- The incremental strategy of the findings history (fct_dq_issues, unique_key issue_id): merge, the
    portable choice (Spark/Delta, Snowflake, BigQuery...). DuckDB: delete+insert, the same result here
    because every run writes whole rows. DuckDB's MERGE holds every updated row in memory, and each
    run updates every open finding (last_seen_*): at national scale (637 k findings) that ran out of memory
    under a 1 GB cap, while delete+insert streams. -#}
{% macro history_incremental_strategy() -%}
    {{ return(adapter.dispatch('history_incremental_strategy', 'dothi')()) }}
{%- endmacro %}

{% macro default__history_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro duckdb__history_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- Spark on Parquet (no MERGE): a small full rewrite by key (macros/spark_incremental.sql). On Delta,
    Iceberg or Hudi tables (file_format), dbt-spark's merge. -#}
{% macro spark__history_incremental_strategy() -%}
    {{ return('merge' if config.get('file_format') in ['delta', 'iceberg', 'hudi'] else 'rewrite_by_key') }}
{%- endmacro %}
