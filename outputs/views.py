"""Shaped views of the marts for people: status per indicator, series, findings, submissions, sources.

pandas only (no SQL): every function takes a ``MartSet`` and returns a small frame, or ``None`` when the
mart it needs is missing, so the Excel report and the dashboard can say so instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from outputs.formatting import decimals_for, number_text
from outputs.labels import Lang, text
from outputs.marts import (
    NQ06_MAP,
    OPEN_FINDING_COUNTS,
    PROVINCE_CODE,
    RECONCILIATION_COUNTS,
    MartSet,
    ordered_localities,
)
from sources.reference import load_reference

STATUS_COLUMNS = [
    "indicator_code", "indicator", "unit", "period", "actual", "target_value", "target_year", "gap",
    "achievement_pct", "required_yearly_change", "progress_class", "is_placeholder", "target_source",
    "programme_code", "figure_marks", "figure_note", "completeness_pct", "approval",
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
    return list(cast(list[tuple[str, str]], marts.memo[key]))  # the memo holds what the branch above put


def locality_name(marts: MartSet, code: str | None, lang: Lang) -> str:
    """The name of a unit of the report's map; a code of another map (a finding about an old commune, a
    reused code) is named only when every version of it has the same name, else shown as the code."""
    key = ("locality_names", lang)
    if key not in marts.memo:
        names = dict(localities(marts, lang))
        every = marts.get("dim_locality_all")
        if every is not None:
            column = "short_name_vi" if lang == "vi" else "name_en"
            for other, group in every.groupby("locality_code"):
                if other not in names and group[column].nunique() == 1:
                    names[str(other)] = str(group[column].iloc[0])
        marts.memo[key] = names
    known = cast(dict[str, str], marts.memo[key])
    return known.get(code or "", code or "")


@dataclass(frozen=True)
class FigureFlags:
    """What a reader must be told about a figure of a map mart besides its value."""

    rolled_up: bool = False  # built from the other map's units (Resolution 06's map after 2025-H1)
    mapped_forward: bool = False  # the current map before 2025-H2, from old communes
    complete: bool = True
    pieces_reported: int | None = None
    pieces_expected: int | None = None
    completeness_share: float | None = None
    placeholder_share: bool = False
    series_break: bool = False  # obs_status 'b'

    @property
    def any(self) -> bool:
        return self.rolled_up or self.mapped_forward or not self.complete or self.placeholder_share \
            or self.series_break


NO_FLAGS = FigureFlags()
# The marks shown beside a figure, in this order (explained by ``figure_marks_legend``).
MARK_ROLLED_UP, MARK_INCOMPLETE, MARK_PLACEHOLDER_SHARE, MARK_BREAK = "†", "⚠", "§", "(b)"


def _flag(value: object) -> bool:
    return bool(value) if value is not None and not (isinstance(value, float) and pd.isna(value)) \
        and value is not pd.NA else False


def _int_or_none(value: Any) -> int | None:  # a cell of a pandas frame
    return None if value is None or pd.isna(value) else int(value)


def _share_or_none(value: Any) -> float | None:  # a cell of a pandas frame
    return None if value is None or pd.isna(value) else float(value)


_FLAG_COLUMNS = ("locality_code", "indicator_code", "period", "map_method", "is_rolled_up", "is_complete",
                 "completeness_share", "pieces_reported", "pieces_expected", "uses_placeholder_share", "obs_status")


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of the ``columns`` it has (a missing one reads as absent, as from
    ``to_dict("records")``): one conversion per column instead of a dict of every column per row."""
    present = [c for c in columns if c in frame.columns]
    return [dict(zip(present, values, strict=True))
            for values in zip(*(frame[c].tolist() for c in present), strict=True)] if present else \
        [{} for _ in range(len(frame))]


def figure_flags(marts: MartSet) -> dict[tuple[str, str, str], FigureFlags]:
    """(locality_code, indicator_code, period) → flags, for the figures that have any (map marts only)."""
    if "figure_flags" not in marts.memo:
        values = marts.get("fct_indicator_values")
        out: dict[tuple[str, str, str], FigureFlags] = {}
        if values is not None and "map_method" in values.columns:
            for r in _records(values, _FLAG_COLUMNS):
                share = _share_or_none(r.get("completeness_share"))
                flags = FigureFlags(
                    rolled_up=r.get("map_method") == "rolled_up_from_new_units" or (
                        _flag(r.get("is_rolled_up")) and r.get("map_method") != "mapped_forward_from_old_communes"),
                    mapped_forward=r.get("map_method") == "mapped_forward_from_old_communes",
                    complete=r.get("is_complete") is not False and not (share is not None and share < 1.0),
                    pieces_reported=_int_or_none(r.get("pieces_reported")),
                    pieces_expected=_int_or_none(r.get("pieces_expected")),
                    completeness_share=share,
                    placeholder_share=_flag(r.get("uses_placeholder_share")),
                    series_break=r.get("obs_status") == "b",
                )
                if flags.any:
                    out[(str(r["locality_code"]), str(r["indicator_code"]), str(r["period"]))] = flags
        marts.memo["figure_flags"] = out
    return cast(dict[tuple[str, str, str], FigureFlags], marts.memo["figure_flags"])


def flags_of(marts: MartSet, locality_code: str, indicator_code: str, period: object) -> FigureFlags:
    if not isinstance(period, str):
        return NO_FLAGS
    return figure_flags(marts).get((locality_code, indicator_code, period), NO_FLAGS)


def figure_marks(flags: FigureFlags) -> str:
    """The short marks beside a figure: † rolled up, ⚠ incomplete, § placeholder share, (b) series break."""
    marks = []
    if flags.rolled_up or flags.mapped_forward:
        marks.append(MARK_ROLLED_UP)
    if not flags.complete:
        marks.append(MARK_INCOMPLETE)
    if flags.placeholder_share:
        marks.append(MARK_PLACEHOLDER_SHARE)
    if flags.series_break:
        marks.append(MARK_BREAK)
    return "".join(marks)


def completeness_text(flags: FigureFlags, lang: Lang) -> str:
    share = flags.completeness_share
    pct = "?" if share is None else f"{share * 100:.0f}"
    if lang == "vi":
        pct = pct.replace(".", ",")
    return text("incomplete_rollup", lang, reported=flags.pieces_reported if flags.pieces_reported is not None
                else "?", expected=flags.pieces_expected if flags.pieces_expected is not None else "?", pct=pct)


def figure_note(flags: FigureFlags, lang: Lang) -> str:
    """The marks spelt out: "tổng hợp từ đơn vị hành chính mới; CHƯA ĐỦ: 30/41 đơn vị (73 %); …"."""
    parts = []
    if flags.rolled_up:
        parts.append(text("rolled_up", lang))
    if flags.mapped_forward:
        parts.append(text("mapped_forward", lang))
    if not flags.complete:
        parts.append(completeness_text(flags, lang))
    if flags.placeholder_share:
        parts.append(text("placeholder_share", lang))
    if flags.series_break:
        parts.append(text("series_break", lang))
    return "; ".join(parts)


# Beside a figure whose approved value stands while a later revision waits (finding REVISION_AFTER_APPROVAL).
MARK_REVISION = "⚑"


def approval_text(record: Mapping[str, object], lang: Lang) -> str:
    """A figure's approval state for people: "Đã phê duyệt bởi … ngày …" / "Approved by … on …", and a
    revision that arrived after the approval flagged with its figure (the official one stays the approved)."""
    status = record.get("approval_status")
    if status not in ("approved", "partly_approved"):
        return text("not_approved", lang) if isinstance(status, str) else ""
    at = record.get("approved_at")
    date = pd.Timestamp(at).strftime("%d/%m/%Y") if at is not None and not pd.isna(at) else "?"
    by = record.get("approved_by")
    parts = [text("approved_by_on" if status == "approved" else "partly_approved_by_on", lang,
                  by=by if isinstance(by, str) else "?", date=date)]
    if _flag(record.get("has_revision_after_approval")):
        revision = _share_or_none(record.get("revision_value"))
        unit = record.get("unit")
        parts.append(MARK_REVISION + " " + (
            text("revision_pending", lang, value=number_text(revision, lang, decimals_for(
                unit if isinstance(unit, str) else None)))
            if revision is not None else text("revision_pending_rollup", lang)))
    return "; ".join(parts)


_APPROVAL_COLUMNS = ("approval_status", "approved_at", "approved_by", "has_revision_after_approval",
                     "revision_value", "unit")


def _approvals(frame: pd.DataFrame, lang: Lang) -> list[str]:
    if "approval_status" not in frame.columns:  # a warehouse published before approvals
        return [""] * len(frame)
    return [approval_text(r, lang) for r in _records(frame, _APPROVAL_COLUMNS)]


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
    key = ("status_table", lang, locality_code)
    if key not in marts.memo:
        frame, rows = _status_rows(marts, gaps, lang)
        # a locality without targets: the columns, no rows
        marts.memo[key] = _status_order(marts, frame.iloc[rows.get(locality_code, [])])
    return cast(pd.DataFrame, marts.memo[key]).copy()


def _status_rows(marts: MartSet, gaps: pd.DataFrame, lang: Lang) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The status columns of every locality, computed once over all of them, and each locality's rows:
    a report orders only the units it shows (150 of ~3,000 communes at national scale)."""
    key = ("status_rows", lang)
    if key not in marts.memo:
        frame = _status_columns(marts, gaps.copy(), lang)
        rows = {str(code): positions for code, positions in frame.groupby("locality_code", sort=False).indices.items()}
        marts.memo[key] = (frame, rows)
    return cast(tuple[pd.DataFrame, dict[str, Any]], marts.memo[key])


def _status_columns(marts: MartSet, frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    frame["indicator"] = frame["indicator_code"].map(indicator_names(marts, lang)).fillna(frame["indicator_code"])
    flags = [flags_of(marts, locality, code, period) for locality, code, period
             in zip(frame["locality_code"], frame["indicator_code"], frame["period"], strict=False)]
    breaks = frame["crosses_series_break"].fillna(False).astype(bool).tolist() \
        if "crosses_series_break" in frame.columns else [False] * len(frame)
    notes_column = f"series_break_note_{'vi' if lang == 'vi' else 'en'}"
    break_notes = frame[notes_column].tolist() if notes_column in frame.columns else [None] * len(frame)
    frame["figure_marks"] = [figure_marks(f) + (MARK_BREAK if crossed and not f.series_break else "")
                             for f, crossed in zip(flags, breaks, strict=True)]
    frame["figure_note"] = ["; ".join(p for p in (figure_note(f, lang), note if crossed and isinstance(note, str)
                                                  else "") if p)
                            for f, crossed, note in zip(flags, breaks, break_notes, strict=True)]
    frame["completeness_pct"] = pd.Series(
        [None if f.completeness_share is None or f.complete else f.completeness_share * 100 for f in flags],
        index=frame.index, dtype=object)
    frame["approval"] = _approvals(frame, lang)
    frame["_order"] = frame["indicator_code"].map(indicator_order(marts)).fillna(10_000)
    return frame


def _status_order(marts: MartSet, frame: pd.DataFrame) -> pd.DataFrame:
    # the share's column typed from this locality's values alone (all None stays None, not NaN)
    frame = frame.assign(completeness_pct=frame["completeness_pct"].tolist())
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
    groups = cast(dict[str, pd.DataFrame], marts.memo["values_by_locality"])
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
    return list(cast(dict[str, list[tuple[str, float]]], marts.memo[key]).get(indicator_code, []))


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
        rec = marts.frames["fct_reconciliation"]
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
    values = marts.get("fct_indicator_values_as_reported")
    if values is None:
        values = marts.get("fct_indicator_values")
    dim = marts.get("dim_indicator")
    if values is None or dim is None or not {"other_source", "other_value"} <= set(values.columns):
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


REVIEW_STATUSES = ("met", "not_met", "incomplete", "no_data", "in_progress")


def programme_review(marts: MartSet, lang: Lang, programme_code: str | None = None) -> pd.DataFrame | None:
    """The programme's review (fct_programme_review) on the report's map: one row per unit × indicator,
    the province first then by code, indicators in catalogue order; marks and notes of the actual."""
    review = marts.get("fct_programme_review")
    if review is None:
        return None
    programme_code = programme_code or (marts.report_map or NQ06_MAP).programme_code
    frame = review[review["programme_code"] == programme_code].copy()
    units = marts.get("dim_locality")
    if units is not None:  # a unit of another map never enters the review of this one
        frame = frame[frame["locality_code"].isin(units["locality_code"])]
    if frame.empty:
        return frame.assign(locality="", indicator="", figure_marks="", figure_note="", completeness_pct=None,
                            approval="")
    frame["locality"] = [locality_name(marts, c, lang) for c in frame["locality_code"]]
    frame["indicator"] = frame["indicator_code"].map(indicator_names(marts, lang)).fillna(frame["indicator_code"])
    notes, marks, shares = [], [], []
    for r in frame.to_dict("records"):
        share = _share_or_none(r.get("completeness_share"))
        flags = FigureFlags(
            rolled_up=_flag(r.get("is_rolled_up")),
            complete=r.get("review_status") != "incomplete" and not (share is not None and share < 1.0),
            pieces_reported=_int_or_none(r.get("pieces_reported")),
            pieces_expected=_int_or_none(r.get("pieces_expected")),
            completeness_share=share,
            placeholder_share=_flag(r.get("uses_placeholder_share")),
            series_break=r.get("obs_status") == "b",
        )
        has_actual = r.get("actual") is not None and not pd.isna(r.get("actual"))
        if not has_actual and r.get("review_status") != "incomplete":
            flags = NO_FLAGS  # nothing shown, nothing to mark
        marks.append(figure_marks(flags))
        notes.append(figure_note(flags, lang))
        shares.append(None if flags.completeness_share is None or flags.complete else flags.completeness_share * 100)
    frame["figure_marks"], frame["figure_note"], frame["completeness_pct"] = marks, notes, shares
    frame["approval"] = _approvals(frame, lang)
    order = indicator_order(marts)
    frame["_province"] = frame["locality_code"] != PROVINCE_CODE
    frame["_order"] = frame["indicator_code"].map(order).fillna(10_000)
    frame = frame.sort_values(["_province", "locality_code", "_order", "indicator_code"])
    return frame.drop(columns=["_province", "_order"]).reset_index(drop=True)


def review_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["review_status"].value_counts().to_dict() if "review_status" in frame.columns else {}
    return {status: int(counts.get(status, 0)) for status in REVIEW_STATUSES}


# The indicator each map opens with (the others are a switch away).
HEADLINE_INDICATOR = "URBANIZATION_RATE"
MAP_INDICATORS_MAX = 8


def map_indicators(marts: MartSet) -> list[str]:
    """Indicators with a progress class for at least one unit below the province: the headline first,
    then in catalogue order (at most MAP_INDICATORS_MAX)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return []
    below = gaps[gaps["locality_code"] != PROVINCE_CODE]
    order = indicator_order(marts)
    codes = sorted(set(below["indicator_code"]), key=lambda c: (c != HEADLINE_INDICATOR, order.get(c, 10_000), c))
    return codes[:MAP_INDICATORS_MAX]


def map_classes(marts: MartSet, indicator_code: str) -> dict[str, str]:
    """Unit code → progress class of the indicator on the report's map (units below the province)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return {}
    rows = gaps[(gaps["indicator_code"] == indicator_code) & (gaps["locality_code"] != PROVINCE_CODE)]
    return {str(c): str(k) for c, k in zip(rows["locality_code"], rows["progress_class"], strict=False)
            if isinstance(k, str)}


def map_class_table(marts: MartSet, lang: Lang) -> pd.DataFrame | None:
    """One row per unit below the province: code, name, and the progress class per map indicator."""
    if marts.get("fct_target_gaps") is None:
        return None
    codes = map_indicators(marts)
    classes = {ind: map_classes(marts, ind) for ind in codes}  # once per indicator, not per unit
    rows = [{"locality_code": code, "locality": name, **{ind: classes[ind].get(code) for ind in codes}}
            for code, name in localities(marts, lang) if code != PROVINCE_CODE]
    return pd.DataFrame(rows, columns=["locality_code", "locality", *codes])


def comparable_territory(marts: MartSet, comparable: MartSet, lang: Lang) -> pd.DataFrame | None:
    """The merged province (this view, the current map) beside old Khánh Hòa's area (``comparable``,
    Resolution 06's map: its province row after 2025-H1 is the 41 units of the old area), per indicator
    and period the current map shows. Columns: indicator_code, indicator, unit, period, merged, old_area,
    old_area_marks, old_area_note."""
    current = marts.get("fct_indicator_values")
    old = comparable.get("fct_indicator_values")
    if current is None or old is None:
        return None
    current = current[current["locality_code"] == PROVINCE_CODE]
    old = old[old["locality_code"] == PROVINCE_CODE]
    periods = set(current["period"]) | {p for p in old["period"] if p in set(current["period"])}
    merged = current.set_index(["indicator_code", "period"])["value"].to_dict()
    old_values = old.set_index(["indicator_code", "period"])["value"].to_dict()
    units = dict(zip(current["indicator_code"], current["unit"], strict=False))
    order = indicator_order(marts)
    porder = period_order(marts)
    names = indicator_names(marts, lang)
    rows = []
    for code, period in sorted({(c, p) for c, p in merged} | {(c, p) for c, p in old_values if p in periods},
                               key=lambda cp: (order.get(cp[0], 10_000), cp[0], porder.get(cp[1], 0))):
        flags = flags_of(comparable, PROVINCE_CODE, code, period)
        rows.append({"indicator_code": code, "indicator": names.get(code, code), "unit": units.get(code, ""),
                     "period": period, "merged": merged.get((code, period)), "old_area": old_values.get((code, period)),
                     "old_area_marks": figure_marks(flags), "old_area_note": figure_note(flags, lang)})
    return pd.DataFrame(rows, columns=["indicator_code", "indicator", "unit", "period", "merged", "old_area",
                                       "old_area_marks", "old_area_note"])


def unit_values(marts: MartSet, lang: Lang) -> pd.DataFrame | None:
    """The map's figures of the report's units, long (unit × indicator × period) with marks and notes."""
    values = marts.get("fct_indicator_values")
    if values is None:
        return None
    shown = [code for code, _ in report_localities(marts, lang)]
    frame = values[values["locality_code"].isin(shown)].copy()
    rank = {code: i for i, code in enumerate(shown)}
    order = indicator_order(marts)
    porder = period_order(marts)
    frame = frame.assign(
        _r=frame["locality_code"].map(rank), _o=frame["indicator_code"].map(order).fillna(10_000),
        _p=frame["period"].map(porder).fillna(0),
    ).sort_values(["_r", "_o", "indicator_code", "_p"]).drop(columns=["_r", "_o", "_p"])
    flags = [flags_of(marts, c, i, p) for c, i, p in
             zip(frame["locality_code"], frame["indicator_code"], frame["period"], strict=False)]
    frame["locality"] = [locality_name(marts, c, lang) for c in frame["locality_code"]]
    frame["indicator"] = frame["indicator_code"].map(indicator_names(marts, lang)).fillna(frame["indicator_code"])
    frame["figure_marks"] = [figure_marks(f) for f in flags]
    frame["figure_note"] = [figure_note(f, lang) for f in flags]
    frame["completeness_pct"] = [None if f.completeness_share is None or f.complete else f.completeness_share * 100
                                 for f in flags]
    frame["approval"] = _approvals(frame, lang)
    return frame.reset_index(drop=True)


def worst_gaps(marts: MartSet, top_n: int = 10) -> pd.DataFrame | None:
    """The locality × indicator pairs furthest from target (lowest achievement %, achieved ones left out)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return None
    frame = gaps[gaps["achievement_pct"].notna() & (gaps["progress_class"] != "achieved")]
    return frame.sort_values(["achievement_pct", "locality_code", "indicator_code"]).head(top_n).reset_index(drop=True)

