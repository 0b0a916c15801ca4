{#- Free text that came from a file (a note, a value as written, a file or member name, a reason quoting a
    cell), cut to var('text_max_chars') characters with "…" when longer. Applied where staging reads the
    raw tables, so no mart or report holds more: the raw layer keeps the text whole, and the archived file
    keeps the bytes. Portable: length() and substring() count characters on DuckDB and Spark alike. -#}
{% macro cut_text(column) -%}
    {%- set limit = var('text_max_chars') | int -%}
    case
        when length({{ column }}) > {{ limit }}
            then {{ dbt.concat(["substring(" ~ column ~ ", 1, " ~ (limit - 1) ~ ")", "'…'"]) }}
        else {{ column }}
    end
{%- endmacro %}
