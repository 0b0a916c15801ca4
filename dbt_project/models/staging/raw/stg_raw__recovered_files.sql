{#- One row per quarantined file recovered by `dothi reprocess` (raw.recovered_files), renamed and cast: the
    file as it reads now, with its first arrival's lineage. stg_raw__submissions takes it as the file's state. -#}
{%- set state_columns = [
    ('file_sha256', dbt.type_string()), ('file_name', dbt.type_string()), ('archive_path', dbt.type_string()),
    ('file_size', dbt.type_bigint()), ('file_format', dbt.type_string()), ('encoding', dbt.type_string()),
    ('sheet_name', dbt.type_string()), ('reporter_code', dbt.type_string()), ('reporter_raw', dbt.type_string()),
    ('reporter_kind', dbt.type_string()), ('periods', dbt.type_string()), ('submitted_at', dbt.type_timestamp()),
    ('received_at', dbt.type_timestamp()), ('ingested_at', dbt.type_timestamp()), ('run_id', dbt.type_string()),
    ('status', dbt.type_string()), ('reason', dbt.type_string()), ('rows_read', dbt.type_int()),
    ('rows_accepted', dbt.type_int()), ('rows_rejected', dbt.type_int()), ('is_synthetic', dbt.type_boolean()),
    ('title_block', dbt.type_string()), ('previous_status', dbt.type_string()),
    ('previous_reason', dbt.type_string()), ('recovered_at', dbt.type_timestamp()),
] -%}
{%- set cut = ['file_name', 'reporter_raw', 'reason', 'previous_reason'] -%}
with source as (
    select * from {{ source('raw', 'recovered_files') }}
),

renamed as (
    select
        {%- for name, type in state_columns %}
            cast({{ cut_text(name) if name in cut else name }} as {{ type }}) as {{ name }},
        {%- endfor %}
        cast(recovered_run_id as {{ dbt.type_string() }}) as recovered_run_id
    from source
)

select * from renamed
