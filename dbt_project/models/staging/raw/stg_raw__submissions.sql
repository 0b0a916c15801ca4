{#- One row per file received, in its current state. raw.submissions is append-only (a file's first reading,
    quarantined or not); a quarantined file later recovered by `dothi reprocess` (its reporter since aliased)
    has one raw.recovered_files row (stg_raw__recovered_files), which replaces it here: same hash, archive path
    and first-arrival times, the status and reporter it reads with now. The quarantine reason it had is kept
    (quarantine_reason). -#}
{%- set state_columns = [
    ('file_sha256', dbt.type_string()), ('file_name', dbt.type_string()), ('archive_path', dbt.type_string()),
    ('file_size', dbt.type_bigint()), ('file_format', dbt.type_string()), ('encoding', dbt.type_string()),
    ('sheet_name', dbt.type_string()), ('reporter_code', dbt.type_string()), ('reporter_raw', dbt.type_string()),
    ('reporter_kind', dbt.type_string()), ('periods', dbt.type_string()), ('submitted_at', dbt.type_timestamp()),
    ('received_at', dbt.type_timestamp()), ('ingested_at', dbt.type_timestamp()), ('run_id', dbt.type_string()),
    ('status', dbt.type_string()), ('reason', dbt.type_string()), ('rows_read', dbt.type_int()),
    ('rows_accepted', dbt.type_int()), ('rows_rejected', dbt.type_int()), ('is_synthetic', dbt.type_boolean()),
    ('title_block', dbt.type_string()),
] -%}
{%- set cut = ['file_name', 'reporter_raw', 'reason'] -%}
with source as (
    select * from {{ source('raw', 'submissions') }}
),

recovered as (
    select * from {{ ref('stg_raw__recovered_files') }}
),

first_reading as (
    select
        {%- for name, type in state_columns %}
            cast({{ cut_text('source.' ~ name) if name in cut else 'source.' ~ name }} as {{ type }}) as {{ name }},
        {%- endfor %}
        cast(null as {{ dbt.type_timestamp() }}) as recovered_at,
        cast(null as {{ dbt.type_string() }}) as recovered_run_id,
        cast(
            case when source.status = 'quarantined' then {{ cut_text('source.reason') }} end
            as {{ dbt.type_string() }}
        ) as quarantine_reason
    from source
    where not exists (
        select 1 from recovered
        where recovered.file_sha256 = source.file_sha256
    )
),

recovered_reading as (
    select
        {%- for name, type in state_columns %}
            recovered.{{ name }},
        {%- endfor %}
        recovered.recovered_at,
        recovered.recovered_run_id,
        recovered.previous_reason as quarantine_reason
    from recovered
),

final as (
    select * from first_reading
    union all
    select * from recovered_reading
)

select * from final
