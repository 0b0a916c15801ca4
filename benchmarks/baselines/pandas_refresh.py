"""The script a user would otherwise write: pandas, the same job as floor.sql, same inputs.

    python -m benchmarks.baselines.pandas_refresh <inbox|-> <canon|-> <seeds>

Reads each file with ``pd.read_csv`` (dialect known from the file name, like the floor), concatenates,
normalises names/periods/numbers (folding on unique values only), rejects bad rows, keeps the latest
version, consolidates the channels, flags disagreements, aggregates province rows and computes gaps.
Prints one JSON line with its wall time and the same counts as the floor.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

DIALECTS = {  # glob → (delimiter, encoding, numbers, column renames to the canonical names)
    "BC_*.csv": (
        ",",
        "utf-8-sig",
        "en",
        {
            "Đơn vị báo cáo": "reporter",
            "Kỳ báo cáo": "period",
            "Ngày gửi": "submitted",
            "Địa bàn": "locality",
            "Mã chỉ tiêu": "indicator",
            "Giá trị": "value",
            "Tử số": "numerator",
            "Mẫu số": "denominator",
        },
    ),
    "BaoCao_*.csv": (
        ";",
        "utf-8",
        "vi",
        {
            "Đơn vị báo cáo": "reporter",
            "Kỳ báo cáo": "period",
            "Ngày gửi": "submitted",
            "Địa bàn": "locality",
            "Mã chỉ tiêu": "indicator",
            "Số liệu": "value",
            "Tử số": "numerator",
            "Mẫu số": "denominator",
        },
    ),
    "report_*.csv": (",", "utf-8", "en", {}),
}
COLUMNS = ["reporter", "period", "submitted", "locality", "indicator", "value", "numerator", "denominator"]
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_UBND = re.compile(r"^(?:ubnd|uy ban nhan dan) ")
_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|thi xa|tx|huyen dao|huyen|h|quan|q|thi tran|tt) ")
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def fold(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def unprefix(key: str) -> str:
    return _PREFIX.sub("", _UBND.sub("", key))


def fold_series(s: pd.Series) -> pd.Series:
    """fold() on unique values only (a column repeats a few hundred names over millions of rows)."""
    return s.map({v: fold(v) for v in s.dropna().unique()}).fillna("")


def canon_period(key: str) -> str | None:
    if m := re.fullmatch(r"(?:nam |year )?(\d{4})", key):
        return m[1]
    if m := re.fullmatch(r"(\d{4}) h([12])", key):
        return f"{m[1]}-H{m[2]}"
    if m := re.fullmatch(r"6 thang (dau|cuoi) nam (\d{4})", key):
        return f"{m[2]}-H{1 if m[1] == 'dau' else 2}"
    if m := re.fullmatch(r"(\d{4}) q([1-4])", key):
        return f"{m[1]}-Q{m[2]}"
    if m := re.fullmatch(r"quy (i|ii|iii|iv) (?:nam )?(\d{4})", key):
        return f"{m[2]}-Q{ROMAN[m[1]]}"
    if m := re.fullmatch(r"(\d{4}) (0[1-9]|1[0-2])", key):
        return f"{m[1]}-{m[2]}"
    if m := re.fullmatch(r"thang (\d{1,2}) (?:nam )?(\d{4})", key):
        return f"{m[2]}-{int(m[1]):02d}"
    return None


def period_end(period: str) -> pd.Timestamp:
    year = int(period[:4])
    if period.endswith("-H1"):
        return pd.Timestamp(year, 6, 30)
    if "-Q" in period:
        return pd.Timestamp(year, 3 * int(period[-1]), 1) + pd.offsets.MonthEnd(0)
    if len(period) == 4 or period.endswith("-H2"):
        return pd.Timestamp(year, 12, 31)
    return pd.Timestamp(year, int(period[5:7]), 1) + pd.offsets.MonthEnd(0)


def to_number(values: pd.Series, styles: pd.Series) -> pd.Series:
    text = values.fillna("").str.replace("%", "", regex=False).str.replace(" ", "", regex=False).str.strip()
    vi = styles == "vi"
    text = text.where(~vi, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    text = text.where(~(styles == "en"), text.str.replace(",", "", regex=False))
    return pd.to_numeric(text, errors="coerce")


def read_all(inbox: Path | None, canon: Path | None) -> pd.DataFrame:
    frames = []
    if inbox:
        for pattern, (delim, encoding, numbers, renames) in DIALECTS.items():
            for path in sorted(inbox.glob(pattern)):
                df = pd.read_csv(path, sep=delim, encoding=encoding, dtype=str, keep_default_na=False)
                df = df.rename(columns=renames)
                df["file"], df["numbers"] = str(path), numbers
                frames.append(df[["file", "numbers", *COLUMNS]])
    if canon:
        for path in sorted(canon.glob("*.csv")):
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
            df["file"] = str(path)
            frames.append(df[["file", "numbers", *COLUMNS]])
    rows = pd.concat(frames, ignore_index=True)
    return rows.replace("", np.nan)


def key_table(rows: list[tuple[str, str, int]]) -> dict[str, str]:
    """name key → code; lower priority wins; every key also without its administrative prefix."""
    best: dict[str, tuple[int, str]] = {}
    for name, code, pri in rows:
        for key, extra in ((fold(name), 0), (unprefix(fold(name)), 2)):
            if key and (key not in best or best[key][0] > pri + extra):
                best[key] = (pri + extra, code)
    return {k: v for k, (_, v) in best.items()}


def refresh(inbox: Path | None, canon: Path | None, seeds: Path) -> dict[str, object]:
    started = time.perf_counter()
    ref = {
        n: pd.read_csv(seeds / f"{n}.csv", dtype=str, keep_default_na=False)
        for n in ("localities", "locality_aliases", "reporters", "reporter_aliases", "indicators", "targets")
    }
    locs, reps, inds = ref["localities"], ref["reporters"], ref["indicators"]
    loc_keys = key_table(
        [
            (r[c], r["locality_code"], 0)
            for r in locs.to_dict("records")
            for c in ("locality_code", "name_vi", "name_en", "short_name_vi")
        ]
        + [(r.alias, r.locality_key.split("@")[0], 1) for r in ref["locality_aliases"].itertuples()]
    )
    own = {r.locality_code: r.reporter_code for r in reps.itertuples() if r.kind == "locality"}
    rep_keys = key_table(
        [
            (r[c], r["reporter_code"], 0)
            for r in reps.to_dict("records")
            for c in ("reporter_code", "name_vi", "name_en", "short_name_vi")
        ]
        + [(r.alias, r.reporter_code, 1) for r in ref["reporter_aliases"].itertuples()]
    )
    for key, code in loc_keys.items():  # a locality's name stands for its People's Committee
        if code in own:
            rep_keys.setdefault(key, own[code])
    ind_keys = key_table(
        [
            (r[c], r["indicator_code"], i)
            for r in inds.to_dict("records")
            for i, c in enumerate(("indicator_code", "name_vi", "name_en"))
        ]
    )

    def resolve(series: pd.Series, keys: dict[str, str]) -> pd.Series:
        folded = fold_series(series)
        mapping = {k: keys.get(k) or keys.get(unprefix(k)) for k in folded.unique()}
        return folded.map(mapping)

    raw = read_all(inbox, canon)
    rows_read = len(raw)
    # The file's reporter: the most common resolved reporter of its rows.
    raw["reporter_code"] = resolve(raw["reporter"], rep_keys)
    file_rep = raw.dropna(subset=["reporter_code"]).groupby("file")["reporter_code"].agg(lambda s: s.mode().iloc[0])
    raw["reporter_code"] = raw["file"].map(file_rep)
    kinds = reps.set_index("reporter_code")["kind"]
    home = reps.set_index("reporter_code")["locality_code"]
    raw["reporter_kind"] = raw["reporter_code"].map(kinds)
    raw["locality_code"] = resolve(raw["locality"], loc_keys)
    blank_own = raw["locality"].isna() & (raw["reporter_kind"] == "locality")
    raw.loc[blank_own, "locality_code"] = raw.loc[blank_own, "reporter_code"].map(home)
    raw["indicator_code"] = resolve(raw["indicator"], ind_keys)
    periods = fold_series(raw["period"])
    raw["period"] = periods.map({k: canon_period(k) for k in periods.unique()})
    missing = fold_series(raw["value"]).isin(["", "x", "n a", "na", "khong co"]) | (raw["value"].str.strip() == "-")
    for col in ("value", "numerator", "denominator"):
        raw[col] = to_number(raw[col], raw["numbers"])
    raw["submitted_at"] = pd.to_datetime(raw["submitted"], format="%d/%m/%Y", errors="coerce")

    today = pd.Timestamp(date.today())
    ends = {p: period_end(p) for p in raw["period"].dropna().unique() if int(p[:4]) >= 2020}
    raw["period_end"] = raw["period"].map(ends)
    ok = (
        raw["reporter_code"].notna()
        & raw["locality_code"].notna()
        & raw["indicator_code"].notna()
        & raw["period_end"].notna()
        & (raw["period_end"] <= today + pd.DateOffset(months=6))
        & (raw["value"].notna() | missing)
        & ((raw["reporter_kind"] != "locality") | (raw["locality_code"] == raw["reporter_code"].map(home)))
    )
    figures = raw[ok]
    figure_key = ["reporter_code", "locality_code", "indicator_code", "period"]
    current = figures.sort_values(["submitted_at", "file"]).drop_duplicates(figure_key, keep="last")
    current = current[current["value"].notna()]
    current = current.merge(inds[["indicator_code", "responsible_reporter_code"]], on="indicator_code", how="left")
    current["responsible"] = current["reporter_code"] == current["responsible_reporter_code"]
    ranked = current.sort_values(["responsible", "submitted_at"], ascending=False)
    side = ["locality_code", "indicator_code", "period"]
    loc = ranked[ranked["reporter_kind"] == "locality"].drop_duplicates(side)
    dep = ranked[ranked["reporter_kind"] == "department"].drop_duplicates(side)
    by_channel = loc[[*side, "value", "numerator", "denominator"]].merge(
        dep[[*side, "value", "numerator", "denominator"]], on=side, how="outer", suffixes=("_loc", "_dep")
    )
    tol = inds.set_index("indicator_code")["tolerance_pct"].astype(float)
    both = by_channel.dropna(subset=["value_loc", "value_dep"])
    both = both[both["value_dep"] != 0]
    rel = (both["value_loc"] - both["value_dep"]).abs() / both["value_dep"].abs() * 100
    disagreements = both[rel > both["indicator_code"].map(tol)]

    districts = locs[locs["level"] == "district"]
    cons = by_channel[by_channel["locality_code"].isin(districts["locality_code"])].copy()
    cons["value"] = cons["value_dep"].combine_first(cons["value_loc"])
    cons["numerator"] = cons["numerator_dep"].combine_first(cons["numerator_loc"])
    cons["denominator"] = cons["denominator_dep"].combine_first(cons["denominator_loc"])
    cons = cons[[*side, "value", "numerator", "denominator"]]
    # Province rows: sum, or ratio of sums, when every district-level child reports.
    parent = districts.set_index("locality_code")["parent_code"]
    children = districts.groupby("parent_code").size()
    agg = inds.set_index("indicator_code")[["aggregation", "rate_scale"]]
    c = cons.assign(parent=cons["locality_code"].map(parent)).join(agg, on="indicator_code")
    c = c[c["aggregation"].isin(["sum", "ratio"]) & c["parent"].ne("")]
    g = (
        c.groupby(["parent", "indicator_code", "period", "aggregation", "rate_scale"])
        .agg(
            n=("value", "size"),
            n_num=("numerator", "count"),
            value=("value", "sum"),
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
        )
        .reset_index()
    )
    g = g[(g["n"] == g["parent"].map(children)) & ((g["aggregation"] == "sum") | (g["n_num"] == g["n"]))]
    ratio = g["aggregation"] == "ratio"
    g.loc[ratio, "value"] = g["numerator"] / g["denominator"].replace(0, np.nan) * pd.to_numeric(g["rate_scale"])
    province = g.rename(columns={"parent": "locality_code"})[[*side, "value", "numerator", "denominator"]]
    consolidated = pd.concat([cons, province], ignore_index=True)

    # Gaps: latest consolidated value per locality x indicator against the primary programme's target.
    valued = consolidated.dropna(subset=["value"]).copy()
    valued["end"] = valued["period"].map(ends)
    latest = valued.sort_values("end").drop_duplicates(["locality_code", "indicator_code"], keep="last")
    targets = ref["targets"].copy()
    targets["primary"] = targets["programme_code"] == "NQ06_2021_2025"
    targets = targets.sort_values(["primary", "target_year"], ascending=[False, True]).drop_duplicates(
        ["locality_code", "indicator_code"]
    )
    gaps = targets.merge(latest, on=["locality_code", "indicator_code"], how="left").merge(
        inds[["indicator_code", "direction"]], on="indicator_code"
    )
    target = gaps["target_value"].astype(float)
    gaps["gap"] = np.where(gaps["direction"] == "lower", gaps["value"] - target, target - gaps["value"])
    gaps["achievement_pct"] = gaps["value"] / target.replace(0, np.nan) * 100
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "rows_read": rows_read,
        "figures": int(ok.sum()),
        "rows_rejected": int(rows_read - ok.sum()),
        "consolidated": len(consolidated),
        "disagreements": len(disagreements),
        "gaps": int(gaps["value"].notna().sum()),
    }


def main(argv: list[str]) -> int:
    inbox, canon, seeds = (Path(a) if a != "-" else None for a in argv[:3])
    print(json.dumps(refresh(inbox, canon, seeds)))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
