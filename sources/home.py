"""The runtime home (``DOTHI_HOME``): where the inbox, archive, quarantine, warehouse and reports live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "var"
# The events of logs/runs.jsonl that end a run (orchestration/publishing.py writes them; status reads them).
RUN_ENDED_EVENTS = frozenset({"published", "unchanged", "failed", "dead"})


@dataclass(frozen=True)
class DothiHome:
    root: Path

    @classmethod
    def from_env(cls) -> DothiHome:
        # Read at call time, never at import, so tests can point DOTHI_HOME anywhere.
        return cls(Path(os.environ.get("DOTHI_HOME", DEFAULT_HOME)).resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def previous_warehouse(self) -> Path:
        """The warehouse published before the current one (kept by every publish)."""
        return self.root / "warehouse.previous.duckdb"

    @property
    def published_info(self) -> Path:
        """JSON pointer: which run published the live warehouse, when, its checksum and row counts."""
        return self.root / "published.json"

    @property
    def work(self) -> Path:
        """Run-scoped working copies (work/<run_id>/warehouse.duckdb); only the pipeline opens them."""
        return self.root / "work"

    @property
    def dbt_state(self) -> Path:
        """What dbt keeps between runs: partial_parse.msgpack, and ``run``, the link to the running refresh's
        work folder (the path dbt is given; orchestration/resources.py ``dbt_warehouse``)."""
        return self.root / "dbt"

    @property
    def dbt_run_link(self) -> Path:
        return self.dbt_state / "run"

    @property
    def pending(self) -> Path:
        """Journal of files archived but not yet in a published warehouse (archive/pending/<sha>.json)."""
        return self.archive / "pending"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock_file(self) -> Path:
        return self.root / "refresh.lock"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def ensure(self) -> DothiHome:
        for folder in (self.inbox, self.archive, self.quarantine, self.reports, self.dagster_home):
            folder.mkdir(parents=True, exist_ok=True)
        return self
