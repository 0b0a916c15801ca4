{#- A programme's review per target: the target year's annual figure on the programme's own map, and
    whether the target was met. Resolution 06's final review reads 2025 as the offices reported it (by
    the new units, rolled up to the nine districts), marked as rolled up, with the pieces' completeness
    and the series break of urban-defined indicators. A programme still running is 'in_progress'. -#}
with targets as (
    select * from {{ ref('targets') }}
),

programmes as (
    select * from {{ ref('programmes') }}
),

indicators as (
    select
        indicator_code,
        unit,
        direction
    from {{ ref('indicators') }}
),

map_values as (
    select
        'nq06_map' as map_code,
        *
    from {{ ref('int_values__nq06_map') }}
    union all
    select
        'current_map' as map_code,
        *
    from {{ ref('int_values__current_map') }}
),

map_units as (
    {{ map_unit_versions() }}
),

breaks as (
    select
        indicator_code,
        period,
        obs_status
    from {{ ref('int_series_breaks__periods') }}
),

reviewed as (
    select
        targets.programme_code,
        programmes.name_vi as programme_name_vi,
        programmes.name_en as programme_name_en,
        programmes.map_code,
        targets.indicator_code,
        targets.locality_code,
        map_units.locality_key,
        targets.target_value,
        targets.target_year,
        targets.is_placeholder,
        targets.source as target_source,
        cast(targets.target_year as {{ dbt.type_string() }}) as review_period,
        map_values.value as actual,
        indicators.unit,
        coalesce(indicators.direction, 'higher') as direction,
        map_values.map_method,
        map_values.pieces_expected,
        map_values.pieces_reported,
        map_values.uses_placeholder_share,
        map_values.lineage,
        map_values.approval_status,
        map_values.approved_by,
        map_values.approved_at,
        map_values.revision_value,
        map_values.has_revision_after_approval,
        breaks.obs_status,
        {{ as_of_date_expr() }} as as_of_date
    from targets
    inner join programmes
        on targets.programme_code = programmes.programme_code
    left join indicators
        on targets.indicator_code = indicators.indicator_code
    left join map_units
        on
            programmes.map_code = map_units.map_code
            and targets.locality_code = map_units.locality_code
    left join map_values
        on
            programmes.map_code = map_values.map_code
            and targets.locality_code = map_values.locality_code
            and targets.indicator_code = map_values.indicator_code
            and cast(targets.target_year as {{ dbt.type_string() }}) = map_values.period
    left join breaks
        on
            targets.indicator_code = breaks.indicator_code
            and cast(targets.target_year as {{ dbt.type_string() }}) = breaks.period
),

final as (
    select
        programme_code,
        programme_name_vi,
        programme_name_en,
        map_code,
        locality_key,
        locality_code,
        indicator_code,
        target_value,
        cast(target_year as {{ dbt.type_int() }}) as target_year,
        is_placeholder,
        target_source,
        review_period,
        actual,
        unit,
        direction,
        case
            when actual is not null then
                case when direction = 'lower' then actual <= target_value else actual >= target_value end
        end as is_met,
        case
            when as_of_date <= cast({{ dbt.concat(["review_period", "'-12-31'"]) }} as date) then 'in_progress'
            when actual is null then 'no_data'
            when pieces_reported < pieces_expected then 'incomplete'
            when
                (direction = 'lower' and actual <= target_value)
                or (direction <> 'lower' and actual >= target_value) then 'met'
            else 'not_met'
        end as review_status,
        map_method,
        coalesce(map_method <> 'as_reported', false) as is_rolled_up,
        pieces_expected,
        pieces_reported,
        cast(case when pieces_expected > 0 then pieces_reported * 1.0 / pieces_expected end as {{ type_double() }})
            as completeness_share,
        coalesce(uses_placeholder_share, false) as uses_placeholder_share,
        obs_status,
        lineage,
        coalesce(approval_status, 'not_approved') as approval_status,
        approved_by,
        approved_at,
        revision_value,
        coalesce(has_revision_after_approval, false) as has_revision_after_approval
    from reviewed
)

select * from final
