{#- One official value per unit x indicator x period as reported (the approved figure when approved,
    int_values__official), province rows included, with the
    unit version (code + validity) it speaks of: 56 before 2025-07-01 is old Khánh Hòa, after it the merged
    province, and the two never mix on one row. -#}
with consolidated as (
    select * from {{ ref('int_values__official') }}
),

units as (
    select
        period,
        locality_code,
        locality_key,
        level,
        map_code,
        valid_from,
        valid_to
    from {{ ref('int_units__by_period') }}
),

breaks as (
    select
        indicator_code,
        period,
        obs_status
    from {{ ref('int_series_breaks__periods') }}
),

submissions as (
    select
        file_sha256,
        is_synthetic
    from {{ ref('stg_raw__submissions') }}
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
        with_files.unit,
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
        units.locality_key,
        units.level as locality_level,
        units.map_code,
        units.valid_from as locality_valid_from,
        units.valid_to as locality_valid_to,
        breaks.obs_status,
        coalesce(
            with_files.file_is_synthetic,
            synthetic_by_period.any_synthetic = 1,
            false
        ) as is_synthetic,
        with_files.approval_status,
        with_files.approved_by,
        with_files.approved_at,
        with_files.approval_note,
        with_files.revision_value,
        with_files.revision_file_sha256,
        with_files.revision_file_name,
        cast(with_files.revision_row_number as {{ dbt.type_int() }}) as revision_row_number
    from with_files
    left join units
        on
            with_files.locality_code = units.locality_code
            and with_files.period = units.period
    left join breaks
        on
            with_files.indicator_code = breaks.indicator_code
            and with_files.period = breaks.period
    left join synthetic_by_period
        on
            with_files.period = synthetic_by_period.period
            and with_files.file_sha256 is null
)

select * from final
