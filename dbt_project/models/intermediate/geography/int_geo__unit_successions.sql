{#- Every old commune version → the unit(s) of the merged province that took it over, with the share
    of its figures each carries. Built from the crosswalk only: a commune that ended on 2024-10-31 goes
    through the unit that absorbed it on 2024-11-01 (all whole pieces), then through NQ 1667's pieces.
    Whole pieces carry share 1; a split commune's pieces carry crosswalk_shares (placeholders until
    official shares exist, marked share_is_placeholder). -#}
with pieces as (
    select * from {{ ref('crosswalk_units') }}
),

shares as (
    select
        old_locality_key,
        new_locality_key,
        share,
        is_placeholder
    from {{ ref('crosswalk_shares') }}
),

merged_2025 as (
    select
        pieces.old_locality_key,
        pieces.new_locality_key,
        pieces.piece_en,
        pieces.old_unit_fate,
        case when pieces.old_unit_fate = 'split' then shares.share else 1.0 end as share,
        coalesce(shares.is_placeholder, false) as share_is_placeholder
    from pieces
    left join shares
        on
            pieces.old_locality_key = shares.old_locality_key
            and pieces.new_locality_key = shares.new_locality_key
    where pieces.effective_date = cast('{{ var("reorganisation_date") }}' as date)
),

merged_2024 as (
    select
        pieces.old_locality_key,
        pieces.new_locality_key
    from pieces
    where pieces.effective_date < cast('{{ var("reorganisation_date") }}' as date)
),

through_2024 as (
    select
        merged_2024.old_locality_key,
        merged_2025.new_locality_key,
        merged_2025.piece_en,
        merged_2025.old_unit_fate,
        merged_2025.share,
        merged_2025.share_is_placeholder
    from merged_2024
    inner join merged_2025
        on merged_2024.new_locality_key = merged_2025.old_locality_key
),

final as (
    select * from merged_2025
    union all
    select * from through_2024
)

select * from final
