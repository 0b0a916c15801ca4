{#- The figures progress is measured on: each fixed map's values (Resolution 06's nine districts and old
    Khánh Hòa; the 65 current units and the merged province), so a series never mixes old and new 56.
    Roll-ups with missing pieces are left out (a partial total is not a point of the series). -#}
with nq06 as (
    select
        'nq06_map' as map_code,
        *
    from {{ ref('int_values__nq06_map') }}
),

current_map as (
    select
        'current_map' as map_code,
        *
    from {{ ref('int_values__current_map') }}
),

combined as (
    select * from nq06
    union all
    select * from current_map
)

select
    map_code,
    locality_key,
    locality_code,
    indicator_code,
    period,
    value,
    coalesce(chosen_source, map_method) as chosen_source,
    map_method,
    pieces_expected,
    pieces_reported,
    approval_status,
    approved_by,
    approved_at,
    revision_value,
    has_revision_after_approval
from combined
where
    value is not null
    and (map_method = 'as_reported' or pieces_reported = pieces_expected)
