"""Shaped views of the marts for people: status per indicator, series, findings, submissions, sources.

pandas only (no SQL): every function takes a ``MartSet`` and returns a small frame, or ``None`` when the
mart it needs is missing, so the Excel report and the dashboard can say so instead of failing.
"""

from __future__ import annotations

import pandas as pd

from outputs.labels import Lang
from outputs.marts import OPEN_FINDING_COUNTS, RECONCILIATION_COUNTS, MartSet, ordered_localities
from sources.reference import load_reference

STATUS_COLUMNS = [
    "indicator_code", "indicator", "unit", "period", "actual", "target_value", "target_year", "gap",
    "achievement_pct", "required_yearly_change", "progress_class", "is_placeholder", "target_source",
    "programme_code",
]
SEVERITY_ORDER = {"error": 0, "warning": 1}


def _name_column(lang: Lang) -> str:
    return "name_vi" if lang == "vi" else "name_en"


def indicator_names(marts: MartSet, lang: Lang) -> dict[str, str]:
    dim = marts.get("dim_indicator")
    if dim is None:
        return {}
    return dict(zip(dim["indicator_code"], dim[_name_column(lang)], strict=False))


def indicator_order(marts: MartSet) -> dict[str, int]:
    dim = marts.get("dim_indicator")
    if dim is None or "sort_order" not in dim.columns:
        return {}
    return {code: int(order) for code, order in zip(dim["indicator_code"], dim["sort_order"], strict=False)}


def localities(marts: MartSet, lang: Lang) -> list[tuple[str, str]]:
    """(code, name) of the province then each district, in code order."""
    key = ("localities", lang)
    if key not in marts.memo:
        dim = marts.get("dim_locality")
        if dim is None:
            return []
        dim = ordered_localities(dim)
        column = "short_name_vi" if lang == "vi" else "name_en"
        marts.memo[key] = list(zip(dim["locality_code"], dim[column], strict=False))
    return list(marts.memo[key])  # type: ignore[arg-type]


def locality_name(marts: MartSet, code: str | None, lang: Lang) -> str:
    key = ("locality_names", lang)
    if key not in marts.memo:
        marts.memo[key] = dict(localities(marts, lang))
    names: dict[str, str] = marts.memo[key]  # type: ignore[assignment]
    return names.get(code or "", code or "")


def reporter_name(code: str | None, lang: Lang) -> str:
    if not code:
        return ""
    reporter = load_reference().reporters.get(code)
    if reporter is None:
        return code
    return reporter.name_vi if lang == "vi" else reporter.name_en


def status_table(marts: MartSet, locality_code: str, lang: Lang) -> pd.DataFrame | None:
    """One row per indicator with a target for the locality: actual, target, gap, progress class."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return None
    frame = gaps[gaps["locality_code"] == locality_code].copy()
    frame["indicator"] = frame["indicator_code"].map(indicator_names(marts, lang)).fillna(frame["indicator_code"])
    order = indicator_order(marts)
    frame["_order"] = frame["indicator_code"].map(order).fillna(10_000)
    frame = frame.sort_values(["_order", "indicator_code"])
    return frame[[c for c in STATUS_COLUMNS if c in frame.columns]].reset_index(drop=True)


def period_order(marts: MartSet) -> dict[str, int]:
    dim = marts.get("dim_period")
    if dim is None:
        return {}
    return {p: int(k) for p, k in zip(dim["period"], dim["sort_key"], strict=False)}


# Per-locality sheets and trend charts: enough for a province's districts or communes; at national scale a
# report says how many localities it leaves out (all of them are in the marts).
REPORT_LOCALITIES_MAX = 150


def report_localities(marts: MartSet, lang: Lang) -> list[tuple[str, str]]:
    """The localities that get a sheet / chart of their own: the province first, then in code order."""
    return localities(marts, lang)[:REPORT_LOCALITIES_MAX]


def values_of(marts: MartSet, locality_code: str) -> pd.DataFrame:
    """fct_indicator_values of one locality, split once for all (a scan per locality is quadratic)."""
    if "values_by_locality" not in marts.memo:
        values = marts.get("fct_indicator_values")
        marts.memo["values_by_locality"] = (
            {} if values is None else {code: frame for code, frame in values.groupby("locality_code", sort=False)}
        )
    groups: dict[str, pd.DataFrame] = marts.memo["values_by_locality"]  # type: ignore[assignment]
    found = groups.get(locality_code)
    if found is None:
        values = marts.get("fct_indicator_values")
        return values.iloc[0:0] if values is not None else pd.DataFrame()
    return found


def value_matrix(marts: MartSet, locality_code: str, lang: Lang) -> pd.DataFrame | None:
    """Indicator × period of the consolidated values for one locality (rows in catalogue order)."""
    values = marts.get("fct_indicator_values")
    if values is None:
        return None
    frame = values_of(marts, locality_code)
    if frame.empty:
        return pd.DataFrame()
    matrix = frame.pivot_table(index="indicator_code", columns="period", values="value", aggfunc="first")
    periods = sorted(matrix.columns, key=lambda p: period_order(marts).get(p, 0))
    order = indicator_order(marts)
    matrix = matrix[periods].loc[sorted(matrix.index, key=lambda c: (order.get(c, 10_000), c))]
    matrix.insert(0, "indicator", [indicator_names(marts, lang).get(c, c) for c in matrix.index])
    units = values.drop_duplicates("indicator_code").set_index("indicator_code")["unit"]
    matrix.insert(1, "unit", [units.get(c, "") for c in matrix.index])
    return matrix.reset_index()


def series(marts: MartSet, locality_code: str, indicator_code: str) -> list[tuple[str, float]]:
    """(period, value) in time order; half-years and years together, as end-of-period points."""
    if marts.get("fct_indicator_values") is None:
        return []
    key = ("series", locality_code)
    if key not in marts.memo:  # one pass over the locality's figures for all its indicators
        frame = values_of(marts, locality_code)
        frame = frame[frame["value"].notna()]
        order = period_order(marts)
        by_indicator: dict[str, list[tuple[str, float]]] = {}
        for code, period, value in zip(frame["indicator_code"], frame["period"], frame["value"], strict=False):
            by_indicator.setdefault(code, []).append((str(period), float(value)))
        for points in by_indicator.values():
            points.sort(key=lambda pv: order.get(pv[0], 0))
        marts.memo[key] = by_indicator
    return list(marts.memo[key].get(indicator_code, []))  # type: ignore[union-attr]


def open_findings(marts: MartSet) -> pd.DataFrame | None:
    """Findings still open (all of them when the mart has no status column yet), errors first."""
    issues = marts.get("fct_dq_issues")
    if issues is None:
        return None
    if "status" in issues.columns:
        issues = issues[issues["status"].fillna("open") == "open"]
    issues = issues.assign(_sev=issues["severity"].map(SEVERITY_ORDER).fillna(9))
    keys = ["_sev", "rule_code", "locality_code", "indicator_code", "period"]
    keys += ["issue_id"] if "issue_id" in issues.columns else []
    return issues.sort_values(keys, kind="stable").drop(columns="_sev").reset_index(drop=True)


def open_finding_counts(marts: MartSet) -> pd.DataFrame | None:
    """Open findings per rule and severity (rule_code, severity, n), over the whole mart."""
    counted = marts.memo.get(OPEN_FINDING_COUNTS)
    if not isinstance(counted, pd.DataFrame):
        findings = open_findings(marts)
        if findings is None:
            return None
        counted = findings.groupby(["rule_code", "severity"]).size().reset_index(name="n")
    # Most frequent first; ties in rule order, so the same counts always read the same.
    return counted.sort_values(["n", "rule_code", "severity"], ascending=[False, True, True]).reset_index(drop=True)


def open_finding_total(marts: MartSet) -> int:
    counts = open_finding_counts(marts)
    return 0 if counts is None else int(counts["n"].sum())


def submissions_by_reporter(marts: MartSet, lang: Lang) -> pd.DataFrame | None:
    """Files per reporter by status, rows rejected, the last submission, and periods late or missing."""
    subs = marts.get("fct_submissions")
    if subs is None:
        return None
    subs = subs.assign(reporter_code=subs["reporter_code"].fillna("?"))
    counts = subs.pivot_table(index="reporter_code", columns="status", values="file_sha256", aggfunc="count")
    counts = counts.reindex(
        columns=["accepted", "accepted_with_rejections", "quarantined", "superseded"], fill_value=0
    ).fillna(0).astype(int)
    grouped = subs.groupby("reporter_code")
    frame = pd.DataFrame({
        "files_received": grouped["file_sha256"].count(),
        "rows_rejected": grouped["rows_rejected"].sum().astype(int),
        "last_submitted": grouped["submitted_at"].max(),
    }).join(counts)
    late, missing = _late_and_missing(marts)
    frame = frame.reindex(frame.index.union(pd.Index(list(late) + list(missing))))
    frame["late"] = [", ".join(sorted(late.get(code, []))) for code in frame.index]
    frame["missing"] = [", ".join(sorted(missing.get(code, []))) for code in frame.index]
    frame = frame.fillna({c: 0 for c in ["files_received", "rows_rejected", *counts.columns]})
    frame.insert(0, "reporter", [reporter_name(code, lang) if code != "?" else "?" for code in frame.index])
    return frame.reset_index(names="reporter_code")


def _late_and_missing(marts: MartSet) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Periods late / missing per reporter: the completeness mart when built, else the findings."""
    late: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    completeness = marts.get("fct_reporting_completeness")
    status_column = next(
        (c for c in ("submission_status", "status") if completeness is not None and c in completeness.columns), None
    )
    if completeness is not None and status_column and {"reporter_code", "period"} <= set(completeness.columns):
        rows = zip(completeness["reporter_code"], completeness["period"], completeness[status_column], strict=False)
        for code, period, status in rows:
            target = late if status == "late" else missing if status == "missing" else None
            if target is not None:
                target.setdefault(str(code), []).append(str(period))
        return late, missing
    issues = marts.get("fct_dq_issues")
    if issues is None:
        return late, missing
    for code, period, rule in zip(issues["reporter_code"], issues["period"], issues["rule_code"], strict=False):
        target = late if rule == "SUBMISSION_LATE" else missing if rule == "SUBMISSION_MISSING" else None
        if target is not None:
            target.setdefault(str(code), []).append(str(period))
    return late, missing


def reconciliation(marts: MartSet) -> pd.DataFrame | None:
    """Locality self-report vs the department's figure, per locality × indicator × period, with the
    relative difference and the indicator's tolerance: the reconciliation mart when it is built, else
    derived from the consolidated values' losing side."""
    mart_columns = ("comparison", "locality_value", "department_value", "department_reporter_code",
                    "rel_diff_pct", "tolerance_pct", "is_flagged")
    if marts.has("fct_reconciliation", *mart_columns):
        rec = marts.get("fct_reconciliation")
        rec = rec[(rec["comparison"] == "locality_vs_department") & rec["locality_value"].notna()
                  & rec["department_value"].notna()]
        units = _units(marts)
        frame = pd.DataFrame({
            "locality_code": rec["locality_code"],
            "indicator_code": rec["indicator_code"],
            "period": rec["period"],
            "unit": rec["indicator_code"].map(units),
            "locality_value": rec["locality_value"],
            "department_value": rec["department_value"],
            "department_code": rec["department_reporter_code"],
            "difference_pct": rec["rel_diff_pct"].fillna(0.0),
            "tolerance_pct": rec["tolerance_pct"],
            "beyond_tolerance": rec["is_flagged"].fillna(False).astype(bool),
        })
        return _largest_first(frame)
    values = marts.get("fct_indicator_values")
    dim = marts.get("dim_indicator")
    if values is None or dim is None:
        return None
    pairs = values[(values["other_source"] == "locality") & values["value"].notna() & values["other_value"].notna()]
    pairs = pairs.merge(dim[["indicator_code", "tolerance_pct"]], on="indicator_code", how="left")
    base = pairs["value"].abs().where(pairs["value"] != 0)
    diff = ((pairs["other_value"] - pairs["value"]).abs() / base * 100).fillna(0.0)
    frame = pd.DataFrame({
        "locality_code": pairs["locality_code"],
        "indicator_code": pairs["indicator_code"],
        "period": pairs["period"],
        "unit": pairs["unit"],
        "locality_value": pairs["other_value"],
        "department_value": pairs["value"],
        "department_code": pairs["chosen_reporter_code"],
        "difference_pct": diff,
        "tolerance_pct": pairs["tolerance_pct"],
    })
    frame["beyond_tolerance"] = frame["difference_pct"] > frame["tolerance_pct"].fillna(0)
    return _largest_first(frame)


def _largest_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["difference_pct", "locality_code", "indicator_code", "period"],
                             ascending=[False, True, True, True], kind="stable").reset_index(drop=True)


def reconciliation_counts(marts: MartSet, frame: pd.DataFrame) -> dict[str, int]:
    """Pairs compared, pairs that differ at all, pairs beyond tolerance: over the whole mart when the
    read was scoped (``frame`` then holds only the largest differences)."""
    counted = marts.memo.get(RECONCILIATION_COUNTS)
    if isinstance(counted, dict):
        return counted
    return {"pairs": len(frame), "differing": int((frame["difference_pct"] > 0).sum()),
            "beyond": int(frame["beyond_tolerance"].sum())}


def _units(marts: MartSet) -> dict[str, str]:
    dim = marts.get("dim_indicator")
    return {} if dim is None else dict(zip(dim["indicator_code"], dim["unit"], strict=False))


def target_sources(marts: MartSet) -> pd.DataFrame | None:
    """Each target in use: programme, scope, value, year, official or placeholder, source (official first)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return None
    columns = ["is_placeholder", "programme_code", "indicator_code", "locality_code", "target_value",
               "target_year", "target_source"]
    frame = gaps[[c for c in columns if c in gaps.columns]].drop_duplicates()
    return frame.sort_values(["is_placeholder", "indicator_code", "locality_code"]).reset_index(drop=True)


def worst_gaps(marts: MartSet, top_n: int = 10) -> pd.DataFrame | None:
    """The locality × indicator pairs furthest from target (lowest achievement %, achieved ones left out)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return None
    frame = gaps[gaps["achievement_pct"].notna() & (gaps["progress_class"] != "achieved")]
    return frame.sort_values(["achievement_pct", "locality_code", "indicator_code"]).head(top_n).reset_index(drop=True)

