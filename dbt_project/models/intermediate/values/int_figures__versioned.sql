{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'stg_raw__figures', 'touched_watermark': 'ingested_at'}
) }}
{#- Every figure version. A later submission from the same reporter for the same
    locality x indicator x period supersedes the earlier one for the figures it carries; every version
    stays queryable. Order: submitted_at (fallback ingested_at), then ingested_at, then file and row
    (deterministic tie-break).
    Incremental by period (macros/incremental.sql): every version window lies within one period, so a
    run re-versions only the periods with raw figures ingested since the model's watermark. -#}
with figures as (
    select * from {{ ref('stg_raw__figures') }}
    {% if is_incremental() -%}
    where period in ({{ touched_periods(ref('stg_raw__figures'), 'ingested_at') }})
    {%- endif %}
),

ordered as (
    select
        figures.*,
        coalesce(figures.submitted_at, figures.ingested_at) as effective_submitted_at,
        row_number() over (
            partition by figures.reporter_code, figures.locality_code, figures.indicator_code, figures.period
            order by
                coalesce(figures.submitted_at, figures.ingested_at),
                figures.ingested_at,
                figures.file_sha256,
                figures.row_number
        ) as version_raw,
        count(*) over (
            partition by figures.reporter_code, figures.locality_code, figures.indicator_code, figures.period
        ) as version_count_raw,
        lead(figures.file_sha256) over (
            partition by figures.reporter_code, figures.locality_code, figures.indicator_code, figures.period
            order by
                coalesce(figures.submitted_at, figures.ingested_at),
                figures.ingested_at,
                figures.file_sha256,
                figures.row_number
        ) as superseded_by_sha256
    from figures
),

final as (
    select
        {{ dbt.hash(dbt.concat(["file_sha256", "'|'", "cast(row_number as " ~ dbt.type_string() ~ ")"])) }}
            as figure_key,
        file_sha256,
        file_name,
        sheet_name,
        row_number,
        reporter_code,
        reporter_kind,
        locality_code,
        indicator_code,
        period,
        value,
        unit,
        numerator,
        denominator,
        note,
        value_raw,
        number_reading,
        submitted_at,
        ingested_at,
        effective_submitted_at,
        run_id,
        cast(version_raw as {{ dbt.type_int() }}) as version,
        cast(version_count_raw as {{ dbt.type_int() }}) as version_count,
        version_raw = version_count_raw as is_current,
        superseded_by_sha256,
        {{ watermark_of(ref('stg_raw__figures'), 'ingested_at') }} as watermark_ingested_at
    from ordered
)

select * from final
