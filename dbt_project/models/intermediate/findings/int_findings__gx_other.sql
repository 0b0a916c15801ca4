{{ config(tags=['dq_findings']) }}
{#- Great Expectations findings on a table no other family reads (a suite added before its family
    model): kept with what GX stored (row key and observed JSON), without a check row's context. The
    table list is every int_findings__* GX family's; keep it in step when adding one. -#}
with context as (
    {#- no check model: an empty context with the columns gx_finding() reads -#}
    select
        cast(null as {{ dbt.type_string() }}) as check_key,
        cast(null as {{ dbt.type_string() }}) as check_model,
        cast(null as {{ dbt.type_string() }}) as reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        cast(null as {{ dbt.type_string() }}) as period,
        cast(null as {{ type_double() }}) as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        cast(null as {{ dbt.type_string() }}) as figures,
        cast(null as {{ dbt.type_string() }}) as detail_vi,
        cast(null as {{ dbt.type_string() }}) as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        cast(null as {{ dbt.type_string() }}) as file_sha256,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_int() }}) as row_number
    where 1 = 0
),

findings as (
    {{ gx_finding(gx_family_tables(), exclude=true) }}
),

{{ dq_finding_rows() }}
