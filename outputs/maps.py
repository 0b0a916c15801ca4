"""Offline choropleth maps of Khánh Hòa as inline SVG (no JavaScript library, no network, every text escaped).

Two boundary layers ship in ``outputs/maps/`` (see its README for provenance and caveats):

- ``"units_2025"``: the 65 commune-level units of the merged province from 1 July 2025 (5-digit codes);
- ``"districts_before_2025"``: the 9 districts of old Khánh Hòa (codes 568–576), the programme's localities.

Trường Sa (unit 22736, old district 576) is reefs far offshore: it is drawn in a framed inset at its own
scale (bottom-right), so it never shrinks the mainland. Projection: equirectangular, x scaled by the cosine
of the mean latitude of what is fitted, each fitted on its own; coordinates are rounded to 0.1 px.

    svg = choropleth("districts_before_2025", {"568": "on_track", "569": "achieved"}, title="…", lang="vi")

``classes`` maps a unit code to a class of the legend (by default the Open SDG progress classes of
``outputs.labels`` and their colours); a unit without a class is drawn as "no data" (light grey, hatched).
Codes that are not on the layer are ignored, listed in the map's ``<desc>`` and by ``unknown_codes``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Literal

from outputs.labels import PROGRESS_CLASSES, PROGRESS_COLOURS, Lang, progress_label, text

Layer = Literal["units_2025", "districts_before_2025"]
LAYERS: tuple[Layer, ...] = ("units_2025", "districts_before_2025")
MAPS_DIR = Path(__file__).resolve().with_name("maps")
LAYER_FILES: dict[Layer, str] = {
    "units_2025": "units_from_2025-07.geojson",
    "districts_before_2025": "districts_before_2025.geojson",
}
# The feature drawn in the inset (Trường Sa special zone / old Trường Sa district).
INSET_CODES: dict[Layer, str] = {"units_2025": "22736", "districts_before_2025": "576"}

NO_DATA = "no_data"
NO_DATA_COLOUR = "F0F0F0"  # under grey hatching: distinct from unable_to_assess's solid BDBDBD
# (class code, label, fill colour as hex without '#'), the same shape for every legend.
LegendEntry = tuple[str, str, str]

# Layout of the viewBox (x, y, width, height): the mainland on the left, legend top-right, inset bottom-right.
WIDTH, HEIGHT = 540, 640
MAIN_BOX: tuple[float, float, float, float] = (8.0, 48.0, 340.0, 584.0)
LEGEND_ORIGIN: tuple[float, float] = (362.0, 56.0)
INSET_BOX: tuple[float, float, float, float] = (362.0, 466.0, 170.0, 128.0)
_INSET_PAD = 5.0
_DOT = 1.2  # a part too small to survive the rounding is drawn as a square dot this wide (reefs in the inset)

Point = tuple[float, float]
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # outer ring first, then holes


@dataclass(frozen=True)
class Feature:
    code: str
    name_vi: str
    polygons: tuple[Polygon, ...]  # lon/lat (WGS 84)


@dataclass(frozen=True)
class DrawnFeature:
    code: str
    name_vi: str
    d: str  # SVG path data in viewBox units
    inset: bool


@cache
def load_layer(layer: Layer) -> tuple[Feature, ...]:
    """The layer's features in file order (read once per process)."""
    if layer not in LAYER_FILES:
        raise ValueError(f"unknown map layer {layer!r}; expected one of {', '.join(LAYERS)}")
    data = json.loads((MAPS_DIR / LAYER_FILES[layer]).read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        polygons = tuple(
            tuple(tuple((float(x), float(y)) for x, y, *_ in ring) for ring in polygon) for polygon in parts
        )
        props = feature["properties"]
        features.append(Feature(str(props["unit_code"]), str(props["name_vi"]), polygons))
    return tuple(features)


def layer_codes(layer: Layer) -> tuple[str, ...]:
    return tuple(f.code for f in load_layer(layer))


def unknown_codes(layer: Layer, classes: Mapping[str, str]) -> list[str]:
    """Codes of ``classes`` that are not features of the layer (they are left off the map), sorted."""
    known = set(layer_codes(layer))
    return sorted(str(code) for code in classes if str(code) not in known)


def _bounds(features: Sequence[Feature]) -> tuple[float, float, float, float]:
    lons = [x for f in features for poly in f.polygons for ring in poly for x, _ in ring]
    lats = [y for f in features for poly in f.polygons for ring in poly for _, y in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _fit(features: Sequence[Feature], box: tuple[float, float, float, float]) -> dict[str, str]:
    """Path data per code: equirectangular (x·cos(mean lat)), scaled to fit ``box`` and centred in it."""
    lon0, lat0, lon1, lat1 = _bounds(features)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    bx, by, bw, bh = box
    span_x, span_y = max((lon1 - lon0) * k, 1e-9), max(lat1 - lat0, 1e-9)
    scale = min(bw / span_x, bh / span_y)
    off_x = bx + (bw - span_x * scale) / 2
    off_y = by + (bh - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(off_x + (lon - lon0) * k * scale, 1), round(off_y + (lat1 - lat) * scale, 1)

    out = {}
    for feature in features:
        commands: list[str] = []
        for polygon in feature.polygons:
            for i, ring in enumerate(polygon):
                points: list[tuple[float, float]] = []
                for lon, lat in ring:
                    p = project(lon, lat)
                    if not points or p != points[-1]:
                        points.append(p)
                if len(points) > 1 and points[0] == points[-1]:
                    points.pop()
                if len(set(points)) >= 3:
                    head, *rest = points
                    commands.append(f"M{_n(head[0])} {_n(head[1])}L" + " ".join(f"{_n(x)} {_n(y)}" for x, y in rest)
                                    + "Z")
                elif i == 0:  # an outer ring below the rounding: keep the part visible as a dot
                    x0 = sum(x for x, _ in points) / len(points) - _DOT / 2
                    y0 = sum(y for _, y in points) / len(points) - _DOT / 2
                    x1, y1 = _n(x0 + _DOT), _n(y0 + _DOT)
                    commands.append(f"M{_n(x0)} {_n(y0)}L{x1} {_n(y0)} {x1} {y1} {_n(x0)} {y1}Z")
        out[feature.code] = "".join(commands)
    return out


def _n(x: float) -> str:
    text_ = f"{round(x, 1):.1f}"
    return text_[:-2] if text_.endswith(".0") else text_


@cache
def drawn_layer(layer: Layer) -> tuple[DrawnFeature, ...]:
    """The layer projected into the viewBox (computed once per process): mainland in MAIN_BOX, the inset
    feature in INSET_BOX."""
    features = load_layer(layer)
    inset_code = INSET_CODES[layer]
    mainland = [f for f in features if f.code != inset_code]
    inset = [f for f in features if f.code == inset_code]
    ix, iy, iw, ih = INSET_BOX
    paths = _fit(mainland, MAIN_BOX)
    if inset:
        paths.update(_fit(inset, (ix + _INSET_PAD, iy + _INSET_PAD, iw - 2 * _INSET_PAD, ih - 2 * _INSET_PAD)))
    return tuple(DrawnFeature(f.code, f.name_vi, paths[f.code], f.code == inset_code) for f in features)


def progress_legend(lang: Lang) -> list[LegendEntry]:
    """The Open SDG progress classes with their labels and colours (outputs.labels), then "no data"."""
    entries = [(c, progress_label(c, lang), PROGRESS_COLOURS[c]) for c in PROGRESS_CLASSES]
    return [*entries, (NO_DATA, text("no_data", lang), NO_DATA_COLOUR)]


_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")
_INSET_CAPTION = {"vi": ("Đặc khu Trường Sa", "(tỷ lệ khác)"), "en": ("Truong Sa special zone", "(not to scale)")}
_SOURCE_NOTE = {
    "vi": ("Ranh giới: sapnhap.bando.com.vn,", "đã đơn giản hóa; chỉ để minh họa"),
    "en": ("Boundaries: sapnhap.bando.com.vn,", "simplified; for illustration only"),
}
_UNKNOWN_NOTE = {"vi": "Mã không có trên bản đồ (bỏ qua)", "en": "Codes not on this map (ignored)"}
_UNRECOGNISED_NOTE = {"vi": "Phân loại không có trong chú giải (vẽ là không có dữ liệu)",
                      "en": "Classes not in the legend (drawn as no data)"}


def _legend_entries(legend: Sequence[LegendEntry] | None, lang: Lang) -> list[LegendEntry]:
    entries = list(progress_legend(lang) if legend is None else legend)
    for code, _, colour in entries:
        if not _HEX.match(colour):
            raise ValueError(f"legend colour for {code!r} must be 6 hex digits, got {colour!r}")
    if len({code for code, _, _ in entries}) != len(entries):
        raise ValueError("legend class codes must be unique")
    if all(code != NO_DATA for code, _, _ in entries):
        entries.append((NO_DATA, text("no_data", lang), NO_DATA_COLOUR))
    return [(code, label, colour.lstrip("#").upper()) for code, label, colour in entries]


def unit_classes(layer: Layer, classes: Mapping[str, str], legend: Sequence[LegendEntry] | None = None,
                 lang: Lang = "vi") -> dict[str, str]:
    """The class each unit of the layer is drawn with: its class from ``classes`` when the legend has it,
    otherwise ``no_data``."""
    known = {code for code, _, _ in _legend_entries(legend, lang)}
    given = {str(code): value for code, value in classes.items()}
    out = {}
    for code in layer_codes(layer):
        value = given.get(code)
        out[code] = value if isinstance(value, str) and value in known else NO_DATA
    return out


def choropleth(
    layer: Layer,
    classes: Mapping[str, str],
    *,
    title: str,
    lang: Lang = "vi",
    labels: Mapping[str, str] | None = None,
    legend: Sequence[LegendEntry] | None = None,
    legend_title: str | None = None,
) -> str:
    """One ``<svg class="chart map-chart">``: each unit of ``layer`` filled with its class's colour.

    ``classes``: unit code → class code of ``legend`` (codes not on the layer are ignored and listed in the
    ``<desc>``; a unit absent, or with a class the legend lacks, is "no data"). ``labels``: unit code → the
    name shown in the unit's tooltip (default: ``name_vi`` of the boundary file). ``legend``: (class code,
    label, hex colour) in display order; default ``progress_legend(lang)``. A ``no_data`` entry is added
    when missing; no data is always hatched (its colour is the hatching's ground). ``legend_title``: the
    legend's heading (default "Đánh giá" / "Progress"), followed by the number of units drawn. Every text
    is HTML-escaped.
    """
    entries = _legend_entries(legend, lang)
    drawn = drawn_layer(layer)
    assigned = unit_classes(layer, classes, entries, lang)
    counts = Counter(assigned.values())
    names = {f.code: f.name_vi for f in drawn} | {str(k): str(v) for k, v in (labels or {}).items()}
    label_of = {code: label for code, label, _ in entries}
    colour_of = {code: colour for code, _, colour in entries}
    unknown = unknown_codes(layer, classes)
    # a unit of the layer whose (text) class the legend lacks: drawn as no data, and said so
    bad_class = sorted(f"{code}={value}" for code, value in classes.items()
                       if str(code) in assigned and isinstance(value, str) and value not in label_of)

    key = json.dumps([layer, title, lang, sorted(assigned.items())], ensure_ascii=False)
    uid = f"map-{layer.replace('_', '-')}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
    hatch = f"{uid}-nodata"

    def _inset_stroke(cls: str) -> tuple[str, float]:
        return ("#707070", 0.8) if cls == NO_DATA else (f"#{colour_of[cls]}", 1.6)

    def fill(cls: str) -> str:
        return f"url(#{hatch})" if cls == NO_DATA else f"#{colour_of[cls]}"

    summary = "; ".join(f"{label}: {counts.get(code, 0)}" for code, label, _ in entries)
    desc = [summary]
    if unknown:
        desc.append(f"{_UNKNOWN_NOTE[lang]}: {', '.join(unknown)}")
    if bad_class:
        desc.append(f"{_UNRECOGNISED_NOTE[lang]}: {', '.join(bad_class)}")

    parts = [
        f'<svg class="chart map-chart" role="img" aria-label="{escape(title)}" data-layer="{escape(layer)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif">',
        f"<title>{escape(title)}</title><desc>{escape(' · '.join(desc))}</desc>",
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#{colour_of[NO_DATA]}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#A0A0A0" stroke-width="1.6"/></pattern></defs>',
    ]
    for i, line in enumerate(textwrap.wrap(title, 66)[:2]):
        parts.append(f'<text x="8" y="{17 + i * 17}" font-size="14" font-weight="600" fill="#222" class="ttl">'
                     f"{escape(line)}</text>")
    mx, my, mw, mh = MAIN_BOX
    parts.append(f'<rect class="map-frame" x="{_n(mx)}" y="{_n(my)}" width="{_n(mw)}" height="{_n(mh)}" '
                 f'fill="#EEF4FA" stroke="none"/>')

    def path(feature: DrawnFeature, stroke: str, width: float) -> str:
        cls = assigned[feature.code]
        tip = f"{names.get(feature.code, feature.code)} ({feature.code}): {label_of[cls]}"
        return (f'<path data-unit="{escape(feature.code)}" data-class="{escape(cls)}" fill="{fill(cls)}" '
                f'fill-rule="evenodd" stroke="{stroke}" stroke-width="{width}" stroke-linejoin="round" '
                f'd="{feature.d}"><title>{escape(tip)}</title></path>')

    parts.append('<g class="map-main">')
    parts.extend(path(f, "#FFFFFF", 0.6) for f in drawn if not f.inset)
    parts.append("</g>")

    inset = [f for f in drawn if f.inset]
    if inset:
        ix, iy, iw, ih = INSET_BOX
        line1, line2 = _INSET_CAPTION[lang]
        parts.append(
            f'<g class="map-inset" data-inset-unit="{escape(inset[0].code)}">'
            f'<rect class="inset-frame" x="{_n(ix)}" y="{_n(iy)}" width="{_n(iw)}" height="{_n(ih)}" '
            f'fill="#EEF4FA" stroke="#555555" stroke-width="1"/>'
            # Reefs are a pixel or two at this scale: a stroke in the class's colour keeps them visible
            # (no data: a thin dark outline, unlike the solid grey of "unable to assess").
            + "".join(path(f, *_inset_stroke(assigned[f.code])) for f in inset)
            + f'<text x="{_n(ix + iw / 2)}" y="{_n(iy + ih + 14)}" text-anchor="middle" font-size="11" '
            f'fill="#333" class="lbl">{escape(line1)}</text>'
            f'<text x="{_n(ix + iw / 2)}" y="{_n(iy + ih + 27)}" text-anchor="middle" font-size="10" '
            f'fill="#555" class="lbl">{escape(line2)}</text></g>'
        )
    # Attribution (the boundaries' upstream licence is unknown: say where they come from, and what they are).
    for i, line in enumerate(_SOURCE_NOTE[lang]):
        parts.append(f'<text x="{_n(INSET_BOX[0])}" y="{_n(INSET_BOX[1] - 34 + i * 12)}" font-size="9" '
                     f'fill="#666" class="map-source">{escape(line)}</text>')

    lx, ly = LEGEND_ORIGIN
    heading = text("progress_class", lang) if legend_title is None else legend_title
    parts.append(f'<g class="map-legend"><text x="{_n(lx)}" y="{_n(ly - 6)}" font-size="11" font-weight="600" '
                 f'fill="#222" class="lbl">{escape(heading)} ({len(drawn)})</text>')
    for i, (code, label, _) in enumerate(entries):
        y = ly + 4 + i * 20
        parts.append(
            f'<g class="legend-item" data-legend-class="{escape(code)}" data-count="{counts.get(code, 0)}">'
            f'<rect x="{_n(lx)}" y="{_n(y)}" width="14" height="14" fill="{fill(code)}" stroke="#777777" '
            f'stroke-width="0.6"/><text x="{_n(lx + 20)}" y="{_n(y + 11)}" font-size="11" fill="#222" '
            f'class="lbl">{escape(label)} ({counts.get(code, 0)})</text></g>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
