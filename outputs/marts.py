"""Read the public marts (read-only) into pandas frames, tolerating marts that are not built yet.

The outputs show exactly what a BI tool would see: only ``marts.*`` is read, never the layers below.
A missing mart is recorded in ``MartSet.missing`` so each output can say so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

PROVINCE_CODE = "56"
MARTS = (
    "dim_locality",
    "dim_indicator",
    "dim_period",
    "fct_submissions",
    "fct_indicator_values",
    "fct_target_gaps",
    "fct_dq_issues",
    # Being added by the data-quality work: optional everywhere.
    "fct_reconciliation",
    "fct_reporting_completeness",
)


@dataclass
class MartSet:
    warehouse: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    # Lookups derived from the frames (e.g. locality names per language), built once: outputs call them
    # per row, and at commune scale there are thousands of localities and tens of thousands of rows.
    memo: dict[object, object] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)

    def has(self, name: str, *columns: str) -> bool:
        frame = self.frames.get(name)
        return frame is not None and all(c in frame.columns for c in columns)

    @property
    def is_synthetic(self) -> bool:
        """True when any figure or file in the warehouse is labelled synthetic (the bundled sample)."""
        for name in ("fct_indicator_values", "fct_submissions"):
            frame = self.frames.get(name)
            if frame is not None and "is_synthetic" in frame.columns and frame["is_synthetic"].fillna(False).any():
                return True
        return False

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.frames.items()}


def read_marts(warehouse: Path | str, names: tuple[str, ...] = MARTS) -> MartSet:
    marts = MartSet(warehouse=str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for name in names:
            try:
                marts.frames[name] = conn.table(f"marts.{name}").df()
            except duckdb.CatalogException:
                marts.missing.append(name)
    return marts
