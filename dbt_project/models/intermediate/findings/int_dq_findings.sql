{{ config(tags=['dq_findings']) }}
{#- Every finding of THIS run, one row per problem (fct_dq_issues keeps their history across runs): the
    union of the finding families, each an int_findings__* model of the same shape (macro
    dq_finding_rows: catalogue severity, title and instruction, bilingual message). Built after the
    Great Expectations step (tag dq_findings). Issue ids never collide across families: each family has
    its own rule codes (tested: issue_id unique). -#}
{%- set families = [
    'int_findings__value_range',
    'int_findings__rate_consistency',
    'int_findings__reconciliation',
    'int_findings__expected_submissions',
    'int_findings__required_fields',
    'int_findings__gx_other',
    'int_findings__rejected_rows',
    'int_findings__quarantined_files',
    'int_findings__submitted_at_clamped',
    'int_findings__rules',
    'int_findings__outliers',
    'int_findings__consistency_over_time',
    'int_findings__revision_after_approval',
] %}
{%- for family in families %}
    {{ 'union all' if not loop.first }}
    select * from {{ ref(family) }}
{%- endfor %}
