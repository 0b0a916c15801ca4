{{ config(tags=['dq_findings']) }}
{#- Findings of family validation_rule: every violation of a rule of seed dq_rules (int_checks__rules),
    with both sides' values; severity, importance and instruction are the rule's own (catalogue). -#}
{%- set tolerance_given = "c.tolerance_value > 0" %}
{%- set sides = [
    "c.left_expression", "' = '", fmt_num('c.left_value'), "', '", "c.right_expression", "' = '", fmt_num('c.right_value')
] %}
with this_run as (
    {{ dq_this_run() }}
),

findings as (
    select
        {{ dbt_check_rule('c.rule_code') }},
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.left_value as observed_value,
        {{ dbt.concat([
            "c.left_expression", "' '", "c.operator", "' '", "c.right_expression",
            "case when " ~ tolerance_given ~ " then "
                ~ dbt.concat(["' (± '", fmt_num('c.tolerance_value'), "')'"]) ~ " else '' end"
        ]) }} as expected,
        case
            when c.operator in ('greater_than', 'greater_than_or_equal_to', 'equal_to')
                then c.right_value - coalesce(c.tolerance_value, 0)
        end as expected_low,
        case
            when c.operator in ('less_than', 'less_than_or_equal_to', 'equal_to')
                then c.right_value + coalesce(c.tolerance_value, 0)
        end as expected_high,
        {{ dbt.concat([
            "c.left_expression", "'='", fmt_num('c.left_value'), "'; '", "c.right_expression", "'='", fmt_num('c.right_value')
        ]) }} as figures,
        case c.operator
            when 'compulsory_pair' then {{ dbt.concat([
                "'chỉ có một trong hai: '", "c.left_expression", "' / '", "c.right_expression",
                "' (quy tắc '", "c.rule_code", "')'"
            ]) }}
            when 'exclusive_pair' then {{ dbt.concat([
                "'không được có cả hai: '", "c.left_expression", "' và '", "c.right_expression",
                "' (quy tắc '", "c.rule_code", "')'"
            ]) }}
            else {{ dbt.concat(["'vi phạm quy tắc '", "c.rule_code", "': '"] + sides + [
                "' (điều kiện: '", "c.operator",
                "case when " ~ tolerance_given ~ " then "
                    ~ dbt.concat(["', sai số cho phép '", fmt_num('c.tolerance_value')]) ~ " else '' end",
                "')'"
            ]) }}
        end as detail_vi,
        case c.operator
            when 'compulsory_pair' then {{ dbt.concat([
                "'only one of '", "c.left_expression", "' / '", "c.right_expression",
                "' is present (rule '", "c.rule_code", "')'"
            ]) }}
            when 'exclusive_pair' then {{ dbt.concat([
                "'both '", "c.left_expression", "' and '", "c.right_expression",
                "' are present (rule '", "c.rule_code", "')'"
            ]) }}
            else {{ dbt.concat(["'rule '", "c.rule_code", "' violated: '"] + sides + [
                "' (required: '", "c.operator",
                "case when " ~ tolerance_given ~ " then "
                    ~ dbt.concat(["', tolerance '", fmt_num('c.tolerance_value')]) ~ " else '' end",
                "')'"
            ]) }}
        end as detail_en,
        {{ dbt_check_lineage('int_checks__rules', 'c.rule_code') }}
    where c.is_violation
),

{{ dq_finding_rows() }}
