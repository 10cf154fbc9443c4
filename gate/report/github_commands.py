"""Workflow-command annotations (`::error file=...,line=...::message`): the fallback when the token
cannot write to the PR (a fork's read-only token). The runner turns them into annotations itself.

Escaping follows the runner (actions/toolkit `command.ts`): in data `%`, CR and LF are percent-encoded;
in property values `:` and `,` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from gate.github.text import one_line
from gate.report.github_view import FindingView

_COMMAND = {"failure": "error", "warning": "warning", "notice": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: FindingView) -> str:
    kind = (
        "error" if f.blocking else ("warning" if f.severity in ("critical", "high", "medium") else "notice")
    )
    props: list[str] = []
    if f.path:
        props.append(f"file={escape_property(f.path)}")
        if f.start_line is not None:
            props.append(f"line={f.start_line}")
            props.append(f"endLine={max(f.start_line, f.end or f.start_line)}")
    props.append(f"title={escape_property(one_line(f'[{f.severity}] {f.title}')[:200])}")
    message = f.body or f.title
    return f"::{kind} {','.join(props)}::{escape_data(message)}"


def write_annotations(findings: Iterable[FindingView], out: TextIO) -> int:
    n = 0
    for f in findings:
        out.write(command(f) + "\n")
        n += 1
    out.flush()
    return n


def write_notice(message: str, out: TextIO) -> None:
    out.write(f"::notice title=AI Quality Gate::{escape_data(message)}\n")
    out.flush()
