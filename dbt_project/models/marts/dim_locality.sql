{#- One row per unit version (code x validity interval): the three maps' units with their validity, so a
    figure's unit is never ambiguous (22411 before and after 01/07/2025 are two rows). -#}
with localities as (
    select * from {{ ref('localities') }}
),

aliases as (
    select
        locality_key,
        {{ dbt.listagg('alias', "' | '", 'order by alias') }} as aliases
    from {{ ref('locality_aliases') }}
    group by locality_key
),

final as (
    select
        localities.locality_key,
        localities.locality_code,
        localities.name_vi,
        localities.name_en,
        localities.short_name_vi,
        localities.level,
        localities.kind,
        localities.kind_vi,
        localities.parent_code,
        localities.parent_key,
        localities.old_province_code,
        localities.urban_centre_vi,
        localities.urban_type,
        localities.planned_status_en,
        cast(localities.population_2019 as {{ dbt.type_bigint() }}) as population_2019,
        cast(localities.population_reference as {{ dbt.type_bigint() }}) as population_reference,
        localities.population_flag,
        localities.area_km2_reference,
        localities.valid_from,
        localities.valid_to,
        localities.level = 'province' as is_province,
        aliases.aliases,
        localities.source
    from localities
    left join aliases
        on localities.locality_key = aliases.locality_key
)

select * from final
