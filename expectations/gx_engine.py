"""Everything that touches Great Expectations: the ephemeral context, suites, one batch, Data Docs.

Imported only when a validation runs (GX costs ~6 s to import). Batches go through GX's ``Validator``
rather than ``ValidationDefinition.run``: the latter keeps every run's COMPLETE result in the
in-memory results store, so chunked runs would pile up. Data Docs get one merged result per suite
(failing-row lists capped at 20, as GX's partial lists are).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.merge import PARTIAL
from expectations.plan import NOT_CHUNKABLE
from expectations.suites import SuiteError, SuiteSpec

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# GX names severities its own way; dothi's "error" is GX's "critical".
_GX_SEVERITY = {"error": "critical", "warning": "warning"}
_DATASOURCE = "dothi_warehouse"
_DOCS_SITE = "dothi"
_LISTS = ("unexpected_index_list", "unexpected_list", "partial_unexpected_list", "partial_unexpected_index_list",
          "partial_unexpected_counts")

# One expectation's verdict: (success, GX result dict, execution error message or None).
Verdict = tuple[bool, dict[str, Any], str | None]


def exception_message(exception_info: Any) -> str | None:
    """GX reports either one {raised_exception, exception_message} or one such dict per metric."""
    if not isinstance(exception_info, dict):
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for info in infos:
        if isinstance(info, dict) and (info.get("raised_exception") or info.get("exception_message")):
            return str(info.get("exception_message") or "exception raised (no message)")
    return None


def _domain(kwargs: Mapping[str, Any]) -> list[str]:
    """The columns GX puts next to the index columns in each failing row."""
    names = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list") or [])
    return [str(n) for n in names if n is not None]


def failing_rows(frame: pd.DataFrame, index: Sequence[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    """The failing rows (by index label) as dicts of ``columns`` (those the frame has), in GX's order."""
    present = [c for c in dict.fromkeys(columns) if c in frame.columns]
    return frame.loc[list(index), present].to_dict("records")


class GxEngine:
    """An ephemeral GX context with one pandas dataframe asset that every batch goes through."""

    def __init__(self) -> None:
        # Before the import: GX reads the variable when the context starts.
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        with warnings.catch_warnings():
            # GX's own imports of deprecated stdlib modules; nothing the caller can act on.
            warnings.simplefilter("ignore", DeprecationWarning)
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = self.context.data_sources.add_pandas(_DATASOURCE).add_dataframe_asset(name="batch")
        self.batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        self._docs_meta: dict[str, Any] = {}

    def is_chunkable(self, expectation_type: str) -> bool:
        """A map expectation (each row judged alone) other than uniqueness."""
        from great_expectations.expectations.expectation import (
            ColumnMapExpectation,
            ColumnPairMapExpectation,
            MulticolumnMapExpectation,
        )
        from great_expectations.expectations.registry import get_expectation_impl

        impl = get_expectation_impl(expectation_type)
        maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
        return issubclass(impl, maps) and expectation_type not in NOT_CHUNKABLE

    def add_suite(self, spec: SuiteSpec, expectations: list[dict[str, Any]]) -> tuple[dict[int, Any], dict[int, str]]:
        """Register the suite; ``(stored expectation per position, error per invalid position)``."""
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
        from great_expectations.expectations.metadata_types import FailureSeverity

        suite = self.gx.ExpectationSuite(name=spec.name, meta={"table": spec.qualified_table})
        errors: dict[int, str] = {}
        positions: list[int] = []
        for position, exp in enumerate(expectations):
            try:
                config = ExpectationConfiguration(
                    type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"],
                    severity=FailureSeverity(_GX_SEVERITY[exp["meta"]["severity"]]),
                )
                suite.add_expectation(config.to_domain_obj())
            except Exception as exc:  # noqa: BLE001 - a bad expectation in the JSON is an execution error
                errors[position] = f"invalid expectation: {exc}"
                continue
            positions.append(position)
        if not positions:
            return {}, errors
        # The store gives expectations ids: results are matched to positions through them.
        suite = self.context.suites.add(suite)
        if len(suite.expectations) != len(positions):
            raise SuiteError(f"suite {spec.name}: GX merged identical expectations; make them distinct")
        return dict(zip(positions, suite.expectations, strict=True)), errors

    def validate(self, suite_name: str, expectations: Sequence[Any], frame: pd.DataFrame,
                 index_columns: Sequence[str]) -> dict[str, Verdict]:
        """Run stored ``expectations`` on one frame: verdicts by expectation id."""
        from great_expectations.validator.v1_validator import Validator

        part = self.gx.ExpectationSuite(name=suite_name, expectations=[copy.copy(e) for e in expectations])
        for mine, stored in zip(part.expectations, expectations, strict=True):
            mine.id = stored.id  # copies lose the id; the results need it to find their expectation
        # No unexpected_index_column_names: GX then lists failing rows by index, and the rows' keys are
        # looked up here in one vectorised step (GX reads them cell by cell: 30 s per 50 k failing rows).
        validator = Validator(
            batch_definition=self.batch_definition,
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
        )
        result = validator.validate_expectation_suite(part)
        self._docs_meta.setdefault(suite_name, (result.meta, result.batch_id))
        verdicts: dict[str, Verdict] = {}
        for r in result.results:
            # Pitfall 8: an exception inside GX comes back as success=False; it is not a data finding.
            error = exception_message(r.exception_info)
            found = dict(r.result or {})
            config = r.expectation_config
            assert config is not None  # GX sets it on every result of a suite's validation
            if found.get("unexpected_index_list"):
                shown = [*_domain(config.kwargs), *index_columns]
                found["unexpected_index_list"] = failing_rows(frame, found["unexpected_index_list"], shown)
                found["partial_unexpected_index_list"] = found["unexpected_index_list"][:PARTIAL]
            verdicts[str(config.id)] = (bool(r.success) and error is None, found, error)
        return verdicts

    def store_for_docs(self, suite_name: str, verdicts: Mapping[Any, Verdict]) -> None:
        """One merged validation result for the suite (keys: stored expectations), for Data Docs."""
        from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        results = []
        for expectation, (success, result, error) in verdicts.items():
            shown = {k: (v[:PARTIAL] if k in _LISTS and isinstance(v, list) else v) for k, v in result.items()}
            results.append(ExpectationValidationResult(
                success=success, expectation_config=expectation.configuration, result=shown,
                exception_info={"raised_exception": error is not None, "exception_message": error,
                                "exception_traceback": None},
            ))
        meta, batch_id = self._docs_meta.get(suite_name, ({}, None))
        run_id = RunIdentifier(run_time=dt.datetime.now(dt.UTC))
        passed = sum(1 for r in results if r.success)
        suite_result = ExpectationSuiteValidationResult(
            success=passed == len(results), results=results, suite_name=suite_name,
            statistics={"evaluated_expectations": len(results), "successful_expectations": passed,
                        "unsuccessful_expectations": len(results) - passed,
                        "success_percent": 100.0 * passed / len(results) if results else None},
            meta={**meta, "run_id": run_id, "validation_time": run_id.run_time}, batch_id=batch_id,
        )
        suite_id = ExpectationSuiteIdentifier(name=suite_name)
        self.context.validation_results_store.store_validation_results(
            suite_validation_result=suite_result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch_id or suite_name),
            expectation_suite_identifier=suite_id,
        )

    def build_data_docs(self, data_docs_dir: Path) -> Path | None:
        """A filesystem Data Docs site of this run's suites and results; a failure here only logs."""
        try:
            data_docs_dir.mkdir(parents=True, exist_ok=True)
            self.context.add_data_docs_site(_DOCS_SITE, {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(data_docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
            self.context.build_data_docs(site_names=[_DOCS_SITE])
        except Exception:  # noqa: BLE001 - docs are a by-product; never lose the validation for them
            log.warning("building GX Data Docs in %s failed", data_docs_dir, exc_info=True)
            return None
        return data_docs_dir / "index.html"
