{{ config(tags=['dq_findings']) }}
{#- The findings per rule family, as Dagster's asset checks on fct_dq_issues show them
    (orchestration/defs/quality.py reads it with a plain select): open findings, open errors, new this
    run, resolved so far, and the first open findings' messages (worst first) as a Markdown list. Every
    family of the catalogue has a row, with zeros when it has no finding. -#}
with issues as (
    select
        family,
        status,
        severity,
        importance,
        rule_code,
        message_en,
        first_seen_run_id,
        last_seen_run_id
    from {{ ref('fct_dq_issues') }}
),

families as (
    select family from {{ ref('int_dq_rule_catalogue') }}
    union
    select family from issues
    where family is not null
),

counts as (
    select
        family,
        sum(case when status = 'open' then 1 else 0 end) as open_findings,
        sum(case when status = 'open' and severity = 'error' then 1 else 0 end) as open_errors,
        sum(case when status = 'open' and first_seen_run_id = last_seen_run_id then 1 else 0 end) as new_this_run,
        sum(case when status = 'resolved' then 1 else 0 end) as resolved_total
    from issues
    group by family
),

ranked_messages as (
    select
        family,
        message_en,
        row_number() over (
            partition by family order by severity, importance, rule_code, message_en
        ) as message_rank
    from issues
    where status = 'open'
),

first_findings as (
    select
        family,
        {{ dbt.listagg(dbt.concat(["'- '", "message_en"]), "chr(10)", "order by message_rank") }} as first_findings_md
    from ranked_messages
    where message_rank <= {{ var('dq_check_messages', 5) }}
    group by family
),

final as (
    select
        cast(families.family as {{ dbt.type_string() }}) as family,
        cast(coalesce(counts.open_findings, 0) as {{ dbt.type_int() }}) as open_findings,
        cast(coalesce(counts.open_errors, 0) as {{ dbt.type_int() }}) as open_errors,
        cast(coalesce(counts.new_this_run, 0) as {{ dbt.type_int() }}) as new_this_run,
        cast(coalesce(counts.resolved_total, 0) as {{ dbt.type_int() }}) as resolved_total,
        cast(first_findings.first_findings_md as {{ dbt.type_string() }}) as first_findings_md
    from families
    left join counts
        on families.family = counts.family
    left join first_findings
        on families.family = first_findings.family
)

select * from final
