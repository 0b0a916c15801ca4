"""Data-quality layer: Great Expectations suites (versioned JSON) over the warehouse's tables.

Importing this package is cheap: great_expectations (~6 s to import) is loaded only when a
validation actually runs.

Public API:
- ``validate_warehouse(warehouse, run_id, data_docs_dir=None) -> list[SuiteOutcome]``
- ``SuiteOutcome`` / ``ExpectationOutcome`` and ``summarise`` (plain results, metadata helpers)
- ``load_suites`` / ``suite_tables`` (the suites and the tables they guard, without GX)
"""

from expectations.results import ExpectationOutcome, SuiteOutcome, summarise
from expectations.run import validate_warehouse
from expectations.suites import SuiteSpec, load_suites, suite_tables

__all__ = [
    "ExpectationOutcome",
    "SuiteOutcome",
    "SuiteSpec",
    "load_suites",
    "suite_tables",
    "summarise",
    "validate_warehouse",
]
