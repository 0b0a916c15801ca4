"""The offline choropleth maps (outputs/maps.py): one path per unit, Trường Sa alone in its inset, legend
counts, escaping, unknown codes, size."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest

from outputs import maps
from outputs.labels import PROGRESS_CLASSES, PROGRESS_COLOURS, Lang

SVG = "{http://www.w3.org/2000/svg}"
EXPECTED = {"units_2025": (65, "22736"), "districts_before_2025": (9, "576")}
DISTRICTS = [str(c) for c in range(568, 577)]


def _classes(layer: maps.Layer) -> dict[str, str]:
    """A deterministic spread over the progress classes, some units left without a class."""
    codes = maps.layer_codes(layer)
    return {code: PROGRESS_CLASSES[i % len(PROGRESS_CLASSES)] for i, code in enumerate(codes) if i % 7 != 3}


def _render(
    layer: maps.Layer, classes: dict[str, str] | None = None, title: str = "Bản đồ thử", lang: Lang = "vi", **kw: Any
) -> tuple[str, ET.Element]:
    svg = maps.choropleth(layer, _classes(layer) if classes is None else classes, title=title, lang=lang, **kw)
    return svg, ET.fromstring(svg)  # well-formed XML as well as HTML


def _paths(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}path")


def _group(root: ET.Element, cls: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]
    assert len(found) == 1, cls
    return found[0]


def _points(d: str) -> list[tuple[float, float]]:
    assert re.fullmatch(r"[MLZ0-9. \-]+", d), "absolute M/L/Z commands only"
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    assert len(numbers) % 2 == 0
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def _inside(p: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x <= p[0] <= x + w and y <= p[1] <= y + h


@pytest.mark.parametrize("layer", maps.LAYERS)
def test_every_unit_gets_exactly_one_path(layer: maps.Layer) -> None:
    count, _ = EXPECTED[layer]
    assert len(maps.load_layer(layer)) == count
    _, root = _render(layer)
    codes = Counter(p.get("data-unit", "") for p in _paths(root))
    assert set(codes) == set(maps.layer_codes(layer))
    assert all(n == 1 for n in codes.values())
    assert len(codes) == count
    if layer == "districts_before_2025":
        assert sorted(codes) == DISTRICTS
    else:
        assert all(re.fullmatch(r"\d{5}", c) for c in codes)
    # data-unit / data-class mark the unit paths only (what the page's JS selects)
    assert [e.tag for e in root.iter() if e.get("data-unit") is not None] == [f"{SVG}path"] * count
    assert [e.tag for e in root.iter() if e.get("data-class") is not None] == [f"{SVG}path"] * count
    assert root.get("class") == "chart map-chart"
    for p in _paths(root):
        assert p.get("fill-rule") == "evenodd" and p.get("data-class") and p.get("d")
        assert p.find(f"{SVG}title") is not None


@pytest.mark.parametrize("layer", maps.LAYERS)
def test_inset_holds_only_truong_sa_and_mainland_stays_in_its_frame(layer: maps.Layer) -> None:
    _, inset_code = EXPECTED[layer]
    svg, root = _render(layer)
    inset = _group(root, "map-inset")
    main = _group(root, "map-main")
    assert [p.get("data-unit") for p in _paths(inset)] == [inset_code]
    assert inset_code not in {p.get("data-unit") for p in _paths(main)}
    assert len(_paths(main)) == EXPECTED[layer][0] - 1
    frame = inset.find(f"{SVG}rect")
    assert frame is not None and frame.get("stroke")  # framed
    captions = "".join(t.text or "" for t in inset.iter(f"{SVG}text"))
    assert "Đặc khu Trường Sa" in captions and "tỷ lệ khác" in captions
    en, _ = _render(layer, lang="en")
    assert "Truong Sa special zone" in en and "not to scale" in en

    mainland = [pt for p in _paths(main) for pt in _points(p.get("d", ""))]
    assert mainland
    assert all(_inside(pt, maps.MAIN_BOX) for pt in mainland)
    assert not any(_inside(pt, maps.INSET_BOX) for pt in mainland)
    inset_points = _points(_paths(inset)[0].get("d", ""))
    assert len(inset_points) >= 140 * 4  # every one of the 140 reefs is drawn (at least as a dot)
    assert all(_inside(pt, maps.INSET_BOX) for pt in inset_points)
    # Trường Sa does not shrink the mainland: it spans (nearly) the full height or width of the main frame.
    xs, ys = [x for x, _ in mainland], [y for _, y in mainland]
    _, _, w, h = maps.MAIN_BOX
    assert max(max(xs) - min(xs) - w, max(ys) - min(ys) - h) > -1.0


@pytest.mark.parametrize("layer", maps.LAYERS)
def test_legend_counts_equal_class_counts(layer: maps.Layer) -> None:
    classes = _classes(layer)
    _, root = _render(layer, classes)
    drawn = Counter(p.get("data-class") for p in _paths(root))
    expected = Counter(classes.values())
    expected[maps.NO_DATA] = len(maps.layer_codes(layer)) - len(classes)
    assert drawn == +expected
    legend = {g.get("data-legend-class", ""): int(g.get("data-count", "-1")) for g in _group(root, "map-legend")
              if g.get("class") == "legend-item"}
    assert list(legend) == [*PROGRESS_CLASSES, maps.NO_DATA]  # every class listed, in order
    assert legend == {c: expected.get(c, 0) for c in legend}
    assert sum(legend.values()) == EXPECTED[layer][0]
    for g in _group(root, "map-legend"):
        if g.get("class") == "legend-item":
            label = g.find(f"{SVG}text")
            count = legend[g.get("data-legend-class", "")]
            assert label is not None and label.text and label.text.endswith(f"({count})")


def test_colours_are_the_progress_colours_and_no_data_is_hatched() -> None:
    classes = {"568": "achieved", "569": "deterioration", "570": "unable_to_assess"}
    _, root = _render("districts_before_2025", classes)
    fills = {p.get("data-unit"): p.get("fill") for p in _paths(root)}
    assert fills["568"] == "#" + PROGRESS_COLOURS["achieved"]
    assert fills["569"] == "#" + PROGRESS_COLOURS["deterioration"]
    assert fills["570"] == "#" + PROGRESS_COLOURS["unable_to_assess"]
    pattern = root.find(f".//{SVG}pattern")
    assert pattern is not None
    assert fills["571"] == f"url(#{pattern.get('id')})"  # absent from classes: no data, hatched
    assert {p.get("data-class") for p in _paths(root) if p.get("data-unit") not in classes} == {maps.NO_DATA}


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script>&'
    svg, root = _render(
        "districts_before_2025", {"568": "on_track", "<script>": "achieved"},
        title=hostile, labels={"568": hostile},
        legend=[("on_track", hostile, "7FBF7B")], legend_title=hostile,
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert root.get("aria-label") == hostile and root.get("role") == "img"
    nha_trang = next(p for p in _paths(root) if p.get("data-unit") == "568")
    title = nha_trang.find(f"{SVG}title")
    assert title is not None and title.text == f"{hostile} (568): {hostile}"


def test_unknown_codes_are_ignored_and_reported() -> None:
    classes = {"568": "achieved", "99999": "on_track", "22736": "deterioration"}  # 22736: a unit, not a district
    svg, root = _render("districts_before_2025", classes)
    assert maps.unknown_codes("districts_before_2025", classes) == ["22736", "99999"]
    assert len(_paths(root)) == 9
    assert {p.get("data-unit") for p in _paths(root)} == set(DISTRICTS)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "22736, 99999" in (desc.text or "")
    legend = {g.get("data-legend-class"): g.get("data-count") for g in _group(root, "map-legend")
              if g.get("class") == "legend-item"}
    assert legend["achieved"] == "1" and legend["on_track"] == "0" and legend["deterioration"] == "0"


def test_a_class_missing_from_the_legend_is_no_data() -> None:
    assert maps.unit_classes("districts_before_2025", {"568": "bogus", "569": "on_track"})["568"] == maps.NO_DATA
    _, root = _render("districts_before_2025", {"568": "bogus", 569: "achieved", "570": None})  # type: ignore[dict-item]
    assert {p.get("data-unit"): p.get("data-class") for p in _paths(root)}["569"] == "achieved"  # int key: its text
    assert {p.get("data-class") for p in _paths(root) if p.get("data-unit") != "569"} == {maps.NO_DATA}
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "568=bogus" in (desc.text or "") and "570" not in (desc.text or "")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown map layer"):
        maps.load_layer("provinces")
    with pytest.raises(ValueError, match="hex"):
        maps.choropleth("units_2025", {}, title="t", lang="vi", legend=[("a", "A", "red;stroke:url(x)")])


@pytest.mark.parametrize("layer, limit", [("units_2025", 250_000), ("districts_before_2025", 120_000)])
def test_output_size_is_bounded(layer: maps.Layer, limit: int) -> None:
    svg, _ = _render(layer)
    assert len(svg.encode("utf-8")) < limit


def test_layers_are_loaded_and_projected_once() -> None:
    assert maps.load_layer("units_2025") is maps.load_layer("units_2025")
    assert maps.drawn_layer("units_2025") is maps.drawn_layer("units_2025")
    first, _ = _render("units_2025")
    again, _ = _render("units_2025")
    assert first == again  # deterministic (the hatch pattern's id included)


def test_two_maps_on_one_page_do_not_share_pattern_ids() -> None:
    patterns = [ET.fromstring(maps.choropleth(layer, {}, title="t", lang="en")).find(f".//{SVG}pattern")
                for layer in maps.LAYERS]
    ids = {p.get("id") for p in patterns if p is not None}
    assert len(patterns) == len(ids)  # a pattern on each map
    assert len(ids) == 2
