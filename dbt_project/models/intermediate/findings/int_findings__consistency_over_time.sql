{{ config(tags=['dq_findings']) }}
{#- Findings of family consistency_over_time (CONSISTENCY_OVER_TIME, CUMULATIVE_DECREASE): every value
    int_checks__consistency_over_time flags, against the mean of the previous periods or, for a
    cumulative count, against the previous period. -#}
{%- set time_rule = "case when c.check_type = 'cumulative_decrease' then 'CUMULATIVE_DECREASE'"
    ~ " else 'CONSISTENCY_OVER_TIME' end" %}
{%- set is_cumulative = "c.check_type = 'cumulative_decrease'" %}
{%- set previous_count = "cast(c.previous_count as " ~ dbt.type_string() ~ ")" %}
with this_run as (
    {{ dq_this_run() }}
),

findings as (
    select
        {{ dbt_check_rule(time_rule) }},
        c.reporter_code,
        c.locality_code,
        c.indicator_code,
        c.period,
        c.value as observed_value,
        case
            when {{ is_cumulative }}
                then {{ dbt.concat(["'>= '", fmt_num('c.previous_value'), "' ('", "c.previous_period", "')'"]) }}
            else {{ dbt.concat([
                "'mean of previous '", previous_count, "' = '", fmt_num('c.previous_mean'),
                "' ± '", fmt_num('c.threshold_pct', 0), "' %'"
            ]) }}
        end as expected,
        case
            when {{ is_cumulative }} then c.previous_value
            else c.previous_mean * (1 - c.threshold_pct / 100.0)
        end as expected_low,
        case
            when {{ is_cumulative }} then cast(null as {{ type_double() }})
            else c.previous_mean * (1 + c.threshold_pct / 100.0)
        end as expected_high,
        {{ dbt.concat([
            "'value='", fmt_num('c.value'), "'; previous='", fmt_num('c.previous_value'),
            "'; previous_mean='", fmt_num('c.previous_mean'), "'; change='", fmt_num('c.change_pct', 1), "' %'"
        ]) }} as figures,
        case
            when {{ is_cumulative }}
                then {{ dbt.concat([
                "'số lũy kế giảm từ '", fmt_num('c.previous_value'), "' (kỳ '", "c.previous_period",
                "') xuống '", fmt_num('c.value')
            ]) }}
            else {{ dbt.concat([
                "'giá trị '", fmt_num('c.value'), "' thay đổi '", fmt_num('c.change_pct', 1),
                "' % so với trung bình '", previous_count, "' kỳ trước ('", fmt_num('c.previous_mean'),
                "'), ngưỡng ± '", fmt_num('c.threshold_pct', 0), "' %'"
            ]) }}
        end as detail_vi,
        case
            when {{ is_cumulative }}
                then {{ dbt.concat([
                "'cumulative count fell from '", fmt_num('c.previous_value'), "' ('", "c.previous_period",
                "') to '", fmt_num('c.value')
            ]) }}
            else {{ dbt.concat([
                "'value '", fmt_num('c.value'), "' changed '", fmt_num('c.change_pct', 1),
                "' % against the mean of the previous '", previous_count, "' periods ('", fmt_num('c.previous_mean'),
                "'), threshold ± '", fmt_num('c.threshold_pct', 0), "' %'"
            ]) }}
        end as detail_en,
        c.locality_short_name_vi,  -- the unit's name at the period (dq_finding_rows' name_at_period)
        {{ dbt_check_lineage('int_checks__consistency_over_time', time_rule) }}
    where c.is_flagged
),

{{ dq_finding_rows(name_at_period='locality_short_name_vi') }}
