"""Workflow-command annotations (`::error file=...,line=...::message`): the fallback when the token
cannot write to the PR (a fork's read-only token). The runner turns them into annotations itself.

Escaping follows the runner (actions/toolkit `command.ts`): in data `%`, CR and LF are percent-encoded;
in property values `:` and `,` too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from gate.github.limits import WORKFLOW_COMMAND_ANNOTATIONS_MAX
from gate.github.text import one_line
from gate.redact import redact
from gate.report.github_view import FindingView

# The runner documents no limit on a workflow command's `title`; the gate cuts it under the nearest documented
# one, the check-run annotation title's (`CHECK_ANNOTATION_TITLE_MAX_CHARS`), leaving room for escapes.
COMMAND_TITLE_MAX_CHARS = 200
_COMMAND = {"failure": "error", "warning": "warning", "notice": "notice"}  # annotation level -> command


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: FindingView) -> str:
    kind = _COMMAND[f.level]
    props: list[str] = []
    if f.path:
        props.append(f"file={escape_property(redact(f.path))}")
        if f.start_line is not None:
            props.append(f"line={f.start_line}")
            props.append(f"endLine={max(f.start_line, f.end or f.start_line)}")
    props.append(
        f"title={escape_property(one_line(redact(f'[{f.severity}] {f.title}'))[:COMMAND_TITLE_MAX_CHARS])}"
    )
    message = redact(f.body or f.title)
    return f"::{kind} {','.join(props)}::{escape_data(message)}"


def write_annotations(findings: Iterable[FindingView], out: TextIO) -> int:
    """One command a finding, in the report's order (blocking first), as many of each kind as the runner
    shows (`WORKFLOW_COMMAND_ANNOTATIONS_MAX` a step); the rest are counted in a notice, not dropped
    silently. Returns the number of findings written."""
    written: Counter[str] = Counter()
    left = 0
    for f in findings:
        kind = _COMMAND[f.level]
        if written[kind] >= WORKFLOW_COMMAND_ANNOTATIONS_MAX:
            left += 1
            continue
        out.write(command(f) + "\n")
        written[kind] += 1
    if left:
        write_notice(f"{left} more finding(s) than the runner shows as annotations: see the job summary", out)
    out.flush()
    return sum(written.values())


def write_notice(message: str, out: TextIO) -> None:
    out.write(f"::notice title=AI Quality Gate::{escape_data(redact(message))}\n")
    out.flush()


def write_warning(message: str, out: TextIO) -> None:
    """A warning the runner shows on the run's summary page: an input refused, an unsafe setup."""
    out.write(f"::warning title=AI Quality Gate::{escape_data(redact(message))}\n")
    out.flush()
