"""`add_alias` on a copy of the seeds: it writes the alias to the right seed with its note, and refuses an
unknown code, a locality code with several versions, an alias that already names something, a unit."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from sources.aliases import AliasError, add_alias
from sources.normalize.names import resolvers
from sources.reference import load_reference, seeds_dir

TODAY = date(2026, 12, 1)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    return folder


def test_added_alias_resolves(seeds: Path) -> None:
    added = add_alias("Sở XD tỉnh KH", "SXD", "reporter", "office shortening", today=TODAY, seeds=seeds)
    assert added.source == "dothi aliases --add 2026-12-01: office shortening"
    assert (seeds / "reporter_aliases.csv").read_text(encoding="utf-8").endswith(
        "SXD,Sở XD tỉnh KH,dothi aliases --add 2026-12-01: office shortening\n")
    assert resolvers(load_reference(seeds)).reporter("Sở XD tỉnh KH").code == "SXD"


@pytest.mark.parametrize(
    ("alias", "code", "kind", "message"),
    [
        ("Chỉ tiêu lạ", "NO_SUCH", "indicator", "unknown indicator 'NO_SUCH'"),
        ("Phường mới", "22348", "locality", "has 2 versions"),
        ("Sở Xây dựng", "SXD", "reporter", "already a name of SXD"),
        ("Sở Xây dựng", "CTK", "reporter", "already names SXD"),
        ("m2", "GREEN_LAND_PC", "unit", "unit_aliases column of indicators.csv"),
    ],
)
def test_refused_aliases_write_nothing(seeds: Path, alias: str, code: str, kind: str, message: str) -> None:
    before = {p.name: p.read_bytes() for p in seeds.glob("*.csv")}
    with pytest.raises(AliasError, match=message):
        add_alias(alias, code, kind, None, today=TODAY, seeds=seeds)
    assert {p.name: p.read_bytes() for p in seeds.glob("*.csv")} == before
