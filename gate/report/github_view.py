"""The JSON report (SPEC 5.6) read back as typed values: what every GitHub poster works from.

The Action builds it from the outcome it just computed; `ai-gate publish` reads it from a file made by
an earlier job, so it is validated here as untrusted input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gate.diff.model import Diff
from gate.errors import InputError
from gate.redact import redact
from gate.report.links import BlobLinks
from gate.schema.finding import ReportFinding
from gate.schema.report import (
    CommitProvenance,
    GitHubSection,
    Provenance,
    Report,
    Verdict,
    code_share_line,
    unknown_origin_line,
)

# The posters' names for the report's models (`gate.schema.report`): one shape, written and read.
ReportView = Report
FindingView = ReportFinding
ProvenanceView = Provenance
CommitView = CommitProvenance

__all__ = [
    "CommitView",
    "FindingView",
    "ProvenanceView",
    "ReportView",
    "Verdict",
    "code_share_line",
    "read_report",
    "unknown_origin_line",
]

MAX_REPORT_BYTES = 64 << 20


def read_report(path: Path, hint: str) -> tuple[ReportView, GitHubSection]:
    """The JSON report in `path`, validated, and its `github` section (empty when it has none); a clear
    InputError otherwise. `hint` says where a missing file would come from."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise InputError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    view = ReportView.parse(data, str(path))
    return view, view.github or GitHubSection()


def postable_path(path: str) -> bool:
    """Whether a comment or an annotation may be placed on `path`: GitHub takes the path only as written,
    and a path that holds a secret, or a value the run remembered (`DB_PASSWORD=backend` in an added
    `.env`), is never sent whole. A finding there is named in the summary, redacted, and nowhere else."""
    return redact(path) == path


@dataclass(frozen=True)
class Origin:
    """The names a run posts under. The gate's own run and `ai-gate publish` (which re-posts a report an
    unprivileged job made) never share one, so a published report can neither pass for the gate's check
    nor leave state (summary comment, comment fingerprints) that a later run of the gate would read."""

    check_name: str
    status_context: str
    comment_marker: str  # first line of the summary comment, found again by it on later runs
    finding_marker: str  # tag of the hidden fingerprint in each inline comment
    published: bool


GATE = Origin(
    check_name="AI Quality Gate",
    status_context="ai-quality-gate",
    comment_marker="<!-- ai-quality-gate -->",
    finding_marker="ai-quality-gate:finding",
    published=False,
)
PUBLISHED = Origin(
    check_name="AI Quality Gate (published)",
    status_context="ai-quality-gate/published",
    comment_marker="<!-- ai-quality-gate:published -->",
    finding_marker="ai-quality-gate:published-finding",
    published=True,
)
PUBLISHED_NOTE = (
    "Published from a report made by an unprivileged job (the analysis run of the PR's own workflow); "
    "the findings were not recomputed here and the PR could have changed them."
)


@dataclass(frozen=True)
class PostContext:
    """What every GitHub poster needs besides the client: the report, where it goes, and the diff."""

    view: ReportView
    number: int
    head_sha: str
    # The PR's diff, to keep inline comments on lines GitHub accepts; None trusts `commentable`.
    diff: Diff | None = None
    report_link: str | None = None
    notes: tuple[str, ...] = ()
    # The account this token posts as (GraphQL `viewer`); only its comments hold earlier runs' state.
    # None when it could not be told: then no comment is read as ours, edited or de-duplicated against.
    identity: str | None = None
    origin: Origin = GATE
    # Links from the summary to the findings' lines at the head commit; None names the lines only.
    links: BlobLinks | None = None

    def is_commentable(self, f: FindingView) -> bool:
        if not f.path or f.start_line is None or not postable_path(f.path):
            return False
        if self.diff is None:
            return f.commentable
        return self.diff.is_commentable(f.path, f.start_line, f.end, ignored=True)
