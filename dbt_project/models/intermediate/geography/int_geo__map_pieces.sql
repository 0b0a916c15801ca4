{#- The pieces each fixed map is built from, where its own units did not exist:
      nq06_map     Resolution 06's map (old Khánh Hòa's 9 districts and the province) after 2025-06-30:
                   each new unit of the old Khánh Hòa area goes whole into the one old district its old
                   communes lay in (the geography README: every such unit lies within exactly one old
                   district), and into the province.
      current_map  the 65 units of the merged province before 2025-07-01: each old commune goes into
                   the new unit(s) that took it over (int_geo__unit_successions), split communes by
                   their configured shares; and every old commune (whole) into the merged province.
    One row per target unit x source unit, with the share of the source's figures the target takes.
    A new unit drawing on two old districts (five in the old Ninh Thuận area) would need a share per
    district; none lies in old Khánh Hòa. Such a unit would be left out of the districts below (the
    province still counts it whole); tests/integration/test_rollup_properties.py asserts that each of
    the 41 units lies in exactly one district. -#}
with units as (
    select * from {{ ref('localities') }}
),

successions as (
    select * from {{ ref('int_geo__unit_successions') }}
),

new_units_by_district as (
    select distinct
        old_communes.parent_key as target_key,
        successions.new_locality_key as source_key
    from successions
    inner join units as old_communes
        on successions.old_locality_key = old_communes.locality_key
    where
        old_communes.level = 'commune'
        and old_communes.old_province_code = '{{ var("province_code") }}'
),

districts_per_unit as (
    select
        source_key,
        count(*) as districts_count
    from new_units_by_district
    group by source_key
),

nq06_districts as (
    select
        'nq06_map' as map_code,
        new_units_by_district.target_key,
        new_units_by_district.source_key,
        1.0 as share,
        false as share_is_placeholder
    from new_units_by_district
    inner join districts_per_unit
        on new_units_by_district.source_key = districts_per_unit.source_key
    where districts_per_unit.districts_count = 1
),

nq06_province as (
    select
        'nq06_map' as map_code,
        '{{ var("province_code") }}@{{ var("horizon_date") }}' as target_key,
        source_key,
        1.0 as share,
        false as share_is_placeholder
    from districts_per_unit
),

current_units as (
    select
        'current_map' as map_code,
        new_locality_key as target_key,
        old_locality_key as source_key,
        share,
        share_is_placeholder
    from successions
),

current_province as (
    select distinct
        'current_map' as map_code,
        '{{ var("province_code") }}@{{ var("reorganisation_date") }}' as target_key,
        old_locality_key as source_key,
        1.0 as share,
        false as share_is_placeholder
    from successions
),

final as (
    select
        pieces.map_code,
        pieces.target_key,
        targets.locality_code as target_code,
        pieces.source_key,
        sources.locality_code as source_code,
        pieces.share,
        pieces.share_is_placeholder
    from (
        select * from nq06_districts
        union all
        select * from nq06_province
        union all
        select * from current_units
        union all
        select * from current_province
    ) as pieces
    inner join units as targets
        on pieces.target_key = targets.locality_key
    inner join units as sources
        on pieces.source_key = sources.locality_key
)

select * from final
