{{ config(
    tags=['dq_findings'],
    materialized='incremental',
    unique_key='issue_id',
    incremental_strategy=history_incremental_strategy(),
    on_schema_change='append_new_columns',
    full_refresh=false
) }}
{#- The history of every finding: one row per issue_id (stable: rule + check key), kept across runs.
    Each refresh merges this run's findings (int_dq_findings) into the table by issue_id:
      - found now: status 'open'; first_seen_* kept from the first run that found it, last_seen_* = this run
        (a resolved finding that comes back is re-opened, its first_seen kept);
      - open before, not found now (e.g. after a corrected resubmission): status 'resolved', resolved_* =
        this run; the row stays — findings are never deleted;
      - resolved before and still absent: untouched (not in this run's merge).
    Portable: a dbt incremental model keyed on issue_id (merge; delete+insert on DuckDB, see
    macros/history_strategy.sql); no side table. full_refresh=false: the
    history is the record of what was found when, which no rebuild can recompute, so `dbt build
    --full-refresh` (and `dothi refresh --full`) keeps it; to start it again, drop the table. -#}
with current_findings as (
    select * from {{ ref('int_dq_findings') }}
),

this_run as (
    select
        {{ dq_run_id() }} as run_id,
        {{ dq_run_started_at() }} as run_at
),

{#- Columns of the history and their types: the previous table is read column by column, so a table
    written by an older version of this model (without some of them) still merges; missing ones are null
    and its rows count as open. -#}
{%- set history_columns = [
    ('issue_id', dbt.type_string()), ('rule_code', dbt.type_string()), ('severity', dbt.type_string()),
    ('importance', dbt.type_string()), ('source', dbt.type_string()), ('family', dbt.type_string()),
    ('title_vi', dbt.type_string()), ('title_en', dbt.type_string()), ('reporter_code', dbt.type_string()),
    ('locality_code', dbt.type_string()), ('indicator_code', dbt.type_string()), ('period', dbt.type_string()),
    ('observed_value', type_double()), ('expected', dbt.type_string()), ('expected_low', type_double()),
    ('expected_high', type_double()), ('figures', dbt.type_string()), ('message_vi', dbt.type_string()),
    ('message_en', dbt.type_string()), ('instruction_vi', dbt.type_string()), ('instruction_en', dbt.type_string()),
    ('file_sha256', dbt.type_string()), ('file_name', dbt.type_string()), ('row_number', dbt.type_int()),
    ('check_key', dbt.type_string()), ('check_model', dbt.type_string()), ('run_id', dbt.type_string()),
    ('detected_at', dbt.type_timestamp()), ('blocks_publication', dbt.type_boolean()), ('status', dbt.type_string()),
    ('first_seen_run_id', dbt.type_string()), ('first_seen_at', dbt.type_timestamp()),
    ('last_seen_run_id', dbt.type_string()), ('last_seen_at', dbt.type_timestamp()),
] -%}
{%- set existing = [] -%}
{%- if is_incremental() and this is string -%}
    {#- dbt unit tests: `this` is the given rows' CTE, with every column -#}
    {%- for name, type in history_columns -%}{%- do existing.append(name) -%}{%- endfor -%}
{%- elif is_incremental() -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}{%- do existing.append(column.name | lower) -%}{%- endfor -%}
{%- endif %}

previous as (
    select
    {%- for name, type in history_columns %}
            {% if name == 'status' and name in existing -%}
        coalesce(status, 'open') as status
        {%- elif name == 'status' -%}
                'open' as status
            {%- elif name in existing -%}
        cast({{ name }} as {{ type }}) as {{ name }}
        {%- else -%}
                cast(null as {{ type }}) as {{ name }}
            {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
    {% if is_incremental() -%}
    from {{ this }}
    {%- else -%}
        {#- first build: no history yet -#}
        from current_findings
        where 1 = 0
    {%- endif %}
),

opened as (
    select
        c.issue_id,
        c.rule_code,
        c.severity,
        c.importance,
        c.source,
        c.family,
        c.title_vi,
        c.title_en,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.observed_value,
        c.expected,
        c.expected_low,
        c.expected_high,
        c.figures,
        c.message_vi,
        c.message_en,
        c.instruction_vi,
        c.instruction_en,
        c.file_sha256,
        c.file_name,
        c.row_number,
        c.check_key,
        c.check_model,
        c.run_id,
        c.detected_at,
        c.blocks_publication,
        'open' as status,
        coalesce(p.first_seen_run_id, this_run.run_id) as first_seen_run_id,
        coalesce(p.first_seen_at, this_run.run_at) as first_seen_at,
        this_run.run_id as last_seen_run_id,
        this_run.run_at as last_seen_at,
        cast(null as {{ dbt.type_string() }}) as resolved_run_id,
        cast(null as {{ dbt.type_timestamp() }}) as resolved_at
    from current_findings as c
    cross join this_run
    left join previous as p
        on c.issue_id = p.issue_id
),

{% if is_incremental() -%}
resolved as (
    select
        p.issue_id,
        p.rule_code,
        p.severity,
        p.importance,
        p.source,
        p.family,
        p.title_vi,
        p.title_en,
        p.reporter_code,
        p.locality_code,
        p.indicator_code,
        p.period,
        p.observed_value,
        p.expected,
        p.expected_low,
        p.expected_high,
        p.figures,
        p.message_vi,
        p.message_en,
        p.instruction_vi,
        p.instruction_en,
        p.file_sha256,
        p.file_name,
        p.row_number,
        p.check_key,
        p.check_model,
        p.run_id,
        p.detected_at,
        p.blocks_publication,
        'resolved' as status,
        p.first_seen_run_id,
        p.first_seen_at,
        p.last_seen_run_id,
        p.last_seen_at,
        this_run.run_id as resolved_run_id,
        this_run.run_at as resolved_at
    from previous as p
    cross join this_run
    where p.status = 'open'
        and not exists (select 1 from current_findings as c where c.issue_id = p.issue_id)
),
{%- endif %}

final as (
    select * from opened
    {% if is_incremental() -%}
    union all
    select * from resolved
    {%- endif %}
)

select * from final
