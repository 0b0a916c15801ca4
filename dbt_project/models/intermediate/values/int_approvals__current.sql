{#- The values approved now: for each locality x indicator x period, its latest approval event
    (stg_raw__approvals), kept when that event is an approval (an unapproval lifts the lock). One row
    per approved key, with who, when, why and the frozen figure. -#}
with events as (
    select
        *,
        row_number() over (
            partition by locality_code, indicator_code, period
            order by event_at desc, event_id desc
        ) as event_rank
    from {{ ref('stg_raw__approvals') }}
),

final as (
    select
        locality_code,
        indicator_code,
        period,
        event_id,
        event_at as approved_at,
        approved_by,
        note as approval_note,
        value,
        numerator,
        denominator,
        revision,
        file_sha256,
        file_name,
        sheet_name,
        row_number,
        chosen_source
    from events
    where event_rank = 1 and event_action = 'approve'
)

select * from final
