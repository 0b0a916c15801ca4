{#- One consolidated value per locality x indicator x period, province rows included. -#}
with consolidated as (
    select * from {{ ref('int_values__consolidated') }}
),

indicators as (
    select indicator_code, unit from {{ ref('indicators') }}
),

submissions as (
    select file_sha256, is_synthetic from {{ ref('stg_raw__submissions') }}
),

with_files as (
    select
        consolidated.*,
        submissions.is_synthetic as file_is_synthetic
    from consolidated
    left join submissions
        on consolidated.file_sha256 = submissions.file_sha256
),

synthetic_by_period as (
    {#- a computed aggregate is synthetic when any district figure of that period is -#}
    select
        period,
        max(case when file_is_synthetic then 1 else 0 end) as any_synthetic
    from with_files
    where not is_province
    group by period
),

final as (
    select
        with_files.locality_code,
        with_files.indicator_code,
        with_files.period,
        with_files.value,
        indicators.unit,
        with_files.chosen_source,
        with_files.chosen_reporter_code,
        with_files.other_source,
        with_files.other_value,
        with_files.other_reporter_code,
        with_files.numerator,
        with_files.denominator,
        cast(with_files.revision as {{ dbt.type_int() }}) as revision,
        cast(with_files.localities_count as {{ dbt.type_int() }}) as localities_count,
        with_files.aggregation_method,
        with_files.file_sha256,
        with_files.file_name,
        with_files.sheet_name,
        cast(with_files.row_number as {{ dbt.type_int() }}) as row_number,
        with_files.is_province,
        coalesce(
            with_files.file_is_synthetic,
            synthetic_by_period.any_synthetic = 1,
            false
        ) as is_synthetic
    from with_files
    left join indicators
        on with_files.indicator_code = indicators.indicator_code
    left join synthetic_by_period
        on with_files.period = synthetic_by_period.period
        and with_files.file_sha256 is null
)

select * from final
