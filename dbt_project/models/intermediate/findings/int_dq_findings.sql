{{ config(tags=['dq_findings']) }}
{#- Every finding of THIS run, one row per problem (fct_dq_issues keeps their history across runs).
    Built AFTER the Great Expectations step (tag dq_findings): (a) GX findings (quality.gx_findings)
    joined on check_key to the check rows of int_checks__value_range, int_checks__rate_consistency,
    int_reconciliation, int_expected_submissions (and raw figures) for context; (b) dbt-side findings:
    validation rules (int_checks__rules), outliers (int_checks__outliers), consistency over time
    (int_checks__consistency_over_time), every rejected row, every quarantined file and every
    submission date clamped to the ingestion time. Messages and instructions in Vietnamese and English;
    the catalogue is int_dq_rule_catalogue (seeds dq_checks + dq_rules). -#}
with gx as (
    select * from {{ gx_findings_relation() }}
),

dq_checks as (
    select * from {{ ref('int_dq_rule_catalogue') }}
),

this_run as (
    select {{ dq_run_id() }} as run_id, {{ dq_run_started_at() }} as detected_at
),

localities as (
    {#- the unit version valid at the finding's period; a finding without a period names the latest -#}
    select locality_code, period, short_name_vi, name_en from {{ ref('int_units__by_period') }}
),

latest_localities as (
    select locality_code, short_name_vi, name_en
    from (
        select
            locality_code,
            short_name_vi,
            name_en,
            row_number() over (partition by locality_code order by valid_from desc) as version_rank
        from {{ ref('localities') }}
    ) as versions
    where version_rank = 1
),

reporters as (
    select reporter_code, short_name_vi, name_en from {{ ref('reporters') }}
),

value_range as (
    select
        c.check_key,
        'int_checks__value_range' as check_model,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat(["'['", fmt_num('c.valid_min'), "', '", fmt_num('c.valid_max'), "'] '", "coalesce(c.unit, '')"]) }} as expected,
        c.valid_min as expected_low,
        c.valid_max as expected_high,
        {{ dbt.concat(["'value='", fmt_num('c.value')]) }} as figures,
        {{ dbt.concat(["'giá trị '", fmt_num('c.value'), "' '", "coalesce(c.unit, '')", "' nằm ngoài khoảng hợp lệ ['", fmt_num('c.valid_min'), "' – '", fmt_num('c.valid_max'), "']'"]) }} as detail_vi,
        {{ dbt.concat(["'value '", fmt_num('c.value'), "' '", "coalesce(c.unit, '')", "' is outside the valid range ['", fmt_num('c.valid_min'), "', '", fmt_num('c.valid_max'), "']'"]) }} as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        c.file_sha256,
        c.file_name,
        c.row_number
    from {{ ref('int_checks__value_range') }} as c
),

rate_consistency as (
    select
        c.check_key,
        'int_checks__rate_consistency' as check_model,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat(["'numerator/denominator x '", fmt_num('c.rate_scale', 0), "' = '", fmt_num('c.computed_value'), "' ± '", fmt_num('c.consistency_tolerance')]) }} as expected,
        c.computed_value - coalesce(c.consistency_tolerance, 0) as expected_low,
        c.computed_value + coalesce(c.consistency_tolerance, 0) as expected_high,
        {{ dbt.concat(["'value='", fmt_num('c.value'), "'; numerator='", fmt_num('c.numerator'), "'; denominator='", fmt_num('c.denominator'), "'; computed='", fmt_num('c.computed_value')]) }} as figures,
        {{ dbt.concat(["'báo cáo tỷ lệ '", fmt_num('c.value'), "' nhưng tử số / mẫu số ('", fmt_num('c.numerator'), "' / '", fmt_num('c.denominator'), "') cho '", fmt_num('c.computed_value'), "' (chênh '", fmt_num('c.abs_deviation'), "', cho phép '", fmt_num('c.consistency_tolerance'), "')'"]) }} as detail_vi,
        {{ dbt.concat(["'reported '", fmt_num('c.value'), "' but numerator / denominator ('", fmt_num('c.numerator'), "' / '", fmt_num('c.denominator'), "') give '", fmt_num('c.computed_value'), "' (off by '", fmt_num('c.abs_deviation'), "', tolerance '", fmt_num('c.consistency_tolerance'), "')'"]) }} as detail_en,
        {{ dbt.concat(["'tử số '", fmt_num('c.numerator'), "' lớn hơn mẫu số '", fmt_num('c.denominator')]) }} as alt_detail_vi,
        {{ dbt.concat(["'numerator '", fmt_num('c.numerator'), "' exceeds denominator '", fmt_num('c.denominator')]) }} as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        c.file_sha256,
        c.file_name,
        c.row_number
    from {{ ref('int_checks__rate_consistency') }} as c
),

reconciliation as (
    select
        c.check_key,
        'int_reconciliation' as check_model,
        coalesce(c.locality_reporter_code, c.department_reporter_code) as reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.locality_value as observed_value,
        {{ dbt.concat(["'|difference| <= '", fmt_num('c.tolerance_pct'), "' % of '", fmt_num('c.department_value')]) }} as expected,
        c.department_value - abs(c.department_value) * c.tolerance_pct / 100.0 as expected_low,
        c.department_value + abs(c.department_value) * c.tolerance_pct / 100.0 as expected_high,
        {{ dbt.concat(["case when c.comparison = 'aggregate_vs_province_total' then 'aggregate=' else 'locality=' end", fmt_num('c.locality_value'), "'; '", "coalesce(c.department_reporter_code, 'department')", "'='", fmt_num('c.department_value'), "'; diff='", fmt_num('c.rel_diff_pct', 1), "' %'"]) }} as figures,
        case when c.comparison = 'aggregate_vs_province_total' then
            {{ dbt.concat(["'tổng hợp '", "cast(coalesce(c.localities_count, 0) as " ~ dbt.type_string() ~ ")", "' địa phương là '", fmt_num('c.locality_value'), "', số toàn tỉnh của '", "coalesce(dr.short_name_vi, c.department_reporter_code, '?')", "' là '", fmt_num('c.department_value'), "' (chênh '", fmt_num('c.rel_diff_pct', 1), "' %, cho phép '", fmt_num('c.tolerance_pct', 1), "' %)'"]) }}
        else
            {{ dbt.concat(["'địa phương báo cáo '", fmt_num('c.locality_value'), "', '", "coalesce(dr.short_name_vi, c.department_reporter_code, '?')", "' báo cáo '", fmt_num('c.department_value'), "' (chênh '", fmt_num('c.rel_diff_pct', 1), "' %, cho phép '", fmt_num('c.tolerance_pct', 1), "' %)'"]) }}
        end as detail_vi,
        case when c.comparison = 'aggregate_vs_province_total' then
            {{ dbt.concat(["'aggregate of '", "cast(coalesce(c.localities_count, 0) as " ~ dbt.type_string() ~ ")", "' localities is '", fmt_num('c.locality_value'), "', '", "coalesce(dr.short_name_vi, c.department_reporter_code, '?')", "' reports a province total of '", fmt_num('c.department_value'), "' ('", fmt_num('c.rel_diff_pct', 1), "' % apart, tolerance '", fmt_num('c.tolerance_pct', 1), "' %)'"]) }}
        else
            {{ dbt.concat(["'locality reports '", fmt_num('c.locality_value'), "', '", "coalesce(dr.short_name_vi, c.department_reporter_code, '?')", "' reports '", fmt_num('c.department_value'), "' ('", fmt_num('c.rel_diff_pct', 1), "' % apart, tolerance '", fmt_num('c.tolerance_pct', 1), "' %)'"]) }}
        end as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        c.status as recon_status,
        coalesce(c.locality_file_sha256, c.department_file_sha256) as file_sha256,
        coalesce(c.locality_file_name, c.department_file_name) as file_name,
        case when c.locality_file_sha256 is not null then c.locality_row_number else c.department_row_number end as row_number
    from {{ ref('int_reconciliation') }} as c
    left join reporters as dr
        on c.department_reporter_code = dr.reporter_code
),

expected_submissions as (
    select
        c.check_key,
        'int_expected_submissions' as check_model,
        c.reporter_code,
        case when c.reporter_kind = 'locality' then r.locality_code end as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        c.period,
        cast(c.days_late as {{ type_double() }}) as observed_value,
        {{ dbt.concat(["'deadline '", "cast(c.deadline_date as " ~ dbt.type_string() ~ ")"]) }} as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(0 as {{ type_double() }}) as expected_high,
        {{ dbt.concat(["'deadline='", "cast(c.deadline_date as " ~ dbt.type_string() ~ ")", "'; first_submitted='", "coalesce(cast(cast(c.first_submitted_at as date) as " ~ dbt.type_string() ~ "), 'none')", "'; days_late='", "coalesce(cast(c.days_late as " ~ dbt.type_string() ~ "), '?')"]) }} as figures,
        case when c.submission_status = 'late' then
            {{ dbt.concat(["coalesce(r.short_name_vi, c.reporter_code)", "' gửi báo cáo kỳ '", "c.period", "' ngày '", fmt_date_vi('c.first_submitted_at'), "', trễ '", "cast(c.days_late as " ~ dbt.type_string() ~ ")", "' ngày so với hạn '", fmt_date_vi('c.deadline_date')]) }}
        else
            {{ dbt.concat(["coalesce(r.short_name_vi, c.reporter_code)", "' chưa gửi báo cáo kỳ '", "c.period", "' (hạn '", fmt_date_vi('c.deadline_date'), "', đã quá '", "coalesce(cast(c.days_late as " ~ dbt.type_string() ~ "), '?')", "' ngày)'"]) }}
        end as detail_vi,
        case when c.submission_status = 'late' then
            {{ dbt.concat(["coalesce(r.name_en, c.reporter_code)", "' submitted the '", "c.period", "' report on '", "cast(cast(c.first_submitted_at as date) as " ~ dbt.type_string() ~ ")", "', '", "cast(c.days_late as " ~ dbt.type_string() ~ ")", "' days after the deadline '", "cast(c.deadline_date as " ~ dbt.type_string() ~ ")"]) }}
        else
            {{ dbt.concat(["coalesce(r.name_en, c.reporter_code)", "' has not submitted the '", "c.period", "' report (deadline '", "cast(c.deadline_date as " ~ dbt.type_string() ~ ")", "', '", "coalesce(cast(c.days_late as " ~ dbt.type_string() ~ "), '?')", "' days overdue)'"]) }}
        end as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        c.file_sha256,
        c.file_name,
        cast(null as {{ dbt.type_int() }}) as row_number
    from {{ ref('int_expected_submissions') }} as c
    left join {{ ref('reporters') }} as r
        on c.reporter_code = r.reporter_code
),

raw_figures as (
    select
        f.figure_key as check_key,
        'figures' as check_model,
        f.reporter_code,
        f.locality_code,
        f.indicator_code,
        f.period,
        f.value as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        cast(null as {{ dbt.type_string() }}) as figures,
        {{ dbt.concat(["'tệp '", "f.file_name", "', dòng '", "cast(f.row_number as " ~ dbt.type_string() ~ ")", "': thiếu trường bắt buộc'"]) }} as detail_vi,
        {{ dbt.concat(["'file '", "f.file_name", "', row '", "cast(f.row_number as " ~ dbt.type_string() ~ ")", "': a required field is missing'"]) }} as detail_en,
        cast(null as {{ dbt.type_string() }}) as alt_detail_vi,
        cast(null as {{ dbt.type_string() }}) as alt_detail_en,
        cast(null as {{ dbt.type_string() }}) as recon_status,
        f.file_sha256,
        f.file_name,
        f.row_number
    from {{ ref('int_figures__versioned') }} as f
),

check_context as (
    select * from value_range
    union all select * from rate_consistency
    union all select * from reconciliation
    union all select * from expected_submissions
    union all select * from raw_figures
),

gx_joined as (
    select
        gx.rule_code,
        case
            when ctx.recon_status = 'major' then 'error'
            when ctx.recon_status = 'minor' then 'warning'
            else coalesce(gx.severity, dq_checks.severity, 'warning')
        end as severity,
        'gx' as source,
        coalesce(ctx.reporter_code, {{ json_text('gx.row_key', 'reporter_code') }}, {{ json_text('gx.observed', 'reporter_code') }}) as reporter_code,
        coalesce(ctx.locality_code, {{ json_text('gx.row_key', 'locality_code') }}, {{ json_text('gx.observed', 'locality_code') }}) as locality_code,
        coalesce(ctx.indicator_code, {{ json_text('gx.row_key', 'indicator_code') }}, {{ json_text('gx.observed', 'indicator_code') }}) as indicator_code,
        coalesce(ctx.period, {{ json_text('gx.row_key', 'period') }}, {{ json_text('gx.observed', 'period') }}) as period,
        ctx.observed_value,
        ctx.expected,
        ctx.expected_low,
        ctx.expected_high,
        coalesce(ctx.figures, gx.observed) as figures,
        case when gx.rule_code = 'NUMERATOR_GT_DENOMINATOR' then coalesce(ctx.alt_detail_vi, ctx.detail_vi) else ctx.detail_vi end as detail_vi,
        case when gx.rule_code = 'NUMERATOR_GT_DENOMINATOR' then coalesce(ctx.alt_detail_en, ctx.detail_en) else ctx.detail_en end as detail_en,
        coalesce(ctx.file_sha256, {{ json_text('gx.row_key', 'file_sha256') }}, {{ json_text('gx.observed', 'file_sha256') }}) as file_sha256,
        coalesce(ctx.file_name, {{ json_text('gx.row_key', 'file_name') }}, {{ json_text('gx.observed', 'file_name') }}) as file_name,
        coalesce(ctx.row_number, cast({{ json_text('gx.row_key', 'row_number') }} as {{ dbt.type_int() }})) as row_number,
        gx.check_key,
        coalesce(ctx.check_model, gx.table_name) as check_model,
        gx.run_id,
        gx.validated_at as detected_at,
        {{ dbt.hash(dbt.concat(["gx.rule_code", "'|'", "coalesce(gx.check_key, gx.row_key, '')"])) }} as issue_id
    from gx
    left join check_context as ctx
        on gx.check_key = ctx.check_key
    left join dq_checks
        on gx.rule_code = dq_checks.rule_code
),

rejected_rows as (
    select
        'INTAKE_ROW_REJECTED' as rule_code,
        'error' as severity,
        'dbt' as source,
        r.reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        r.period,
        cast(null as {{ type_double() }}) as observed_value,
        r.suggestion as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        {{ dbt.concat(["r.field", "'='", "coalesce(r.value_raw, '')"]) }} as figures,
        {{ dbt.concat(["'tệp '", "r.file_name", "', dòng '", "cast(r.row_number as " ~ dbt.type_string() ~ ")", "', trường '", "r.field", "' (\"'", "coalesce(r.value_raw, '')", "'\"): '", "r.reason"]) }} as detail_vi,
        {{ dbt.concat(["'file '", "r.file_name", "', row '", "cast(r.row_number as " ~ dbt.type_string() ~ ")", "', field '", "r.field", "' (\"'", "coalesce(r.value_raw, '')", "'\"): '", "r.reason"]) }} as detail_en,
        r.file_sha256,
        r.file_name,
        r.row_number,
        cast(null as {{ dbt.type_string() }}) as check_key,
        'stg_raw__rejected_rows' as check_model,
        r.run_id,
        r.ingested_at as detected_at,
        {{ dbt.hash(dbt.concat(["'INTAKE_ROW_REJECTED|'", "r.file_sha256", "'|'", "cast(r.row_number as " ~ dbt.type_string() ~ ")", "'|'", "r.field"])) }} as issue_id
    from {{ ref('stg_raw__rejected_rows') }} as r
),

quarantined_files as (
    {{ submission_finding(
        'FILE_QUARANTINED', 'error',
        dbt.concat(["'format='", "coalesce(s.file_format, '?')", "'; encoding='", "coalesce(s.encoding, '?')"]),
        dbt.concat(["'tệp '", "s.file_name", "' bị cách ly: '", "coalesce(s.reason, 'không rõ lý do')"]),
        dbt.concat(["'file '", "s.file_name", "' was quarantined: '", "coalesce(s.reason, 'no reason given')"]),
        "s.status = 'quarantined'") }}
),

clamped_dates as (
    {#- intake clamped a submission date after the ingestion time (issue 12): the note stands in the
        file's title block ("_submitted_at_clamped"; plain LIKE, no JSON functions: portable) -#}
    {{ submission_finding(
        'SUBMITTED_AT_CLAMPED', 'warning',
        dbt.concat(["'submitted_at='", "coalesce(cast(s.submitted_at as " ~ dbt.type_string() ~ "), '?')"]),
        dbt.concat(["'tệp '", "s.file_name", "': ngày gửi sau thời điểm tiếp nhận, đã lấy bằng lúc tiếp nhận'"]),
        dbt.concat(["'file '", "s.file_name", "': submission date after the ingestion time, clamped to it'"]),
        "s.title_block like '%\"_submitted_at_clamped%'") }}
),

rule_findings as (
    {#- validation rules (seed dq_rules): the violated rule's own severity and instruction -#}
    select
        c.rule_code,
        c.severity,
        'dbt' as source,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.left_value as observed_value,
        {{ dbt.concat(["c.left_expression", "' '", "c.operator", "' '", "c.right_expression", "case when c.tolerance_value > 0 then " ~ dbt.concat(["' (± '", fmt_num('c.tolerance_value'), "')'"]) ~ " else '' end"]) }} as expected,
        case when c.operator in ('greater_than', 'greater_than_or_equal_to', 'equal_to') then c.right_value - coalesce(c.tolerance_value, 0) end as expected_low,
        case when c.operator in ('less_than', 'less_than_or_equal_to', 'equal_to') then c.right_value + coalesce(c.tolerance_value, 0) end as expected_high,
        {{ dbt.concat(["c.left_expression", "'='", fmt_num('c.left_value'), "'; '", "c.right_expression", "'='", fmt_num('c.right_value')]) }} as figures,
        case c.operator
            when 'compulsory_pair' then {{ dbt.concat(["'chỉ có một trong hai: '", "c.left_expression", "' / '", "c.right_expression", "' (quy tắc '", "c.rule_code", "')'"]) }}
            when 'exclusive_pair' then {{ dbt.concat(["'không được có cả hai: '", "c.left_expression", "' và '", "c.right_expression", "' (quy tắc '", "c.rule_code", "')'"]) }}
            else {{ dbt.concat(["'vi phạm quy tắc '", "c.rule_code", "': '", "c.left_expression", "' = '", fmt_num('c.left_value'), "', '", "c.right_expression", "' = '", fmt_num('c.right_value'), "' (điều kiện: '", "c.operator", "case when c.tolerance_value > 0 then " ~ dbt.concat(["', sai số cho phép '", fmt_num('c.tolerance_value')]) ~ " else '' end", "')'"]) }}
        end as detail_vi,
        case c.operator
            when 'compulsory_pair' then {{ dbt.concat(["'only one of '", "c.left_expression", "' / '", "c.right_expression", "' is present (rule '", "c.rule_code", "')'"]) }}
            when 'exclusive_pair' then {{ dbt.concat(["'both '", "c.left_expression", "' and '", "c.right_expression", "' are present (rule '", "c.rule_code", "')'"]) }}
            else {{ dbt.concat(["'rule '", "c.rule_code", "' violated: '", "c.left_expression", "' = '", fmt_num('c.left_value'), "', '", "c.right_expression", "' = '", fmt_num('c.right_value'), "' (required: '", "c.operator", "case when c.tolerance_value > 0 then " ~ dbt.concat(["', tolerance '", fmt_num('c.tolerance_value')]) ~ " else '' end", "')'"]) }}
        end as detail_en,
        {{ dbt_check_lineage('int_checks__rules', 'c.rule_code') }}
    where c.is_violation
),

{%- set outlier_rule = "case when c.comparison = 'across_localities' then 'OUTLIER_ACROSS_LOCALITIES' else 'OUTLIER_OVER_TIME' end" %}
{%- set time_rule = "case when c.check_type = 'cumulative_decrease' then 'CUMULATIVE_DECREASE' else 'CONSISTENCY_OVER_TIME' end" %}
outlier_findings as (
    select
        {{ outlier_rule }} as rule_code,
        case when c.outlier_class = 'extreme' then 'error' else 'warning' end as severity,
        'dbt' as source,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat(["c.method", "' |score| <= '", fmt_num('c.threshold')]) }} as expected,
        case when c.method = 'z_score' then c.group_mean - c.threshold * c.group_sd
            else c.group_median - c.threshold * c.group_mad / 0.6745 end as expected_low,
        case when c.method = 'z_score' then c.group_mean + c.threshold * c.group_sd
            else c.group_median + c.threshold * c.group_mad / 0.6745 end as expected_high,
        {{ dbt.concat(["'value='", fmt_num('c.value'), "'; median='", fmt_num('c.group_median'), "'; MAD='", fmt_num('c.group_mad'), "'; score='", fmt_num('c.score'), "'; n='", "cast(c.group_size as " ~ dbt.type_string() ~ ")"]) }} as figures,
        case when c.comparison = 'across_localities' then
            {{ dbt.concat(["'giá trị '", fmt_num('c.value'), "' khác thường so với '", "cast(c.group_size as " ~ dbt.type_string() ~ ")", "' địa phương cùng kỳ (trung vị '", fmt_num('c.group_median'), "', điểm '", fmt_num('c.score'), "', ngưỡng '", fmt_num('c.threshold'), "')'"]) }}
        else
            {{ dbt.concat(["'giá trị '", fmt_num('c.value'), "' khác thường so với '", "cast(c.group_size as " ~ dbt.type_string() ~ ")", "' kỳ của chính địa phương (trung vị '", fmt_num('c.group_median'), "', điểm '", fmt_num('c.score'), "', ngưỡng '", fmt_num('c.threshold'), "')'"]) }}
        end as detail_vi,
        case when c.comparison = 'across_localities' then
            {{ dbt.concat(["'value '", fmt_num('c.value'), "' is unusual among the '", "cast(c.group_size as " ~ dbt.type_string() ~ ")", "' localities of the period (median '", fmt_num('c.group_median'), "', score '", fmt_num('c.score'), "', threshold '", fmt_num('c.threshold'), "')'"]) }}
        else
            {{ dbt.concat(["'value '", fmt_num('c.value'), "' is unusual in the locality''s own '", "cast(c.group_size as " ~ dbt.type_string() ~ ")", "' periods (median '", fmt_num('c.group_median'), "', score '", fmt_num('c.score'), "', threshold '", fmt_num('c.threshold'), "')'"]) }}
        end as detail_en,
        {{ dbt_check_lineage('int_checks__outliers', outlier_rule) }}
    where c.is_outlier
),

time_findings as (
    select
        {{ time_rule }} as rule_code,
        case when c.check_type = 'cumulative_decrease' then 'error' else 'warning' end as severity,
        'dbt' as source,
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        case when c.check_type = 'cumulative_decrease'
            then {{ dbt.concat(["'>= '", fmt_num('c.previous_value'), "' ('", "c.previous_period", "')'"]) }}
            else {{ dbt.concat(["'mean of previous '", "cast(c.previous_count as " ~ dbt.type_string() ~ ")", "' = '", fmt_num('c.previous_mean'), "' ± '", fmt_num('c.threshold_pct', 0), "' %'"]) }}
        end as expected,
        case when c.check_type = 'cumulative_decrease' then c.previous_value
            else c.previous_mean * (1 - c.threshold_pct / 100.0) end as expected_low,
        case when c.check_type = 'cumulative_decrease' then cast(null as {{ type_double() }})
            else c.previous_mean * (1 + c.threshold_pct / 100.0) end as expected_high,
        {{ dbt.concat(["'value='", fmt_num('c.value'), "'; previous='", fmt_num('c.previous_value'), "'; previous_mean='", fmt_num('c.previous_mean'), "'; change='", fmt_num('c.change_pct', 1), "' %'"]) }} as figures,
        case when c.check_type = 'cumulative_decrease'
            then {{ dbt.concat(["'số lũy kế giảm từ '", fmt_num('c.previous_value'), "' (kỳ '", "c.previous_period", "') xuống '", fmt_num('c.value')]) }}
            else {{ dbt.concat(["'giá trị '", fmt_num('c.value'), "' thay đổi '", fmt_num('c.change_pct', 1), "' % so với trung bình '", "cast(c.previous_count as " ~ dbt.type_string() ~ ")", "' kỳ trước ('", fmt_num('c.previous_mean'), "'), ngưỡng ± '", fmt_num('c.threshold_pct', 0), "' %'"]) }}
        end as detail_vi,
        case when c.check_type = 'cumulative_decrease'
            then {{ dbt.concat(["'cumulative count fell from '", fmt_num('c.previous_value'), "' ('", "c.previous_period", "') to '", fmt_num('c.value')]) }}
            else {{ dbt.concat(["'value '", fmt_num('c.value'), "' changed '", fmt_num('c.change_pct', 1), "' % against the mean of the previous '", "cast(c.previous_count as " ~ dbt.type_string() ~ ")", "' periods ('", fmt_num('c.previous_mean'), "'), threshold ± '", fmt_num('c.threshold_pct', 0), "' %'"]) }}
        end as detail_en,
        {{ dbt_check_lineage('int_checks__consistency_over_time', time_rule) }}
    where c.is_flagged
),

all_issues as (
    select * from gx_joined
    union all
    select * from rejected_rows
    union all
    select * from quarantined_files
    union all
    select * from clamped_dates
    union all
    select * from rule_findings
    union all
    select * from outlier_findings
    union all
    select * from time_findings
),

deduplicated as (
    select
        all_issues.*,
        row_number() over (partition by issue_id order by detected_at desc, run_id desc) as issue_rank
    from all_issues
),

final as (
    select
        d.issue_id,
        d.rule_code,
        d.severity,
        coalesce(case when dq_checks.family = 'validation_rule' then dq_checks.importance end,
            case when d.severity = 'error' then 'high' else 'medium' end) as importance,
        d.source,
        dq_checks.family,
        dq_checks.title_vi,
        dq_checks.title_en,
        d.reporter_code,
        d.locality_code,
        d.indicator_code,
        d.period,
        d.observed_value,
        d.expected,
        cast(d.expected_low as {{ type_double() }}) as expected_low,
        cast(d.expected_high as {{ type_double() }}) as expected_high,
        d.figures,
        {{ dbt.concat([
            "case when d.indicator_code is not null and d.locality_code is not null then " ~ dbt.concat(["coalesce(period_l.short_name_vi, latest_l.short_name_vi, d.locality_code)", "', '"]) ~ " else '' end",
            "case when d.indicator_code is not null then " ~ dbt.concat(["d.indicator_code", "' '", "coalesce(d.period, '')", "': '"]) ~ " else '' end",
            "coalesce(d.detail_vi, dq_checks.title_vi, d.rule_code)"
        ]) }} as message_vi,
        {{ dbt.concat([
            "case when d.indicator_code is not null and d.locality_code is not null then " ~ dbt.concat(["coalesce(period_l.short_name_vi, latest_l.short_name_vi, d.locality_code)", "', '"]) ~ " else '' end",
            "case when d.indicator_code is not null then " ~ dbt.concat(["d.indicator_code", "' '", "coalesce(d.period, '')", "': '"]) ~ " else '' end",
            "coalesce(d.detail_en, dq_checks.title_en, d.rule_code)"
        ]) }} as message_en,
        dq_checks.instruction_vi,
        dq_checks.instruction_en,
        d.file_sha256,
        d.file_name,
        cast(d.row_number as {{ dbt.type_int() }}) as row_number,
        d.check_key,
        d.check_model,
        d.run_id,
        d.detected_at,
        coalesce(dq_checks.blocks_publication, false) as blocks_publication
    from deduplicated as d
    left join dq_checks
        on d.rule_code = dq_checks.rule_code
    left join localities as period_l
        on d.locality_code = period_l.locality_code
        and d.period = period_l.period
    left join latest_localities as latest_l
        on d.locality_code = latest_l.locality_code
    where d.issue_rank = 1
)

select * from final
