"""Data-quality layer: Great Expectations suites (versioned JSON) over the warehouse's tables.

Importing this package is cheap: great_expectations (~6 s to import) is loaded only when a
validation actually runs.

At scale, tables are copied to Parquet (only the columns the suites read) and validated in chunks of
``DOTHI_GX_CHUNK_ROWS`` rows (default 250,000); uniqueness runs in DuckDB. See ``plan.py``.

Public API:
- ``validate_warehouse(warehouse, run_id, data_docs_dir=None) -> list[SuiteOutcome]``
- ``validate_tables(warehouse, specs) -> list[SuiteOutcome]`` (validate without storing: the intake check)
- ``SuiteOutcome`` / ``ExpectationOutcome`` and ``summarise`` (plain results, metadata helpers)
- ``load_suites`` / ``suite_tables`` (the suites and the tables they guard, without GX)
"""

from typing import TYPE_CHECKING

from expectations.results import ExpectationOutcome, SuiteOutcome, summarise
from expectations.suites import SuiteSpec, load_suites, suite_tables

if TYPE_CHECKING:
    from expectations.run import validate_tables, validate_warehouse


def __getattr__(name: str) -> object:
    # expectations.run imports duckdb and pyarrow: not at Dagster definitions load, only when validating.
    if name in ("validate_tables", "validate_warehouse"):
        from expectations import run

        return getattr(run, name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")

__all__ = [
    "ExpectationOutcome",
    "SuiteOutcome",
    "SuiteSpec",
    "load_suites",
    "suite_tables",
    "summarise",
    "validate_tables",
    "validate_warehouse",
]
