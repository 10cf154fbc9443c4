"""What a report says was not checked, in the words GitHub shows first.

A neutral verdict (a stage that broke, a model outage, no model key on a fork's PR) must never read as
a pass. The check run's title and the commit status (which has no neutral state, so it says `success`)
both begin with what was not checked, from the report's stages: `not reviewed:` when the model review
the thresholds asked for reviewed nothing, `not fully reviewed:` when something else is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from gate.github import limits
from gate.redact import redact, redacted_prefix
from gate.report.github_view import ReportView
from gate.sanitize import plain

NOT_REVIEWED = "not reviewed"
NOT_FULLY_REVIEWED = "not fully reviewed"
REVIEW_STAGE = "review"
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Gap:
    """One stage whose checks are missing from the verdict, and why."""

    stage: str
    reason: str
    broke: bool  # the stage itself failed (a defect), not its models
    reviewed_nothing: bool

    @property
    def text(self) -> str:
        return f"{self.stage} — {'the stage broke: ' if self.broke else ''}{self.reason}"


def gaps(view: ReportView) -> tuple[Gap, ...]:
    out: list[Gap] = []
    for stage, data in view.stages.items():
        error = data.error
        reason = error or data.model_error
        if not reason:
            continue
        answered = data.details.get("answered") if data.details is not None else None
        nothing = data.ran is False or answered == []
        out.append(Gap(stage, " ".join(str(reason).split()), broke=bool(error), reviewed_nothing=nothing))
    return tuple(out)


def lead(view: ReportView) -> str | None:
    """`not reviewed` or `not fully reviewed` when something the verdict needs was not checked, else None.

    A neutral report that names no stage (an old or hand-made one) still says it was not fully reviewed:
    neutral is never shown as a plain pass."""
    found = gaps(view)
    if not found:
        return NOT_FULLY_REVIEWED if view.verdict == "neutral" else None
    review = [g for g in found if g.stage == REVIEW_STAGE]
    return NOT_REVIEWED if review and review[0].reviewed_nothing else NOT_FULLY_REVIEWED


def what(view: ReportView) -> str:
    """What was not checked, most important first (the review, then what broke), in one line."""
    found = sorted(gaps(view), key=lambda g: (g.stage != REVIEW_STAGE, not g.broke))
    if not found:
        return view.reasons[0] if view.reasons else "the report does not say what was checked"
    return "; ".join(g.text for g in found)


def statement(view: ReportView, limit: int) -> str | None:
    """`not reviewed: <what>` within `limit` characters (plain text, made inert), or None."""
    first = lead(view)
    if first is None:
        return None
    return shorten(plain(f"{first}: {what(view)}", max_chars=limit * 4), limit)


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis (no room for a longer marker), and
    redacted before it is cut: a secret cut short is a piece no later redaction recognises."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = redact(text)
    return text if len(text) <= limit else redacted_prefix(text, limit - len(_ELLIPSIS)).rstrip() + _ELLIPSIS


def status_description(view: ReportView, headline: str) -> str:
    """The commit status says `not reviewed: …` first when it reports success for a neutral gate."""
    limit = limits.STATUS_DESCRIPTION_MAX_CHARS
    said = statement(view, limit)
    if said is None:
        return shorten(headline, limit)
    if view.verdict == "fail":
        return shorten(f"{headline}; {said}", limit)
    return said
