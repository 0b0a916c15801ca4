{{ config(tags=['dq_findings']) }}
{#- One row per flagged data-quality problem. Built AFTER the Great Expectations step (tag
    dq_findings): (a) GX findings (quality.gx_findings) joined on check_key to the check rows of
    int_checks__value_range, int_checks__rate_consistency, int_reconciliation,
    int_expected_submissions (and raw figures) for context; (b) dbt-side intake findings: every
    rejected row and every quarantined file. Messages and instructions in Vietnamese and English;
    the catalogue of rules is the seed dq_checks. -#}
with gx as (
    select * from {{ gx_findings_relation() }}
),

dq_checks as (
    select * from {{ ref('dq_checks') }}
),

localities as (
    select locality_code, short_name_vi, name_en from {{ ref('localities') }}
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
    select
        'FILE_QUARANTINED' as rule_code,
        'error' as severity,
        'dbt' as source,
        s.reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        s.periods as period,
        cast(null as {{ type_double() }}) as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected,
        {{ dbt.concat(["'format='", "coalesce(s.file_format, '?')", "'; encoding='", "coalesce(s.encoding, '?')"]) }} as figures,
        {{ dbt.concat(["'tệp '", "s.file_name", "' bị cách ly: '", "coalesce(s.reason, 'không rõ lý do')"]) }} as detail_vi,
        {{ dbt.concat(["'file '", "s.file_name", "' was quarantined: '", "coalesce(s.reason, 'no reason given')"]) }} as detail_en,
        s.file_sha256,
        s.file_name,
        cast(null as {{ dbt.type_int() }}) as row_number,
        cast(null as {{ dbt.type_string() }}) as check_key,
        'stg_raw__submissions' as check_model,
        s.run_id,
        s.ingested_at as detected_at,
        {{ dbt.hash(dbt.concat(["'FILE_QUARANTINED|'", "s.file_sha256"])) }} as issue_id
    from {{ ref('stg_raw__submissions') }} as s
    where s.status = 'quarantined'
),

all_issues as (
    select * from gx_joined
    union all
    select * from rejected_rows
    union all
    select * from quarantined_files
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
        d.figures,
        {{ dbt.concat([
            "case when d.indicator_code is not null and d.locality_code is not null then " ~ dbt.concat(["coalesce(l.short_name_vi, d.locality_code)", "', '"]) ~ " else '' end",
            "case when d.indicator_code is not null then " ~ dbt.concat(["d.indicator_code", "' '", "coalesce(d.period, '')", "': '"]) ~ " else '' end",
            "coalesce(d.detail_vi, dq_checks.title_vi, d.rule_code)"
        ]) }} as message_vi,
        {{ dbt.concat([
            "case when d.indicator_code is not null and d.locality_code is not null then " ~ dbt.concat(["coalesce(l.short_name_vi, d.locality_code)", "', '"]) ~ " else '' end",
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
        d.detected_at
    from deduplicated as d
    left join dq_checks
        on d.rule_code = dq_checks.rule_code
    left join localities as l
        on d.locality_code = l.locality_code
    where d.issue_rank = 1
)

select * from final
