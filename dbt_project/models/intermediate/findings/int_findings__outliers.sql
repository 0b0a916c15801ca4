{{ config(tags=['dq_findings']) }}
{#- Findings of family outliers (OUTLIER_ACROSS_LOCALITIES, OUTLIER_OVER_TIME): every value
    int_checks__outliers scores beyond its threshold, with the group's median, MAD and score. An extreme
    outlier (z-score method) takes the catalogue's escalated severity. -#}
{%- set outlier_rule = "case when c.comparison = 'across_localities' then 'OUTLIER_ACROSS_LOCALITIES'"
    ~ " else 'OUTLIER_OVER_TIME' end" %}
{%- set group_size = "cast(c.group_size as " ~ dbt.type_string() ~ ")" %}
{%- set scores_vi = [
    "' (trung vị '", fmt_num('c.group_median'), "', điểm '", fmt_num('c.score'), "', ngưỡng '", fmt_num('c.threshold'), "')'"
] %}
{%- set scores_en = [
    "' (median '", fmt_num('c.group_median'), "', score '", fmt_num('c.score'), "', threshold '", fmt_num('c.threshold'), "')'"
] %}
with this_run as (
    {{ dq_this_run() }}
),

findings as (
    select
        {{ dbt_check_rule(outlier_rule, "c.outlier_class = 'extreme'") }},
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        {{ dbt.concat(["c.method", "' |score| <= '", fmt_num('c.threshold')]) }} as expected,
        case
            when c.method = 'z_score' then c.group_mean - c.threshold * c.group_sd
            else c.group_median - c.threshold * c.group_mad / 0.6745
        end as expected_low,
        case
            when c.method = 'z_score' then c.group_mean + c.threshold * c.group_sd
            else c.group_median + c.threshold * c.group_mad / 0.6745
        end as expected_high,
        {{ dbt.concat([
            "'value='", fmt_num('c.value'), "'; median='", fmt_num('c.group_median'), "'; MAD='", fmt_num('c.group_mad'),
            "'; score='", fmt_num('c.score'), "'; n='", group_size
        ]) }} as figures,
        case
            when c.comparison = 'across_localities'
                then
            {{ dbt.concat([
                "'giá trị '", fmt_num('c.value'), "' khác thường so với '", group_size, "' địa phương cùng kỳ'"
            ] + scores_vi) }}
            else
            {{ dbt.concat([
                "'giá trị '", fmt_num('c.value'), "' khác thường so với '", group_size, "' kỳ của chính địa phương'"
            ] + scores_vi) }}
        end as detail_vi,
        case
            when c.comparison = 'across_localities'
                then
            {{ dbt.concat([
                "'value '", fmt_num('c.value'), "' is unusual among the '", group_size, "' localities of the period'"
            ] + scores_en) }}
            else
            {{ dbt.concat([
                "'value '", fmt_num('c.value'), "' is unusual in the locality''s own '", group_size, "' periods'"
            ] + scores_en) }}
        end as detail_en,
        c.locality_short_name_vi,  -- the unit's name at the period (dq_finding_rows' name_at_period)
        {{ dbt_check_lineage('int_checks__outliers', outlier_rule) }}
    where c.is_outlier
),

{{ dq_finding_rows(name_at_period='locality_short_name_vi') }}
