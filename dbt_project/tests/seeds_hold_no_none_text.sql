{#- No seeded text is the word None: a loader that writes a missing value as Python's str(None) (dbt-spark's
    session mode did, macros/spark_seeds.sql) would turn every empty cell into 'None', silently wrong
    downstream (an outlier method, a calendar's last period). Every text column of every seed, on every
    adapter; one row per (seed, column) holding it. -#}
-- depends_on: {{ ref('crosswalk_shares') }}
-- depends_on: {{ ref('crosswalk_units') }}
-- depends_on: {{ ref('dq_checks') }}
-- depends_on: {{ ref('dq_indicator_settings') }}
-- depends_on: {{ ref('dq_rules') }}
-- depends_on: {{ ref('indicator_aliases') }}
-- depends_on: {{ ref('indicators') }}
-- depends_on: {{ ref('localities') }}
-- depends_on: {{ ref('locality_aliases') }}
-- depends_on: {{ ref('programmes') }}
-- depends_on: {{ ref('reporter_aliases') }}
-- depends_on: {{ ref('reporters') }}
-- depends_on: {{ ref('reporting_calendar') }}
-- depends_on: {{ ref('series_breaks') }}
-- depends_on: {{ ref('targets') }}
{%- set checks = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.package_name == project_name -%}
        {%- set relation = ref(node.name) -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.is_string() -%}
            {%- do checks.append((node.name, column.name, relation)) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
select
    'none' as seed_name,
    'none' as column_name,
    0 as none_rows
where 1 = 0
{%- for seed_name, column_name, relation in checks %}
union all
select
    '{{ seed_name }}' as seed_name,
    '{{ column_name }}' as column_name,
    count(*) as none_rows
from {{ relation }}
where {{ column_name }} = 'None'
having count(*) > 0
{%- endfor %}
