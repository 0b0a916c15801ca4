{#- Validation rules as data (seed dq_rules, DHIS2's shape) compiled to SQL at compile time.

    Expressions: indicator codes (the figure's value), CODE.numerator / CODE.denominator (the numerator
    and denominator given with a rate), numbers, + - * / and parentheses. Nothing else is accepted,
    so a seed row can never inject SQL; an unknown indicator code is a compile error.

    The seed is read through the relation dbt loaded it into (graph lookup, not ref()), so the rules
    compiled into a model are always the real seed's, also inside dbt unit tests, whose given rows
    then play the figures. Before the seed exists (dbt parse, a fresh warehouse) there are no rules. -#}

{#- Rows of a seed as a list of dicts (column name -> value); [] when not loaded yet. -#}
{% macro dq_seed_rows(seed_name) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- set locations = [] -%}
        {%- for node in (graph.get('nodes') or {}).values() if node.resource_type == 'seed' and node.name == seed_name -%}
            {%- do locations.append((node.database, node.schema, node.alias)) -%}
        {%- endfor -%}
        {#- unit tests see no graph: seeds live in schema 'reference' (dbt_project.yml) -#}
        {%- if not locations -%}{%- do locations.append((target.database, 'reference', seed_name)) -%}{%- endif -%}
        {%- for database, schema, identifier in locations -%}
            {%- set relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
            {%- if relation is not none -%}
                {%- set table = run_query('select * from ' ~ relation) -%}
                {%- for row in table.rows -%}
                    {%- set item = {} -%}
                    {%- for column in table.column_names -%}
                        {%- do item.update({column: row[column]}) -%}
                    {%- endfor -%}
                    {%- do rows.append(item) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(rows) }}
{%- endmacro %}

{#- The operands of an expression: list of [indicator_code, part] with part value|numerator|denominator. -#}
{% macro dq_expression_operands(expression) -%}
    {%- set operands = [] -%}
    {%- for match in modules.re.findall('\\b([A-Z][A-Z0-9_]*)(?:\\.(numerator|denominator))?\\b', expression or '') -%}
        {%- set operand = [match[0], match[1] or 'value'] -%}
        {%- if operand not in operands -%}{%- do operands.append(operand) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(operands) }}
{%- endmacro %}

{#- Pivot column holding an operand (see int_checks__rules). -#}
{% macro dq_operand_column(indicator_code, part) -%}
    {{ return('op__' ~ indicator_code | lower ~ '__' ~ part) }}
{%- endmacro %}

{#- An expression as SQL over the pivot (alias p). missing_as_zero: a missing operand counts as 0
    (DHIS2's treatment when the missing-value strategy lets the rule run). -#}
{% macro dq_compile_expression(expression, rule_code, known_codes, missing_as_zero) -%}
    {%- set text = (expression or '') | trim -%}
    {%- if text == '' -%}
        {{ exceptions.raise_compiler_error("dq_rules " ~ rule_code ~ ": empty expression") }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[A-Za-z0-9_.+*/() -]+', text) -%}
        {{ exceptions.raise_compiler_error("dq_rules " ~ rule_code ~ ": expression '" ~ text ~ "' may only use indicator codes, .numerator/.denominator, numbers, + - * / and parentheses") }}
    {%- endif -%}
    {%- for operand in dq_expression_operands(text) -%}
        {%- if operand[0] not in known_codes -%}
            {{ exceptions.raise_compiler_error("dq_rules " ~ rule_code ~ ": unknown indicator code " ~ operand[0] ~ " in '" ~ text ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if modules.re.search('[a-z]', modules.re.sub('\\.(numerator|denominator)\\b', '', text)) -%}
        {{ exceptions.raise_compiler_error("dq_rules " ~ rule_code ~ ": '" ~ text ~ "' has lower-case words; indicator codes are upper case") }}
    {%- endif -%}
    {%- set wrap_open = 'coalesce(p.' if missing_as_zero else 'p.' -%}
    {%- set wrap_close = ', 0)' if missing_as_zero else '' -%}
    {%- set sql = modules.re.sub('\\b([A-Z][A-Z0-9_]*)\\.(numerator|denominator)\\b', wrap_open ~ 'op__\\1__\\2' ~ wrap_close, text) -%}
    {%- set sql = modules.re.sub('(?<![_.])\\b([A-Z][A-Z0-9_]*)\\b(?!__)', wrap_open ~ 'op__\\1__value' ~ wrap_close, sql) -%}
    {#- Division by zero yields null (the rule is then not evaluable) on every warehouse. -#}
    {%- set sql = modules.re.sub('/\\s*(coalesce\\(p\\.op__\\w+, 0\\)|p\\.op__\\w+|\\d+(?:\\.\\d+)?)', '/ nullif(\\1, 0)', sql) -%}
    {{ return('(' ~ (sql | lower) ~ ')') }}
{%- endmacro %}

{#- Whether every operand of a side is present (pairs), as SQL. -#}
{% macro dq_side_present(operands) -%}
    {%- set parts = [] -%}
    {%- for operand in operands -%}
        {%- do parts.append('p.' ~ dq_operand_column(operand[0], operand[1]) ~ ' is not null') -%}
    {%- endfor -%}
    {{ return('(' ~ (parts | join(' and ') if parts else 'true') ~ ')') }}
{%- endmacro %}

{#- SQL that is true when the rule passes, for the comparison operators. tol is the effective tolerance. -#}
{% macro dq_comparison(operator, left_sql, right_sql, tol, rule_code) -%}
    {%- if operator == 'equal_to' -%} abs({{ left_sql }} - {{ right_sql }}) <= {{ tol }}
    {%- elif operator == 'not_equal_to' -%} abs({{ left_sql }} - {{ right_sql }}) > {{ tol }}
    {%- elif operator == 'greater_than' -%} {{ left_sql }} > {{ right_sql }} - {{ tol }}
    {%- elif operator == 'greater_than_or_equal_to' -%} {{ left_sql }} >= {{ right_sql }} - {{ tol }}
    {%- elif operator == 'less_than' -%} {{ left_sql }} < {{ right_sql }} + {{ tol }}
    {%- elif operator == 'less_than_or_equal_to' -%} {{ left_sql }} <= {{ right_sql }} + {{ tol }}
    {%- else -%}{{ exceptions.raise_compiler_error("dq_rules " ~ rule_code ~ ": unknown operator " ~ operator) }}
    {%- endif -%}
{%- endmacro %}

{#- A numeric seed value as a SQL literal (agate gives Decimals; blanks are none). -#}
{% macro dq_number(value, default=0) -%}
    {{ return(default if value is none or value == '' else value) }}
{%- endmacro %}

{#- Text as a SQL string literal. -#}
{% macro dq_text(value) -%}
    {%- if value is none -%}{{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}{%- endif -%}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{#- Median of expr as an aggregate (per group). -#}
{% macro dq_median(expr) -%}
    {{ return(adapter.dispatch('dq_median', 'dothi')(expr)) }}
{%- endmacro %}

{% macro default__dq_median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro spark__dq_median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- The run the findings belong to: the Great Expectations run of this refresh (the Dagster run id, in
    quality.gx_results, read through stg_quality__gx_results) when there is one, else dbt's invocation
    id (dbt run standalone: the staging model is then empty). -#}
{% macro dq_run_id() -%}
    coalesce(
        (select max(run_id) from {{ ref('stg_quality__gx_results') }}),
        cast('{{ invocation_id }}' as {{ dbt.type_string() }})
    )
{%- endmacro %}

{% macro dq_run_started_at() -%}
    coalesce(
        (select max(validated_at) from {{ ref('stg_quality__gx_results') }}),
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    )
{%- endmacro %}
