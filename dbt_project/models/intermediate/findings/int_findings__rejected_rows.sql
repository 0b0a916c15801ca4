{{ config(tags=['dq_findings']) }}
{#- Findings of family intake (INTAKE_ROW_REJECTED): every field of a row intake refused, with the
    value as sent, the reason and intake's suggestion; one issue per file, row and field. A row recovered from
    the archive since (`dothi reprocess`) is a figure now: its findings close. -#}
{%- set row_text = "cast(r.row_number as " ~ dbt.type_string() ~ ")" %}
with findings as (
    select
        {{ dbt_check_rule("'INTAKE_ROW_REJECTED'") }},
        r.reporter_code,
        cast(null as {{ dbt.type_string() }}) as locality_code,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        r.period,
        cast(null as {{ type_double() }}) as observed_value,
        r.suggestion as expected,
        cast(null as {{ type_double() }}) as expected_low,
        cast(null as {{ type_double() }}) as expected_high,
        {{ dbt.concat(["r.field", "'='", "coalesce(r.value_raw, '')"]) }} as figures,
        {{ dbt.concat([
            "'tệp '", "r.file_name", "', dòng '", row_text, "', trường '", "r.field",
            "' (\"'", "coalesce(r.value_raw, '')", "'\"): '", "r.reason"
        ]) }} as detail_vi,
        {{ dbt.concat([
            "'file '", "r.file_name", "', row '", row_text, "', field '", "r.field",
            "' (\"'", "coalesce(r.value_raw, '')", "'\"): '", "r.reason"
        ]) }} as detail_en,
        r.file_sha256,
        r.file_name,
        r.row_number,
        cast(null as {{ dbt.type_string() }}) as check_key,
        'stg_raw__rejected_rows' as check_model,
        r.run_id,
        r.ingested_at as detected_at,
        {{ dbt.hash(dbt.concat([
            "'INTAKE_ROW_REJECTED|'", "r.file_sha256", "'|'", row_text, "'|'", "r.field"
        ])) }} as issue_id
    from {{ ref('stg_raw__rejected_rows') }} as r
    where not exists (
        select 1 from {{ ref('stg_raw__recovered_rows') }} as v
        where v.file_sha256 = r.file_sha256 and v.row_number = r.row_number
    )
),

{{ dq_finding_rows() }}
