{#- The figures validation rules (seed dq_rules) run over, long format, in two scopes:
    report        each reporter's current figures: one "form" per reporter x locality x period, so a
                  violation names the file and the reporter to call (DHIS2: a data set's values);
    consolidated  the consolidated values (province aggregates included): rules across reporters. -#}
with report_figures as (
    select
        'report' as evaluated_on,
        reporter_code as scope_reporter_code,
        reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number
    from {{ ref('int_figures__current') }}
    where value is not null or numerator is not null or denominator is not null
),

consolidated_values as (
    select
        'consolidated' as evaluated_on,
        cast(null as {{ dbt.type_string() }}) as scope_reporter_code,
        chosen_reporter_code as reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number
    from {{ ref('int_values__consolidated') }}
    where value is not null
)

select * from report_figures
union all
select * from consolidated_values
