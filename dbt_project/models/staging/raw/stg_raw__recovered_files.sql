{#- One row per quarantined file recovered by `dothi reprocess` (raw.recovered_files), renamed and cast: the
    file as it reads now, with its first arrival's lineage. stg_raw__submissions takes it as the file's state. -#}
{%- set state_columns = submission_state_columns() + [
    ('previous_status', dbt.type_string()), ('previous_reason', dbt.type_string()),
    ('recovered_at', dbt.type_timestamp()),
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
