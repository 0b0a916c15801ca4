"""The refresh summary people read after a run: files, flags, and who is furthest from target — per map.

It only reads the public marts (read-only), so it shows exactly what a BI tool would see.

Since 01/07/2025 there are two maps (``fct_target_gaps.map_code``), and the province code '56' names a
different unit on each: **Resolution 06's map** (``nq06_map``: old Khánh Hòa 56@2020-01-01 and its nine
districts; 2025-H2 and the year 2025 rolled up from the new units) and **the current map**
(``current_map``: the merged province 56@2025-07-01 and its 65 units, with placeholder targets). The
summary speaks of each map under its own heading and names units by ``locality_key`` (a code alone is
ambiguous: 22411 was Phường Cam Phúc Bắc and is Phường Bắc Cam Ranh). A short transition line says how
many figures were rolled up from the other map's units, how many roll-ups are incomplete, and how many
rows the intake refused for naming a unit outside its validity.

JSON (``refresh_summary.json``, ``dothi refresh --json``): the keys of earlier versions keep their meaning
(``furthest_indicators`` / ``furthest_localities`` are Resolution 06's map, the programme the province
reviews; ``localities_with_values`` counts unit versions); ``maps`` and ``transition`` are added.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from duckdb import ColumnExpression as Col
from duckdb import ConstantExpression as Const
from duckdb import Expression
from duckdb import FunctionExpression as Fn

from outputs.marts import connect_read_only

TOP_N = 5

NQ06_MAP, CURRENT_MAP = "nq06_map", "current_map"
MAP_TITLES = {
    NQ06_MAP: "Resolution 06 (old Khánh Hòa, 9 districts; 2025 rolled up from the new units)",
    CURRENT_MAP: "Merged province (65 units; placeholder targets)",
}
UNIT_WORDS = {NQ06_MAP: "Districts", CURRENT_MAP: "Units"}
# The intake's reason for a name or code outside its validity (sources/normalize/unit_versions.py):
# "'Huyện Diên Khánh' (574) ended on 2025-06-30; for 2026 report its successors: …" / "… began on …".
OUT_OF_VALIDITY = r"(ended|began) on \d{4}-\d{2}-\d{2}"

GAP_COLUMNS = (
    "map_code", "locality_key", "locality_code", "is_province", "indicator_code", "period", "actual",
    "target_value", "target_year", "achievement_pct", "progress_class", "is_placeholder", "actual_is_rolled_up",
    "actual_pieces_reported", "actual_pieces_expected",
)


def _gaps(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """fct_target_gaps with each unit's name by its version (a code alone names two units since 2025)."""
    names = conn.table("marts.dim_locality").select(Col("locality_key"), Col("name_vi").alias("locality_name_vi"))
    gaps = conn.table("marts.fct_target_gaps").select(*(Col(c) for c in GAP_COLUMNS))
    frame = gaps.join(names, "locality_key", "left").df()
    return frame.rename(columns={
        "actual_is_rolled_up": "is_rolled_up", "actual_pieces_reported": "pieces_reported",
        "actual_pieces_expected": "pieces_expected",
    }).assign(is_complete=lambda f: f["pieces_reported"] == f["pieces_expected"])


def _count(table: duckdb.DuckDBPyRelation, condition: Expression | None = None) -> int:
    rows = table if condition is None else table.filter(condition)
    return int(rows.aggregate([Fn("count", Const(1))]).fetchall()[0][0])


def _transition(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How the reorganisation shows in the marts: roll-ups (and the incomplete ones) per map, and the rows
    the intake refused for naming a unit outside its validity."""
    nq06 = conn.table("marts.fct_indicator_values_nq06_map")
    current = conn.table("marts.fct_indicator_values_current_map")
    rolled, incomplete = Col("is_rolled_up"), Col("is_rolled_up") & ~Col("is_complete")
    rejected = conn.table("marts.fct_dq_issues").filter(
        (Col("rule_code") == Const("INTAKE_ROW_REJECTED")) & (Col("status") == Const("open")))
    return {
        "rolled_up_nq06": _count(nq06, rolled),
        "rolled_up_nq06_incomplete": _count(nq06, incomplete),
        "mapped_forward_current": _count(current, rolled),
        "mapped_forward_current_incomplete": _count(current, incomplete),
        "rows_refused_out_of_validity": _count(
            rejected, Fn("regexp_matches", Col("message_en"), Const(OUT_OF_VALIDITY))),
        "rows_refused": _count(rejected),
    }


def _values_by_map(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        map_code: int(conn.table(f"marts.{mart}").aggregate([Fn("count", Col("value"))]).fetchall()[0][0])
        for map_code, mart in ((NQ06_MAP, "fct_indicator_values_nq06_map"),
                               (CURRENT_MAP, "fct_indicator_values_current_map"))
    }


def _approvals(conn: duckdb.DuckDBPyConnection) -> dict:
    """How many official values are approved (per period), and how many revisions after approval wait
    (each is a REVISION_AFTER_APPROVAL finding; ``dothi unapprove`` lets one take effect)."""
    values = conn.table("marts.fct_indicator_values")
    if "approval_status" not in values.columns:  # a warehouse published before approvals
        return {}
    approved = values.filter(Col("approval_status") == Const("approved"))
    by_period = approved.aggregate([Col("period"), Fn("count", Const(1))], "period").order("period").fetchall()
    return {
        "values": _count(values, Col("value").isnotnull()),
        "values_approved": _count(approved),
        "approved_by_period": {str(period): int(n) for period, n in by_period},
        "revisions_waiting": _count(values, Col("revision_value").isnotnull()),
    }


def _approvals_line(a: dict) -> str:
    periods = ", ".join(f"{p}: {n}" for p, n in a.get("approved_by_period", {}).items())
    return (f"Approvals (phê duyệt): {a.get('values_approved', 0)} of {a.get('values', 0)} value(s) approved"
            + (f" ({periods})" if periods else "")
            + f"; {a.get('revisions_waiting', 0)} revision(s) after approval waiting (not applied)")


def _review_counts(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    keys = ["programme_code", "map_code", "review_period", "review_status"]
    return conn.table("marts.fct_programme_review").aggregate(
        [*(Col(k) for k in keys), Fn("count", Const(1))], ", ".join(keys)).order("programme_code, review_status"
    ).fetchall()


@dataclass
class RefreshSummary:
    files: dict[str, int] = field(default_factory=dict)
    flags_by_severity: dict[str, int] = field(default_factory=dict)
    flags_by_rule: dict[str, int] = field(default_factory=dict)
    furthest_localities: list[dict] = field(default_factory=list)  # Resolution 06's map (kept for readers)
    furthest_indicators: list[dict] = field(default_factory=list)  # Resolution 06's map, province rows
    localities_with_values: int = 0  # unit versions below the province with at least one value
    warehouse: str = ""
    maps: list[dict] = field(default_factory=list)  # per map: title, furthest province / unit lines, counts
    transition: dict = field(default_factory=dict)  # roll-ups, incomplete roll-ups, rows refused
    # per programme: review period and its targets by review_status (fct_programme_review)
    reviews: list[dict] = field(default_factory=list)
    # this run's inbox entries not read, or read with a remark (folders, FIFOs, symlinks, files still
    # being written, undecodable names): {"name", "kind", "reason"}, from the intake step's note
    inbox: list[dict] = field(default_factory=list)
    # values approved (dothi approve), per period, and revisions after approval waiting
    approvals: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        lines = [f"Warehouse: {self.warehouse}"]
        lines.append(
            "Files: " + ", ".join(f"{n} {status}" for status, n in sorted(self.files.items())) if self.files
            else "Files: none received yet"
        )
        lines.append(
            "Flags: " + ", ".join(f"{n} {sev}" for sev, n in sorted(self.flags_by_severity.items()))
            if self.flags_by_severity else "Flags: none"
        )
        for rule, n in sorted(self.flags_by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {rule}: {n}")
        maps = self.maps or [{  # a summary written before the maps were split
            "title": "Province and localities", "units_word": "Localities",
            "furthest_indicators": self.furthest_indicators, "furthest_localities": self.furthest_localities,
        }]
        reviews: dict[str, dict] = {}
        for review in self.reviews:  # the primary programme first: one final review per map
            reviews.setdefault(review["map_code"], review)
        for item in maps:
            lines.append(f"{item['title']}:")
            if (final := reviews.get(item.get("map_code") or "")) is not None:  # older summaries: no map_code
                lines.append(_review_line(final))
            lines.append("  Province indicators furthest from target (achievement %):")
            lines += [_gap_line(row) for row in item["furthest_indicators"]] or [_none_line(item)]
            lines.append(f"  {item.get('units_word', 'Localities')} furthest from target (achievement %):")
            lines += [_gap_line(row) for row in item["furthest_localities"]] or [_none_line(item)]
        if self.transition:
            lines.append(_transition_line(self.transition))
        if self.approvals:
            lines.append(_approvals_line(self.approvals))
        if self.inbox:
            lines.append(f"Inbox entries not read, or read with a remark ({len(self.inbox)}):")
            lines += [f"  {item['name']}: {item['reason']}" for item in self.inbox]
        return "\n".join(lines)


def _none_line(item: dict) -> str:
    if item.get("values_count") == 0:
        return "    (no targets assessable: no figures on this map yet)"
    return "    (no targets assessable)"


def _gap_line(row: dict) -> str:
    placeholder = " [placeholder target]" if row.get("is_placeholder") else ""
    rolled = ""
    if row.get("is_rolled_up"):
        pieces = ""
        if row.get("pieces_expected"):
            pieces = f", {row.get('pieces_reported') or 0}/{row['pieces_expected']} units"
        rolled = f" [rolled up{pieces}{'' if row.get('is_complete') is not False else ', incomplete'}]"
    return (
        f"    {row['locality_name_vi']} ({row['locality_code']}) · {row['indicator_code']} {row['period']}: "
        f"{row['actual']:.4g} vs {row['target_value']:.4g} by {row['target_year']} "
        f"({row['achievement_pct']:.0f} %, {row['progress_class']}){placeholder}{rolled}"
    )


def _review_line(review: dict) -> str:
    counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in review["statuses"].items())
    return f"  Final review of {review['review_period']} ({review['programme_code']}, targets per unit): {counts}"


def _transition_line(t: dict) -> str:
    return (
        f"Transition (01/07/2025): {t.get('rolled_up_nq06', 0)} figure(s) on Resolution 06's map rolled up from "
        f"the new units ({t.get('rolled_up_nq06_incomplete', 0)} incomplete), "
        f"{t.get('mapped_forward_current', 0)} on the current map mapped forward from old communes "
        f"({t.get('mapped_forward_current_incomplete', 0)} incomplete); "
        f"{t.get('rows_refused_out_of_validity', 0)} row(s) refused for a unit outside its validity "
        f"(of {t.get('rows_refused', 0)} rejected row(s))."
    )


def _inbox_notes(warehouse: Path) -> list[dict]:
    """The intake's inbox notes for this run: its note (``RunScope.write_note``) lies beside the run's
    working copy; a summary of the published warehouse outside a run has none."""
    note = Path(warehouse).with_name("intake.json")
    try:
        items = json.loads(note.read_text(encoding="utf-8")).get("inbox_notes") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [{k: str(item.get(k, "")) for k in ("name", "kind", "reason")} for item in items if isinstance(item, dict)]


def build_summary(warehouse: Path, top_n: int = TOP_N) -> RefreshSummary:
    summary = RefreshSummary(warehouse=str(warehouse))
    summary.inbox = _inbox_notes(warehouse)
    # Only the columns counted: the per-figure marts hold millions of rows at national scale.
    with connect_read_only(warehouse) as conn:
        submissions = conn.table("marts.fct_submissions").select("status").df()
        issues = conn.table("marts.fct_dq_issues").select("status", "severity", "rule_code").df()
        gaps = _gaps(conn)
        valued = _count(conn.table("marts.fct_indicator_values").filter(~Col("is_province"))
                        .select(Col("locality_key")).distinct())
        values_by_map = _values_by_map(conn)
        reviews = _review_counts(conn)
        summary.transition = _transition(conn)
        summary.approvals = _approvals(conn)
    summary.reviews = _reviews(reviews)
    summary.files = {str(k): int(v) for k, v in submissions["status"].value_counts().items()}
    # Resolved findings stay in the mart as history; the summary counts what is still open.
    issues = issues[issues["status"] == "open"]
    summary.flags_by_severity = {str(k): int(v) for k, v in issues["severity"].value_counts().items()}
    summary.flags_by_rule = {str(k): int(v) for k, v in issues["rule_code"].value_counts().items()}
    summary.localities_with_values = int(valued or 0)

    assessable = gaps[gaps["achievement_pct"].notna()]
    behind = assessable[assessable["progress_class"] != "achieved"]
    behind = behind.sort_values(["achievement_pct", "locality_code", "indicator_code"])
    columns = [
        "map_code", "locality_key", "locality_code", "locality_name_vi", "indicator_code", "period", "actual",
        "target_value", "target_year", "achievement_pct", "progress_class", "is_placeholder", "is_rolled_up",
        "is_complete", "pieces_reported", "pieces_expected",
    ]
    for map_code in (NQ06_MAP, CURRENT_MAP):
        on_map = behind[behind["map_code"] == map_code]
        province = on_map["is_province"].fillna(False).astype(bool)
        item = {
            "map_code": map_code,
            "title": MAP_TITLES[map_code],
            "units_word": UNIT_WORDS[map_code],
            "targets": int((gaps["map_code"] == map_code).sum()),
            "targets_assessable": int((assessable["map_code"] == map_code).sum()),
            "values_count": int(values_by_map.get(map_code, 0)),
            "furthest_indicators": _records(on_map.loc[province, columns].head(top_n)),
            "furthest_localities": _records(on_map.loc[~province, columns].head(top_n)),
        }
        summary.maps.append(item)
    summary.furthest_indicators = summary.maps[0]["furthest_indicators"]
    summary.furthest_localities = summary.maps[0]["furthest_localities"]
    return summary


def _reviews(rows: list[tuple]) -> list[dict]:
    """The programmes whose review period has ended (the final reviews), with their targets by status."""
    out: dict[str, dict] = {}
    for programme, map_code, period, status, n in rows:
        item = out.setdefault(programme, {"programme_code": programme, "map_code": map_code,
                                          "review_period": period, "statuses": {}})
        item["statuses"][status] = int(n)
    ended = [r for r in out.values() if "in_progress" not in r["statuses"]]
    # One line per map: the primary programme (Resolution 06) first among those that ended.
    return sorted(ended, key=lambda r: (r["programme_code"] != "NQ06_2021_2025", r["programme_code"]))


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def write_summary(summary: RefreshSummary, reports_dir: Path) -> tuple[Path, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    text_path = reports_dir / "refresh_summary.md"
    json_path = reports_dir / "refresh_summary.json"
    text_path.write_text("# dothi refresh summary\n\n```\n" + summary.to_text() + "\n```\n", encoding="utf-8")
    json_path.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return text_path, json_path
