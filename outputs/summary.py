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

_GAPS_SQL = """
select g.map_code, g.locality_key, g.locality_code, l.name_vi as locality_name_vi, g.is_province,
       g.indicator_code, g.period, g.actual, g.target_value, g.target_year, g.achievement_pct,
       g.progress_class, g.is_placeholder,
       coalesce(n.is_rolled_up, c.is_rolled_up, false) as is_rolled_up,
       coalesce(n.is_complete, c.is_complete) as is_complete,
       coalesce(n.pieces_reported, c.pieces_reported) as pieces_reported,
       coalesce(n.pieces_expected, c.pieces_expected) as pieces_expected
from marts.fct_target_gaps g
left join marts.dim_locality l on l.locality_key = g.locality_key
left join marts.fct_indicator_values_nq06_map n
    on g.map_code = 'nq06_map' and n.locality_key = g.locality_key
    and n.indicator_code = g.indicator_code and n.period = g.period
left join marts.fct_indicator_values_current_map c
    on g.map_code = 'current_map' and c.locality_key = g.locality_key
    and c.indicator_code = g.indicator_code and c.period = g.period
"""

_TRANSITION_SQL = """
select
    (select count(*) from marts.fct_indicator_values_nq06_map where is_rolled_up) as rolled_up_nq06,
    (select count(*) from marts.fct_indicator_values_nq06_map where is_rolled_up and not is_complete)
        as rolled_up_nq06_incomplete,
    (select count(*) from marts.fct_indicator_values_current_map where is_rolled_up) as mapped_forward_current,
    (select count(*) from marts.fct_indicator_values_current_map where is_rolled_up and not is_complete)
        as mapped_forward_current_incomplete,
    (select count(*) from marts.fct_dq_issues
     where rule_code = 'INTAKE_ROW_REJECTED' and status = 'open'
       and regexp_matches(message_en, $pattern)) as rows_refused_out_of_validity,
    (select count(*) from marts.fct_dq_issues
     where rule_code = 'INTAKE_ROW_REJECTED' and status = 'open') as rows_refused
"""


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
            if (review := reviews.get(item.get("map_code"))) is not None:
                lines.append(_review_line(review))
            lines.append("  Province indicators furthest from target (achievement %):")
            lines += [_gap_line(row) for row in item["furthest_indicators"]] or [_none_line(item)]
            lines.append(f"  {item.get('units_word', 'Localities')} furthest from target (achievement %):")
            lines += [_gap_line(row) for row in item["furthest_localities"]] or [_none_line(item)]
        if self.transition:
            lines.append(_transition_line(self.transition))
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
        gaps = conn.sql(_GAPS_SQL).df()
        valued = conn.execute(
            "select count(distinct locality_key) from marts.fct_indicator_values where not is_province"
        ).fetchone()[0]
        values_by_map = dict(conn.execute(
            "select 'nq06_map', count(value) from marts.fct_indicator_values_nq06_map union all "
            "select 'current_map', count(value) from marts.fct_indicator_values_current_map"
        ).fetchall())
        reviews = conn.execute(
            "select programme_code, map_code, review_period, review_status, count(*) from marts.fct_programme_review "
            "group by all order by programme_code, review_status"
        ).fetchall()
        transition = conn.execute(_TRANSITION_SQL.replace("$pattern", "?"), [OUT_OF_VALIDITY])
        names = [d[0] for d in transition.description]
        summary.transition = {k: int(v or 0) for k, v in zip(names, transition.fetchone(), strict=True)}
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


def _records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def write_summary(summary: RefreshSummary, reports_dir: Path) -> tuple[Path, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    text_path = reports_dir / "refresh_summary.md"
    json_path = reports_dir / "refresh_summary.json"
    text_path.write_text("# dothi refresh summary\n\n```\n" + summary.to_text() + "\n```\n", encoding="utf-8")
    json_path.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return text_path, json_path
