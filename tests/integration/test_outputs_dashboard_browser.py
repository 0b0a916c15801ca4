"""The dashboard renders in headless Chromium (no network): charts present after the page's JS ran.

Chromium comes from Debian (`make browser`, i.e. `apt-get install -y chromium`); the test installs it
when it runs as root and skips, saying why, only when it cannot (tests/integration/chromium.py). The
screenshot is kept in tests/artifacts/ (git-ignored); docs/dashboard.png in the README is a copy of one.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.integration.chromium import ARTIFACTS, require_chromium, run_chromium

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def _run(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_chromium(chromium, tmp_path, *args)


def test_dashboard_renders_in_chromium(sample_refresh, chromium: str, tmp_path: Path) -> None:
    page = sample_refresh.home / "reports" / "dashboard.vi.html"
    url = page.as_uri()
    dom = _run(chromium, tmp_path, "--virtual-time-budget=5000", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-rendered="yes"' in html, "the page's script did not run"
    charts = int(html.split('data-charts="', 1)[1].split('"', 1)[0])
    assert charts >= 50, charts  # gauges, trend lines per locality × indicator, bars
    assert html.count('class="chart trend-chart"') >= 20
    assert 'class="target-path"' in html
    assert 'class="trend-group active" data-locality="56"' in html  # the province shown first
    # the map of Resolution 06's nine districts, after the page's JS chose the headline indicator
    assert 'data-map="nq06_map"' in html and html.count('data-map-units="9"') == 1
    active = html.split('class="map-group active" data-indicator="URBANIZATION_RATE"', 1)[1].split("</svg>", 1)[0]
    assert sorted(re.findall(r'<path data-unit="(\d+)"', active)) == [str(c) for c in range(568, 577)]
    assert 'data-inset-unit="576"' in active

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    result = _run(chromium, tmp_path, f"--screenshot={shot}", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 50_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_current_dashboard_renders_the_65_units_map(sample_refresh, chromium: str, tmp_path: Path) -> None:
    page = sample_refresh.home / "reports" / "current_dashboard.en.html"
    dom = _run(chromium, tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-rendered="yes"' in html and 'data-map="current_map"' in html
    assert 'data-map-units="65"' in html
    active = html.split('class="map-group active" data-indicator="URBANIZATION_RATE"', 1)[1].split("</svg>", 1)[0]
    units = re.findall(r'<path data-unit="(\d+)"', active)
    assert len(set(units)) == 65 and all(len(code) == 5 for code in units)
    assert 'data-inset-unit="22736"' in active
    assert 'id="placeholder-banner"' in html
    assert not any(f'data-unit="{code}"' in html for code in range(568, 577))  # no district of the old map

    shot = ARTIFACTS / "current_dashboard.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot.unlink(missing_ok=True)
    result = _run(chromium, tmp_path, f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
