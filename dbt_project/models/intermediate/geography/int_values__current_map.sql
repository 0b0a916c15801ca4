{#- The current map: the merged province (56@2025-07-01) and its 65 units. From 2025-H2 the figures are
    the units' own (as reported). Before, a unit's figure is mapped forward from the old communes it was
    made of, where they reported (split communes by their configured shares), and the merged province's
    from every old commune of both old provinces. A unit's incomplete roll-up is flagged (pieces reported
    of expected); the merged province's is given no value at all unless every old commune of both
    provinces reported: a handful of communes is not the province (no report of old Ninh Thuận reached
    this warehouse before the merger). -#}
with map_units as (
    select locality_key
    from {{ ref('localities') }}
    where
        locality_key = '{{ var("province_code") }}@{{ var("reorganisation_date") }}'
        or parent_key = '{{ var("province_code") }}@{{ var("reorganisation_date") }}'
),

{{ map_values('map_units', 'current_map', 'mapped_forward_from_old_communes') }},

flagged as (
    select
        combined.*,
        combined.map_method <> 'as_reported'
        and combined.locality_key = '{{ var("province_code") }}@{{ var("reorganisation_date") }}'
        and combined.pieces_reported < combined.pieces_expected as is_partial_province
    from combined
),

final as (
    select
        locality_key,
        locality_code,
        indicator_code,
        period,
        case when not is_partial_province then value end as value,
        case when not is_partial_province then numerator end as numerator,
        case when not is_partial_province then denominator end as denominator,
        map_method,
        chosen_source,
        aggregation_method,
        pieces_expected,
        pieces_reported,
        uses_placeholder_share,
        lineage,
        approval_status,
        approved_by,
        approved_at,
        revision_value,
        has_revision_after_approval
    from flagged
)

select * from final
