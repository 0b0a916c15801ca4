{#- Resolution 06's map: old Khánh Hòa (56@2020-01-01) and its 9 districts, for every period from 2021 to
    today. Up to 2025-H1 the figures are the districts' own (as reported); after it the 41 new units of the
    old Khánh Hòa area are rolled up to the district each lies in, and to the province (exact: no new unit
    of the area straddles two old districts). -#}
with map_units as (
    select locality_key
    from {{ ref('localities') }}
    where
        locality_key = '{{ var("province_code") }}@{{ var("horizon_date") }}'
        or (parent_key = '{{ var("province_code") }}@{{ var("horizon_date") }}' and level = 'district')
),

{{ map_values('map_units', 'nq06_map', 'rolled_up_from_new_units') }}

select * from combined
