{#- Every rule a finding can carry, in one place: the fixed checks (seed dq_checks: GX expectations,
    intake, outliers, consistency over time) and the validation rules as data (seed dq_rules).
    escalated_severity: the severity of a finding at its gravest grade (an extreme outlier, a major
    disagreement between channels); the findings take every severity from here (int_findings__*).
    blocks_publication: an error-severity check on an intake table (raw figures / submissions) — see
    orchestration/defs/quality.py: such a failure stops the marts built from that table from being
    published in the same run; every other finding is data and never blocks. -#}
with checks as (
    select * from {{ ref('dq_checks') }}
),

rules as (
    select * from {{ ref('dq_rules') }}
),

final as (
    select
        rule_code,
        family,
        severity,
        cast(escalated_severity as {{ dbt.type_string() }}) as escalated_severity,
        case when severity = 'error' then 'high' else 'medium' end as importance,
        checked_by,
        check_model,
        title_vi,
        title_en,
        instruction_vi,
        instruction_en,
        cast(null as {{ dbt.type_string() }}) as left_expression,
        cast(null as {{ dbt.type_string() }}) as operator,
        cast(null as {{ dbt.type_string() }}) as right_expression,
        cast(null as {{ dbt.type_string() }}) as missing_value_strategy,
        cast(null as {{ dbt.type_string() }}) as period_type,
        cast(null as {{ dbt.type_string() }}) as levels,
        cast(null as {{ dbt.type_string() }}) as evaluated_on,
        cast(null as {{ type_double() }}) as tolerance,
        cast(null as {{ dbt.type_string() }}) as tolerance_type,
        (severity = 'error' and check_model in ('figures', 'submissions')) as blocks_publication
    from checks
    union all
    select
        rule_code,
        'validation_rule' as family,
        severity,
        cast(null as {{ dbt.type_string() }}) as escalated_severity,
        importance,
        'dbt' as checked_by,
        'int_checks__rules' as check_model,
        name_vi as title_vi,
        name_en as title_en,
        instruction_vi,
        instruction_en,
        left_expression,
        operator,
        right_expression,
        missing_value_strategy,
        period_type,
        levels,
        evaluated_on,
        cast(tolerance as {{ type_double() }}) as tolerance,
        tolerance_type,
        false as blocks_publication
    from rules
)

select * from final
