{#- The approval log, one row per event x value (raw.approvals, mirrored from the append-only
    DOTHI_HOME/control/approvals.jsonl by every intake). -#}
with source as (
    select * from {{ source('raw', 'approvals') }}
),

renamed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(action as {{ dbt.type_string() }}) as event_action,
        cast(event_at as {{ dbt.type_timestamp() }}) as event_at,
        cast({{ cut_text('approved_by') }} as {{ dbt.type_string() }}) as approved_by,
        cast({{ cut_text('note') }} as {{ dbt.type_string() }}) as note,
        cast(locality_code as {{ dbt.type_string() }}) as locality_code,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(value as {{ type_double() }}) as value,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(revision as {{ dbt.type_int() }}) as revision,
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(sheet_name as {{ dbt.type_string() }}) as sheet_name,
        cast(row_number as {{ dbt.type_int() }}) as row_number,
        cast(chosen_source as {{ dbt.type_string() }}) as chosen_source
    from source
)

select * from renamed
