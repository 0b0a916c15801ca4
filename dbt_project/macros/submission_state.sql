{#- The columns that say what state a received file is in, with their types: raw.submissions' first reading
    and raw.recovered_files' later one share them, so stg_raw__submissions can union the two. -#}
{% macro submission_state_columns() %}
    {{ return([
        ('file_sha256', dbt.type_string()), ('file_name', dbt.type_string()), ('archive_path', dbt.type_string()),
        ('file_size', dbt.type_bigint()), ('file_format', dbt.type_string()), ('encoding', dbt.type_string()),
        ('sheet_name', dbt.type_string()), ('reporter_code', dbt.type_string()), ('reporter_raw', dbt.type_string()),
        ('reporter_kind', dbt.type_string()), ('periods', dbt.type_string()), ('submitted_at', dbt.type_timestamp()),
        ('received_at', dbt.type_timestamp()), ('ingested_at', dbt.type_timestamp()), ('run_id', dbt.type_string()),
        ('status', dbt.type_string()), ('reason', dbt.type_string()), ('rows_read', dbt.type_int()),
        ('rows_accepted', dbt.type_int()), ('rows_rejected', dbt.type_int()), ('is_synthetic', dbt.type_boolean()),
        ('title_block', dbt.type_string()),
    ]) }}
{% endmacro %}
