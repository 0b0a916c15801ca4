{#- The unit versions each fixed map is made of, for joining targets (which name a code) to their map:
    nq06_map the old units that lasted until the reorganisation, current_map the units from it on. -#}
{% macro map_unit_versions() -%}
    select locality_code, locality_key, 'nq06_map' as map_code
    from {{ ref('localities') }}
    where valid_from < cast('{{ var("reorganisation_date") }}' as date)
        and valid_to = {{ dbt.dateadd('day', -1, "cast('" ~ var('reorganisation_date') ~ "' as date)") }}
    union all
    select locality_code, locality_key, 'current_map' as map_code
    from {{ ref('localities') }}
    where valid_from >= cast('{{ var("reorganisation_date") }}' as date)
{%- endmacro %}
