"""The script a user would otherwise write: pandas, the same job as floor.sql, same inputs.

    python -m benchmarks.baselines.pandas_refresh <inbox|-> <canon|-> <seeds>

Reads each file with ``pd.read_csv`` (dialect known from the file name, like the floor), concatenates,
normalises names/periods/numbers (folding on unique values only), rejects bad rows, keeps the latest
version, consolidates the channels, flags disagreements, aggregates the programme's province rows by
dothi's rules and computes gaps.
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

from benchmarks.baselines import map_units, province_code

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


def unit_periods(locs: pd.DataFrame, periods: np.ndarray, ends: dict[str, pd.Timestamp]) -> pd.DataFrame:
    """One row per period x unit valid at the period's end, with the period's end date and sort key."""
    p = pd.DataFrame({"period": periods})
    p["end_date"] = p["period"].map(ends)
    kind = np.select(
        [p["period"].str.len() == 4, p["period"].str.contains("-H"), p["period"].str.contains("-Q")], [10, 20, 30], 40
    )
    part = pd.to_numeric(p["period"].str.extract(r"-[HQ]?(\d+)$")[0]).fillna(0).astype(int)
    p["sort_key"] = p["period"].str[:4].astype(int) * 100 + kind + part
    u = locs[["locality_code", "level", "parent_code", "valid_from", "valid_to"]].copy()
    u["valid_from"] = pd.to_datetime(u["valid_from"])
    u["valid_to"] = pd.to_datetime(u["valid_to"].replace("", np.nan))
    x = p.merge(u, how="cross")
    x = x[(x["end_date"] >= x["valid_from"]) & (x["valid_to"].isna() | (x["end_date"] <= x["valid_to"]))]
    return x[["period", "end_date", "sort_key", "locality_code", "level", "parent_code"]]


def province_rows(
    cons: pd.DataFrame, by_channel: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame, province: str
) -> pd.DataFrame:
    """The programme's province rows by dothi's rules (int_values__province, macros/aggregation_method.sql),
    over the province's children valid at the period's end that gave a value: sum when every expected child
    reported; ratio_of_sums when every reporting child gave numerator and denominator (Σ den <> 0); else
    ratio_of_indicator_sums over the localities having both indicators; else weighted Σ(v·w)/Σw with w the
    weight indicator's value for the same locality and period, else its most recent earlier period.
    Without a computed value: the department's reported province total."""
    side = ["locality_code", "indicator_code", "period"]
    children = units[(units["parent_code"] == province) & (units["level"] != "province")]
    expected = children.groupby("period").size()
    c = cons.merge(children[["locality_code", "period", "end_date"]], on=["locality_code", "period"])
    ind = inds.set_index("indicator_code").replace("", np.nan)
    c["weight_indicator_code"] = c["indicator_code"].map(ind["weight_indicator_code"])

    # Weights: the same period's, else the latest earlier end date (ties: the smallest sort key), by an
    # as-of merge on one number ordering (end date, sort key descending).
    def at(frame: pd.DataFrame, end: str) -> pd.Series:
        return (frame[end] - pd.Timestamp(2000, 1, 1)).dt.days * 100 + 99

    req = c.dropna(subset=["weight_indicator_code"])[[*side, "end_date", "weight_indicator_code"]].copy()
    req["at"] = at(req, "end_date")
    w = cons[cons["indicator_code"].isin(req["weight_indicator_code"].unique())]
    w = w.merge(units[["locality_code", "period", "end_date", "sort_key"]], on=["locality_code", "period"])
    w = pd.DataFrame({
        "locality_code": w["locality_code"], "weight_indicator_code": w["indicator_code"], "period": w["period"],
        "weight": w["value"], "at": at(w, "end_date") - w["sort_key"] % 100,
    })
    keys = ["locality_code", "weight_indicator_code"]
    same = req.merge(w.drop(columns="at"), on=[*keys, "period"], how="left")["weight"]
    earlier = pd.merge_asof(
        req.reset_index().sort_values("at"), w.drop(columns="period").sort_values("at"),
        on="at", by=keys, direction="backward",
    ).set_index("index")["weight"]
    req["weight"] = same.to_numpy()
    req["weight"] = req["weight"].fillna(earlier)
    c = c.merge(req[[*side, "weight"]], on=side, how="left")
    c["with_fraction"] = c["numerator"].notna() & c["denominator"].notna()
    c["weighted"] = c["value"] * c["weight"]
    a = c.groupby(["indicator_code", "period"]).agg(
        n=("value", "size"),
        sum_value=("value", "sum"),
        with_fraction=("with_fraction", "sum"),
        sum_numerator=("numerator", "sum"),
        sum_denominator=("denominator", "sum"),
        weighted_sum=("weighted", "sum"),
        weight_total=("weight", "sum"),
        weighted_count=("weight", "count"),
    )
    # Sums of the numerator and denominator indicators, over the localities having both.
    pairs = ind[(ind["aggregation"] == "ratio") & ind["numerator_indicator_code"].notna()
                & ind["denominator_indicator_code"].notna()]
    vals = c[side + ["value"]]
    sums = []
    for code, row in pairs.iterrows():  # a handful of indicators, each one vectorised merge
        num = vals[vals["indicator_code"] == row["numerator_indicator_code"]]
        den = vals[vals["indicator_code"] == row["denominator_indicator_code"]]
        both = num.merge(den, on=["locality_code", "period"], suffixes=("_num", "_den"))
        s = both.groupby("period").agg(numerator_sum=("value_num", "sum"), denominator_sum=("value_den", "sum"))
        sums.append(s.assign(indicator_code=code).reset_index())
    cols = ["indicator_code", "period", "numerator_sum", "denominator_sum"]
    s = pd.concat(sums, ignore_index=True)[cols] if sums else pd.DataFrame(columns=cols)
    g = a.reset_index().merge(s, on=["indicator_code", "period"], how="outer")
    g = g.join(ind[["aggregation", "rate_scale"]], on="indicator_code")
    g["has_pair"] = g["indicator_code"].isin(pairs.index)
    scale = pd.to_numeric(g["rate_scale"]).fillna(1)
    agg = g["aggregation"]
    is_sum = (agg == "sum") & (g["n"] == g["period"].map(expected))
    is_ros = (agg == "ratio") & (g["n"] > 0) & (g["with_fraction"] == g["n"]) & (g["sum_denominator"] != 0)
    is_ris = (agg == "ratio") & g["has_pair"] & g["denominator_sum"].notna() & (g["denominator_sum"] != 0)
    is_w = agg.isin(["ratio", "weighted"]) & (g["weighted_count"] > 0) & (g["weight_total"] != 0)
    first = [is_sum, is_ros, is_ris, is_w]  # np.select: the first rule that holds
    g["value"] = np.select(
        first,
        [g["sum_value"], g["sum_numerator"] / g["sum_denominator"] * scale,
         g["numerator_sum"] / g["denominator_sum"] * scale, g["weighted_sum"] / g["weight_total"]],
        np.nan,
    )
    g["numerator"] = np.select(first[1:3], [g["sum_numerator"], g["numerator_sum"]], np.nan)
    g["denominator"] = np.select(first[1:3], [g["sum_denominator"], g["denominator_sum"]], np.nan)
    computed = g.dropna(subset=["value"])[["indicator_code", "period", "value", "numerator", "denominator"]]
    total = by_channel[(by_channel["locality_code"] == province) & by_channel["value_dep"].notna()]
    total = total.rename(columns={"value_dep": "value", "numerator_dep": "numerator",
                                  "denominator_dep": "denominator"})[computed.columns]
    rows = pd.concat([computed, total[~total.set_index(["indicator_code", "period"]).index.isin(
        computed.set_index(["indicator_code", "period"]).index)]], ignore_index=True)
    return rows.assign(locality_code=province)[[*side, "value", "numerator", "denominator"]]


def refresh(
    inbox: Path | None, canon: Path | None, seeds: Path, tables: dict[str, pd.DataFrame] | None = None
) -> dict[str, object]:
    """The whole job; its result counts. ``tables``, when given, receives the result frames (for row diffs)."""
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
    # no figure and no known indicator: a heading or signature line, skipped (not rejected) like dothi
    blank = raw[["value", "numerator", "denominator"]].apply(lambda c: c.fillna("").str.strip().eq("")).all(axis=1)
    headings = blank & raw["indicator_code"].isna()
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
    numbers = [f"{c}_{s}" for c in ("value", "numerator", "denominator") for s in ("loc", "dep")]
    by_channel = by_channel.astype(dict.fromkeys(numbers, float))  # a channel without rows stays numeric
    # The units of each period: valid at the period's end; dothi's period sort key (year, then annual <
    # half < quarter < month, then the part) breaks ties between periods ending the same day.
    units = unit_periods(locs, by_channel["period"].unique(), ends)
    below = units[units["level"] != "province"][["locality_code", "period"]]
    by_channel_units = by_channel.merge(below, on=["locality_code", "period"])

    # Disagreements: both channels, apart beyond the tolerance (dothi's status minor/major).
    tol = pd.to_numeric(inds.set_index("indicator_code")["tolerance_pct"].replace("", np.nan))
    both = by_channel_units.dropna(subset=["value_loc", "value_dep"])
    both = both[both["value_loc"] != both["value_dep"]]
    t = both["indicator_code"].map(tol).astype(float)
    rel = (both["value_loc"] - both["value_dep"]).abs() / both["value_dep"].abs() * 100
    disagreements = both[(both["value_dep"] == 0) | t.isna() | (t == 0) | (rel > t)]

    # The chosen channel's value, numerator and denominator (the department's when it reported).
    dep_won = by_channel_units["value_dep"].notna()
    cons = by_channel_units[side].copy()
    for col in ("value", "numerator", "denominator"):
        cons[col] = by_channel_units[f"{col}_dep"].where(dep_won, by_channel_units[f"{col}_loc"])
    programme_province = province_code()
    province = province_rows(cons, by_channel, units, inds, programme_province)
    consolidated = pd.concat([cons, province], ignore_index=True)

    # Gaps: latest consolidated value per locality x indicator against the primary programme's target.
    valued = consolidated.dropna(subset=["value"]).copy()
    valued["end"] = valued["period"].map(ends)
    latest = valued.sort_values("end").drop_duplicates(["locality_code", "indicator_code"], keep="last")
    targets = ref["targets"].copy()
    # a programme's target has an actual only for a unit of its map (see map_units)
    on_map = map_units(locs)
    maps = pd.read_csv(seeds / "programmes.csv", dtype=str).set_index("programme_code")["map_code"]
    target_map = targets["programme_code"].map(maps)
    keep = pd.Series(False, index=targets.index)
    for map_code, codes in on_map.items():
        keep |= (target_map == map_code) & targets["locality_code"].isin(codes)
    targets = targets[keep].copy()
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
    seconds = round(time.perf_counter() - started, 3)
    if tables is not None:
        tables.update(consolidated=consolidated, gaps=gaps, disagreements=disagreements)
    return {
        "seconds": seconds,
        "rows_read": rows_read,
        "figures": int(ok.sum()),
        "rows_rejected": int(rows_read - ok.sum() - headings.sum()),
        "consolidated": len(consolidated),
        "disagreements": len(disagreements),
        "gaps": int(gaps["value"].notna().sum()),
        "consolidated_province": int((consolidated["locality_code"] == programme_province).sum()),
        "gaps_province": int((gaps["value"].notna() & (gaps["locality_code"] == programme_province)).sum()),
    }


def main(argv: list[str]) -> int:
    inbox, canon, seeds = (Path(a) if a != "-" else None for a in argv[:3])
    print(json.dumps(refresh(inbox, canon, seeds)))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
