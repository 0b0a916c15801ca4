with source as (
    select * from {{ source('raw', 'submissions') }}
),

renamed as (
    select
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast({{ cut_text('file_name') }} as {{ dbt.type_string() }}) as file_name,
        cast(archive_path as {{ dbt.type_string() }}) as archive_path,
        cast(file_size as {{ dbt.type_bigint() }}) as file_size,
        cast(file_format as {{ dbt.type_string() }}) as file_format,
        cast(encoding as {{ dbt.type_string() }}) as encoding,
        cast(sheet_name as {{ dbt.type_string() }}) as sheet_name,
        cast(reporter_code as {{ dbt.type_string() }}) as reporter_code,
        cast({{ cut_text('reporter_raw') }} as {{ dbt.type_string() }}) as reporter_raw,
        cast(reporter_kind as {{ dbt.type_string() }}) as reporter_kind,
        cast(periods as {{ dbt.type_string() }}) as periods,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        cast(received_at as {{ dbt.type_timestamp() }}) as received_at,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(status as {{ dbt.type_string() }}) as status,
        cast({{ cut_text('reason') }} as {{ dbt.type_string() }}) as reason,
        cast(rows_read as {{ dbt.type_int() }}) as rows_read,
        cast(rows_accepted as {{ dbt.type_int() }}) as rows_accepted,
        cast(rows_rejected as {{ dbt.type_int() }}) as rows_rejected,
        cast(is_synthetic as {{ dbt.type_boolean() }}) as is_synthetic,
        cast(title_block as {{ dbt.type_string() }}) as title_block
    from source
)

select * from renamed
