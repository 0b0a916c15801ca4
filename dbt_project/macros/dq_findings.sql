{#- The findings of one family (models/intermediate/findings/int_findings__*) are written in two steps:
    the family's own select gives the finding's facts in one shape (below), then dq_finding_rows()
    turns them into the rows of int_dq_findings, the same for every family: one row per issue_id,
    the severity, title and instruction from the catalogue (seeds dq_checks + dq_rules) and the
    bilingual message. The shape of a family's facts, in this order:
        rule_code, is_escalated, reported_severity, source, reporter_code, locality_code, indicator_code,
        period, observed_value, expected, expected_low, expected_high, figures, detail_vi, detail_en,
        file_sha256, file_name, row_number, check_key, check_model, run_id, detected_at, issue_id
    is_escalated: the finding is at its gravest grade (an extreme outlier, a major disagreement), so it
    takes the catalogue's escalated_severity; reported_severity: the severity the checking layer gave
    (Great Expectations), when it gave one. Neither: the catalogue's severity. -#}

{#- This refresh's run and time (the Great Expectations run when there is one): the `this_run` CTE. -#}
{% macro dq_this_run() -%}
    select
        {{ dq_run_id() }} as run_id,
        {{ dq_run_started_at() }} as detected_at
{%- endmacro %}

{#- The lineage columns and source of a finding computed by a dbt check model (aliased c), closing the
    select of its family: the check's file and row, the run (CTE this_run), and the stable issue_id
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

{#- The facts of a finding found by a dbt check, before its lineage: rule, grade and source. -#}
{% macro dbt_check_rule(rule_code, is_escalated='false') -%}
        {{ rule_code }} as rule_code,
        {{ is_escalated }} as is_escalated,
        cast(null as {{ dbt.type_string() }}) as reported_severity,
        'dbt' as source
{%- endmacro %}

{#- A finding about a whole submitted file (stg_raw__submissions as s): no locality, indicator or row;
    one issue per rule and file. figures / detail_vi / detail_en are SQL expressions over s. -#}
{% macro submission_finding(rule_code, figures, detail_vi, detail_en, where) -%}
    select
        {{ dbt_check_rule("'" ~ rule_code ~ "'") }},
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

{#- A Great Expectations finding (stg_quality__gx_findings as gx) with the row of the check model it
    was found on (CTE `context`, aliased ctx, keyed on check_key) for its figures, message and lineage;
    the finding's own row key / observed JSON fills what the context lacks. table_names: the GX tables
    this family takes (exclude=true: every other table, without context). The context's columns:
        check_key, check_model, reporter_code, locality_code, indicator_code, period, observed_value,
        expected, expected_low, expected_high, figures, detail_vi, detail_en, alt_detail_vi,
        alt_detail_en, recon_status, file_sha256, file_name, row_number -#}
{% macro gx_finding(table_names, context='context', exclude=false) -%}
    {%- set quoted = [] -%}
    {%- for name in table_names -%}{%- do quoted.append("'" ~ name ~ "'") -%}{%- endfor -%}
    select
        gx.rule_code,
        coalesce(ctx.recon_status = 'major', false) as is_escalated,
        {#- a reconciliation's grade is its status (minor: the catalogue's severity), not GX's -#}
        case when ctx.recon_status in ('major', 'minor') then cast(null as {{ dbt.type_string() }})
            else gx.severity end as reported_severity,
        'gx' as source,
        {%- for key in ['reporter_code', 'locality_code', 'indicator_code', 'period'] %}
        coalesce(
            ctx.{{ key }}, {{ json_text('gx.row_key', key) }}, {{ json_text('gx.observed', key) }}
        ) as {{ key }},
        {%- endfor %}
        ctx.observed_value,
        ctx.expected,
        ctx.expected_low,
        ctx.expected_high,
        coalesce(ctx.figures, gx.observed) as figures,
        case when gx.rule_code = 'NUMERATOR_GT_DENOMINATOR'
            then coalesce(ctx.alt_detail_vi, ctx.detail_vi) else ctx.detail_vi end as detail_vi,
        case when gx.rule_code = 'NUMERATOR_GT_DENOMINATOR'
            then coalesce(ctx.alt_detail_en, ctx.detail_en) else ctx.detail_en end as detail_en,
        {%- for key in ['file_sha256', 'file_name'] %}
        coalesce(
            ctx.{{ key }}, {{ json_text('gx.row_key', key) }}, {{ json_text('gx.observed', key) }}
        ) as {{ key }},
        {%- endfor %}
        coalesce(ctx.row_number, cast({{ json_text('gx.row_key', 'row_number') }} as {{ dbt.type_int() }})) as row_number,
        gx.check_key,
        coalesce(ctx.check_model, gx.table_name) as check_model,
        gx.run_id,
        gx.validated_at as detected_at,
        {{ dbt.hash(dbt.concat(["gx.rule_code", "'|'", "coalesce(gx.check_key, gx.row_key, '')"])) }} as issue_id
    from {{ ref('stg_quality__gx_findings') }} as gx
    left join {{ context }} as ctx
        on gx.check_key = ctx.check_key
    {%- if exclude %}
    where gx.table_name is null or gx.table_name not in ({{ quoted | join(', ') }})
    {%- else %}
    where gx.table_name in ({{ quoted | join(', ') }})
    {%- endif %}
{%- endmacro %}

{#- The message of a finding in one language (lang vi | en), built the same way for every family:
    "<locality>, <indicator> <period>: <detail>" (the parts that apply), else the rule's title. The
    locality is named as the unit was at the finding's period (else its latest name). Reads the CTE
    columns of dq_finding_rows (f, units_at_period, latest_units, catalogue); name_at_period: the SQL of
    the name at the period. -#}
{% macro dq_finding_message(lang, name_at_period='units_at_period.short_name_vi') -%}
    {{ dbt.concat([
        "case when f.indicator_code is not null and f.locality_code is not null then "
            ~ dbt.concat([
                "coalesce(" ~ name_at_period ~ ", latest_units.short_name_vi, f.locality_code)", "', '"
            ]) ~ " else '' end",
        "case when f.indicator_code is not null then "
            ~ dbt.concat(["f.indicator_code", "' '", "coalesce(f.period, '')", "': '"]) ~ " else '' end",
        "coalesce(f.detail_" ~ lang ~ ", f.title_" ~ lang ~ ", f.rule_code)"
    ]) }}
{%- endmacro %}

{#- The rows of int_dq_findings from a family's facts (CTE `findings`, in the shape above): the CTEs
    that close a family model, ending in its select. One row per issue_id (the latest detection).
    name_at_period: a column of the facts holding the unit's short name at the finding's period, for a
    family whose check model has already looked the unit up (int_units__by_period then enters the
    family once); else the name is looked up here. -#}
{% macro dq_finding_rows(findings='findings', name_at_period=none) -%}
catalogue as (
    select * from {{ ref('int_dq_rule_catalogue') }}
),
{%- if name_at_period is none %}

units_at_period as (
    {#- the unit version valid at the finding's period; a finding without a period names the latest -#}
    select locality_code, period, short_name_vi from {{ ref('int_units__by_period') }}
),
{%- endif %}

latest_units as (
    select
        locality_code,
        short_name_vi
    from (
        select
            locality_code,
            short_name_vi,
            row_number() over (partition by locality_code order by valid_from desc) as version_rank
        from {{ ref('localities') }}
    ) as versions
    where version_rank = 1
),

ranked as (
    select
        {{ findings }}.*,
        row_number() over (
            partition by {{ findings }}.issue_id
            order by {{ findings }}.detected_at desc, {{ findings }}.run_id desc
        ) as issue_rank
    from {{ findings }}
),

graded as (
    select
        ranked.*,
        coalesce(
            case when ranked.is_escalated then catalogue.escalated_severity end,
            ranked.reported_severity,
            catalogue.severity,
            'warning'
        ) as severity,
        catalogue.family,
        catalogue.importance as catalogue_importance,
        catalogue.title_vi,
        catalogue.title_en,
        catalogue.instruction_vi,
        catalogue.instruction_en,
        catalogue.blocks_publication
    from ranked
    left join catalogue
        on ranked.rule_code = catalogue.rule_code
    where ranked.issue_rank = 1
),

final as (
    select
        cast(f.issue_id as {{ dbt.type_string() }}) as issue_id,
        cast(f.rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(f.severity as {{ dbt.type_string() }}) as severity,
        cast(coalesce(
            case when f.family = 'validation_rule' then f.catalogue_importance end,
            case when f.severity = 'error' then 'high' else 'medium' end
        ) as {{ dbt.type_string() }}) as importance,
        cast(f.source as {{ dbt.type_string() }}) as source,
        cast(f.family as {{ dbt.type_string() }}) as family,
        cast(f.title_vi as {{ dbt.type_string() }}) as title_vi,
        cast(f.title_en as {{ dbt.type_string() }}) as title_en,
        cast(f.reporter_code as {{ dbt.type_string() }}) as reporter_code,
        cast(f.locality_code as {{ dbt.type_string() }}) as locality_code,
        cast(f.indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(f.period as {{ dbt.type_string() }}) as period,
        cast(f.observed_value as {{ type_double() }}) as observed_value,
        cast(f.expected as {{ dbt.type_string() }}) as expected,
        cast(f.expected_low as {{ type_double() }}) as expected_low,
        cast(f.expected_high as {{ type_double() }}) as expected_high,
        cast(f.figures as {{ dbt.type_string() }}) as figures,
        {%- set name_sql = 'units_at_period.short_name_vi' if name_at_period is none else 'f.' ~ name_at_period %}
        cast({{ dq_finding_message('vi', name_sql) }} as {{ dbt.type_string() }}) as message_vi,
        cast({{ dq_finding_message('en', name_sql) }} as {{ dbt.type_string() }}) as message_en,
        cast(f.instruction_vi as {{ dbt.type_string() }}) as instruction_vi,
        cast(f.instruction_en as {{ dbt.type_string() }}) as instruction_en,
        cast(f.file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast(f.file_name as {{ dbt.type_string() }}) as file_name,
        cast(f.row_number as {{ dbt.type_int() }}) as row_number,
        cast(f.check_key as {{ dbt.type_string() }}) as check_key,
        cast(f.check_model as {{ dbt.type_string() }}) as check_model,
        cast(f.run_id as {{ dbt.type_string() }}) as run_id,
        cast(f.detected_at as {{ dbt.type_timestamp() }}) as detected_at,
        cast(coalesce(f.blocks_publication, false) as {{ dbt.type_boolean() }}) as blocks_publication
    from graded as f
    {%- if name_at_period is none %}
    left join units_at_period
        on f.locality_code = units_at_period.locality_code
        and f.period = units_at_period.period
    {%- endif %}
    left join latest_units
        on f.locality_code = latest_units.locality_code
)

select * from final
{%- endmacro %}

{#- The GX tables a family model gives context to (int_findings__value_range, __rate_consistency,
    __reconciliation, __expected_submissions, __required_fields); int_findings__gx_other takes the rest. -#}
{% macro gx_family_tables() -%}
    {{ return(['int_checks__value_range', 'int_checks__rate_consistency', 'int_reconciliation',
        'int_expected_submissions', 'figures']) }}
{%- endmacro %}
