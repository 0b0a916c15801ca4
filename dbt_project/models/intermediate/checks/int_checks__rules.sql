{{ config(
    materialized='incremental',
    incremental_strategy='replace_periods',
    on_schema_change='fail',
    meta={'touched_from': 'int_figures__current', 'replace_always': consolidated_province_rows()}
) }}
{#- Validation rules as data: every rule of seed dq_rules compiled to one SQL branch (macros/dq_rules.sql)
    over a pivot (CTE forms) of the figures they run over (CTE inputs, long format), in two scopes:
    report        each reporter's current figures: one "form" per reporter x locality x period, so a
                  violation names the file and the reporter to call (DHIS2: a data set's values);
    consolidated  the consolidated values (province aggregates included): rules across reporters.
    One row per rule x evaluated row (rules skipped by their missing-value strategy, level or period type
    are not evaluated); is_violation marks the findings (fct_dq_issues). Adding a rule is one seed row.
    Incremental by period (macros/incremental.sql; a form is one period's figures): the touched periods
    of int_figures__current, the consolidated province rows replaced whole every run as in
    int_values__consolidated. -#}
-- depends_on: {{ ref('dq_rules') }}
-- depends_on: {{ ref('indicators') }}
{%- set rules = dq_seed_rows('dq_rules') -%}
{%- set known_codes = [] -%}
{%- for row in dq_seed_rows('indicators') -%}{%- do known_codes.append(row['indicator_code']) -%}{%- endfor -%}
{%- set operands = [] -%}
{%- set codes = [] -%}
{%- for rule in rules -%}
    {%- for operand in dq_expression_operands(rule['left_expression']) + dq_expression_operands(rule['right_expression']) -%}
        {%- if operand not in operands -%}{%- do operands.append(operand) -%}{%- endif -%}
        {%- if operand[0] not in codes -%}{%- do codes.append(operand[0]) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor %}

{%- set touched_source = ref('int_figures__current') %}
{#- Only the indicators some rule reads make a form's columns: the others (most figures at national
    scale) would be pivoted for nothing. Not when a rule is NEVER_SKIP: it is evaluated on every form,
    even one without any of its indicators. -#}
{%- set every_form = rules | selectattr('missing_value_strategy', 'equalto', 'NEVER_SKIP') | list | length > 0 %}
{%- set rule_indicators_only -%}
    {%- if codes and not every_form %}
        and indicator_code in ({% for code in codes %}{{ dq_text(code) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif %}
{%- endset %}

with report_figures as (
    select
        'report' as evaluated_on,
        reporter_code as scope_reporter_code,
        reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number
    from {{ ref('int_figures__current') }}
    where (value is not null or numerator is not null or denominator is not null)
    {{- rule_indicators_only }}
    {%- if is_incremental() %}
        and period in ({{ touched_periods(touched_source) }})
    {%- endif %}
),

consolidated_values as (
    select
        'consolidated' as evaluated_on,
        cast(null as {{ dbt.type_string() }}) as scope_reporter_code,
        chosen_reporter_code as reporter_code,
        locality_code,
        period,
        indicator_code,
        value,
        numerator,
        denominator,
        file_sha256,
        file_name,
        row_number
    from {{ ref('int_values__consolidated') }}
    where value is not null
    {{- rule_indicators_only }}
    {%- if is_incremental() %}
        and (period in ({{ touched_periods(touched_source) }}) or locality_code = '{{ var("province_code") }}')
    {%- endif %}
),

inputs as (
    select * from report_figures
    union all
    select * from consolidated_values
),

-- Joined in each rule's branch: the linter compiles the model without the rules seed loaded.
periods as (  -- noqa: ST03
    select
        period,
        period_type
    from {{ ref('int_periods') }}
),

{% if rules | length > 0 -%}
forms as (
    select
        inputs.evaluated_on,
        inputs.scope_reporter_code,
        inputs.locality_code,
        inputs.period,
        {%- for operand in operands %}
        max(case when inputs.indicator_code = '{{ operand[0] }}' then inputs.{{ operand[1] }} end) as {{ dq_operand_column(operand[0], operand[1]) }},
        {%- endfor %}
        {%- for code in codes %}
        max(case when inputs.indicator_code = '{{ code }}' then inputs.reporter_code end) as src__{{ code | lower }}__reporter_code,
        max(case when inputs.indicator_code = '{{ code }}' then inputs.file_sha256 end) as src__{{ code | lower }}__file_sha256,
        max(case when inputs.indicator_code = '{{ code }}' then inputs.file_name end) as src__{{ code | lower }}__file_name,
        max(case when inputs.indicator_code = '{{ code }}' then inputs.row_number end) as src__{{ code | lower }}__row_number,
        {%- endfor %}
        count(*) as figures_count
    from inputs
    group by inputs.evaluated_on, inputs.scope_reporter_code, inputs.locality_code, inputs.period
),

{% for rule in rules -%}
{%- set code = rule['rule_code'] -%}
{%- set operator = rule['operator'] -%}
{%- set strategy = rule['missing_value_strategy'] or 'SKIP_IF_ANY_VALUE_MISSING' -%}
{%- set left_ops = dq_expression_operands(rule['left_expression']) -%}
{%- set right_ops = dq_expression_operands(rule['right_expression']) -%}
{%- set all_ops = left_ops + right_ops -%}
{%- set lead = (all_ops[0][0] if all_ops else none) -%}
{%- set is_pair = operator in ('compulsory_pair', 'exclusive_pair') -%}
{%- set zero_fill = strategy != 'SKIP_IF_ANY_VALUE_MISSING' -%}
{%- set left_sql = dq_compile_expression(rule['left_expression'], code, known_codes, zero_fill) -%}
{%- set right_sql = dq_compile_expression(rule['right_expression'], code, known_codes, zero_fill) -%}
{%- set tolerance = dq_number(rule['tolerance']) -%}
{%- if rule['tolerance_type'] == 'relative_pct' -%}
    {%- set tol_sql = '(' ~ tolerance ~ ' / 100.0 * abs(' ~ right_sql ~ '))' -%}
{%- else -%}
    {%- set tol_sql = '(' ~ tolerance ~ ' * 1.0)' -%}
{%- endif -%}
{%- set levels = (rule['levels'] or 'locality|province').split('|') -%}
{%- set period_types = (rule['period_type'] or 'any').split('|') -%}
{%- set present = [] -%}
{%- for operand in all_ops -%}{%- do present.append('p.' ~ dq_operand_column(operand[0], operand[1]) ~ ' is not null') -%}{%- endfor %}
rule_{{ loop.index }} as (
    select
        {{ dq_text(code) }} as rule_code,
        p.evaluated_on,
        p.scope_reporter_code,
        {% if lead -%}
        p.src__{{ lead | lower }}__reporter_code as reporter_code,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as reporter_code,
        {%- endif %}
        p.locality_code,
        {{ dq_text(lead) }} as indicator_code,
        p.period,
        {{ dq_text(rule['left_expression']) }} as left_expression,
        {{ dq_text(operator) }} as operator,
        {{ dq_text(rule['right_expression']) }} as right_expression,
        cast({{ left_sql }} as {{ type_double() }}) as left_value,
        cast({{ right_sql }} as {{ type_double() }}) as right_value,
        {%- if is_pair %}
        cast(null as {{ type_double() }}) as tolerance_value,
        {%- if operator == 'compulsory_pair' %}
        ({{ dq_side_present(left_ops) }} <> {{ dq_side_present(right_ops) }}) as is_violation,
        {%- else %}
        ({{ dq_side_present(left_ops) }} and {{ dq_side_present(right_ops) }}) as is_violation,
        {%- endif %}
        {%- else %}
        cast({{ tol_sql }} as {{ type_double() }}) as tolerance_value,
        case when {{ dq_comparison(operator, left_sql, right_sql, tol_sql, code) }} then false else true end as is_violation,
        {%- endif %}
        {{ dq_text(rule['importance']) }} as importance,
        {{ dq_text(rule['severity']) }} as severity,
        {%- if lead %}
        coalesce({% for op in all_ops %}p.src__{{ op[0] | lower }}__file_sha256{{ ', ' if not loop.last }}{% endfor %}) as file_sha256,
        coalesce({% for op in all_ops %}p.src__{{ op[0] | lower }}__file_name{{ ', ' if not loop.last }}{% endfor %}) as file_name,
        coalesce({% for op in all_ops %}p.src__{{ op[0] | lower }}__row_number{{ ', ' if not loop.last }}{% endfor %}) as row_number
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as file_sha256,
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as {{ dbt.type_int() }}) as row_number
        {%- endif %}
    from forms as p
    inner join periods
        on p.period = periods.period
    where p.evaluated_on = {{ dq_text(rule['evaluated_on'] or 'report') }}
        {%- if 'locality' not in levels %}
        and p.locality_code = '{{ var("province_code") }}'
        {%- elif 'province' not in levels %}
        and p.locality_code <> '{{ var("province_code") }}'
        {%- endif %}
        {%- if 'any' not in period_types %}
        and periods.period_type in ({% for t in period_types %}{{ dq_text(t) }}{{ ', ' if not loop.last }}{% endfor %})
        {%- endif %}
        {%- if is_pair or strategy == 'SKIP_IF_ALL_VALUES_MISSING' %}
        and ({{ present | join(' or ') }})
        {%- elif strategy == 'SKIP_IF_ANY_VALUE_MISSING' %}
        and ({{ present | join(' and ') }})
        {%- endif %}
),

{% endfor -%}
evaluated as (
    {% for rule in rules -%}
    select * from rule_{{ loop.index }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
),
{%- else %}
    evaluated as (
        select
            cast(null as {{ dbt.type_string() }}) as rule_code,
            cast(null as {{ dbt.type_string() }}) as evaluated_on,
            cast(null as {{ dbt.type_string() }}) as scope_reporter_code,
            cast(null as {{ dbt.type_string() }}) as reporter_code,
            cast(null as {{ dbt.type_string() }}) as locality_code,
            cast(null as {{ dbt.type_string() }}) as indicator_code,
            cast(null as {{ dbt.type_string() }}) as period,
            cast(null as {{ dbt.type_string() }}) as left_expression,
            cast(null as {{ dbt.type_string() }}) as operator,
            cast(null as {{ dbt.type_string() }}) as right_expression,
            cast(null as {{ type_double() }}) as left_value,
            cast(null as {{ type_double() }}) as right_value,
            cast(null as {{ type_double() }}) as tolerance_value,
            false as is_violation,
            cast(null as {{ dbt.type_string() }}) as importance,
            cast(null as {{ dbt.type_string() }}) as severity,
            cast(null as {{ dbt.type_string() }}) as file_sha256,
            cast(null as {{ dbt.type_string() }}) as file_name,
            cast(null as {{ dbt.type_int() }}) as row_number
        from inputs
        where 1 = 0
    ),
{%- endif %}

final as (
    select
        {{ dbt.hash(dbt.concat([
            "'rule|'", "rule_code", "'|'", "evaluated_on", "'|'", "coalesce(scope_reporter_code, '')", "'|'",
            "locality_code", "'|'", "period"
        ])) }}
            as check_key,
        evaluated.*,
        {{ watermark_of(touched_source) }} as watermark_ingested_at
    from evaluated
)

select * from final
