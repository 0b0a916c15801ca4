"""The Dagster instance a CLI refresh records its run in: DAGSTER_HOME's, with a cheaper event log writer.

Dagster's SQLite event log opens a new engine and connection for every write and closes it again; in
WAL mode that is an fsync per commit plus a checkpoint (two more fsyncs) per close, and a refresh writes
~700 events (every dbt node is a materialisation or an asset check): 10–50 ms each on this disk, i.e.
7–35 s per refresh. The writer below keeps one engine (and an open connection) per shard and sets
``synchronous=NORMAL``, which in WAL mode is corruption-safe (a power cut may lose the last commits of the
run history, never the database). Same files, same schema: ``dothi ui`` and the daemon read them as usual
with Dagster's own storage. Only the CLI's process writes this way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as db
import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# dagster.yaml keys that choose another storage (e.g. Postgres): then the instance is used as configured.
_STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


def _relaxed_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one pooled engine per shard and no fsync per commit."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=4,
                # The storage serialises access with its own lock; the event log watcher uses other threads.
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _relaxed_sync)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Same contract as the parent's: one transaction per call, under the storage's lock.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()  # closing the last connection checkpoints the WAL into the database
            self._engines.clear()


def refresh_instance(dagster_home: Path) -> DagsterInstance:
    """DAGSTER_HOME's instance, writing events through :class:`PooledSqliteEventLogStorage` when the
    home uses the default SQLite storage (a custom storage in dagster.yaml is left alone)."""
    config_file = dagster_home / "dagster.yaml"
    config = (yaml.safe_load(config_file.read_text(encoding="utf-8")) if config_file.exists() else None) or {}
    if any(key in config for key in _STORAGE_KEYS):
        return DagsterInstance.from_config(str(dagster_home))
    event_log = {
        "module": __name__,
        "class": PooledSqliteEventLogStorage.__name__,
        # Where the default storage keeps the per-run event logs (DagsterSqliteStorage: history/runs/).
        "config": {"base_dir": str(dagster_home / "history" / "runs")},
    }
    ref = InstanceRef.from_dir(str(dagster_home), overrides={"event_log_storage": event_log})
    return DagsterInstance.from_ref(ref)
