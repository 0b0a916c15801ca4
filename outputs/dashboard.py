"""The dashboards: each ONE self-contained HTML file (inline CSS, inline SVG, a few lines of inline JS).

``render_dashboard`` — Resolution 06's final review (``dashboard.*.html``) on its map: old Khánh Hòa and
its nine districts (``fct_indicator_values_nq06_map``), with the final review of 2025 and a map of the
nine districts. ``render_current_dashboard`` — the current report (``current_dashboard.*.html``) on the
65 units and the merged province, from 2025-H2, every target a placeholder (said in a banner).

They open from a file share or a USB stick with no network: nothing is fetched (the CSP forbids it). Every
text from the warehouse is HTML-escaped. The JS only switches the locality / map indicator shown and
filters findings by severity; everything is rendered by Python (the maps pre-rendered, one per
indicator), so it also prints and reads without JS. Figures rolled up from the new units carry † and a
note, incomplete roll-ups ⚠ and their completeness, placeholder shares §, series breaks (b).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from outputs import maps, svg, views
from outputs.formatting import decimals_for, number_text
from outputs.labels import SEVERITY_COLOURS, Lang, progress_colour, progress_label, text, white_text_on
from outputs.marts import CURRENT_MAP, NQ06_MAP, PROVINCE_CODE, MartSet, on_map

# An HTML page stays readable (and light) with this many table rows; the Excel report lists every row.
TABLE_ROWS_MAX = 500
BARS_MAX = 15  # largest disagreements drawn as bars

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f4e79;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:22px} header p{margin:2px 0;font-size:13px}
.banner{background:#c00000;color:#fff;font-weight:bold;padding:8px 24px}
.note{background:#fff4e5;color:#7a4a00;padding:6px 24px;font-size:13px}
main{padding:8px 24px 32px} section{background:#fff;border-radius:6px;margin:16px 0;padding:12px 16px;
box-shadow:0 1px 2px rgba(0,0,0,.08)} h2{font-size:18px;margin:4px 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 10px;font-size:13px}
.card .name{font-weight:600;min-height:34px} .card .fig{font-size:18px;margin:4px 0}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.ph{color:#b45f06;font-style:italic;font-weight:bold;font-size:12px}
.appr{color:#1b7837;font-size:12px}.appr.revised{color:#9c0006;background:#ffc7ce;font-weight:bold;padding:2px 4px}
table{border-collapse:collapse;font-size:12px;width:100%} th,td{border:1px solid #ddd;padding:3px 6px;
vertical-align:top} th{background:#1f4e79;color:#fff;position:sticky;top:0} td.num{text-align:right}
.heat td.cell{text-align:center;font-weight:600;min-width:58px}
.trends{display:flex;flex-wrap:wrap;gap:8px} .trend-group{display:none} .trend-group.active{display:block}
svg .lbl,svg .val,svg .axis{font-size:11px;fill:#333} svg .ttl{font-size:11px;font-weight:600;fill:#222}
.filters button{margin-right:6px} .filters button.on{background:#1f4e79;color:#fff}
.legend span{margin-right:10px;font-size:12px} footer{font-size:12px;color:#555;padding:0 24px 24px}
.mark{color:#1f4e79;font-weight:bold;margin-left:2px} .fnote{font-size:11px;color:#7a4a00}
td.rolled{background:#ddebf7} td.incomplete{background:#fce4d6}
.ph-banner{background:#b45f06;color:#fff;font-weight:bold;padding:10px 24px;font-size:15px}
nav{padding:6px 24px;font-size:13px} nav a{margin-right:14px}
.map-group{display:none} .map-group.active{display:block}
@media print{.filters,select,nav{display:none}.trend-group{display:block}}
"""

_JS = """
(function(){
  var select=document.getElementById('locality-select');
  function show(code){document.querySelectorAll('.trend-group').forEach(function(g){
    g.classList.toggle('active',g.dataset.locality===code);});}
  if(select){select.addEventListener('change',function(){show(select.value);});show(select.value);}
  document.querySelectorAll('.filters button').forEach(function(b){b.addEventListener('click',function(){
    document.querySelectorAll('.filters button').forEach(function(o){o.classList.remove('on');});
    b.classList.add('on');var sev=b.dataset.severity;
    document.querySelectorAll('#findings-table tbody tr').forEach(function(r){
      r.style.display=(sev==='all'||r.dataset.severity===sev)?'':'none';});});});
  var maps=document.getElementById('map-select');
  function showMap(code){document.querySelectorAll('.map-group').forEach(function(g){
    g.classList.toggle('active',g.dataset.indicator===code);});
    var shown=document.querySelector('.map-group.active svg.map-chart');
    document.documentElement.dataset.mapUnits=shown?String(shown.querySelectorAll('path[data-unit]').length):'0';}
  if(maps){maps.addEventListener('change',function(){showMap(maps.value);});showMap(maps.value);}
  var charts=document.querySelectorAll('svg.chart').length;
  document.documentElement.dataset.rendered='yes';
  document.documentElement.dataset.charts=String(charts);
  var status=document.getElementById('render-status'); if(status){status.textContent=String(charts);}
})();
"""


def _decimal_years(marts: MartSet) -> dict[str, float]:
    """Period → the decimal year of its end (2024 → 2025.0, 2025-H1 → 2025.5): the time axis."""
    periods = marts.get("dim_period")
    if periods is None:
        return {}
    out = {}
    for period, end in zip(periods["period"], pd.to_datetime(periods["end_date"]), strict=False):
        out[str(period)] = end.year + (end.day_of_year / (366 if end.is_leap_year else 365))
    return out


def _pill(progress_class: str | None, lang: Lang) -> str:
    if not isinstance(progress_class, str):
        return ""
    fg = "#fff" if white_text_on(progress_class) else "#000"
    return (f'<span class="pill" style="background:#{progress_colour(progress_class)};color:{fg}">'
            f"{escape(progress_label(progress_class, lang))}</span>")


def _placeholder(flag: object, lang: Lang) -> str:
    return f' <span class="ph">[{escape(text("placeholder", lang))}]</span>' if flag is True else ""


def _unavailable(lang: Lang, mart: str) -> str:
    return f'<p class="ph">{escape(text("not_available", lang, name=mart))}</p>'


def _marks(marks: object, note: object) -> str:
    """The figure's marks (†, ⚠, §, (b)) with their meaning as a tooltip."""
    if not isinstance(marks, str) or not marks:
        return ""
    return f'<span class="mark" title="{escape(str(note or ""))}">{escape(marks)}</span>'


def _note(note: object) -> str:
    return f'<div class="fnote">{escape(note)}</div>' if isinstance(note, str) and note else ""


def _approval(approval: object) -> str:
    """The figure's approval state ("Đã phê duyệt bởi … ngày …"); a revision waiting after it stands out."""
    if not isinstance(approval, str) or not approval:
        return ""
    revised = " revised" if views.MARK_REVISION in approval else ""
    return f'<div class="appr{revised}">{escape(approval)}</div>'


def _marks_legend(lang: Lang) -> str:
    return f'<div class="note marks-legend">{escape(text("figure_marks_legend", lang))}</div>'


def _cards(marts: MartSet, lang: Lang) -> str:
    status = views.status_table(marts, PROVINCE_CODE, lang)
    if status is None:
        return _unavailable(lang, "fct_target_gaps")
    cards = []
    for _, r in status.iterrows():
        unit = r["unit"] if isinstance(r["unit"], str) else ""
        d = decimals_for(unit)
        cards.append(
            f'<div class="card" data-indicator="{escape(r["indicator_code"])}">'
            f'<div class="name">{escape(r["indicator"])}</div>'
            f'<div class="fig">{escape(number_text(r["actual"], lang, d))}{_marks(r["figure_marks"], r["figure_note"])}'
            f' / {escape(number_text(r["target_value"], lang, d))} {escape(unit)}'
            f'{_placeholder(r["is_placeholder"], lang)}</div>{_note(r["figure_note"])}{_approval(r.get("approval"))}'
            f"{svg.gauge(r['achievement_pct'], progress_colour(r['progress_class']))}"
            f"<div>{_pill(r['progress_class'], lang)} {escape(number_text(r['achievement_pct'], lang, 0))} % · "
            f"{escape(str(r['period']))} → {escape(str(r['target_year']))}</div></div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _legend(lang: Lang) -> str:
    return "".join(
        f'<span>{_pill(c, lang)}</span>'
        for c in ("achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration",
                  "unable_to_assess")
    )


def _heat_cell(marts: MartSet, r: Any, lang: Lang) -> str:  # r: a row of DataFrame.itertuples(), or None
    if r is None:
        return '<td class="cell">–</td>'
    fg = "#fff" if white_text_on(r.progress_class) else "#000"
    mark = "*" if r.is_placeholder is True else ""
    flags = views.flags_of(marts, r.locality_code, r.indicator_code, r.period)
    figure = views.figure_marks(flags)
    note = views.figure_note(flags, lang)
    title = f"{progress_label(r.progress_class, lang)}; {text('target', lang)} {r.target_value:g}{mark}"
    if note:
        title += f"; {note}"
    return (f'<td class="cell" style="background:#{progress_colour(r.progress_class)};color:{fg}" '
            f'title="{escape(title)}">{escape(number_text(r.achievement_pct, lang, 0))}{mark}'
            f"{escape(figure)}</td>")


def _heatmap(marts: MartSet, lang: Lang, units_as_rows: bool = False) -> str:
    """Achievement % per unit × indicator, coloured by progress class: indicators as rows (the nine
    districts), or units as rows (the 65 units: a long table, not a wide one)."""
    gaps = marts.get("fct_target_gaps")
    if gaps is None:
        return _unavailable(lang, "fct_target_gaps")
    places = views.report_localities(marts, lang)
    names = views.indicator_names(marts, lang)
    order = views.indicator_order(marts)
    if units_as_rows:
        below = gaps[gaps["locality_code"] != PROVINCE_CODE]
        codes = sorted(below["indicator_code"].unique(), key=lambda c: (order.get(c, 10_000), c))
    else:
        codes = sorted(gaps["indicator_code"].unique(), key=lambda c: (order.get(c, 10_000), c))
    by_key = {(r.locality_code, r.indicator_code): r for r in gaps.itertuples()}
    if units_as_rows:
        head = "".join(f"<th>{escape(names.get(code, code))}</th>" for code in codes)
        rows = [f'<tr data-unit="{escape(loc)}"><td>{escape(name)} ({escape(loc)})</td>'
                + "".join(_heat_cell(marts, by_key.get((loc, code)), lang) for code in codes) + "</tr>"
                for loc, name in places]
        first = text("locality", lang)
    else:
        head = "".join(f"<th>{escape(name)}</th>" for _, name in places)
        rows = [f"<tr><td>{escape(names.get(code, code))}</td>"
                + "".join(_heat_cell(marts, by_key.get((loc, code)), lang) for loc, _ in places) + "</tr>"
                for code in codes]
        first = text("indicator", lang)
    return (f'<p class="legend">{_legend(lang)}</p><p class="ph">* {escape(text("placeholder", lang))}</p>'
            f'<div style="overflow-x:auto"><table class="heat"><thead><tr><th>{escape(first)}'
            f"</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _trends(marts: MartSet, lang: Lang) -> str:
    values = marts.get("fct_indicator_values")
    if values is None:
        return _unavailable(lang, "fct_indicator_values")
    years = _decimal_years(marts)
    gaps = marts.get("fct_target_gaps")
    targets = {} if gaps is None else {(r.locality_code, r.indicator_code): r for r in gaps.itertuples()}
    names = views.indicator_names(marts, lang)
    order = views.indicator_order(marts)
    units = values.drop_duplicates("indicator_code").set_index("indicator_code")["unit"].to_dict()
    options, groups = [], []
    for loc, loc_name in views.report_localities(marts, lang):
        options.append(f'<option value="{escape(loc)}">{escape(loc_name)} ({escape(loc)})</option>')
        codes = sorted(views.values_of(marts, loc)["indicator_code"].unique(),
                       key=lambda c: (order.get(c, 10_000), c))
        charts = []
        for code in codes:
            points = [svg.TrendPoint(years.get(p, 0.0), v, p,
                                     views.figure_note(views.flags_of(marts, loc, code, p), lang))
                      for p, v in views.series(marts, loc, code)]
            t = targets.get((loc, code))
            target = None
            label = ""
            if t is not None and pd.notna(t.target_value) and pd.notna(t.target_year):
                target = (float(t.target_year) + 1.0, float(t.target_value))
                label = f"{text('target_path', lang)}: {t.target_value:g} ({int(t.target_year)})"
                if t.is_placeholder is True:
                    label += f" [{text('placeholder', lang)}]"
            charts.append(svg.trend_chart(
                points, names.get(code, code), str(units.get(code) or ""), target, label,
                placeholder=t is not None and t.is_placeholder is True,
            ))
        groups.append(f'<div class="trend-group" data-locality="{escape(loc)}"><div class="trends">'
                      f"{''.join(charts)}</div></div>")
    return (f'<label>{escape(text("select_locality", lang))}: <select id="locality-select">{"".join(options)}'
            f"</select></label> <span class=\"legend\"><span>— {escape(text('actual', lang))}</span>"
            f"<span>- - {escape(text('target_path', lang))}</span></span>{''.join(groups)}")


def _reconciliation(marts: MartSet, lang: Lang) -> str:
    frame = views.reconciliation(marts)
    if frame is None:
        return _unavailable(lang, "fct_indicator_values")
    differing = frame[frame["difference_pct"] > 0].head(BARS_MAX)
    bars = [
        svg.Bar(
            f"{views.locality_name(marts, r.locality_code, lang)} · {r.indicator_code} {r.period}",
            float(r.difference_pct),
            "d73027" if r.beyond_tolerance else "7fbf7b",
            marker=None if pd.isna(r.tolerance_pct) else float(r.tolerance_pct),
            note=f"{r.difference_pct:.1f} % ({r.locality_value:g} / {r.department_value:g})",
        )
        for r in differing.itertuples()
    ]
    beyond = frame[frame["beyond_tolerance"]]
    rows = "".join(
        f"<tr><td>{escape(views.locality_name(marts, r.locality_code, lang))}</td><td>{escape(r.indicator_code)}</td>"
        f"<td>{escape(r.period)}</td><td class=num>{escape(number_text(r.locality_value, lang))}</td>"
        f"<td class=num>{escape(number_text(r.department_value, lang))}</td><td>{escape(str(r.department_code))}</td>"
        f"<td class=num>{escape(number_text(r.difference_pct, lang))}</td>"
        f"<td class=num>{escape(number_text(r.tolerance_pct, lang))}</td></tr>"
        for r in beyond.head(TABLE_ROWS_MAX).itertuples()
    )
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in (
        "locality", "indicator_code", "period", "locality_value", "department_value", "reporter",
        "difference_pct", "tolerance_pct"))
    counts = views.reconciliation_counts(marts, frame)
    agree = counts["pairs"] - counts["beyond"]
    return (f"<p>{counts['pairs']} · {agree} ≤ {escape(text('tolerance_pct', lang))}</p>"
            + svg.bar_chart(bars, text("reconciliation_title", lang), value_suffix=" %")
            + (f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>" if rows else "")
            + _rows_shown(counts["beyond"], lang, "fct_reconciliation"))


def _findings(marts: MartSet, lang: Lang) -> str:
    findings = views.open_findings(marts)
    if findings is None:
        return _unavailable(lang, "fct_dq_issues")
    if findings.empty:
        return f"<p>{escape(text('no_findings', lang))}</p>"
    suffix = "vi" if lang == "vi" else "en"
    counts = views.open_finding_counts(marts)
    if counts is None:  # not reached: findings exist, so do their counts
        return _unavailable(lang, "fct_dq_issues")
    bars = [svg.Bar(r.rule_code, float(r.n), SEVERITY_COLOURS.get(r.severity, "999999"),
                    note=f"{r.n} {text(r.severity, lang) if r.severity in ('error', 'warning') else r.severity}")
            for r in counts.itertuples()]
    rows = "".join(
        f'<tr data-severity="{escape(str(r["severity"]))}"><td>{escape(text(r["severity"], lang)) if r["severity"] in ("error", "warning") else escape(str(r["severity"]))}</td>'  # noqa: E501
        f"<td>{escape(str(r.get(f'title_{suffix}') or r['rule_code']))}</td>"
        f"<td>{escape(views.locality_name(marts, r['locality_code'], lang) if isinstance(r['locality_code'], str) else '')}</td>"  # noqa: E501
        f"<td>{escape(str(r['indicator_code'] or '') if isinstance(r['indicator_code'], str) else '')}</td>"
        f"<td>{escape(str(r['period']) if isinstance(r['period'], str) else '')}</td>"
        f"<td>{escape(str(r.get(f'message_{suffix}') or ''))}</td>"
        f"<td>{escape(str(r.get(f'instruction_{suffix}') or ''))}</td>"
        f"<td>{escape(str(r['file_name']) if isinstance(r['file_name'], str) else '')}</td></tr>"
        for r in findings.head(TABLE_ROWS_MAX).to_dict("records")
    )
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in (
        "severity", "rule", "locality", "indicator_code", "period", "message", "instruction", "file"))
    buttons = "".join(
        f'<button data-severity="{key}"{" class=on" if key == "all" else ""}>{escape(label)}</button>'
        for key, label in (("all", "∗"), ("error", text("error", lang)), ("warning", text("warning", lang)))
    )
    return (svg.bar_chart(bars, text("findings_title", lang))
            + f'<div class="filters">{buttons}</div><table id="findings-table"><thead><tr>{header}</tr></thead>'
            f"<tbody>{rows}</tbody></table>" + _rows_shown(views.open_finding_total(marts), lang, "fct_dq_issues"))


def _rows_shown(total: int, lang: Lang, mart: str) -> str:
    if total <= TABLE_ROWS_MAX:
        return ""
    return f'<p class="note">{escape(text("rows_shown", lang, shown=TABLE_ROWS_MAX, total=total, mart=mart))}</p>'


def _submissions(marts: MartSet, lang: Lang) -> str:
    frame = views.submissions_by_reporter(marts, lang)
    if frame is None:
        return _unavailable(lang, "fct_submissions")
    keys = ("files_received", "accepted", "accepted_with_rejections", "quarantined", "superseded", "rows_rejected")
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in ("reporter", *keys, "late", "missing"))
    rows = "".join(
        f"<tr><td>{escape(str(r['reporter']))}</td>"
        + "".join(f"<td class=num>{int(r[k])}</td>" for k in keys)
        + f"<td>{escape(str(r['late']))}</td><td>{escape(str(r['missing']))}</td></tr>"
        for _, r in frame.iterrows()
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _map_section(marts: MartSet, lang: Lang) -> str:
    """A map of the report's units per indicator (pre-rendered, the headline shown first; a select switches
    between them with no network), coloured by progress class, Trường Sa in its inset."""
    report_map = marts.report_map or NQ06_MAP
    codes = views.map_indicators(marts)
    gaps = marts.get("fct_target_gaps")
    if not codes or gaps is None:  # no gaps mart: no codes either
        return _unavailable(lang, "fct_target_gaps") if gaps is None else \
            f"<p>{escape(text('no_data', lang))}</p>"
    names = views.indicator_names(marts, lang)
    options, groups = [], []
    for i, code in enumerate(codes):
        classes = views.map_classes(marts, code)
        rows = gaps[gaps["indicator_code"] == code]
        labels = {}
        for r in rows.itertuples():
            if r.locality_code == PROVINCE_CODE:
                continue
            note = views.figure_note(views.flags_of(marts, r.locality_code, code, r.period), lang)
            label = views.locality_name(marts, r.locality_code, lang)
            labels[r.locality_code] = f"{label} — {note}" if note else label
        title = f"{names.get(code, code)} — {text('progress_class', lang)}"
        chart = maps.choropleth(report_map.layer, classes, title=title, lang=lang, labels=labels)  # type: ignore[arg-type]
        options.append(f'<option value="{escape(code)}">{escape(names.get(code, code))}</option>')
        groups.append(f'<div class="map-group{" active" if i == 0 else ""}" data-indicator="{escape(code)}">'
                      f"{chart}</div>")
    return (f'<label>{escape(text("select_indicator", lang))}: <select id="map-select">{"".join(options)}</select>'
            f"</label>{''.join(groups)}")


def _review(marts: MartSet, lang: Lang) -> str:
    """Resolution 06's final review: per unit (province first) and indicator, target vs the 2025 actual."""
    frame = views.programme_review(marts, lang)
    if frame is None:
        return _unavailable(lang, "fct_programme_review")
    colours = {"met": "1b7837", "not_met": "d73027", "incomplete": "fee08b", "no_data": "bdbdbd",
               "in_progress": "ddebf7"}
    rows = []
    for r in frame.head(TABLE_ROWS_MAX).to_dict("records"):
        unit = r["unit"] if isinstance(r.get("unit"), str) else ""
        d = decimals_for(unit)
        status = str(r.get("review_status") or "")
        fg = "#fff" if status in ("met", "not_met") else "#000"
        label = text(status, lang) if status in colours else status
        completeness = ""
        if r.get("completeness_pct") is not None and not pd.isna(r.get("completeness_pct")):
            completeness = f"{number_text(r['completeness_pct'], lang, 0)} %"
        rows.append(
            f'<tr data-status="{escape(status)}" data-locality="{escape(str(r["locality_code"]))}">'
            f"<td>{escape(str(r['locality']))}</td><td>{escape(str(r['indicator']))}</td>"
            f"<td class=num>{escape(number_text(r['target_value'], lang, d))} {escape(unit)}"
            f"{_placeholder(r.get('is_placeholder'), lang)}</td><td>{escape(str(r.get('review_period') or ''))}</td>"
            f"<td class=num>{escape(number_text(r['actual'], lang, d))}{_marks(r['figure_marks'], r['figure_note'])}"
            f'</td><td><span class="pill" style="background:#{colours.get(status, "ffffff")};color:{fg}">'
            f"{escape(label)}</span></td><td class=num>{escape(completeness)}</td>"
            f"<td>{escape(str(r['figure_note'] or ''))}</td><td>{_approval(r.get('approval'))}</td></tr>"
        )
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in (
        "locality", "indicator", "target", "review_period", "actual", "review_status", "completeness_pct",
        "figure_note", "approval"))
    counts = text("review_counts", lang, **views.review_counts(frame))
    return (f'<p class="note">{escape(text("review_note", lang))}</p><p><b>{escape(counts)}</b></p>'
            f'<table id="review-table"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + _rows_shown(len(frame), lang, "fct_programme_review"))


def _comparison(marts: MartSet, comparable: MartSet, lang: Lang) -> str:
    frame = views.comparable_territory(marts, comparable, lang)
    if frame is None:
        return _unavailable(lang, CURRENT_MAP.values_mart)
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in (
        "indicator", "unit", "period", "merged_province", "old_area", "figure_note"))
    rows = "".join(
        f'<tr><td>{escape(r["indicator"])}</td><td>{escape(str(r["unit"] or ""))}</td><td>{escape(r["period"])}</td>'
        f'<td class=num>{escape(number_text(r["merged"], lang, decimals_for(r["unit"])))}</td>'
        f'<td class="num{" rolled" if r["old_area_marks"] else ""}">'
        f'{escape(number_text(r["old_area"], lang, decimals_for(r["unit"])))}'
        f'{_marks(r["old_area_marks"], r["old_area_note"])}</td><td>{escape(r["old_area_note"])}</td></tr>'
        for r in frame.to_dict("records")
    )
    body = (f"<table id=\"comparison-table\"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
            if rows else f"<p>{escape(text('no_data', lang))}</p>")
    return f'<p class="note">{escape(text("comparison_note", lang))}</p>{body}'


def _page(marts: MartSet, lang: Lang, generated_at: dt.datetime, *, title: str, subtitle: str, banners: str,
          sections: list[tuple[str, str, str]], nav: str) -> str:
    synthetic = f'<div class="banner">{escape(text("synthetic_warning", lang))}</div>' if marts.is_synthetic else ""
    missing = "".join(f'<div class="note">{escape(text("not_available", lang, name=n))}</div>' for n in marts.missing)
    total = len(views.localities(marts, lang))
    if total > views.REPORT_LOCALITIES_MAX:
        capped = text("localities_capped", lang, shown=views.REPORT_LOCALITIES_MAX, total=total)
        missing += f'<div class="note">{escape(capped)}</div>'
    body = "".join(
        f'<section id="{sid}"><h2>{escape(heading)}</h2>{content}</section>' for sid, heading, content in sections
    )
    map_code = marts.report_map.code if marts.report_map is not None else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}" data-map="{escape(map_code)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No network: a CSP that forbids fetching anything makes that a property of the file, not a promise.
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p>"
        f"<p>{escape(text('generated_at', lang))}: {generated_at:%d/%m/%Y %H:%M} · "
        f'<span id="render-status"></span> SVG</p></header>{nav}{synthetic}{banners}'
        f'{_marks_legend(lang)}{missing}<main>{body}</main>'
        f"<footer>{escape(text('method_note', lang))} · dothi</footer><script>{_JS}</script></body></html>"
    )


def _nav(lang: Lang, other_file: str, other_key: str) -> str:
    return f'<nav><a href="{escape(other_file)}">{escape(text(other_key, lang))}</a></nav>'


def render_dashboard(marts: MartSet, lang: Lang = "vi", generated_at: dt.datetime | None = None) -> str:
    """Resolution 06's final-review dashboard, on its map (nine districts and old Khánh Hòa)."""
    generated_at = generated_at or dt.datetime.now()
    marts = marts if marts.report_map is not None else on_map(marts, NQ06_MAP)
    sections = [
        ("province", text("province_status", lang), _cards(marts, lang)),
        ("review", text("review_title", lang), _review(marts, lang)),
        ("map", text("map_title", lang), _map_section(marts, lang)),
        ("heatmap", text("heatmap_title", lang), _heatmap(marts, lang)),
        ("trends", text("trends_title", lang), _trends(marts, lang)),
        ("reconciliation", text("reconciliation_title", lang), _reconciliation(marts, lang)),
        ("findings", text("findings_title", lang), _findings(marts, lang)),
        ("submissions", text("submissions_title", lang), _submissions(marts, lang)),
    ]
    banners = f'<div class="note">{escape(text("placeholder_note", lang))}</div>'
    return _page(marts, lang, generated_at, title=text("dashboard_title", lang),
                 subtitle=text("report_subtitle", lang), banners=banners, sections=sections,
                 nav=_nav(lang, f"current_dashboard.{lang}.html", "other_report_note"))


def render_current_dashboard(marts: MartSet, lang: Lang = "vi", generated_at: dt.datetime | None = None) -> str:
    """The current dashboard: the merged province and its 65 units, from 2025-H2, placeholder targets."""
    generated_at = generated_at or dt.datetime.now()
    current, comparable = on_map(marts, CURRENT_MAP), on_map(marts, NQ06_MAP)
    sections = [
        ("province", text("merged_status", lang), _cards(current, lang)),
        ("comparison", text("comparison_title", lang), _comparison(current, comparable, lang)),
        ("map", text("map_title", lang), _map_section(current, lang)),
        ("units", text("units_title", lang), _heatmap(current, lang, units_as_rows=True)),
        ("trends", text("trends_title", lang), _trends(current, lang)),
        ("findings", text("findings_title", lang), _findings(current, lang)),
        ("submissions", text("submissions_title", lang), _submissions(current, lang)),
    ]
    banners = f'<div class="ph-banner" id="placeholder-banner">{escape(text("all_placeholder_banner", lang))}</div>'
    return _page(current, lang, generated_at, title=text("current_dashboard_title", lang),
                 subtitle=text("current_subtitle", lang), banners=banners, sections=sections,
                 nav=_nav(lang, f"dashboard.{lang}.html", "nq06_report_note"))


def write_dashboard(marts: MartSet, path: Path, lang: Lang = "vi", generated_at: dt.datetime | None = None,
                    *, current: bool = False) -> Path:
    """Write Resolution 06's dashboard, or with ``current`` the current one (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    render = render_current_dashboard if current else render_dashboard
    tmp.write_text(render(marts, lang, generated_at), encoding="utf-8")
    tmp.replace(path)
    return path
