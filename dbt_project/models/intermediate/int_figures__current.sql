with versioned as (
    select * from {{ ref('int_figures__versioned') }}
)

select * from versioned
where is_current
