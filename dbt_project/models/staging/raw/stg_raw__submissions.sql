{#- One row per file received, in its current state. raw.submissions is append-only (a file's first reading,
    quarantined or not); a quarantined file later recovered by `dothi reprocess` (its reporter since aliased)
    has one raw.recovered_files row (stg_raw__recovered_files), which replaces it here: same hash, archive path
    and first-arrival times, the status and reporter it reads with now. The quarantine reason it had is kept
    (quarantine_reason). -#}
{%- set state_columns = submission_state_columns() -%}
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
