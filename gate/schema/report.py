"""The JSON report (SPEC 5.6, `schema_version: 1`): written by `gate.report.json_v1`, read back by every
GitHub poster and by `ai-gate publish` / `--previous-report`, and printed as a JSON Schema by
`ai-gate report schema`.

Field names and their order are the report's contract: a change here is a change of what users read.
Fields a report holds only sometimes (a stage's error, a commit's notes, the Action's `github` section) are
left out when unset, and the JSON Schema does not require them; every other field is always written.
A report read back may leave out fields added after it was written: they take their defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Protocol

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo

from gate.errors import InputError
from gate.provenance.model import LEFT_OUT_KINDS
from gate.schema.base import UNTRUSTED, IdText, Schema, TitleText, at_most, untrusted
from gate.schema.coverage import Coverage
from gate.schema.finding import ReportFinding
from gate.schema.review_state import MAX_STATE_CHARS

SCHEMA_VERSION: Final = 1
ShaText = Annotated[str, at_most(64)]
Verdict = Literal["pass", "fail", "neutral"]
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _unset(value: object) -> bool:
    return value is None


def _known_kinds(value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
    """The kinds of lines the share of code left out, as the gate names them: in a report read back from
    outside, a key is text the summary prints, so a name the gate never writes is refused."""
    unknown = [k for k in value if k not in LEFT_OUT_KINDS]
    if unknown and untrusted(info):
        raise ValueError(f"not a kind of line the share of code leaves out ({', '.join(LEFT_OUT_KINDS)})")
    return value


LeftOut = Annotated[
    dict[str, int],
    AfterValidator(_known_kinds),
    Field(json_schema_extra={"propertyNames": {"enum": list(LEFT_OUT_KINDS)}}),
]


class Source(Schema):
    """Where the change came from and its size."""

    kind: str = ""
    base: str | None = None
    head: str | None = None
    pull_request: int | None = None
    head_sha: str | None = None
    files: int = 0
    added_lines: int = 0
    removed_lines: int = 0
    ignored_paths: tuple[str, ...] = ()
    # Matched by paths.ignore but analysed: first-party code that other code imports, or a file the default
    # list matches as minified that is readable source; the notes say why for each.
    unignored: tuple[str, ...] = ()


class CommitProvenance(Schema):
    """One commit: whether it is AI-authored, by which tool, and the evidence, quoted."""

    sha: ShaText
    subject: TitleText = ""
    ai: bool = False
    tool: IdText | None = None
    evidence: tuple[str, ...] = ()
    added_lines: int = 0
    ai_lines: int = 0
    notes: tuple[str, ...] | None = Field(default=None, exclude_if=_unset)


class Provenance(Schema):
    """The AI share of the added lines, over all of them and over code lines, and the evidence."""

    ai_share: float = 0.0
    ai_lines: int = 0
    added_lines: int = 0
    code_ai_share: float = 0.0
    # None in a report that predates code lines counted apart
    code_ai_lines: int | None = None
    code_added_lines: int | None = None
    # The added lines the share of code leaves out, by kind: "documentation", "data files",
    # "whitespace-only changes" (`LEFT_OUT_KINDS`; empty in a report that predates the kinds: documentation
    # alone)
    code_left_out: LeftOut = Field(default_factory=dict)
    share_of: str | None = None  # which share the thresholds read: "all" or "code"
    threshold_share: float = 0.0
    # Added lines whose commit could not be read, in neither share: `threshold_share` counts them AI.
    # Absent when there are none.
    unknown_origin_lines: int | None = Field(default=None, exclude_if=_unset)
    disregarded_records: tuple[str, ...] = ()
    tools: dict[str, int] = Field(default_factory=dict)
    basis: tuple[str, ...] = ()
    pr_evidence: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    commits: tuple[CommitProvenance, ...] = ()

    @property
    def code_line(self) -> str | None:
        """The share over code lines, when the thresholds read it and it differs from the whole."""
        return code_share_line(
            self.share_of, self.code_ai_lines, self.code_added_lines, self.added_lines, self.code_left_out
        )

    @property
    def unknown_line(self) -> str | None:
        """What the thresholds made of the lines of unknown origin, when there are any."""
        return unknown_origin_line(self.unknown_origin_lines or 0)


def unknown_origin_line(unknown: int) -> str | None:
    if not unknown:
        return None
    lines = "1 added line" if unknown == 1 else f"{unknown} added lines"
    return (
        f"Of unknown origin: {lines} (which commit added them could not be read), counted as possibly AI "
        "by the thresholds"
    )


def code_share_line(
    share_of: str | None,
    ai: int | None,
    added: int | None,
    all_added: int,
    left_out: Mapping[str, int] | None = None,
) -> str | None:
    """The share of code in words, naming what it leaves out."""
    if share_of != "code" or not added or ai is None or added == all_added:
        return None
    kinds = list(left_out or {}) or ["documentation"]
    named = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return (
        f"Of code lines ({named} left out): {ai / added:.0%} ({ai} of {added}), the share the thresholds read"
    )


class Threshold(Schema):
    """Whether the thresholds called for an escalation stage (review, regen), and why."""

    met: bool
    why: str


class StageReport(Schema):
    """What one stage did. `details` holds the stage's own facts for the reader (JSON values); a stage
    that could not run says so in `skipped_reason`, `model_error` or `error`."""

    ran: bool
    why: str = ""
    skipped_reason: str | None = None
    findings: int = 0
    model_error: str | None = Field(default=None, exclude_if=_unset)
    error: str | None = Field(default=None, exclude_if=_unset)
    details: dict[str, Any] | None = Field(default=None, exclude_if=_unset)
    threshold: Threshold | None = Field(default=None, exclude_if=_unset)

    @property
    def models(self) -> tuple[str, ...]:
        """The models a model stage called, as its `details.models` lists them (the stage's
        `StageResult.models`); () for a stage that lists none, or a value that is not a list of names."""
        listed = (self.details or {}).get("models")
        return tuple(m for m in listed if isinstance(m, str) and m) if isinstance(listed, list) else ()


class Usage(Schema):
    """Model calls, tokens, cost and time of a run (or of one stage, in the trace)."""

    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    wall_seconds: float = 0.0

    @classmethod
    def of(cls, u: Counted) -> Usage:
        return cls(
            model_calls=u.model_calls,
            prompt_tokens=u.prompt_tokens,
            completion_tokens=u.completion_tokens,
            cost_usd=u.cost_usd,
            wall_seconds=u.wall_seconds,
        )


class Counted(Protocol):
    """What a run counts of its model calls (the run's `Usage` dataclass)."""

    @property
    def model_calls(self) -> int: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def wall_seconds(self) -> float: ...


class Post(Schema):
    unconfirmed: Literal["summary", "inline", "none"] = "summary"


class GitHubSection(Schema):
    """What the Action adds to the report it writes: the PR, the run, and what was posted."""

    repository: str = ""
    pull_request: int | None = None
    head_sha: str | None = None
    base_sha: str | None = None
    event: str = ""
    run_url: str | None = None
    notes: tuple[str, ...] = ()
    posted: tuple[str, ...] = ()
    post_failures: tuple[str, ...] = ()
    read_only_token: bool = False


class Report(Schema):
    """The JSON report (SPEC 5.6)."""

    schema_version: Literal[1]
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    source: Source = Source()
    provenance: Provenance = Provenance()
    stages: dict[str, StageReport] = Field(default_factory=dict)
    # None in a report that predates it: the summary then says coverage is unknown
    coverage: Coverage | None = None
    findings: tuple[ReportFinding, ...] = ()
    usage: Usage = Usage()
    notes: tuple[str, ...] = ()
    post: Post = Post()
    # what an incremental re-review of the PR starts from; kept in the summary comment
    review_state: str | None = Field(
        default=None, max_length=MAX_STATE_CHARS, pattern=r"^v1:[A-Za-z0-9+/=]+$"
    )
    # the Action's own section, in the report it writes (`report.json`)
    github: GitHubSection | None = Field(default=None, exclude_if=_unset)

    def details_of(self, stage: str) -> dict[str, Any] | None:
        """A stage's `details`, None when the report has none for it."""
        entry = self.stages.get(stage)
        return entry.details if entry is not None else None

    @property
    def blocking(self) -> tuple[ReportFinding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def listed(self) -> tuple[ReportFinding, ...]:
        """The findings the summary lists: all but the unconfirmed model findings under
        `post.unconfirmed: none`, and the disputed ones, which it lists apart."""
        if self.post.unconfirmed == "none":
            return tuple(f for f in self.findings if f.confirmed)
        return tuple(f for f in self.findings if not f.disputed)

    @property
    def annotated(self) -> tuple[ReportFinding, ...]:
        """The findings shown in the diff as check-run annotations: the ones that go inline (confirmed and
        deterministic findings, and unconfirmed ones only under `post.unconfirmed: inline`); a finding the
        cross-check refused stays out of the diff like its review comment. A report that predates the
        `inline` field annotates every finding, as it did."""
        return tuple(f for f in self.findings if f.inline is None or f.inline)

    @property
    def disputed(self) -> tuple[ReportFinding, ...]:
        """Unconfirmed model findings another model refused, unless `post.unconfirmed: none`."""
        if self.post.unconfirmed == "none":
            return ()
        return tuple(f for f in self.findings if f.disputed)

    @classmethod
    def parse(cls, data: object, name: str) -> Report:
        """A report read back from outside (a file, an artifact): validated as untrusted input."""
        try:
            return cls.model_validate(data, context=UNTRUSTED)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            raise InputError(f"{name}: not an AI Quality Gate report: {where}: {err['msg']}") from None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the report as the gate writes it."""
    schema = Report.model_json_schema(mode="serialization")
    schema.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": f"AI Quality Gate JSON report (schema_version {SCHEMA_VERSION})",
        **schema,
    }


def render_json_schema() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"
