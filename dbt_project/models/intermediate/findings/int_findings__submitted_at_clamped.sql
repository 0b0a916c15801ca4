{{ config(tags=['dq_findings']) }}
{#- Findings of family intake (SUBMITTED_AT_CLAMPED): intake clamped a submission date after the
    ingestion time (issue 12); the note stands in the file's title block ("_submitted_at_clamped";
    plain LIKE, no JSON functions: portable). One issue per file. -#}
with findings as (
    {{ submission_finding(
        'SUBMITTED_AT_CLAMPED',
        dbt.concat(["'submitted_at='", "coalesce(cast(s.submitted_at as " ~ dbt.type_string() ~ "), '?')"]),
        dbt.concat(["'tệp '", "s.file_name", "': ngày gửi sau thời điểm tiếp nhận, đã lấy bằng lúc tiếp nhận'"]),
        dbt.concat(["'file '", "s.file_name", "': submission date after the ingestion time, clamped to it'"]),
        "s.title_block like '%\"_submitted_at_clamped%'") }}
),

{{ dq_finding_rows() }}
