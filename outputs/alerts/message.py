"""What an alert says: the run, the failed step and its error (or the new errors), and where the log is.

One :class:`Alert` gives the email (subject + plain text, Vietnamese beside English) and the webhook's
JSON (``text`` for chat tools — Slack, Mattermost, Rocket.Chat and Google Chat show it — plus the same
facts as fields, for anything that parses them).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

RUN_FAILED = "run_failed"
NEW_ERRORS = "new_errors"
TEST = "test"

_MAX_ERROR_CHARS = 2000  # a dbt error can be pages long: the log has the rest
_MAX_FINDINGS_LISTED = 20


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # dbt colours its log lines


def _cut(text: str, limit: int = _MAX_ERROR_CHARS) -> str:
    text = _ANSI.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FailedStep:
    step: str
    error: str
    cause: str = ""  # the innermost exception Dagster wrapped: what went wrong, not only where

    def to_dict(self) -> dict:
        return {"step": self.step, "error": _cut(self.error), "cause": _cut(self.cause)}


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failed | new_errors | test
    run_id: str
    job: str
    trigger: str
    run_url: str  # the run in the Dagster UI
    log_path: str  # the run's log on the server
    runs_log: str  # DOTHI_HOME/logs/runs.jsonl: every run, published or not
    home: str
    failed_steps: tuple[FailedStep, ...] = ()
    run_error: str = ""  # the run's own failure message when no step failed (e.g. a resource)
    new_errors: tuple[dict, ...] = ()  # open error findings first seen in this run (marts.fct_dq_issues)
    host: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def short_run(self) -> str:
        return self.run_id[:8]

    def subject(self) -> str:
        if self.kind == RUN_FAILED:
            where = f", bước/step {self.failed_steps[0].step}" if self.failed_steps else ""
            return f"[dothi] Làm mới THẤT BẠI / Refresh FAILED — run {self.short_run}{where}"
        if self.kind == NEW_ERRORS:
            return (
                f"[dothi] {len(self.new_errors)} lỗi dữ liệu mới / new error finding(s) published — "
                f"run {self.short_run}"
            )
        return f"[dothi] Thử cảnh báo / Test alert — {self.host or self.home}"

    def text(self) -> str:
        lines = [self.subject(), ""]
        lines += [f"Run: {self.run_id} (job {self.job}, trigger {self.trigger})", f"Home: {self.home}"]
        if self.host:
            lines.append(f"Host: {self.host}")
        if self.kind == RUN_FAILED:
            lines += [
                "",
                "Không có gì được công bố; kho dữ liệu đang dùng không đổi.",
                "Nothing was published; the live warehouse is unchanged.",
                "",
            ]
            for failed in self.failed_steps:
                lines.append(f"Bước lỗi / failed step: {failed.step}")
                lines.append(f"  Lỗi / error: {_cut(failed.error)}")
                if failed.cause and failed.cause.strip() != failed.error.strip():
                    lines.append(f"  Nguyên nhân / cause: {_cut(failed.cause)}")
            if not self.failed_steps:
                lines.append(f"Lỗi / error: {_cut(self.run_error) or 'the run failed before any step ran'}")
        elif self.kind == NEW_ERRORS:
            lines += [
                "",
                "Lần làm mới này đã công bố các lỗi dữ liệu mới (mức error):",
                "This refresh published new error-severity findings:",
                "",
                "Theo quy tắc / by rule: " + ", ".join(
                    f"{rule} {count}" for rule, count in Counter(
                        str(f.get("rule_code")) for f in self.new_errors
                    ).most_common()
                ),
                "",
            ]
            for finding in self.new_errors[:_MAX_FINDINGS_LISTED]:
                where = " ".join(
                    str(finding.get(k)) for k in ("reporter_code", "locality_code", "indicator_code", "period")
                    if finding.get(k)
                )
                lines.append(f"- {finding.get('rule_code')} [{where}]: {finding.get('message_en') or ''}")
                if finding.get("message_vi"):
                    lines.append(f"  {finding['message_vi']}")
            if len(self.new_errors) > _MAX_FINDINGS_LISTED:
                lines.append(f"… and {len(self.new_errors) - _MAX_FINDINGS_LISTED} more: `dothi quality`")
        else:
            lines += ["", "Đây là tin thử. / This is a test message: alerts reach you."]
        lines += [
            "",
            f"Dagster UI: {self.run_url}",
            f"Log / nhật ký: {self.log_path}",
            f"Run history / lịch sử chạy: {self.runs_log}",
        ]
        return "\n".join(lines) + "\n"

    def payload(self) -> dict:
        """The webhook's JSON body."""
        data = asdict(self)
        data["failed_steps"] = [step.to_dict() for step in self.failed_steps]
        data["new_errors"] = [_jsonable(f) for f in self.new_errors[:_MAX_FINDINGS_LISTED]]
        data["new_errors_count"] = len(self.new_errors)
        data["run_error"] = _cut(self.run_error)
        return {"text": self.text(), "subject": self.subject(), **data}


def _jsonable(finding: dict) -> dict:
    return {k: (v if v is None or isinstance(v, (str, int, float, bool)) else str(v)) for k, v in finding.items()}
