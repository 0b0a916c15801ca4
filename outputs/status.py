"""`dothi status`: where things stand, for the engineer on duty, and whether a person is needed.

Everything here reads small files (logs/runs.jsonl, published.json, the inbox and quarantine folders) and,
in one read-only connection to the published warehouse, two tiny marts (marts.fct_dq_family_counts,
marts.fct_reporter_freshness) and the newest load time of the raw tables dbt checks for freshness
(outputs/raw_freshness.py): no Dagster, no dbt, so it answers in well under a second.
The caller adds what only the orchestration knows (the lock holder, the next scheduled run, the
runs Dagster still shows in progress).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sources.home import RUN_ENDED_EVENTS, DothiHome

if TYPE_CHECKING:
    import duckdb

VIETNAM = timezone(timedelta(hours=7), "ICT")
MAX_AGE_ENV = "DOTHI_MAX_WAREHOUSE_AGE_H"
DEFAULT_MAX_AGE_H = 26.0  # one nightly refresh missed, plus slack for a long night

# Exit codes, most urgent first (README, "dothi status"). 2 is argparse's usage error.
OK = 0
RUN_FAILED = 3  # the last refresh failed, or a run died (its process was killed) and is not yet accounted for
STALE = 4  # no published warehouse, or older than DOTHI_MAX_WAREHOUSE_AGE_H
DATA_NEEDS_PERSON = 5  # open error findings, quarantined files, reporters overdue, no file in the raw error window
WORST_OVERDUE = 5  # reporters named in the status (the mart has them all)
_FINE = {"published", "unchanged"}  # "unchanged": nothing new, nothing to publish


def max_age_hours() -> float:
    try:
        return max(0.0, float(os.environ.get(MAX_AGE_ENV, DEFAULT_MAX_AGE_H)))
    except ValueError:
        return DEFAULT_MAX_AGE_H


def _parse_local(text: str | None) -> datetime | None:
    """A raw-layer timestamp (naive Vietnam time) as an aware datetime."""
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=VIETNAM)


def published_at(home: DothiHome) -> datetime | None:
    """When the live warehouse was published (published.json), else the file's mtime; None without one."""
    if not home.warehouse.exists():
        return None
    try:
        info = json.loads(home.published_info.read_text(encoding="utf-8"))
        stamp = _parse_local(info.get("published_at"))
        if stamp is not None:
            return stamp
    except (OSError, ValueError):
        pass
    return datetime.fromtimestamp(home.warehouse.stat().st_mtime, VIETNAM)


def warehouse_age_hours(home: DothiHome, now: datetime) -> float | None:
    stamp = published_at(home)
    return None if stamp is None else max(0.0, (now - stamp).total_seconds() / 3600)


def _read_events(home: DothiHome) -> list[dict]:
    events: list[dict] = []
    try:
        lines = (home.logs / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # a torn last line from a kill mid-write
    return events


def last_refresh(events: list[dict], running: str | None) -> dict | None:
    """The last run that ended (published, failed or died), with when it started."""
    started = {e["run_id"]: e for e in events if e.get("event") == "started"}
    for event in reversed(events):
        if event.get("event") in RUN_ENDED_EVENTS and event.get("run_id") != running:
            begun = started.get(event["run_id"], {})
            return {
                "run_id": event["run_id"],
                "outcome": event["event"],
                "ended_at": event.get("at"),
                "started_at": begun.get("at"),
                "trigger": event.get("trigger") or begun.get("trigger"),
                "step": event.get("step"),
                "error": event.get("error"),
            }
    return None


def unaccounted_dead_runs(events: list[dict], running: str | None) -> list[str]:
    """Runs that took the lock and never ended, while nobody (or another run) holds it: their process died."""
    ended = {e["run_id"] for e in events if e.get("event") in RUN_ENDED_EVENTS}
    return [
        e["run_id"] for e in events
        if e.get("event") == "started" and e["run_id"] not in ended and e["run_id"] != running
    ]


def _files(folder: Path, skip_suffix: str | None = None) -> list[str]:
    try:
        names = sorted(
            entry.name for entry in os.scandir(folder)
            if entry.is_file() and not entry.name.startswith(".")
            and not (skip_suffix and entry.name.endswith(skip_suffix))
        )
    except OSError:
        return []
    return names


def _open_errors(conn: duckdb.DuckDBPyConnection) -> int | None:
    import duckdb

    try:
        ((total,),) = conn.table("marts.fct_dq_family_counts").aggregate("coalesce(sum(open_errors), 0)").fetchall()
    except duckdb.Error:
        return None
    return int(total)


def _overdue_reporters(conn: duckdb.DuckDBPyConnection) -> dict | None:
    """Reporters with a period past its deadline and nothing received (as of the mart's build), worst first."""
    import duckdb

    try:
        rel = conn.table("marts.fct_reporter_freshness")
        overdue = rel.filter("periods_missing > 0")
        (count, as_of), = overdue.aggregate("count(*), max(as_of_date)").fetchall()
        (expected,), = rel.aggregate("count(*)").fetchall()
        worst = overdue.order(
            "oldest_missing_days_overdue desc nulls last, periods_missing desc, reporter_code"
        ).limit(WORST_OVERDUE).project(
            "reporter_code, reporter_name_vi, reporter_name_en, periods_missing, oldest_missing_days_overdue, "
            "last_due_period, last_received_at"
        )
        columns = worst.columns
        rows = [dict(zip(columns, row, strict=True)) for row in worst.fetchall()]
    except duckdb.Error:
        return None
    for row in rows:
        row["last_received_at"] = row["last_received_at"].isoformat(timespec="seconds") if row[
            "last_received_at"] else None
    return {"count": int(count), "expected_reporters": int(expected),
            "as_of_date": as_of.isoformat() if as_of else None, "worst": rows}


@dataclass
class WarehouseReads:
    open_errors: int | None = None
    overdue_reporters: dict | None = None
    raw_freshness: list[dict] | None = None


def read_warehouse(home: DothiHome, now: datetime) -> WarehouseReads:
    """What the published warehouse says, in one read-only connection (all None when it cannot be read)."""
    if not home.warehouse.exists():
        return WarehouseReads()
    import duckdb

    from outputs.raw_freshness import declared_rules, measure

    try:
        with duckdb.connect(str(home.warehouse), read_only=True) as conn:
            try:
                raw = [t.to_dict() for t in measure(conn, declared_rules(), now)]
            except (OSError, ValueError, KeyError):  # the sources yml unreadable: say unknown, don't fail status
                raw = None
            return WarehouseReads(_open_errors(conn), _overdue_reporters(conn), raw)
    except duckdb.Error:
        return WarehouseReads()


@dataclass
class Status:
    home: str
    checked_at: str
    last_refresh: dict | None
    published: dict | None
    warehouse_age_hours: float | None
    max_age_hours: float
    inbox: list[str]
    quarantine: list[str]
    open_errors: int | None
    overdue_reporters: dict | None  # count, expected_reporters, as_of_date, worst (fct_reporter_freshness)
    raw_freshness: list[dict] | None  # per raw table: newest loaded_at_field, age, dbt's thresholds, status
    lock_holder: dict | None
    next_run: str | None
    dead_runs: list[str]
    in_progress_runs: list[str]
    attention: list[dict] = field(default_factory=list)
    exit_code: int = OK

    def to_dict(self) -> dict:
        return asdict(self)


def collect(
    home: DothiHome,
    now: datetime,
    lock_holder: dict | None,
    next_run: datetime | None,
    in_progress_runs: list[str],
) -> Status:
    events = _read_events(home)
    running = (lock_holder or {}).get("run_id")
    try:
        published = json.loads(home.published_info.read_text(encoding="utf-8")) if home.warehouse.exists() else None
    except (OSError, ValueError):
        published = None
    if published:
        published = {k: published.get(k) for k in ("run_id", "published_at", "previous_run_id", "sha256", "mart_rows")}
    age = warehouse_age_hours(home, now)
    reads = read_warehouse(home, now)
    status = Status(
        home=str(home.root),
        checked_at=now.isoformat(timespec="seconds"),
        last_refresh=last_refresh(events, running),
        published=published,
        warehouse_age_hours=None if age is None else round(age, 2),
        max_age_hours=max_age_hours(),
        inbox=_files(home.inbox),
        quarantine=_files(home.quarantine, skip_suffix=".reason.txt"),
        open_errors=reads.open_errors,
        overdue_reporters=reads.overdue_reporters,
        raw_freshness=reads.raw_freshness,
        lock_holder=lock_holder,
        next_run=next_run.isoformat(timespec="minutes") if next_run else None,
        dead_runs=unaccounted_dead_runs(events, running),
        # A run Dagster shows in progress while no process holds the lock is dead (or waiting for the lock).
        in_progress_runs=[r for r in in_progress_runs if r != running],
    )
    status.attention = _attention(status)
    status.exit_code = min((item["exit_code"] for item in status.attention), default=OK)
    return status


def _short(error: str | None, limit: int = 300) -> str:
    text = " ".join((error or "no error recorded").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attention(s: Status) -> list[dict]:
    items: list[dict] = []

    def need(code: int, en: str, vi: str) -> None:
        items.append({"exit_code": code, "en": en, "vi": vi})

    last = s.last_refresh
    if last and last["outcome"] not in _FINE:
        what = "died" if last["outcome"] == "dead" else "failed"
        where = f" at step {last['step']}" if last.get("step") else ""
        need(RUN_FAILED, f"the last refresh ({last['run_id']}) {what}{where}: {_short(last.get('error'))}",
             f"lần làm mới gần nhất ({last['run_id']}) bị lỗi{where}: {_short(last.get('error'))}")
    if s.dead_runs:
        need(RUN_FAILED, f"{len(s.dead_runs)} run(s) died without ending; the next refresh marks them failed",
             f"{len(s.dead_runs)} lần chạy bị ngắt giữa chừng; lần làm mới sau sẽ đánh dấu là lỗi")
    if s.warehouse_age_hours is None:
        need(STALE, "no published warehouse: run `dothi refresh`", "chưa có kho dữ liệu: chạy `dothi refresh`")
    elif s.warehouse_age_hours > s.max_age_hours:
        need(STALE, f"the warehouse is {s.warehouse_age_hours:.1f} h old (more than {s.max_age_hours:g} h)",
             f"kho dữ liệu đã {s.warehouse_age_hours:.1f} giờ chưa làm mới (quá {s.max_age_hours:g} giờ)")
    if s.open_errors:
        need(DATA_NEEDS_PERSON, f"{s.open_errors} open error finding(s): `dothi quality`",
             f"{s.open_errors} lỗi dữ liệu đang mở: `dothi quality`")
    if s.quarantine:
        need(DATA_NEEDS_PERSON, f"{len(s.quarantine)} quarantined file(s) waiting in {s.home}/quarantine",
             f"{len(s.quarantine)} tệp bị cách ly đang chờ xử lý")
    overdue = s.overdue_reporters
    if overdue and overdue["count"]:
        need(DATA_NEEDS_PERSON,
             f"{overdue['count']} of {overdue['expected_reporters']} reporter(s) overdue (a period past its deadline, "
             f"nothing received, as of {overdue['as_of_date']}): `marts.fct_reporter_freshness`",
             f"{overdue['count']}/{overdue['expected_reporters']} đơn vị quá hạn báo cáo (tính đến "
             f"{overdue['as_of_date']})")
    for table in s.raw_freshness or []:
        if table["status"] == "error" and table["age_hours"] is not None and table["error_after_hours"]:
            need(DATA_NEEDS_PERSON,
                 f"no new row in raw.{table['table']} for {table['age_hours'] / 24:.1f} days (dbt source freshness "
                 f"errors after {table['error_after_hours'] / 24:g}): are files still reaching the inbox?",
                 f"raw.{table['table']} không có dữ liệu mới trong {table['age_hours'] / 24:.1f} ngày: "
                 "tệp có còn đến hộp thư không?")
    return items


def render_text(s: Status) -> str:
    lines = [f"dothi status — {s.home} ({s.checked_at})"]
    last = s.last_refresh
    if last:
        lines.append(f"Last refresh / Lần làm mới gần nhất: {last['outcome']} at {last['ended_at']} "
                     f"(run {last['run_id']}, {last.get('trigger') or '?'})")
        if last["outcome"] not in _FINE:
            lines.append(f"  step {last.get('step') or '?'}: {_short(last.get('error'))}")
    else:
        lines.append("Last refresh / Lần làm mới gần nhất: none recorded")
    if s.published:
        rows = sum((s.published.get("mart_rows") or {}).values())
        lines.append(f"Published / Đã công bố: run {s.published['run_id']} at {s.published['published_at']} "
                     f"({len(s.published.get('mart_rows') or {})} marts, {rows} rows)")
    age = "no warehouse" if s.warehouse_age_hours is None else f"{s.warehouse_age_hours:.1f} h"
    lines.append(f"Warehouse age / Tuổi kho dữ liệu: {age} (max {s.max_age_hours:g} h)")
    lines.append(f"Inbox / Hộp thư đến: {len(s.inbox)} file(s) waiting; quarantine / cách ly: {len(s.quarantine)}")
    errors = "unknown" if s.open_errors is None else str(s.open_errors)
    lines.append(f"Open error findings / Lỗi dữ liệu đang mở: {errors}")
    overdue = s.overdue_reporters
    if overdue is None:
        lines.append("Reporters overdue / Đơn vị quá hạn: unknown (no marts.fct_reporter_freshness)")
    else:
        lines.append(f"Reporters overdue / Đơn vị quá hạn: {overdue['count']} of {overdue['expected_reporters']} "
                     f"(as of {overdue['as_of_date']})")
        for r in overdue["worst"]:
            lines.append(f"  {r['reporter_code']} {r['reporter_name_vi']} / {r['reporter_name_en']}: "
                         f"{r['periods_missing']} period(s) missing / kỳ thiếu, the oldest "
                         f"{r['oldest_missing_days_overdue']} day(s) overdue / ngày quá hạn; last file / tệp gần "
                         f"nhất: {r['last_received_at'] or 'never / chưa có'}")
    for t in s.raw_freshness or []:
        age = "nothing loaded" if t["age_hours"] is None else f"newest {t['max_loaded_at']}, {t['age_hours']:.1f} h"
        lines.append(f"Raw freshness / Độ mới raw.{t['table']} ({t['loaded_at_field']}): {t['status']} — {age} "
                     f"(warn > {t['warn_after_hours']} h, error > {t['error_after_hours']} h)")
    holder = s.lock_holder
    lines.append("Lock / Khóa: " + (f"held by run {holder.get('run_id')} (pid {holder.get('pid')} on "
                                     f"{holder.get('host')}, since {holder.get('since')})" if holder else "free"))
    if s.in_progress_runs:
        lines.append(f"Runs shown in progress by Dagster without holding the lock: {', '.join(s.in_progress_runs)}")
    lines.append(f"Next scheduled run / Lần chạy kế tiếp: {s.next_run or 'unknown'}")
    if s.attention:
        lines.append("")
        lines.append("Needs a person / Cần người xử lý:")
        lines.extend(f"  - {item['en']} / {item['vi']}" for item in s.attention)
    else:
        lines.append("All well / Mọi thứ bình thường.")
    return "\n".join(lines)
