"""What people see: the Excel progress report, the HTML dashboard and submission templates.

Plain Python (no Dagster import): it reads the public marts through read-only DuckDB connections and
the reference seeds through ``sources.reference``. Orchestration (``orchestration/defs/reports.py``)
and the CLI (``dothi report``, ``dothi template``) call into it.
"""
