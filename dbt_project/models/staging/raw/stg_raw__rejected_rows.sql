with source as (
    select * from {{ source('raw', 'rejected_rows') }}
),

renamed as (
    select
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast({{ cut_text('file_name') }} as {{ dbt.type_string() }}) as file_name,
        cast(sheet_name as {{ dbt.type_string() }}) as sheet_name,
        cast(row_number as {{ dbt.type_int() }}) as row_number,
        cast(field as {{ dbt.type_string() }}) as field,
        cast({{ cut_text('value_raw') }} as {{ dbt.type_string() }}) as value_raw,
        cast({{ cut_text('reason') }} as {{ dbt.type_string() }}) as reason,
        cast({{ cut_text('suggestion') }} as {{ dbt.type_string() }}) as suggestion,
        cast(row_data as {{ dbt.type_string() }}) as row_data,
        cast(reporter_code as {{ dbt.type_string() }}) as reporter_code,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at,
        cast(run_id as {{ dbt.type_string() }}) as run_id
    from source
)

select * from renamed
