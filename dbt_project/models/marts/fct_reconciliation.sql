{#- The two reporting channels side by side, per locality x indicator x period (province included): the
    locality's self-report vs the responsible department's figure; for the province, the aggregate of the
    localities vs the department's reported province total. Status against the indicator's tolerance and
    the authoritative source (see int_reconciliation). -#}
with reconciliation as (
    select * from {{ ref('int_reconciliation') }}
),

final as (
    select
        locality_code,
        indicator_code,
        period,
        comparison,
        locality_value,
        department_value,
        locality_reporter_code,
        department_reporter_code,
        cast(abs_diff as {{ type_double() }}) as abs_diff,
        cast(rel_diff_pct as {{ type_double() }}) as rel_diff_pct,
        cast(tolerance_pct as {{ type_double() }}) as tolerance_pct,
        cast(diff_over_tolerance as {{ type_double() }}) as diff_over_tolerance,
        status,
        status in ('minor', 'major') as is_flagged,
        authoritative_source,
        case
            when authoritative_source in ('department', 'department_province_total') then department_value
            else locality_value
        end as authoritative_value,
        case
            when authoritative_source in ('department', 'department_province_total') then department_reporter_code
            else locality_reporter_code
        end as reporter_code,
        case
            when authoritative_source in ('department', 'department_province_total') then department_file_sha256
            else locality_file_sha256
        end as file_sha256,
        case
            when authoritative_source in ('department', 'department_province_total') then department_file_name
            else locality_file_name
        end as file_name,
        locality_file_sha256,
        locality_file_name,
        cast(locality_row_number as {{ dbt.type_int() }}) as locality_row_number,
        department_file_sha256,
        department_file_name,
        cast(department_row_number as {{ dbt.type_int() }}) as department_row_number,
        cast(localities_count as {{ dbt.type_int() }}) as localities_count
    from reconciliation
)

select * from final
