"""Both choropleth maps render in headless Chromium (no network, the dashboard's CSP): every unit's path has
a box, and the screenshot shows the class colours.

The page's tiny script measures each map path with getBBox() and writes the widths into data attributes,
which --dump-dom hands back. The screenshot is decoded without Pillow (tests/integration/chromium.py) and
kept in tests/artifacts/maps.png (git-ignored).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

from outputs import maps
from outputs.labels import PROGRESS_CLASSES, PROGRESS_COLOURS
from tests.integration.chromium import ARTIFACTS, png_colours, require_chromium, run_chromium

pytestmark = pytest.mark.integration

WINDOW = "1120,700"
_JS = """
(function(){
  var paths=document.querySelectorAll('svg.map-chart path[data-unit]'), empty=0;
  paths.forEach(function(p){var b=p.getBBox();p.setAttribute('data-bbox-w',b.width.toFixed(2));
    p.setAttribute('data-bbox-h',b.height.toFixed(2));if(!(b.width>0&&b.height>0)){empty++;}});
  document.documentElement.dataset.mapPaths=String(paths.length);
  document.documentElement.dataset.mapEmpty=String(empty);
})();
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def _classes(layer: maps.Layer) -> dict[str, str]:
    codes = maps.layer_codes(layer)
    return {code: PROGRESS_CLASSES[i % len(PROGRESS_CLASSES)] for i, code in enumerate(codes) if i % 9 != 4}


def _page(path: Path) -> Path:
    units = maps.choropleth("units_2025", _classes("units_2025"), title="Đơn vị hành chính cấp xã từ 1/7/2025",
                            lang="vi")
    districts = maps.choropleth("districts_before_2025", _classes("districts_before_2025"),
                                title="Old districts of Khánh Hòa (before 2025)", lang="en")
    path.write_text(
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape('Bản đồ')}</title><style>body{{margin:0;background:#fff;display:flex;gap:20px}}</style>"
        f"</head><body>{units}{districts}<script>{_JS}</script></body></html>",
        encoding="utf-8",
    )
    return path


def test_maps_render_in_chromium(chromium: str, tmp_path: Path) -> None:
    page = _page(tmp_path / "maps.html")
    url = page.as_uri()
    dom = run_chromium(chromium, tmp_path, "--virtual-time-budget=5000", "--dump-dom", url, window=WINDOW)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    total = len(maps.layer_codes("units_2025")) + len(maps.layer_codes("districts_before_2025"))
    assert total == 65 + 9
    assert f'data-map-paths="{total}"' in html, "the page's script did not run or lost paths"
    assert 'data-map-empty="0"' in html
    assert html.count('class="chart map-chart"') == 2
    widths = [float(w) for w in re.findall(r'data-bbox-w="([0-9.]+)"', html)]
    assert len(widths) == total and min(widths) > 0
    main_w = maps.MAIN_BOX[2]
    inset_w = maps.INSET_BOX[2]
    tsa = {m.group(1): float(m.group(2)) for m in re.finditer(r'data-unit="(22736|576)"[^>]*data-bbox-w="([0-9.]+)"',
                                                                html)}
    assert set(tsa) == {"22736", "576"}
    assert all(inset_w * 0.8 < w <= inset_w for w in tsa.values())  # Trường Sa fills its inset, no more
    assert max(widths) <= main_w

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "maps.png"
    shot.unlink(missing_ok=True)
    result = run_chromium(chromium, tmp_path, f"--screenshot={shot}", url, window=WINDOW)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    colours = png_colours(shot)
    assert len(colours) >= 10, "blank screenshot"
    white = colours.get((255, 255, 255), 0)
    assert white < 0.8 * sum(colours.values())
    for cls in PROGRESS_CLASSES:  # every class colour is painted (solid interiors keep the exact fill)
        fill = PROGRESS_COLOURS[cls]
        rgb = (int(fill[0:2], 16), int(fill[2:4], 16), int(fill[4:6], 16))
        assert colours.get(rgb, 0) > 200, (cls, rgb)
