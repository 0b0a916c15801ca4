"""`dothi quality`: grouping by reporter, worst first, and the text a data officer reads."""

from __future__ import annotations

import json

from orchestration.cli.quality import group_findings, render_text
from orchestration.defs.quality import finding_families


def _finding(reporter: str, severity: str, rule: str, importance: str = "medium", **extra: object) -> dict:
    return {
        "issue_id": f"{reporter}-{rule}", "rule_code": rule, "severity": severity, "importance": importance,
        "family": "x", "reporter_code": reporter, "locality_code": "568", "indicator_code": "CLEAN_WATER_RATE",
        "period": "2024", "message_vi": f"thông điệp {rule}", "message_en": f"message {rule}",
        "instruction_vi": "hãy kiểm tra", "instruction_en": "please check", "file_name": "a.csv", "row_number": 3,
        "first_seen_at": None, "last_seen_at": None, **extra,
    }


REPORTERS = {"568": ("UBND TP. Nha Trang", "Nha Trang People's Committee"), "SXD": ("Sở Xây dựng", "Construction")}


def test_reporters_with_most_errors_come_first_and_findings_are_ordered() -> None:
    rows = [
        _finding("SXD", "warning", "B_RULE"),
        _finding("568", "warning", "Z_RULE", importance="low"),
        _finding("568", "error", "A_RULE", importance="high"),
        _finding("568", "warning", "Y_RULE", importance="high"),
        _finding("KHAWASCO", "error", "C_RULE"),
        _finding("KHAWASCO", "error", "D_RULE"),
    ]
    groups = group_findings(rows, REPORTERS)
    assert [g.reporter_code for g in groups] == ["KHAWASCO", "568", "SXD"]
    assert [f["rule_code"] for f in groups[1].findings] == ["A_RULE", "Y_RULE", "Z_RULE"]
    assert (groups[1].errors, groups[1].warnings) == (1, 2)
    # An unknown reporter code is shown as itself.
    assert groups[0].reporter_name_vi == "KHAWASCO"


def test_text_names_the_file_row_and_instruction_in_the_chosen_language() -> None:
    groups = group_findings([_finding("568", "error", "RATE_MISMATCH")], REPORTERS)
    vi = render_text(groups, "vi")
    assert "UBND TP. Nha Trang (568)" in vi and "thông điệp RATE_MISMATCH [a.csv, row 3]" in vi
    assert "→ hãy kiểm tra" in vi
    en = render_text(groups, "en")
    assert "Nha Trang People's Committee" in en and "→ please check" in en
    assert render_text([], "en") == "No open findings."


def test_json_shape_is_serialisable() -> None:
    from dataclasses import asdict

    groups = group_findings([_finding("568", "error", "RATE_MISMATCH")], REPORTERS)
    payload = json.loads(json.dumps([asdict(g) for g in groups], ensure_ascii=False))
    assert payload[0]["findings"][0]["instruction_en"] == "please check"


def test_every_catalogue_family_gets_a_check() -> None:
    families = finding_families()
    assert {"range", "reconciliation", "completeness", "timeliness", "intake", "outliers",
            "consistency_over_time", "validation_rule"} <= set(families)
