{#- The unit versions each fixed map is made of, for joining targets (which name a code) to their map:
    nq06_map the units in force on the eve of the reorganisation, current_map those in force on it or
    after. A unit the reorganisation left alone (open validity from before it: an overlay's commune of
    another province) is on both maps. -#}
{% macro map_unit_versions() -%}
    {%- set reorganisation = "cast('" ~ var('reorganisation_date') ~ "' as date)" -%}
    {%- set valid_until = "coalesce(valid_to, cast('9999-12-31' as date))" -%}
    select locality_code, locality_key, 'nq06_map' as map_code
    from {{ ref('localities') }}
    where valid_from < {{ reorganisation }}
        and {{ valid_until }} >= {{ dbt.dateadd('day', -1, reorganisation) }}
    union all
    select locality_code, locality_key, 'current_map' as map_code
    from {{ ref('localities') }}
    where {{ valid_until }} >= {{ reorganisation }}
{%- endmacro %}
