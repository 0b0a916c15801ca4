"""The synthetic generator: deterministic, and its files follow the submission contract (tiny scales only)."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from benchmarks.generate import (
    SCALES,
    SEEDS,
    Scale,
    en_number,
    generate,
    merge_seeds,
    period_text,
    quarterly,
    vi_number,
)
from sources.normalize.periods import parse_period
from sources.reference import load_reference
from sources.submission import parse_submission

# Quarterly periods (the parser knows them), a high share of bad rows and XLSX so every path shows up.
TINY = Scale(
    "unit-test",
    provinces=2,
    units=5,
    indicators=23,
    periods=quarterly(2023, 2023),
    departments=2,
    xlsx_share=0.3,
    bad_row_share=0.05,
    revision_share=0.2,
    seed=7,
)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    manifest = generate("unit-test", out, workers=1, scale=TINY)
    return out / "unit-test", manifest


def test_same_bytes_whatever_the_number_of_workers(generated: tuple[Path, dict], tmp_path: Path) -> None:
    root, manifest = generated
    again = generate("unit-test", tmp_path, workers=2, scale=TINY)
    assert _digests(root / "inbox") == _digests(tmp_path / "unit-test" / "inbox")
    assert _digests(root / "reference") == _digests(tmp_path / "unit-test" / "reference")
    assert {k: v for k, v in manifest.items() if k != "generate_seconds"} == {
        k: v for k, v in again.items() if k != "generate_seconds"
    }


def test_a_different_seed_gives_different_files(generated: tuple[Path, dict], tmp_path: Path) -> None:
    generate("unit-test", tmp_path, workers=1, scale=replace(TINY, seed=8))
    assert _digests(generated[0] / "inbox") != _digests(tmp_path / "unit-test" / "inbox")


def test_both_reporter_kinds_and_formats(generated: tuple[Path, dict]) -> None:
    _, manifest = generated
    assert manifest["files_locality"] >= TINY.units * len(TINY.periods)
    assert manifest["files_department"] == TINY.provinces * TINY.departments * len(TINY.periods)
    assert manifest["files_X"] > 0 and manifest["files_A"] + manifest["files_B"] + manifest["files_C"] > 0
    # Unit files (without revisions) + department files: two channels of every figure.
    assert manifest["rows"] >= TINY.expected_figures


def test_files_parse_with_the_overlay_reference(generated: tuple[Path, dict], tmp_path: Path) -> None:
    root, manifest = generated
    seeds = tmp_path / "seeds"
    merge_seeds(root / "reference", seeds)
    reference = load_reference(seeds)
    figures = rejected_rows = 0
    reasons: Counter[str] = Counter()
    for path in sorted((root / "inbox").iterdir()):
        sub = parse_submission(path.read_bytes(), path.name, today=date(2025, 8, 1), reference=reference)
        figures += len(sub.figures)
        rejected_rows += sub.rows_rejected
        reasons.update(r.field for r in sub.rejected)
        assert sub.meta.is_synthetic
        assert set(sub.meta.periods) <= set(TINY.periods)
    planted = manifest.get("bad_value", 0) + manifest.get("bad_locality", 0) + manifest.get("bad_indicator", 0)
    assert planted > 0
    assert rejected_rows == planted  # exactly the planted bad rows, nothing else
    assert figures == manifest["rows"] - planted
    assert set(reasons) <= {"value", "locality", "indicator"}


def test_overlay_rows_have_the_seed_columns(generated: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = generated
    merge_seeds(root / "reference", tmp_path / "seeds")
    for name in ("localities.csv", "reporters.csv", "indicators.csv", "targets.csv"):
        with (SEEDS / name).open(encoding="utf-8-sig") as f:
            seed_rows = list(csv.DictReader(f))
        with (tmp_path / "seeds" / name).open(encoding="utf-8") as f:
            reader = csv.DictReader(f)
            merged = list(reader)
        assert reader.fieldnames == list(seed_rows[0].keys())
        assert merged[: len(seed_rows)] == seed_rows
    synthetic = load_reference(tmp_path / "seeds").indicators
    assert {f"SYN_IND_{n}" for n in (22, 23)} <= set(synthetic)


def test_number_and_period_writing() -> None:
    assert en_number(1234.5, 1) == "1,234.5" and vi_number(1234.5, 1) == "1.234,5"
    assert en_number(85.0, 0) == "85" and vi_number(25841, 0) == "25.841"
    assert period_text("2024-Q3", "A") == "Quý III/2024" and period_text("2024-Q3", "C") == "2024-Q3"
    assert period_text("2024-03", "B") == "Tháng 3/2024" and period_text("2024-03", "A") == "2024-03"
    # What the generator writes, dothi reads back as the same month.
    for dialect in ("A", "B", "C"):
        assert parse_period(period_text("2024-03", dialect)).period == "2024-03"


def test_named_scales_match_the_issue() -> None:
    province, national = SCALES["province"], SCALES["national"]
    assert province and national
    assert (province.units, province.indicators, len(province.periods), province.period_kind) == (130, 20, 60, "month")
    assert (national.units, national.indicators, len(national.periods)) == (3321, 30, 20)
    assert national.expected_figures == 3321 * 30 * 20 * 2
    assert int(province.periods[0][:4]) >= 2020 and int(national.periods[-1][:4]) <= date.today().year
