{#- Custom schemas are used verbatim (reference, staging, intermediate, marts), not prefixed with the
    target schema. Models without a custom schema land in the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
