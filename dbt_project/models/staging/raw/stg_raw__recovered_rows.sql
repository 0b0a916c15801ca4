with source as (
    select * from {{ source('raw', 'recovered_rows') }}
),

renamed as (
    select
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast({{ cut_text('file_name') }} as {{ dbt.type_string() }}) as file_name,
        cast(sheet_name as {{ dbt.type_string() }}) as sheet_name,
        cast(row_number as {{ dbt.type_int() }}) as row_number,
        cast(rejected_fields as {{ dbt.type_string() }}) as rejected_fields,
        cast(recovered_at as {{ dbt.type_timestamp() }}) as recovered_at,
        cast(run_id as {{ dbt.type_string() }}) as run_id
    from source
)

select * from renamed
