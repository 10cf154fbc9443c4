"""The step's outputs (`GITHUB_OUTPUT`) and the job summary (`GITHUB_STEP_SUMMARY`).

Outputs use the multi-line-safe form `name<<DELIMITER` with a random delimiter, so no value can end
the block early or inject another output.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gate.errors import InputError
from gate.github import limits
from gate.report.github_view import ReportView


@dataclass(frozen=True)
class ActionOutputs:
    """The step's outputs, as action.yml declares them; a path not written is empty.

    The defaults are a run that gated nothing: neutral, no share, no findings."""

    verdict: str = "neutral"
    ai_share: float | None = None
    findings: int = 0
    blocking_findings: int = 0
    report: Path | None = None
    sarif: Path | None = None
    trace: Path | None = None

    @classmethod
    def of(
        cls, view: ReportView, report: Path, sarif: Path | None = None, trace: Path | None = None
    ) -> ActionOutputs:
        return cls(
            verdict=view.verdict,
            ai_share=view.provenance.ai_share,
            findings=len(view.findings),
            blocking_findings=len(view.blocking),
            report=report,
            sarif=sarif,
            trace=trace,
        )

    def values(self) -> dict[str, str]:
        return {
            "verdict": self.verdict,
            "ai-share": "0" if self.ai_share is None else f"{self.ai_share:.4f}",
            "findings": str(self.findings),
            "blocking-findings": str(self.blocking_findings),
            "report": _path(self.report),
            "sarif": _path(self.sarif),
            "trace": _path(self.trace),
        }


def _path(path: Path | None) -> str:
    return "" if path is None else str(path)


# Bytes kept free below the job summary's limit when it is cut: the note saying so, with room to spare.
SUMMARY_CUT_ROOM_BYTES = 200


def format_outputs(values: Mapping[str, str]) -> str:
    out: list[str] = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
        out.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(out)


def write_outputs(path: Path | None, outputs: ActionOutputs) -> None:
    if path is None:
        return
    _append(path, format_outputs(outputs.values()))


def write_job_summary(path: Path | None, markdown: str) -> bool:
    """Append to the job summary; False when there is none (not running in Actions)."""
    if path is None:
        return False
    if len(markdown.encode("utf-8")) > limits.STEP_SUMMARY_MAX_BYTES:
        from gate.redact import redact, redacted_prefix

        # Redacted before it is cut: a secret cut short is a piece that no redaction recognises.
        markdown = redact(markdown)
        data = markdown.encode("utf-8")
        if len(data) > limits.STEP_SUMMARY_MAX_BYTES:
            cut = data[: limits.STEP_SUMMARY_MAX_BYTES - SUMMARY_CUT_ROOM_BYTES].decode("utf-8", "ignore")
            markdown = redacted_prefix(markdown, len(cut))
            markdown += "\n\n…cut to fit the job summary limit; see the JSON report.\n"
    _append(path, markdown + "\n")
    return True


def _append(path: Path, text: str) -> None:
    from gate.redact import redact

    text = redact(text)
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
