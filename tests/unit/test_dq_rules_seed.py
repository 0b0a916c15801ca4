"""The validation-rule seed (rules as data) is well formed: DHIS2's shape, >= 15 rules, safe expressions,
known indicator codes, and every rule has a failing and a passing case in the dbt unit test."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
OPERATORS = {"equal_to", "not_equal_to", "greater_than", "greater_than_or_equal_to", "less_than",
             "less_than_or_equal_to", "compulsory_pair", "exclusive_pair"}
STRATEGIES = {"SKIP_IF_ANY_VALUE_MISSING", "SKIP_IF_ALL_VALUES_MISSING", "NEVER_SKIP"}


def _rows(name: str) -> list[dict]:
    with open(DBT / "seeds" / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_rules_have_dhis2_shape() -> None:
    rules = _rows("dq_rules")
    codes = {r["indicator_code"] for r in _rows("indicators")}
    assert len(rules) >= 15
    assert len({r["rule_code"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["operator"] in OPERATORS, rule["rule_code"]
        assert rule["missing_value_strategy"] in STRATEGIES, rule["rule_code"]
        assert rule["importance"] in {"high", "medium", "low"} and rule["severity"] in {"error", "warning"}
        assert set(rule["levels"].split("|")) <= {"locality", "province"}
        assert rule["evaluated_on"] in {"report", "consolidated"}
        assert rule["instruction_vi"] and rule["instruction_en"]
        for side in ("left_expression", "right_expression"):
            expression = rule[side]
            assert re.fullmatch(r"[A-Za-z0-9_.+*/() -]+", expression), (rule["rule_code"], expression)
            for code, _part in re.findall(r"\b([A-Z][A-Z0-9_]*)(?:\.(numerator|denominator))?\b", expression):
                assert code in codes, (rule["rule_code"], code)


def test_every_rule_fails_once_and_passes_once_in_the_dbt_unit_test() -> None:
    tests = yaml.safe_load((DBT / "models" / "intermediate" / "checks" / "_checks__unit_tests.yml").read_text())
    test = next(t for t in tests["unit_tests"] if t["name"] == "validation_rules_each_fail_and_pass")
    outcomes: dict[str, set[bool]] = {}
    for row in test["expect"]["rows"]:
        outcomes.setdefault(row["rule_code"], set()).add(row["is_violation"])
    for rule in _rows("dq_rules"):
        assert outcomes.get(rule["rule_code"]) == {True, False}, rule["rule_code"]


def test_indicator_settings_cover_the_catalogue() -> None:
    settings = {r["indicator_code"] for r in _rows("dq_indicator_settings")}
    assert settings == {r["indicator_code"] for r in _rows("indicators")}
