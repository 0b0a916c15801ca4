with source as (
    select * from {{ source('raw', 'figures') }}
),

renamed as (
    select
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast({{ cut_text('file_name') }} as {{ dbt.type_string() }}) as file_name,
        cast(sheet_name as {{ dbt.type_string() }}) as sheet_name,
        cast(row_number as {{ dbt.type_int() }}) as row_number,
        cast(reporter_code as {{ dbt.type_string() }}) as reporter_code,
        cast(reporter_kind as {{ dbt.type_string() }}) as reporter_kind,
        cast(locality_code as {{ dbt.type_string() }}) as locality_code,
        cast(locality_key as {{ dbt.type_string() }}) as locality_key,
        cast(locality_reading as {{ dbt.type_string() }}) as locality_reading,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(value as {{ type_double() }}) as value,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast({{ cut_text('note') }} as {{ dbt.type_string() }}) as note,
        cast({{ cut_text('value_raw') }} as {{ dbt.type_string() }}) as value_raw,
        cast(number_reading as {{ dbt.type_string() }}) as number_reading,
        cast(submitted_at as {{ dbt.type_timestamp() }}) as submitted_at,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at,
        cast(run_id as {{ dbt.type_string() }}) as run_id
    from source
)

select * from renamed
