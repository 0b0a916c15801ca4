with localities as (
    select * from {{ ref('localities') }}
),

aliases as (
    select
        locality_code,
        {{ dbt.listagg('alias', "' | '", 'order by alias') }} as aliases
    from {{ ref('locality_aliases') }}
    group by locality_code
),

final as (
    select
        localities.locality_code,
        localities.name_vi,
        localities.name_en,
        localities.short_name_vi,
        localities.level,
        localities.kind,
        localities.parent_code,
        localities.urban_centre_vi,
        localities.urban_type,
        localities.planned_status_en,
        cast(localities.population_2019 as {{ dbt.type_bigint() }}) as population_2019,
        localities.valid_from,
        localities.valid_to,
        localities.level = 'province' as is_province,
        aliases.aliases,
        localities.source
    from localities
    left join aliases
        on localities.locality_code = aliases.locality_code
)

select * from final
