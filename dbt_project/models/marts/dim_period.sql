with periods as (
    select * from {{ ref('int_periods') }}
)

select
    period,
    period_type,
    cast(year as {{ dbt.type_int() }}) as year,
    cast(half as {{ dbt.type_int() }}) as half,
    cast(quarter as {{ dbt.type_int() }}) as quarter,
    cast(month as {{ dbt.type_int() }}) as month,
    start_date,
    end_date,
    label_vi,
    label_en,
    cast(sort_key as {{ dbt.type_int() }}) as sort_key
from periods
