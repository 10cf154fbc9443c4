"""`--format markdown`: the summary (`gate.report.summary`) of the run's JSON report, as GitHub shows it."""

from __future__ import annotations

from gate.redact import redact
from gate.report import json_v1
from gate.report.links import BlobLinks
from gate.report.summary import notes_block, summary
from gate.run import Outcome
from gate.sanitize import no_commands


def render(outcome: Outcome, *, links: BlobLinks | None = None) -> str:
    view = json_v1.build(outcome)
    return no_commands(redact(summary(view, links=links).text(notes_block(view.notes))))
