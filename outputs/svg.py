"""Inline SVG charts built in Python (no JavaScript library, no network): every text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str  # hex without '#'
    marker: float | None = None  # e.g. a tolerance drawn as a tick
    note: str = ""


def _num(x: float) -> str:
    return f"{x:.1f}"


def bar_chart(bars: Sequence[Bar], title: str, width: int = 640, value_suffix: str = "") -> str:
    """Horizontal bars, labels on the left, the value at the bar's end, an optional marker tick."""
    if not bars:
        return ""
    row_h, label_w, pad = 22, 230, 8
    height = pad * 2 + row_h * len(bars) + 18
    top = max(max(b.value for b in bars), max((b.marker or 0) for b in bars), 1e-9)
    span = width - label_w - 70
    parts = [
        f'<svg class="chart bar-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        w = max(bar.value / top * span, 1)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lbl">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{_num(w)}" height="{row_h - 6}" fill="#{bar.colour}">'
            f"<title>{escape(bar.label)}: {escape(bar.note or _num(bar.value))}</title></rect>"
            f'<text x="{_num(label_w + w + 4)}" y="{y + 15}" class="val">'
            f"{escape(bar.note or _num(bar.value) + value_suffix)}</text>"
        )
        if bar.marker is not None:
            mx = label_w + bar.marker / top * span
            parts.append(
                f'<line x1="{_num(mx)}" x2="{_num(mx)}" y1="{y + 1}" y2="{y + row_h - 1}" '
                f'stroke="#333" stroke-width="2" stroke-dasharray="3 2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class TrendPoint:
    x: float  # decimal year of the period's end
    y: float
    label: str
    note: str = ""  # e.g. "† rolled up from the new units": drawn as a hollow, marked point


def trend_chart(
    points: Sequence[TrendPoint],
    title: str,
    unit: str,
    target: tuple[float, float] | None = None,  # (decimal year, value)
    target_label: str = "",
    placeholder: bool = False,
    width: int = 300,
    height: int = 170,
) -> str:
    """The series as a line with dots, and the target path: a dashed line from the first point to the
    target at the end of its year (a red dashed path means the target is a placeholder)."""
    if not points:
        return ""
    left, right, top_pad, bottom = 44, 18, 24, 26
    xs = [p.x for p in points] + ([target[0]] if target else [])
    ys = [p.y for p in points] + ([target[1]] if target else [])
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 0.5, x1 + 0.5
    margin = (y1 - y0) * 0.1 or abs(y1) * 0.1 or 1.0
    y0, y1 = y0 - margin, y1 + margin

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def sy(y: float) -> float:
        return height - bottom - (y - y0) / (y1 - y0) * (height - top_pad - bottom)

    parts = [
        f'<svg class="chart trend-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="4" y="14" class="ttl">{escape(title[:48])}</text>',
        f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{_num(sy(y1 - margin) + 4)}" text-anchor="end" class="axis">'
        f"{escape(_short(y1 - margin))}</text>",
        f'<text x="{left - 4}" y="{_num(sy(y0 + margin) + 4)}" text-anchor="end" class="axis">'
        f"{escape(_short(y0 + margin))}</text>",
    ]
    if target:
        colour = "#d73027" if placeholder else "#1b7837"
        parts.append(
            f'<line class="target-path" x1="{_num(sx(points[0].x))}" y1="{_num(sy(points[0].y))}" '
            f'x2="{_num(sx(target[0]))}" y2="{_num(sy(target[1]))}" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="5 3"><title>{escape(target_label)}</title></line>'
            f'<circle cx="{_num(sx(target[0]))}" cy="{_num(sy(target[1]))}" r="4" fill="none" stroke="{colour}" '
            f'stroke-width="2"><title>{escape(target_label)}</title></circle>'
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{_num(sx(p.x))},{_num(sy(p.y))}" for i, p in enumerate(points))
    parts.append(f'<path class="series" d="{path}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    for p in points:
        if p.note:
            parts.append(
                f'<circle class="marked-point" cx="{_num(sx(p.x))}" cy="{_num(sy(p.y))}" r="4" fill="#fff" '
                f'stroke="#1f4e79" stroke-width="2"><title>{escape(p.label)}: {escape(_short(p.y))} '
                f"{escape(unit)} ({escape(p.note)})</title></circle>"
            )
            continue
        parts.append(
            f'<circle cx="{_num(sx(p.x))}" cy="{_num(sy(p.y))}" r="3" fill="#1f4e79">'
            f"<title>{escape(p.label)}: {escape(_short(p.y))} {escape(unit)}</title></circle>"
        )
    # Points sit at the end of their period, so the tick at 1 January Y+1 is labelled "Y" (end of year Y).
    for boundary in range(int(x0), int(x1) + 1):
        if x0 <= boundary <= x1:
            parts.append(
                f'<text x="{_num(sx(boundary))}" y="{height - 8}" text-anchor="middle" class="axis">'
                f"{boundary - 1}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _short(y: float) -> str:
    # Axis labels have ~40 px: 1,248,060 → 1.25M, 43,263 → 43k.
    if abs(y) >= 1_000_000:
        return f"{y / 1_000_000:.2f}M"
    if abs(y) >= 10_000:
        return f"{y / 1000:.0f}k"
    return f"{y:.1f}"


def gauge(achievement_pct: float | None, colour: str, width: int = 160) -> str:
    """A thin bar: achievement % of target (capped at 120 %), with the 100 % mark."""
    pct = 0.0 if achievement_pct is None else max(0.0, min(achievement_pct, 120.0))
    full = width - 2
    return (
        f'<svg class="chart gauge" viewBox="0 0 {width} 12" width="{width}" height="12" '
        f'xmlns="http://www.w3.org/2000/svg"><rect x="1" y="2" width="{full}" height="8" fill="#eee"/>'
        f'<rect x="1" y="2" width="{_num(pct / 120 * full)}" height="8" fill="#{colour}"/>'
        f'<line x1="{_num(100 / 120 * full + 1)}" x2="{_num(100 / 120 * full + 1)}" y1="0" y2="12" '
        f'stroke="#333" stroke-width="1.5"/></svg>'
    )
