{#- Which unit versions exist in each period: one row per period x unit valid at the period's end
    ("a name or code means the unit that existed at the end of the row's period"). For every period at
    most one version of a code exists, so (locality_code, period) identifies a unit version: the figures
    keep their codes and gain the version here. map_code says which map the unit belongs to. -#}
with periods as (
    select
        period,
        period_type,
        end_date
    from {{ ref('int_periods') }}
),

units as (
    select * from {{ ref('localities') }}
),

final as (
    select
        periods.period,
        periods.period_type,
        periods.end_date as period_end_date,
        units.locality_key,
        units.locality_code,
        units.level,
        units.name_vi,
        units.name_en,
        units.short_name_vi,
        units.parent_code,
        units.parent_key,
        units.old_province_code,
        units.valid_from,
        units.valid_to,
        case
            when units.valid_from >= cast('{{ var("reorganisation_date") }}' as date) then 'from_2025_07'
            else 'before_2025_07'
        end as map_code,
        units.level <> 'province' and units.parent_code = '{{ var("province_code") }}' as is_province_child
    from periods
    inner join units
        on
            periods.end_date >= units.valid_from
            and (units.valid_to is null or periods.end_date <= units.valid_to)
)

select * from final
