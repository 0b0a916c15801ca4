{#- The current map: the merged province (56@2025-07-01) and its 65 units. From 2025-H2 the figures are
    the units' own (as reported). Before, a unit's figure is mapped forward from the old communes it was
    made of, where they reported (split communes by their configured shares), and the merged province's
    from every old commune of both old provinces — flagged incomplete where pieces are missing (no report
    of old Ninh Thuận reached this warehouse before the merger). -#}
with map_units as (
    select locality_key
    from {{ ref('localities') }}
    where locality_key = '{{ var("province_code") }}@{{ var("reorganisation_date") }}'
        or parent_key = '{{ var("province_code") }}@{{ var("reorganisation_date") }}'
),

{{ map_values('map_units', 'current_map', 'mapped_forward_from_old_communes') }}

select * from combined
