"""Replaying the archive (phát lại kho lưu trữ): what a lost warehouse could be rebuilt from.

Every file intake ever read is kept under ``archive/<sha[:2]>/<sha>.<ext>``; ``raw.submissions`` says
what each one was called, when it was received and when it was submitted. A rebuild journals every
archived file into a fresh home (the journal a crashed run would leave: ``archive/pending``), so the
fresh refresh re-reads them from the archive with their original names, received and submitted times,
in the order they were first received, as of the day the published marts report (``reported_as_of``).
Then its marts are compared with the published ones.

Columns that name the run or the moment of loading cannot match (a rebuild is a new run); findings
history (first/last seen, resolved) only exists in the warehouse that lived through those nights:
both are left out of the comparison, by name (``VOLATILE_COLUMNS``, ``HISTORY``; docs/reliability.md).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sources.approvals import log_path
from sources.home import DothiHome
from sources.inbox import PendingFile, sha256_hex, write_pending

if TYPE_CHECKING:
    import duckdb

VIETNAM = timezone(timedelta(hours=7), "ICT")

# Columns that say which run loaded a row and when: a rebuild is another run.
VOLATILE_COLUMNS = frozenset({"run_id", "ingested_at", "detected_at"})
SIGNIFICANT_DIGITS = 12
DECIMALS = 9
# Findings history: built up night after night by the living warehouse, not by the files.
HISTORY_COLUMNS = {
    "fct_dq_issues": frozenset({
        "first_seen_run_id", "first_seen_at", "last_seen_run_id", "last_seen_at", "resolved_run_id",
        "resolved_at",
    }),
    "fct_dq_family_counts": frozenset({"new_this_run", "resolved_total"}),
}
# Findings resolved on an earlier night exist only in that history: only open findings are compared.
HISTORY_ROWS = {"fct_dq_issues": "status = 'open'"}


def archived_files(warehouse: Path) -> list[PendingFile]:
    """Every file the warehouse holds, as journal entries, first received first."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.table("raw.submissions").project(
            "file_sha256, archive_path, file_name, submitted_at, received_at, ingested_at, run_id, title_block"
        ).order("coalesce(received_at, ingested_at), ingested_at, file_sha256").fetchall()
    entries: list[PendingFile] = []
    for sha, archive_path, name, submitted, received, ingested, run_id, title_block in rows:
        if not archive_path:
            continue
        received = received or ingested
        # Intake falls back to the file's mtime for submitted_at: the original value, as an mtime.
        mtime = (submitted or received).replace(tzinfo=VIETNAM).astimezone(UTC)
        try:
            block = json.loads(title_block) if title_block else {}
        except ValueError:
            block = {}
        container = block.get("_zip_archive") if isinstance(block, dict) else None
        entries.append(PendingFile(
            sha, archive_path, name, mtime, received, str(run_id or ""),
            {str(k): str(v) for k, v in container.items()} if isinstance(container, dict) else None,
        ))
    return entries


def reported_as_of(warehouse: Path) -> date | None:
    """The day the published marts report as of (the day of the run that built them).

    A rebuild runs as of that day: whether a report is late or missing depends on the day, so only then is
    the comparison like with like. None when the marts say nothing (no reporting calendar, an old build).
    """
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        try:
            row = conn.execute("select max(as_of_date) from marts.fct_reporter_freshness").fetchone()
        except duckdb.CatalogException:
            return None
    return row[0] if row else None


def missing_from_archive(home: DothiHome, entries: list[PendingFile]) -> list[dict]:
    """Archived files that are gone or whose bytes no longer match their hash."""
    missing: list[dict] = []
    for entry in entries:
        path = home.root / entry.archive_path
        if not path.is_file():
            missing.append({"file_name": entry.file_name, "archive_path": entry.archive_path, "problem": "missing"})
        elif sha256_hex(path.read_bytes()) != entry.sha256:
            missing.append({"file_name": entry.file_name, "archive_path": entry.archive_path, "problem": "changed"})
    return missing


def seed_home(source: DothiHome, target: DothiHome, entries: list[PendingFile]) -> None:
    """A fresh home holding the archived files and the journal that makes its first refresh load them,
    and the approval log: approvals are an input of the marts, kept outside the warehouse, and the
    rebuilt marts must carry the published approvals (and their frozen figures)."""
    target.ensure()
    if log_path(source).is_file():
        log_path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(log_path(source), log_path(target))
    for entry in entries:
        paths = [entry.archive_path, *([entry.container["archive_path"]] if entry.container else [])]
        for rel in paths:
            src, dst = source.root / rel, target.root / rel
            if src.is_file() and not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
    write_pending(target, entries)


def requeue(home: DothiHome, entries: list[PendingFile]) -> int:
    """Journal archived files so the next refresh loads them again (after a rollback dropped them)."""
    write_pending(home, entries)
    return len(entries)


@dataclass(frozen=True)
class MartComparison:
    mart: str
    published_rows: int
    rebuilt_rows: int
    only_published: int  # distinct rows of the published mart missing from the rebuild
    only_rebuilt: int
    compared_columns: int
    left_out: list[str]
    rows_compared: str  # "all" or the filter (findings history aside)

    @property
    def equal(self) -> bool:
        return self.only_published == 0 and self.only_rebuilt == 0 and self.published_rows == self.rebuilt_rows

    def to_dict(self) -> dict:
        return {**asdict(self), "equal": self.equal}


def _columns(conn: duckdb.DuckDBPyConnection, db: str, mart: str) -> list[str]:
    return list(conn.table(f"{db}.marts.{mart}").columns)


def _compared(column: str, dtype: str) -> str:
    """A column as compared: doubles at 12 significant digits and 9 decimals (the last bits of a sum depend
    on the order in which DuckDB's threads add it up, which differs from one build to the next; a difference
    of two such sums is then noise around zero)."""
    quoted = '"' + column.replace('"', '""') + '"'
    rounded = f"printf('%.{SIGNIFICANT_DIGITS}g', round({quoted}, {DECIMALS}))"
    return f"{rounded} as {quoted}" if dtype in {"DOUBLE", "FLOAT"} else quoted


def _count(rel: duckdb.DuckDBPyRelation) -> int:
    return int(rel.aggregate("count(*)").fetchall()[0][0])


def compare_marts(published: Path, rebuilt: Path) -> list[MartComparison]:
    """Per mart of the published warehouse: rows on each side and rows found on one side only."""
    import duckdb

    out: list[MartComparison] = []
    with duckdb.connect() as conn:
        conn.execute("attach ? as pub (read_only)", [str(published)])
        conn.execute("attach ? as reb (read_only)", [str(rebuilt)])
        marts = [name for (name,) in conn.table("information_schema.tables").filter(
            "table_catalog = 'pub' and table_schema = 'marts'").project("table_name").order("table_name").fetchall()]
        rebuilt_marts = {name for (name,) in conn.table("information_schema.tables").filter(
            "table_catalog = 'reb' and table_schema = 'marts'").project("table_name").fetchall()}
        for mart in marts:
            if mart not in rebuilt_marts:
                count = _count(conn.table(f"pub.marts.{mart}"))
                out.append(MartComparison(mart, count, 0, count, 0, 0, [], "all"))
                continue
            left_out = VOLATILE_COLUMNS | HISTORY_COLUMNS.get(mart, frozenset())
            both = set(_columns(conn, "reb", mart))
            cols = [c for c in _columns(conn, "pub", mart) if c in both and c not in left_out]
            dropped = sorted(c for c in _columns(conn, "pub", mart) if c not in cols)
            where = HISTORY_ROWS.get(mart)
            sides = []
            for db in ("pub", "reb"):
                rel = conn.table(f"{db}.marts.{mart}")
                if where:
                    rel = rel.filter(where)
                types = dict(zip(rel.columns, (str(t) for t in rel.dtypes), strict=True))
                sides.append(rel.project(", ".join(_compared(c, types[c]) for c in cols)))
            pub_rel, reb_rel = sides
            counts = [_count(rel) for rel in sides]
            only_pub = _count(pub_rel.except_(reb_rel))
            only_reb = _count(reb_rel.except_(pub_rel))
            out.append(MartComparison(mart, counts[0], counts[1], only_pub, only_reb, len(cols), dropped,
                                      where or "all"))
    return out


def now_stamp() -> str:
    return datetime.now(VIETNAM).strftime("%Y%m%dT%H%M%S")
