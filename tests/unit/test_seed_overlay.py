"""DOTHI_SEEDS_EXTRA: an overlay of reference data (a user's commune-level units and aliases, a benchmark's
synthetic scale) that intake and dbt read on top of the seeds, the seeds themselves never written."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from orchestration.resources import dbt_project_fingerprint
from sources.aliases import add_alias
from sources.reference import (
    SEEDS_DIR_ENV,
    SEEDS_EXTRA_ENV,
    SeedOverlayError,
    base_seeds_dir,
    clear_reference_cache,
    dbt_seed_path,
    load_reference,
    seeds_dir,
)

PROJECT_SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
# A commune of the new map that the seeds do not know, with its columns in another order and some left out.
COMMUNE = {
    "valid_from": "2025-07-01", "locality_code": "99001", "locality_key": "99001@2025-07-01", "level": "commune",
    "kind": "commune", "kind_vi": "xã", "name_vi": "Xã Thử Nghiệm", "name_en": "Thu Nghiem Commune",
    "parent_code": "56", "parent_key": "56@2025-07-01", "old_province_code": "56", "source": "overlay test",
}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home's own copy of the seeds (so aliases --add may write), and an overlay beside it."""
    base = tmp_path / "seeds"
    shutil.copytree(PROJECT_SEEDS, base)
    monkeypatch.setenv(SEEDS_DIR_ENV, str(base))
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    _write(overlay / "localities.csv", [COMMUNE])
    _write(overlay / "locality_aliases.csv", [{"locality_key": "99001@2025-07-01", "alias": "Thử Nghiệm",
                                                 "source": "overlay test"}])
    (overlay / "README.md").write_text("not a seed: ignored\n", encoding="utf-8")
    monkeypatch.setenv(SEEDS_EXTRA_ENV, str(overlay))
    clear_reference_cache()
    yield base
    clear_reference_cache()


def test_the_overlay_rows_follow_the_seeds_rows_unchanged(seeds: Path) -> None:
    merged = seeds_dir()
    assert merged != seeds and merged.name.startswith("overlay-")
    base_text = (seeds / "localities.csv").read_text(encoding="utf-8-sig")
    merged_text = (merged / "localities.csv").read_text(encoding="utf-8")
    assert merged_text.startswith(base_text.rstrip("\n") + "\n")  # the seeds' own bytes first
    rows = list(csv.DictReader(merged_text.splitlines()))
    assert len(rows) == len(list(csv.DictReader(base_text.splitlines()))) + 1
    added = rows[-1]
    assert added["locality_key"] == "99001@2025-07-01" and added["name_vi"] == "Xã Thử Nghiệm"
    assert added["valid_to"] == "" and added["population_2019"] == ""  # left out: blank, in the seed's order
    # Seeds the overlay does not touch are the same files.
    assert (merged / "indicators.csv").read_bytes() == (seeds / "indicators.csv").read_bytes()
    assert not (merged / "README.md").exists()
    # Intake reads the overlay: the commune and its alias resolve.
    reference = load_reference()
    assert reference.localities["99001@2025-07-01"].name_vi == "Xã Thử Nghiệm"
    assert any(alias == "Thử Nghiệm" for _, alias in reference.locality_aliases)
    # dbt reads the same folder, from inside its project, and a changed overlay is another project version.
    assert dbt_seed_path() == f".seeds/{merged.name}"
    with_overlay = dbt_project_fingerprint()
    assert seeds_dir() == merged  # same content: the same folder, not rewritten
    overlay = Path(os.environ[SEEDS_EXTRA_ENV])
    _write(overlay / "locality_aliases.csv", [{"locality_key": "99001@2025-07-01", "alias": "TN", "source": "x"}])
    clear_reference_cache()
    assert seeds_dir() != merged and dbt_project_fingerprint() != with_overlay


def test_aliases_are_added_to_the_seeds_not_to_the_merged_copy(seeds: Path) -> None:
    merged = seeds_dir()
    added = add_alias("Xã TN", "99001", "locality", "hand-kept", today=date(2026, 1, 5))
    assert added.code == "99001@2025-07-01"  # known through the overlay
    assert "Xã TN" in (seeds / "locality_aliases.csv").read_text(encoding="utf-8")
    assert "Xã TN" not in (merged / "locality_aliases.csv").read_text(encoding="utf-8")
    assert base_seeds_dir() == seeds
    clear_reference_cache()
    assert any(alias == "Xã TN" for _, alias in load_reference().locality_aliases)  # a new merge has it


def test_an_overlay_file_that_names_no_seed_is_refused(seeds: Path) -> None:
    overlay = Path(os.environ[SEEDS_EXTRA_ENV])
    _write(overlay / "localites.csv", [COMMUNE])
    with pytest.raises(SeedOverlayError, match=r"localites\.csv in .* name no seed"):
        seeds_dir()


def test_an_overlay_column_the_seed_lacks_is_refused(seeds: Path) -> None:
    overlay = Path(os.environ[SEEDS_EXTRA_ENV])
    _write(overlay / "localities.csv", [{**COMMUNE, "district_name": "Cam Lâm"}])
    with pytest.raises(SeedOverlayError, match=r"localities\.csv: column\(s\) district_name are not columns of"):
        seeds_dir()


def test_a_row_longer_than_its_header_is_refused_with_its_number(seeds: Path) -> None:
    overlay = Path(os.environ[SEEDS_EXTRA_ENV])
    (overlay / "locality_aliases.csv").write_text(
        "locality_key,alias,source\n99001@2025-07-01,TN,x\n99001@2025-07-01,TN2,x,extra\n", encoding="utf-8")
    with pytest.raises(SeedOverlayError, match=r"locality_aliases\.csv, row 3: 1 cell\(s\) beyond its header"):
        seeds_dir()


def test_an_overlay_that_is_not_a_folder_is_refused(seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SEEDS_EXTRA_ENV, str(seeds / "nowhere"))
    with pytest.raises(SeedOverlayError, match="DOTHI_SEEDS_EXTRA=.*nowhere: not a folder"):
        seeds_dir()
