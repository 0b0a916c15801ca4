"""Intake of submissions: readers, normalisation, archive/quarantine and loading into DuckDB raw tables.

Plain Python: nothing here imports Dagster, so the intake can be run and tested on its own.
"""
