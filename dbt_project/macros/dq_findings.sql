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

{#- A finding about a whole submitted file (stg_raw__submissions as s): no locality, indicator or row;
    one issue per rule and file. figures / detail_vi / detail_en are SQL expressions over s. -#}
{% macro submission_finding(rule_code, severity, figures, detail_vi, detail_en, where) -%}
    select
        '{{ rule_code }}' as rule_code,
        '{{ severity }}' as severity,
        'dbt' as source,
        s.reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        s.periods as period,
        cast(null as {{ type_double() }}) as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        {{ figures }} as figures,
        {{ detail_vi }} as detail_vi,
        {{ detail_en }} as detail_en,
        s.file_sha256,
        s.file_name,
        cast(null as {{ dbt.type_int() }}) as row_number,
        cast(null as {{ dbt.type_string() }}) as check_key,
        'stg_raw__submissions' as check_model,
        s.run_id,
        s.ingested_at as detected_at,
        {{ dbt.hash(dbt.concat(["'" ~ rule_code ~ "|'", "s.file_sha256"])) }} as issue_id
    from {{ ref('stg_raw__submissions') }} as s
    where {{ where }}
{%- endmacro %}
