{#- Refuses a share set that does not add up: the pieces of one split old unit must carry all of it
    (shares in (0, 1], summing to 1), and every split piece of the crosswalk needs a share. Returns the
    offending old units with their pieces, so the failure names the rows to fix in crosswalk_shares.csv. -#}
{{ config(severity='error') }}
with pieces as (
    select
        old_locality_key,
        new_locality_key
    from {{ ref('crosswalk_units') }}
    where old_unit_fate = 'split'
),

shares as (
    select * from {{ ref('crosswalk_shares') }}
),

joined as (
    select
        coalesce(pieces.old_locality_key, shares.old_locality_key) as old_locality_key,
        coalesce(pieces.new_locality_key, shares.new_locality_key) as new_locality_key,
        shares.share,
        pieces.old_locality_key is not null as is_split_piece
    from pieces
    full outer join shares
        on
            pieces.old_locality_key = shares.old_locality_key
            and pieces.new_locality_key = shares.new_locality_key
),

per_unit as (
    select
        old_locality_key,
        sum(share) as share_total,
        sum(case when share is null or share <= 0 or share > 1 or not is_split_piece then 1 else 0 end) as bad_pieces
    from joined
    group by old_locality_key
)

select *
from per_unit
where bad_pieces > 0 or abs(share_total - 1) > 0.000001
