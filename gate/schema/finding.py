"""A finding as the gate writes it: in the JSON report (`ReportFinding`) and in the trace (`TraceFinding`).

The report's finding is what users and the GitHub posters read: the policy's marks (confirmed,
blocking, inline, disputed) made explicit. The trace's finding is the `Finding` itself, every field
that a replay needs to rebuild it exactly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gate.findings import Confidence, Finding, Location, Severity
from gate.schema.base import BodyText, IdText, LineNumber, PathText, Schema, StageId, TitleText


def _unset(value: object) -> bool:
    return value is None


SeverityName = Literal["critical", "high", "medium", "low", "info"]
ConfidenceName = Literal["high", "medium", "low"]


class ReportFinding(Schema):
    """One finding of the JSON report (SPEC 5.6)."""

    id: IdText
    stage: StageId
    rule: IdText = ""
    path: PathText | None = None
    start_line: LineNumber | None = None
    end_line: LineNumber | None = None
    severity: SeverityName
    confidence: ConfidenceName = "medium"
    category: IdText = ""
    title: TitleText
    body: BodyText = ""
    confirmed_by: tuple[str, ...] = ()
    confirmed: bool = False
    blocking: bool = False
    advisory: bool = False
    commentable: bool = False
    # None in a report that predates the field: then only what blocks goes inline
    inline: bool | None = None
    disputed: bool = False
    raised_by: tuple[str, ...] = ()
    refused_by: tuple[str, ...] = ()
    suggestion: BodyText | None = None
    fingerprint: IdText = ""
    # A model finding that several models raised: the one whose title and body these are (the others
    # raised the issue in words of their own). Not written otherwise.
    worded_by: str | None = Field(default=None, exclude_if=_unset)
    # A model finding's suggestion that fewer than the quorum of its raisers gave: the models that gave
    # it. It is shown as theirs, never offered to apply in one click. Not written for a suggestion a
    # quorum gave, or a deterministic stage's fix.
    suggested_by: tuple[str, ...] | None = Field(default=None, exclude_if=_unset)

    @classmethod
    def of(cls, f: Finding) -> ReportFinding:
        """The finding as the report writes it. Constructed, not validated: every value comes typed from
        the `Finding`, and the bounds of `gate.schema.base` apply only to a report read back; on a large
        change's thousands of findings, a validator call per field cost most of building the report."""
        loc = f.location
        fingerprint = f.fingerprint
        return cls.model_construct(
            id=fingerprint[:12],
            stage=f.stage,
            rule=f.rule,
            path=loc.path if loc else None,
            start_line=loc.start_line if loc else None,
            end_line=loc.end_line if loc else None,
            severity=f.severity.value,
            confidence=f.confidence.value,
            category=f.category or f.rule,
            title=f.title,
            body=f.body,
            confirmed_by=f.confirmed_by,
            confirmed=f.confirmed,
            blocking=f.blocking,
            advisory=f.advisory,
            commentable=f.commentable,
            inline=f.inline,
            disputed=f.disputed,
            raised_by=f.said("raised_by"),
            refused_by=f.said("disagreed_by"),
            suggestion=f.suggestion,
            fingerprint=fingerprint,
            worded_by=dict(f.extra).get("worded_by") or None,
            suggested_by=f.said("suggested_by") or None,
        )

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


class TraceFinding(Schema):
    """A `Finding` in the trace's `run` record, as a replay rebuilds it (the policy's marks are not kept:
    the replay decides them again)."""

    stage: str
    rule: str
    severity: SeverityName
    confidence: ConfidenceName
    title: str
    body: str
    category: str = ""
    suggestion: str | None = None
    location: tuple[str, int | None, int | None] | None = None
    confirmed_by: tuple[str, ...] = ()
    deterministic: bool = True
    advisory: bool = False
    extra: tuple[tuple[str, str], ...] = Field(default=())
    lines_key: str = ""

    @classmethod
    def of(cls, f: Finding) -> TraceFinding:
        loc = f.location
        return cls(
            stage=f.stage,
            rule=f.rule,
            severity=f.severity.value,
            confidence=f.confidence.value,
            title=f.title,
            body=f.body,
            category=f.category,
            suggestion=f.suggestion,
            location=None if loc is None else (loc.path, loc.start_line, loc.end_line),
            confirmed_by=f.confirmed_by,
            deterministic=f.deterministic,
            advisory=f.advisory,
            extra=f.extra,
            lines_key=f.lines_key,
        )

    def finding(self) -> Finding:
        loc = self.location
        return Finding(
            stage=self.stage,
            rule=self.rule,
            severity=Severity(self.severity),
            confidence=Confidence(self.confidence),
            title=self.title,
            body=self.body,
            category=self.category,
            suggestion=self.suggestion,
            location=None if loc is None else Location(*loc),
            confirmed_by=self.confirmed_by,
            deterministic=self.deterministic,
            advisory=self.advisory,
            extra=self.extra,
            lines_key=self.lines_key,
        )
