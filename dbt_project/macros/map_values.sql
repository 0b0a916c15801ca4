{#- The shared tail of the fixed-map models: the map's own units' figures as reported, where they
    existed, and the roll-up of the other map's units (macros/rollup.sql) where they did not.
    map_units: CTE (locality_key) of the map's units; map_code: int_geo__map_pieces' map;
    rolled_method: what the roll-up rows are called in map_method. -#}
{% macro map_values(map_units, map_code, rolled_method) -%}
units_by_period as (
    select * from {{ ref('int_units__by_period') }}
),

consolidated as (
    select * from {{ ref('int_values__official') }}
),

province as (
    select locality_code, indicator_code, period, localities_count, expected_localities_count
    from {{ ref('int_values__province') }}
),

reported as (
    select
        units_by_period.locality_key,
        consolidated.locality_code,
        consolidated.indicator_code,
        consolidated.period,
        consolidated.value,
        consolidated.numerator,
        consolidated.denominator,
        'as_reported' as map_method,
        consolidated.chosen_source,
        consolidated.aggregation_method,
        cast(case when consolidated.is_province then province.expected_localities_count else 1 end
            as {{ dbt.type_int() }}) as pieces_expected,
        cast(case when consolidated.is_province then province.localities_count else 1 end
            as {{ dbt.type_int() }}) as pieces_reported,
        false as uses_placeholder_share,
        case when consolidated.file_name is not null
            then {{ dbt.concat(["consolidated.file_name", "' #'", "cast(consolidated.row_number as " ~ dbt.type_string() ~ ")"]) }}
        end as lineage,
        consolidated.approval_status,
        consolidated.approved_by,
        consolidated.approved_at,
        consolidated.revision_value,
        consolidated.is_revised_after_approval as has_revision_after_approval
    from consolidated
    inner join units_by_period
        on consolidated.locality_code = units_by_period.locality_code
        and consolidated.period = units_by_period.period
    inner join {{ map_units }}
        on units_by_period.locality_key = {{ map_units }}.locality_key
    left join province
        on consolidated.is_province
        and consolidated.locality_code = province.locality_code
        and consolidated.indicator_code = province.indicator_code
        and consolidated.period = province.period
),

pieces as (
    select
        map_pieces.target_key,
        map_pieces.target_code,
        map_pieces.source_code,
        map_pieces.share,
        map_pieces.share_is_placeholder,
        units_by_period.period
    from {{ ref('int_geo__map_pieces') }} as map_pieces
    inner join units_by_period
        on map_pieces.source_key = units_by_period.locality_key
    where map_pieces.map_code = '{{ map_code }}'
),

child_values as (
    select
        locality_code, indicator_code, period, value, numerator, denominator, file_name, row_number,
        approval_status, approved_by, approved_at, is_revised_after_approval
    from consolidated
    where not is_province
),

rolled as (
    {{ rollup('pieces', 'child_values') | indent(4) }}
),

combined as (
    select
        locality_key,
        locality_code,
        indicator_code,
        period,
        value,
        numerator,
        denominator,
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
    from reported
    union all
    select
        target_key as locality_key,
        target_code as locality_code,
        indicator_code,
        period,
        value,
        numerator,
        denominator,
        '{{ rolled_method }}' as map_method,
        cast(null as {{ dbt.type_string() }}) as chosen_source,
        aggregation_method,
        pieces_expected,
        pieces_reported,
        uses_placeholder_share,
        pieces_lineage as lineage,
        approval_status,
        approved_by,
        approved_at,
        cast(null as {{ type_double() }}) as revision_value,
        has_revision_after_approval
    from rolled
)
{%- endmacro %}
