"""The JSON report (SPEC 5.6) read back as typed values: what every GitHub poster works from.

The Action builds it from the outcome it just computed; `ai-gate publish` reads it from a file made by
an earlier job, so it is validated here as untrusted input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gate.diff.model import Diff
from gate.errors import InputError
from gate.report.coverage import Coverage
from gate.report.links import BlobLinks
from gate.review.state import MAX_STATE_CHARS

Verdict = Literal["pass", "fail", "neutral"]
MAX_REPORT_BYTES = 64 << 20


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FindingView(_View):
    id: str = Field(max_length=200)
    stage: str = Field(max_length=100)
    rule: str = Field(default="", max_length=200)
    path: str | None = Field(default=None, max_length=4096)
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)
    severity: Literal["critical", "high", "medium", "low", "info"]
    title: str = Field(max_length=10_000)
    body: str = Field(default="", max_length=200_000)
    confirmed_by: tuple[str, ...] = ()
    blocking: bool = False
    advisory: bool = False
    commentable: bool = False
    suggestion: str | None = Field(default=None, max_length=200_000)
    fingerprint: str = Field(default="", max_length=200)
    confirmed: bool = False
    # None in a report that predates the field: then only what blocks goes inline
    inline: bool | None = None
    disputed: bool = False
    raised_by: tuple[str, ...] = ()
    refused_by: tuple[str, ...] = ()

    @property
    def posts_inline(self) -> bool:
        return self.inline if self.inline is not None else self.blocking

    @property
    def key(self) -> str:
        """The de-duplication key kept in posted comments: stable across runs."""
        return self.fingerprint or self.id

    @property
    def end(self) -> int | None:
        return self.end_line if self.end_line is not None else self.start_line

    @property
    def level(self) -> Literal["failure", "warning", "notice"]:
        """The annotation level: failure for what blocks, warning for medium and above, else notice."""
        if self.blocking:
            return "failure"
        return "warning" if self.severity in ("critical", "high", "medium") else "notice"


class SourceView(_View):
    pull_request: int | None = None
    head_sha: str | None = None


class CommitView(_View):
    sha: str = Field(max_length=64)
    subject: str = Field(default="", max_length=10_000)
    ai: bool = False
    tool: str | None = Field(default=None, max_length=200)
    evidence: tuple[str, ...] = ()
    added_lines: int = 0
    ai_lines: int = 0


class ProvenanceView(_View):
    ai_share: float = 0.0
    ai_lines: int = 0
    added_lines: int = 0
    code_ai_lines: int | None = None
    code_added_lines: int | None = None
    share_of: str | None = None
    tools: dict[str, int] = Field(default_factory=dict)  # tool id -> AI lines
    basis: tuple[str, ...] = ()
    pr_evidence: tuple[str, ...] = ()
    commits: tuple[CommitView, ...] = ()

    @property
    def code_line(self) -> str | None:
        """The share over code lines, when the thresholds read it and it differs from the whole."""
        return code_share_line(self.share_of, self.code_ai_lines, self.code_added_lines, self.added_lines)


def code_share_line(share_of: str | None, ai: int | None, added: int | None, all_added: int) -> str | None:
    if share_of != "code" or not added or ai is None or added == all_added:
        return None
    return (
        f"Of code lines (documentation left out): {ai / added:.0%} ({ai} of {added}), "
        "the share the thresholds read"
    )


class UsageView(_View):
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    wall_seconds: float = 0.0


class PostView(_View):
    unconfirmed: Literal["summary", "inline", "none"] = "summary"


class ReportView(_View):
    schema_version: Literal[1]
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    source: SourceView = SourceView()
    provenance: ProvenanceView = ProvenanceView()
    stages: dict[str, dict[str, Any]] = Field(default_factory=dict)
    findings: tuple[FindingView, ...] = ()
    # None in a report that predates it: the summary then says coverage is unknown
    coverage: Coverage | None = None
    usage: UsageView = UsageView()
    notes: tuple[str, ...] = ()
    post: PostView = PostView()
    # what an incremental re-review of the PR starts from; kept in the summary comment
    review_state: str | None = Field(
        default=None, max_length=MAX_STATE_CHARS, pattern=r"^v1:[A-Za-z0-9+/=]+$"
    )

    @property
    def blocking(self) -> tuple[FindingView, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def listed(self) -> tuple[FindingView, ...]:
        """The findings the summary lists: all but the unconfirmed model findings under
        `post.unconfirmed: none`, and the disputed ones, which it lists apart."""
        if self.post.unconfirmed == "none":
            return tuple(f for f in self.findings if f.confirmed)
        return tuple(f for f in self.findings if not f.disputed)

    @property
    def annotated(self) -> tuple[FindingView, ...]:
        """The findings shown in the diff as check-run annotations: the ones that go inline (confirmed and
        deterministic findings, and unconfirmed ones only under `post.unconfirmed: inline`); a finding the
        cross-check refused stays out of the diff like its review comment. A report that predates the
        `inline` field annotates every finding, as it did."""
        return tuple(f for f in self.findings if f.inline is None or f.inline)

    @property
    def disputed(self) -> tuple[FindingView, ...]:
        """Unconfirmed model findings another model refused, unless `post.unconfirmed: none`."""
        if self.post.unconfirmed == "none":
            return ()
        return tuple(f for f in self.findings if f.disputed)

    @classmethod
    def parse(cls, data: object, name: str) -> ReportView:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            raise InputError(f"{name}: not an AI Quality Gate report: {where}: {err['msg']}") from None


def read_report(path: Path, hint: str) -> tuple[ReportView, dict[str, Any]]:
    """The JSON report in `path`, validated, and its `github` section; a clear InputError otherwise.
    `hint` says where a missing file would come from."""
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
    github = data.get("github") if isinstance(data, dict) else None
    return view, github if isinstance(github, dict) else {}


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
        if not f.path or f.start_line is None:
            return False
        if self.diff is None:
            return f.commentable
        return self.diff.is_commentable(f.path, f.start_line, f.end)
