{#- The official value of each consolidated value (int_values__consolidated): the approved (frozen)
    figure when the key is approved (int_approvals__current), else the consolidated one. A later
    submission for an approved key is not lost: it stays in the raw layer and the versions, and is
    carried here as revision_value (with its file and row) when it differs from the frozen figure;
    int_findings__revision_after_approval reports it. Not incremental: approvals change any period. -#}
with consolidated as (
    select * from {{ ref('int_values__consolidated') }}
),

approved as (
    select * from {{ ref('int_approvals__current') }}
),

joined as (
    select
        consolidated.*,
        approved.event_id as approval_event_id,
        approved.approved_at,
        approved.approved_by,
        approved.approval_note,
        approved.value as approved_value,
        approved.numerator as approved_numerator,
        approved.denominator as approved_denominator,
        approved.revision as approved_revision,
        approved.file_sha256 as approved_file_sha256,
        approved.file_name as approved_file_name,
        approved.sheet_name as approved_sheet_name,
        approved.row_number as approved_row_number,
        approved.chosen_source as approved_chosen_source,
        approved.event_id is not null as is_approved,
        approved.event_id is not null
        and (
            {#- a recomputed aggregate may differ in the last bits of a double: not a revision -#}
            coalesce(
                abs(consolidated.value - approved.value) > 1e-9 * (abs(approved.value) + 1),
                (consolidated.value is null) <> (approved.value is null)
            )
            or coalesce(consolidated.file_sha256, '') <> coalesce(approved.file_sha256, '')
            or coalesce(consolidated.row_number, -1) <> coalesce(approved.row_number, -1)
        ) as is_revised_after_approval
    from consolidated
    left join approved
        on
            consolidated.locality_code = approved.locality_code
            and consolidated.indicator_code = approved.indicator_code
            and consolidated.period = approved.period
),

final as (
    select
        locality_code,
        indicator_code,
        period,
        case when is_approved then approved_value else value end as value,
        unit,
        case when is_approved then approved_chosen_source else chosen_source end as chosen_source,
        chosen_reporter_code,
        other_source,
        other_value,
        other_reporter_code,
        case when is_approved then approved_numerator else numerator end as numerator,
        case when is_approved then approved_denominator else denominator end as denominator,
        case when is_approved then approved_revision else revision end as revision,
        localities_count,
        aggregation_method,
        case when is_approved then approved_file_sha256 else file_sha256 end as file_sha256,
        case when is_approved then approved_file_name else file_name end as file_name,
        case when is_approved then approved_sheet_name else sheet_name end as sheet_name,
        case when is_approved then approved_row_number else row_number end as row_number,
        is_province,
        case when is_approved then 'approved' else 'not_approved' end as approval_status,
        approved_by,
        approved_at,
        approval_note,
        approval_event_id,
        is_revised_after_approval,
        case when is_revised_after_approval then value end as revision_value,
        case when is_revised_after_approval then file_sha256 end as revision_file_sha256,
        case when is_revised_after_approval then file_name end as revision_file_name,
        case when is_revised_after_approval then row_number end as revision_row_number
    from joined
)

select * from final
