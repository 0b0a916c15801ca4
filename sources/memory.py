"""Memory the Python side of a refresh gives back between steps.

A refresh runs in one process: the intake, then dbt (a child process), Great Expectations, the reports.
Memory the intake used for its batches (pyarrow's pool, freed heap pages, DuckDB's cache of the blocks it
wrote) would otherwise stay with the process for the rest of the run and add to every later step's peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

# DuckDB caches the blocks it reads and writes up to its memory limit (80 % of RAM by default). The Python
# side's connections need far less: the intake and publish append or export in streams (WRITE), the reports
# and Great Expectations' snapshots read a few columns or a few thousand rows (READ). dbt has its own cap
# (DOTHI_DUCKDB_MEMORY_LIMIT, dbt_project/profiles.yml).
WRITE_MEMORY_LIMIT = "512MB"
READ_MEMORY_LIMIT = "256MB"
# The reports read submitted text (notes, findings) cut to this many characters (outputs/marts.py): a report
# shows a few thousand rows, and rows of megabytes each would not fit READ_MEMORY_LIMIT. The intake's own
# cap on one field is sources/limits.py (DOTHI_MAX_FIELD_CHARS).
REPORT_TEXT_CHARS = 2000


def release_unused_memory() -> None:
    """Return freed memory to the OS: pyarrow's allocator pool, then the C heap (glibc only)."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        libc = ctypes.CDLL(libc_name)
        trim = getattr(libc, "malloc_trim", None)  # glibc; musl and macOS have none
        if trim is not None:
            trim(0)
    except OSError as exc:  # pragma: no cover - platform specific
        log.debug("malloc_trim unavailable: %s", exc)
