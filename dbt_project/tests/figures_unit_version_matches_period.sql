{#- Intake and dbt read a code the same way: the unit version intake recorded on a figure is the one
    valid at the end of its period (int_units__by_period), which the marts use. -#}
select
    figures.file_name,
    figures.row_number,
    figures.locality_code,
    figures.period,
    figures.locality_key as intake_key,
    units.locality_key as period_key
from {{ ref('stg_raw__figures') }} as figures
left join {{ ref('int_units__by_period') }} as units
    on
        figures.locality_code = units.locality_code
        and figures.period = units.period
where
    figures.locality_key is not null
    and (units.locality_key is null or units.locality_key <> figures.locality_key)
