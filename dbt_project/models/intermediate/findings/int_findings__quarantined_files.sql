{{ config(tags=['dq_findings']) }}
{#- Findings of family intake (FILE_QUARANTINED): every file intake could not read, with its format,
    encoding and the reason; one issue per file. -#}
with findings as (
    {{ submission_finding(
        'FILE_QUARANTINED',
        dbt.concat(["'format='", "coalesce(s.file_format, '?')", "'; encoding='", "coalesce(s.encoding, '?')"]),
        dbt.concat(["'tệp '", "s.file_name", "' bị cách ly: '", "coalesce(s.reason, 'không rõ lý do')"]),
        dbt.concat(["'file '", "s.file_name", "' was quarantined: '", "coalesce(s.reason, 'no reason given')"]),
        "s.status = 'quarantined'") }}
),

{{ dq_finding_rows() }}
