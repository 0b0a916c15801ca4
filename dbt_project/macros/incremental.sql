{#- Incremental refresh by period (see README.md, "Incremental refresh").

    The per-figure models (int_figures__versioned → __current → int_values__by_channel → __localities →
    __consolidated, and int_reconciliation) are partitioned by period: nothing in them looks across
    periods (the province rows excepted, which are small and replaced whole every run). Each row carries
    watermark_ingested_at: how far (in raw ingested_at) the model's direct upstream had taken in the raw
    figures when the row's period was rebuilt; the model's watermark is the max over its rows. A run
    rebuilds the "touched" periods: those in which int_figures__versioned's source (the raw figures) or,
    for the models after it, int_figures__current has rows newer than that watermark. Never the model's
    own upstream: a period of int_values__by_channel empties when a revision blanks all its values, and
    an empty period would not be seen as touched downstream. The watermark lives in the model itself, so
    a model that failed or was skipped catches up on the next run, and the raw rows of a failed refresh
    (never published) leave no trace. -#}

{#- The periods this run rebuilds: those with upstream rows newer than the target's watermark, or every
    period when the target is empty. `upstream` is a relation; `watermark` its column (ingested_at for the
    raw figures, watermark_ingested_at for an incremental model). -#}
{% macro touched_periods(upstream, watermark='watermark_ingested_at', target=this) -%}
    select distinct touched_upstream.period
    from {{ upstream }} as touched_upstream
    where touched_upstream.{{ watermark }} > (select max(w.watermark_ingested_at) from {{ target }} as w)
        or (select max(w.watermark_ingested_at) from {{ target }} as w) is null
{%- endmacro %}

{#- This run's watermark: how far the upstream has taken in the raw figures. -#}
{% macro watermark_of(upstream, watermark='watermark_ingested_at') -%}
    (select max(watermark_source.{{ watermark }}) from {{ upstream }} as watermark_source)
{%- endmacro %}

{#- Custom incremental strategy 'replace_periods': delete the touched periods (plus the rows matching
    meta.replace_always, e.g. the province rows, which are recomputed whole every run), then insert the
    new rows. Unlike delete+insert on unique_key=period, a touched period that now yields no row at all
    (every figure of it blanked by a revision) is emptied too. The touched periods are recomputed here from
    the same upstream (meta.touched_from, meta.touched_watermark) against the untouched target: the same
    set the model's select used, since the temporary relation was built before this statement.
    Portable SQL (delete with a subquery, insert ... select); adapters may override via dispatch. On Spark,
    dbt-spark has no delete+insert: insert_overwrite with partition_by=['period'] is the nearest. -#}
{% macro get_incremental_replace_periods_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_replace_periods_sql', 'dothi')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_replace_periods_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- if not meta.get('touched_from') -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_periods' needs meta.touched_from (the upstream model) on " ~ this) }}
    {%- endif -%}
    {%- set upstream = ref(meta['touched_from']) -%}
    delete from {{ target }}
    where period in ({{ touched_periods(upstream, meta.get('touched_watermark', 'watermark_ingested_at'), target) }})
    {%- if meta.get('replace_always') %}
        or ({{ meta['replace_always'] }})
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}

{#- The rows of the validation-rule model (int_checks__rules) replaced on every run: the consolidated
    province values, which int_values__consolidated recomputes whole every run. Used as its
    meta.replace_always. -#}
{% macro consolidated_province_rows() -%}
    (evaluated_on = 'consolidated' and locality_code = '{{ var("province_code") }}')
{%- endmacro %}
