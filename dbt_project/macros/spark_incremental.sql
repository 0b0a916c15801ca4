{#- The project's incremental strategies on Spark (dbt-spark, Parquet tables: no DELETE, no MERGE).

    dbt-spark's incremental materialization accepts only append / insert_overwrite / merge / microbatch and
    has no hook for custom strategies, so its two dispatch points are overridden here (a root-project
    macro of the same name wins over the adapter's); every other strategy goes to dbt-spark unchanged.

    replace_periods (macros/incremental.sql): the models are partitioned by period on Spark
    (dbt_project.yml), and a run rewrites whole partitions with one dynamic `insert overwrite`:
      - the partitions of the new rows (the touched periods, plus every period of a meta.replace_always
        row such as the province rows) and of the target's replace_always rows get the new rows, plus the
        target's rows of those partitions that stay: not in a touched period and not replace_always;
      - a touched period (or a period of an old replace_always row) left with no row at all is dropped,
        as DuckDB's delete empties it.
    Dynamic partition overwrite writes to a staging folder and moves it in at commit, so the statement
    may read the table it overwrites (the temporary view of the new rows reads it for the watermark).

    The findings history (fct_dq_issues, macros/history_strategy.sql): 'rewrite_by_key', a small full
    rewrite: the target's rows whose key is not in this run's rows, plus this run's rows, written to a
    helper table and then over the target (a plain overwrite may not read its own table). -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy in ['replace_periods', 'rewrite_by_key'] -%}
        {%- do return(raw_strategy) -%}
    {%- endif -%}
    {%- do return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) -%}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy == 'replace_periods' -%}
        {{ get_incremental_replace_periods_sql({
            'target_relation': target, 'temp_relation': source,
            'dest_columns': adapter.get_columns_in_relation(target)}) }}
    {%- elif strategy == 'rewrite_by_key' -%}
        {{ spark_rewrite_by_key_sql(source, target, unique_key) }}
    {%- else -%}
        {{ dbt_spark.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) }}
    {%- endif -%}
{%- endmacro %}

{#- One string of a list of periods for an `in (...)` (periods are codes like 2024, 2024-Q1, 2024-06). -#}
{% macro spark_period_literals(periods) -%}
    {%- for p in periods -%}'{{ p | replace("\\", "\\\\") | replace("'", "\\'") }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{% macro spark__get_incremental_replace_periods_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- if not meta.get('touched_from') -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_periods' needs meta.touched_from (the upstream model) on " ~ this) }}
    {%- endif -%}
    {%- if 'period' not in (config.get('partition_by') or []) -%}
        {{ exceptions.raise_compiler_error(
            "replace_periods on Spark needs partition_by ['period'] (dbt_project.yml) on " ~ this) }}
    {%- endif -%}
    {%- set upstream = ref(meta['touched_from']) -%}
    {%- set always = meta.get('replace_always') or 'false' -%}
    {#- Partition column last, as the table stores it. Every relation has an alias: Spark would read
        `table where (x)` as the alias `where` with a column list. -#}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='name') | reject('equalto', 'period') | list + ['period'] -%}
    {%- set column_list = columns | join(', ') -%}
    {#- Before anything is written: the periods to replace and those that will receive a row. -#}
    {%- set plan_sql -%}
        with touched as (
            {{ touched_periods(upstream, meta.get('touched_watermark', 'watermark_ingested_at'), target) }}
        ),
        replaced as (
            select period from touched
            union
            select distinct prior.period from {{ target }} as prior where ({{ always }})
        ),
        affected as (
            select fresh.period from {{ source }} as fresh
            union
            select prior.period from {{ target }} as prior where ({{ always }})
        ),
        written as (
            select distinct fresh.period from {{ source }} as fresh
            union
            select distinct kept.period from {{ target }} as kept
            where kept.period in (select period from affected)
                and kept.period not in (select period from touched)
                and not ({{ always }})
        )
        select period from replaced where period not in (select period from written)
    {%- endset -%}
    {%- set emptied = [] -%}
    {%- if execute -%}
        {%- for row in run_query(plan_sql) -%}{%- do emptied.append(row[0]) -%}{%- endfor -%}
    {%- endif -%}
    {#- Only the partitions written are replaced (also set in the profile; a cluster's default is static). -#}
    {%- call statement('replace_periods_mode') -%}
        set spark.sql.sources.partitionOverwriteMode = DYNAMIC
    {%- endcall -%}
    {%- call statement('replace_periods_overwrite') -%}
        insert overwrite table {{ target }} partition (period)
        select {{ column_list }} from {{ source }} as fresh
        union all
        select {{ column_list }} from {{ target }} as kept
        where kept.period in (
                select fresh.period from {{ source }} as fresh
                union
                select prior.period from {{ target }} as prior where ({{ always }})
            )
            and kept.period not in (
                {{ touched_periods(upstream, meta.get('touched_watermark', 'watermark_ingested_at'), target) }}
            )
            and not ({{ always }})
    {%- endcall -%}
    {%- for period in emptied %}
        {%- call statement('replace_periods_drop_' ~ loop.index) -%}
            alter table {{ target }} drop if exists partition (period = {{ spark_period_literals([period]) }})
        {%- endcall -%}
    {%- endfor -%}
    {#- The work is done above (several statements); the materialization's main statement only refreshes
        Spark's cached file listing of the table. -#}
    refresh table {{ target }}
{%- endmacro %}

{% macro spark_rewrite_by_key_sql(source, target, unique_key) -%}
    {%- set helper = target.incorporate(path={'identifier': target.identifier ~ '__dothi_rewrite'}) -%}
    {%- set column_list = adapter.get_columns_in_relation(target) | map(attribute='name') | join(', ') -%}
    {%- call statement('rewrite_by_key_drop_helper') -%}
        drop table if exists {{ helper }}
    {%- endcall -%}
    {%- call statement('rewrite_by_key_helper') -%}
        create table {{ helper }} using parquet as
        select {{ column_list }} from {{ target }} as kept
        where kept.{{ unique_key }} not in (select fresh.{{ unique_key }} from {{ source }} as fresh)
        union all
        select {{ column_list }} from {{ source }} as fresh
    {%- endcall -%}
    {%- call statement('rewrite_by_key_overwrite') -%}
        insert overwrite table {{ target }} select {{ column_list }} from {{ helper }} as rewritten
    {%- endcall -%}
    {%- call statement('rewrite_by_key_drop_helper_after') -%}
        drop table if exists {{ helper }}
    {%- endcall -%}
    refresh table {{ target }}
{%- endmacro %}
