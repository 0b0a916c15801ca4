{#- The lineage columns and source of a finding computed by a dbt check model (aliased c), closing the
    select of its family in int_dq_findings: the check's file and row, the run, and the stable issue_id
    (rule code + check key) that fct_dq_issues keys its history on. `rule_code` is an SQL expression. -#}
{% macro dbt_check_lineage(check_model, rule_code) -%}
        c.file_sha256,
        c.file_name,
        c.row_number,
        c.check_key,
        '{{ check_model }}' as check_model,
        this_run.run_id,
        this_run.detected_at,
        {{ dbt.hash(dbt.concat([rule_code, "'|'", "c.check_key"])) }} as issue_id
    from {{ ref(check_model) }} as c
    cross join this_run
{%- endmacro %}
