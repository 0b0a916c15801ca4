{#- One row per received file. status: the intake status, except 'superseded' when the file was
    accepted but none of its figures is current any more (later submissions replaced them all). -#}
with submissions as (
    select * from {{ ref('stg_raw__submissions') }}
),

figure_counts as (
    select
        file_sha256,
        count(*) as figures_total,
        sum(case when is_current then 1 else 0 end) as figures_current
    from {{ ref('int_figures__versioned') }}
    group by file_sha256
),

final as (
    select
        submissions.file_sha256,
        submissions.file_name,
        submissions.reporter_code,
        submissions.reporter_kind,
        submissions.file_format,
        submissions.periods,
        submissions.submitted_at,
        submissions.received_at,
        submissions.ingested_at,
        submissions.run_id,
        case
            when
                submissions.status in ('accepted', 'accepted_with_rejections')
                and coalesce(figure_counts.figures_total, 0) > 0
                and coalesce(figure_counts.figures_current, 0) = 0
                then 'superseded'
            else submissions.status
        end as status,
        submissions.status as intake_status,
        submissions.reason,
        submissions.rows_read,
        submissions.rows_accepted,
        submissions.rows_rejected,
        cast(coalesce(figure_counts.figures_total, 0) as {{ dbt.type_int() }}) as figures_total,
        cast(coalesce(figure_counts.figures_current, 0) as {{ dbt.type_int() }}) as figures_current,
        coalesce(submissions.is_synthetic, false) as is_synthetic
    from submissions
    left join figure_counts
        on submissions.file_sha256 = figure_counts.file_sha256
)

select * from final
