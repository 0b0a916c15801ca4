"""Write the effective-dated geography seeds from the published unit lists (``shared/domain/geography``).

The seeds are the reference data dbt loads and intake reads; this module only copies the official
lists into them, so a corrected list (a new GSO release, an official share) is re-imported rather than
retyped::

    python -m sources.geography_import ../shared/domain/geography

It rewrites ``localities.csv`` (every unit of old Khánh Hòa, old Ninh Thuận and the merged province,
each a code *and* a validity interval), ``crosswalk_units.csv`` (old → new pieces, 2024-11 and 2025-07)
and the generated rows of ``locality_aliases.csv``, ``reporters.csv`` and ``reporter_aliases.csv``.
Hand-kept rows (the programme's district facts, department reporters, people's spellings) are kept.
``crosswalk_shares.csv`` is never overwritten: it holds the Department's shares.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sources.normalize.text import nfc, strip_accents
from sources.reference import base_seeds_dir

# The warehouse's horizon: periods before 2020 are refused, so units in force before it start here.
HORIZON = "2020-01-01"
OLD_END = "2025-06-30"
NEW_START = "2025-07-01"
MERGE_2024_END = "2024-10-31"
MERGE_2024_START = "2024-11-01"
S_OLD = "GSO list (thanglequoc/vietnamese-provinces-database v2.4.1), via shared/domain/geography"
S_NEW = "QĐ 19/2025/QĐ-TTg, CV 1027/CTK-CSCL, NQ 1667/NQ-UBTVQH15 khoản {clause}, via shared/domain/geography"
S_2024 = "commune mergers of 01/11/2024 (NQ 1198/NQ-UBTVQH15; Khánh Hòa 2024 resolution), geography README"

KIND_EN = {
    "tỉnh": ("province", "Province"),
    "thành phố": ("city", "City"),
    "thị xã": ("town", "Town"),
    "huyện": ("district", "District"),
    "phường": ("ward", "Ward"),
    "xã": ("commune", "Commune"),
    "thị trấn": ("township", "Township"),
    "đặc khu": ("special_zone", "Special Zone"),
}
KIND_SHORT = {"phường": "P.", "xã": "X.", "thị trấn": "TT.", "đặc khu": "ĐK"}

# Communes whose code changed meaning on 01/11/2024 (geography README, "Commune-level changes"):
# code → (name and kind before, the codes merged into it). Names after are those of units_before_2025.csv.
CHANGED_2024: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "22348": ("Vạn Thạnh", "phường", ("22342", "22345")),
    "22351": ("Phương Sài", "phường", ("22354",)),
    "22366": ("Phước Tiến", "phường", ("22360", "22369")),
    "22606": ("Ninh Vân", "xã", ("22579",)),
    "22660": ("Diên Xuân", "xã", ("22666",)),
    "22759": ("Kinh Dinh", "phường", ("22753", "22756")),
    "22750": ("Thanh Sơn", "phường", ("22747",)),
}
# The 10 codes retired on 01/11/2024: code → (name, kind, district).
RETIRED_2024: dict[str, tuple[str, str, str]] = {
    "22342": ("Xương Huân", "phường", "568"),
    "22345": ("Vạn Thắng", "phường", "568"),
    "22354": ("Phương Sơn", "phường", "568"),
    "22360": ("Phước Tân", "phường", "568"),
    "22369": ("Tân Lập", "phường", "568"),
    "22579": ("Ninh Phước", "xã", "572"),
    "22666": ("Diên Đồng", "xã", "574"),
    "22753": ("Mỹ Hương", "phường", "582"),
    "22756": ("Tấn Tài", "phường", "582"),
    "22747": ("Phủ Hà", "phường", "582"),
}

LOCALITY_COLUMNS = [
    "locality_key", "locality_code", "level", "kind", "kind_vi", "name_vi", "name_en", "short_name_vi",
    "urban_centre_vi", "urban_type", "planned_status_en", "parent_code", "parent_key", "old_province_code",
    "population_2019", "population_reference", "population_flag", "area_km2_reference",
    "valid_from", "valid_to", "source",
]


def key(code: str, valid_from: str) -> str:
    return f"{code}@{valid_from}"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: nfc(v or "") for k, v in row.items()} for row in csv.DictReader(handle)]


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def english(short_vi: str, kind_vi: str) -> str:
    return f"{strip_accents(short_vi)} {KIND_EN[kind_vi][1]}"


@dataclass
class Geography:
    localities: list[dict[str, str]]
    crosswalk: list[dict[str, str]]


def build(geo: Path, seeds: Path) -> Geography:
    kept = {r["locality_code"]: r for r in _read(seeds / "localities.csv") if r["level"] in ("district", "province")}
    before = _read(geo / "units_before_2025.csv")
    after = _read(geo / "units_from_2025-07.csv")
    pieces = _read(geo / "crosswalk_2025.csv")
    rows: list[dict[str, str]] = []

    def unit(code: str, level: str, kind_vi: str, short: str, full: str, parent: str, parent_key: str,
             province: str, valid_from: str, valid_to: str, source: str, **extra: str) -> None:
        facts = kept.get(code, {}) if valid_from == HORIZON and level != "commune" and province == "56" else {}
        row = dict.fromkeys(LOCALITY_COLUMNS, "")
        row.update(
            locality_key=key(code, valid_from), locality_code=code, level=level,
            kind=facts.get("kind") or KIND_EN[kind_vi][0], kind_vi=kind_vi, name_vi=full,
            name_en=facts.get("name_en") or english(short, kind_vi), short_name_vi=short,
            parent_code=parent, parent_key=parent_key, old_province_code=province,
            valid_from=valid_from, valid_to=valid_to, source=facts.get("source") or source,
        )
        for column in ("urban_centre_vi", "urban_type", "planned_status_en", "population_2019"):
            row[column] = facts.get(column, "")
        row.update(extra)
        rows.append(row)

    for r in before:
        code, level = r["unit_code"], r["level"]
        parent = r["parent_code"]
        province = code if level == "province" else (
            parent if level == "district" else next(b["parent_code"] for b in before if b["unit_code"] == parent)
        )
        parent_key = key(parent, HORIZON) if parent else ""
        if code in CHANGED_2024:
            old_short, old_kind, _ = CHANGED_2024[code]
            unit(code, level, old_kind, old_short, f"{old_kind.capitalize()} {old_short}", parent, parent_key,
                 province, HORIZON, MERGE_2024_END, S_2024)
            unit(code, level, r["kind"], r["name_vi"], r["full_name_vi"], parent, parent_key, province,
                 MERGE_2024_START, OLD_END, f"{S_OLD}; {S_2024}")
        else:
            unit(code, level, r["kind"], r["name_vi"], r["full_name_vi"], parent, parent_key, province,
                 HORIZON, OLD_END, S_OLD)
    for code, (short, kind_vi, district) in RETIRED_2024.items():
        province = "58" if district.startswith("58") else "56"
        unit(code, "commune", kind_vi, short, f"{kind_vi.capitalize()} {short}", district, key(district, HORIZON),
             province, HORIZON, MERGE_2024_END, S_2024)

    old_provinces: dict[str, set[str]] = defaultdict(set)
    for p in pieces:
        old_provinces[p["new_code"]].add(p["old_province_code"])
    for r in after:
        code = r["unit_code"]
        if r["level"] == "province":
            unit(code, "province", r["kind"], r["name_vi"], r["full_name_vi"], "", "", "", NEW_START, "",
                 "NQ 202/2025/QH15 (merger of Ninh Thuận into Khánh Hòa), via shared/domain/geography",
                 population_reference=r["population"], area_km2_reference=r["area_km2"],
                 urban_centre_vi="", planned_status_en=kept["56"]["planned_status_en"])
            continue
        (province,) = old_provinces[code]
        unit(code, "commune", r["kind"], r["name_vi"], r["full_name_vi"], "56", key("56", NEW_START), province,
             NEW_START, "", S_NEW.format(clause=r["nq1667_clause"]),
             population_reference=r["population"], population_flag=r["population_flag"],
             area_km2_reference=r["area_km2"])

    valid = {(row["locality_code"], row["valid_to"] or "9999") for row in rows}
    crosswalk = _crosswalk(pieces, valid)
    return Geography(rows, crosswalk)


CROSSWALK_COLUMNS = [
    "old_locality_key", "old_code", "old_name_vi", "new_locality_key", "new_code", "new_name_vi",
    "piece", "piece_en", "old_unit_fate", "effective_date", "legal_basis",
]
PIECE_EN = {"toàn bộ": "whole", "một phần": "part", "phần còn lại": "remainder"}


def _old_key(code: str) -> str:
    return key(code, MERGE_2024_START if code in CHANGED_2024 else HORIZON)


def _crosswalk(pieces: list[dict[str, str]], valid: set[tuple[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    names_2024 = {c: n for c, (n, _, _) in CHANGED_2024.items()}
    for code, (_, _, merged) in CHANGED_2024.items():
        for old in (code, *merged):
            name = names_2024[code] if old == code else RETIRED_2024[old][0]
            kind_vi = CHANGED_2024[code][1] if old == code else RETIRED_2024[old][1]
            out.append(dict(
                old_locality_key=key(old, HORIZON), old_code=old, old_name_vi=f"{kind_vi.capitalize()} {name}",
                new_locality_key=key(code, MERGE_2024_START), new_code=code, new_name_vi="",
                piece="toàn bộ", piece_en="whole", old_unit_fate="whole", effective_date=MERGE_2024_START,
                legal_basis=S_2024,
            ))
    for p in pieces:
        out.append(dict(
            old_locality_key=_old_key(p["old_code"]), old_code=p["old_code"], old_name_vi=p["old_name_vi"],
            new_locality_key=key(p["new_code"], NEW_START), new_code=p["new_code"], new_name_vi=p["new_name_vi"],
            piece=p["piece"], piece_en=PIECE_EN[p["piece"]], old_unit_fate=p["old_unit_fate"],
            effective_date=NEW_START, legal_basis=f"NQ 1667/NQ-UBTVQH15 khoản {p['nq1667_clause']}",
        ))
    return out


def _fill_names(geo: Geography) -> None:
    names = {r["locality_key"]: r["name_vi"] for r in geo.localities}
    for piece in geo.crosswalk:
        piece["new_name_vi"] = piece["new_name_vi"] or names[piece["new_locality_key"]]


def _aliases(seeds: Path, localities: list[dict[str, str]]) -> list[dict[str, str]]:
    """People's spellings of the districts and province are kept; the communes' short forms are generated."""
    old = _read(seeds / "locality_aliases.csv")
    by_code = {r["locality_code"]: r["locality_key"] for r in localities
               if r["level"] in ("province", "district") and r["valid_from"] == HORIZON}
    rows = [dict(locality_key=r.get("locality_key") or by_code[r["locality_code"]], alias=r["alias"],
                 source=r.get("source") or "people's spellings (hand-kept)")
            for r in old if r.get("source", "") != "generated"]
    seen = {(r["locality_key"], r["alias"]) for r in rows}
    for r in localities:
        short = KIND_SHORT.get(r["kind_vi"])
        if r["level"] == "province" and r["valid_from"] == NEW_START:
            extra = ["Tỉnh Khánh Hòa", "Khánh Hòa", "Toàn tỉnh", "Khanh Hoa Province"]
        elif short and r["level"] == "commune":
            extra = [f"{short} {r['short_name_vi']}", r["name_en"]]
        else:
            continue
        for alias in extra:
            if (r["locality_key"], alias) not in seen:
                seen.add((r["locality_key"], alias))
                rows.append(dict(locality_key=r["locality_key"], alias=alias, source="generated"))
    return rows


def _reporters(seeds: Path, localities: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
    with (seeds / "reporters.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = [r for r in reader if not (r["kind"] == "locality" and r["valid_from"] == NEW_START)]
    for r in localities:
        if r["level"] != "commune" or r["valid_from"] != NEW_START:
            continue
        row = dict.fromkeys(columns, "")
        row.update(
            reporter_code=r["locality_code"], kind="locality", name_vi=f"UBND {r['name_vi']}",
            name_en=f"{r['name_en']} People's Committee",
            short_name_vi=f"UBND {KIND_SHORT[r['kind_vi']]} {r['short_name_vi']}",
            locality_code=r["locality_code"], remit_en="own area", valid_from=NEW_START,
        )
        rows.append(row)
    return columns, rows


def _reporter_aliases(seeds: Path, localities: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [r for r in _read(seeds / "reporter_aliases.csv") if r.get("source", "") != "generated"]
    for r in rows:
        r.setdefault("source", "hand-kept")
        r["source"] = r["source"] or "hand-kept"
    for r in localities:
        if r["level"] == "commune" and r["valid_from"] == NEW_START:
            rows.append(dict(reporter_code=r["locality_code"],
                             alias=f"Ủy ban nhân dân {r['kind_vi']} {r['short_name_vi']}", source="generated"))
    return rows


def main(argv: list[str]) -> int:
    geo_dir = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared" / "domain" / "geography"
    seeds = base_seeds_dir()
    geo = build(geo_dir, seeds)
    _fill_names(geo)
    aliases = _aliases(seeds, geo.localities)
    reporter_columns, reporters = _reporters(seeds, geo.localities)
    reporter_aliases = _reporter_aliases(seeds, geo.localities)
    _write(seeds / "localities.csv", LOCALITY_COLUMNS, geo.localities)
    _write(seeds / "crosswalk_units.csv", CROSSWALK_COLUMNS, geo.crosswalk)
    _write(seeds / "locality_aliases.csv", ["locality_key", "alias", "source"], aliases)
    _write(seeds / "reporters.csv", reporter_columns, reporters)
    _write(seeds / "reporter_aliases.csv", ["reporter_code", "alias", "source"], reporter_aliases)
    print(f"localities {len(geo.localities)}, crosswalk pieces {len(geo.crosswalk)}, aliases {len(aliases)}, "
          f"reporters {len(reporters)}, reporter aliases {len(reporter_aliases)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
