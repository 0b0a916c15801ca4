"""Plain results of a validation run, free of GX (and of Dagster) so anything can import them cheaply.

An expectation either ran (``error is None``: ``success`` says whether the data passed) or could not
run (``error`` set: an execution error such as a missing column, never counted as a data finding).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Dagster metadata must stay small: cap the keys listed as text.
_MAX_KEYS_IN_METADATA = 10
_MAX_TEXT = 300


def plain(value: Any) -> Any:
    """A JSON-friendly Python value: NaN/NA -> None, numpy scalars -> Python, dates -> ISO text."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):  # pd.NA refuses bool()
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return float(value)  # np.float64 -> float
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):  # pandas Timestamp included
        return value.isoformat()
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item):
        return plain(item())
    return str(value)


@dataclass
class ExpectationOutcome:
    suite_name: str
    table_name: str
    expectation_type: str
    column: str | None
    rule_code: str
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    unexpected_rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    description: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    row_keys: tuple[str, ...] = ()

    @property
    def raised_exception(self) -> bool:
        return self.error is not None

    @property
    def failed(self) -> bool:
        """The data broke the rule (an execution error is not a failure of the data)."""
        return not self.success and self.error is None

    def row_key_values(self, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row.get(k) for k in self.row_keys}


@dataclass
class SuiteOutcome:
    suite_name: str
    table_name: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    skipped_reason: str | None = None

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None

    @property
    def execution_errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.raised_exception]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.failed]

    def failed_expectations_by_severity(self) -> dict[str, int]:
        counts = Counter(o.severity for o in self.failures)
        return {sev: counts.get(sev, 0) for sev in ("error", "warning")}

    def findings_by_severity(self) -> dict[str, int]:
        """Failing rows per severity (a row failing two rules counts twice)."""
        counts: Counter[str] = Counter()
        for o in self.failures:
            counts[o.severity] += o.unexpected_count or 0
        return {sev: counts.get(sev, 0) for sev in ("error", "warning")}

    def findings_by_rule(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for o in self.failures:
            counts[o.rule_code] += o.unexpected_count or 0
        return dict(sorted(counts.items()))

    @property
    def passed(self) -> bool:
        """No error-severity rule broken and every expectation ran; warnings do not fail a suite."""
        return not self.execution_errors and not any(o.severity == "error" for o in self.failures)

    @property
    def worst_severity(self) -> str | None:
        if self.execution_errors or any(o.severity == "error" for o in self.failures):
            return "error"
        if self.failures:
            return "warning"
        return None

    def check_metadata(self) -> dict[str, int | float | str]:
        """Small numbers-and-text metadata, e.g. for a Dagster asset check (no Dagster import here)."""
        meta: dict[str, int | float | str] = {
            "suite": self.suite_name,
            "table": self.table_name,
        }
        if self.skipped_reason is not None:
            meta["skipped_reason"] = self.skipped_reason[:_MAX_TEXT]
            return meta
        by_sev = self.findings_by_severity()
        meta |= {
            "expectations": len(self.outcomes),
            "expectations_failed": len(self.failures),
            "execution_errors": len(self.execution_errors),
            "error_rows": by_sev["error"],
            "warning_rows": by_sev["warning"],
            "rows_checked": max((o.element_count or 0 for o in self.outcomes), default=0),
        }
        for rule, n in self.findings_by_rule().items():
            meta[f"rule:{rule}"] = n
        keys = _failing_keys(self.failures)
        if keys:
            shown = ", ".join(keys[:_MAX_KEYS_IN_METADATA])
            more = len(keys) - _MAX_KEYS_IN_METADATA
            meta["failing_keys"] = (shown + (f" (+{more} more)" if more > 0 else ""))[:_MAX_TEXT]
        if self.execution_errors:
            first = self.execution_errors[0]
            meta["first_execution_error"] = f"{first.expectation_type}({first.column}): {first.error}"[
                :_MAX_TEXT
            ]
        return meta


def _key_text(outcome: ExpectationOutcome, row: dict[str, Any]) -> str:
    values = [row.get(k) for k in outcome.row_keys]
    return str(values[0]) if len(values) == 1 else ":".join(str(v) for v in values)


def _failing_keys(failures: list[ExpectationOutcome]) -> list[str]:
    return list(dict.fromkeys(_key_text(o, r) for o in failures for r in o.unexpected_rows))


def summarise(suites: list[SuiteOutcome]) -> dict[str, int]:
    """Totals across suites: failing rows by severity, execution errors, skipped suites."""
    totals = Counter[str]()
    for s in suites:
        for sev, n in s.findings_by_severity().items():
            totals[f"{sev}_rows"] += n
        totals["execution_errors"] += len(s.execution_errors)
        totals["skipped_suites"] += int(s.skipped)
        totals["failed_suites"] += int(not s.skipped and not s.passed)
    return {k: totals.get(k, 0) for k in
            ("error_rows", "warning_rows", "execution_errors", "failed_suites", "skipped_suites")}
