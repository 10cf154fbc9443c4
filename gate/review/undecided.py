"""The findings the cross-check was to decide and could not: fail closed, as for code left unreviewed.

A group whose claim (`Group.claim`) is at or above `gate.fail_on` and was raised by fewer than `quorum`
models blocks only if enough of the models that did not raise it agree. When fewer of them gave a verdict
on it (agree or not) than it needed, because a call failed, was abandoned or was not started for the
budget, or because a valid answer left its id out, the outcome was never decided: that is a model error
naming the finding and why each model gave none, and the verdict follows `gate.on_model_error`. Otherwise
a padded change could spend the budget on the review round, or a failing provider could sit out the
cross-check, and a finding no one refused would pass as merely unconfirmed.

A group every model raised, or one whose other models all answered, is decided however they voted; and
with no model left to ask (all of them raised it) there is nothing a model failed to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gate.findings import Severity
from gate.review.consensus import Claim, Group
from gate.review.flow import ReviewRounds
from gate.schema.coverage import Gap

# How much of the findings and reasons a model error quotes, and of each model's reason: enough to act
# on, short enough to read (the details keep them whole).
MAX_ERROR_CHARS = 800
MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class Undecided:
    """A finding that could block and that fewer models decided than the quorum needs."""

    group: Group
    claim: Claim
    needed: int  # verdicts it needed from the models that did not raise it
    gave: tuple[str, ...]  # the models that did not raise it and gave a verdict on it
    missing: Mapping[str, str]  # model -> why it gave no verdict

    @property
    def lines(self) -> str:
        f = self.claim.lead.finding
        return f"{min(f.start_line, f.end_line)}-{max(f.start_line, f.end_line)}"

    @property
    def path(self) -> str:
        return self.claim.lead.finding.path

    @property
    def why(self) -> str:
        return "; ".join(f"{model}: {reason[:MAX_REASON_CHARS]}" for model, reason in self.missing.items())

    def summary(self) -> str:
        f = self.claim.lead.finding
        return (
            f"{self.group.id} '{f.title.strip()[:80]}' ({self.path}:{self.lines}, {f.severity}, raised by "
            f"{', '.join(sorted(self.group.raisers))}; {self.why})"
        )

    def as_json(self) -> dict[str, Any]:
        """The finding as the stage's `details.undecided_findings` shows it."""
        f = self.claim.lead.finding
        return {
            "group": self.group.id,
            "title": f.title.strip(),
            "severity": f.severity,
            "path": self.path,
            "lines": self.lines,
            "raised_by": sorted(self.group.raisers),
            "claimed_by": sorted(self.claim.by),
            "needed": self.needed,
            "verdicts_from": list(self.gave),
            "missing": dict(self.missing),
        }


def undecided(rounds: ReviewRounds, quorum: int, fail_on: Severity) -> list[Undecided]:
    """The groups at or above `fail_on` whose claim fewer than `quorum` models raised and that fewer of
    the other models gave a verdict on than it needed, with why each of them gave none."""
    out = []
    for group in rounds.groups:
        claim = group.claim(fail_on)
        needed = quorum - len(claim.by)
        if needed <= 0 or Severity(claim.lead.finding.severity).rank < fail_on.rank:
            continue
        others = [m for m in rounds.models if m not in group.raisers]
        gave = tuple(m for m in others if any(v.id == group.id for v in rounds.verdicts.get(m, ())))
        if len(gave) >= needed or len(gave) == len(others):
            continue
        missing = {m: _why_none(rounds, group.id, m) for m in others if m not in gave}
        out.append(Undecided(group, claim, needed, gave, missing))
    return out


def _why_none(rounds: ReviewRounds, group_id: str, model: str) -> str:
    """Why `model` gave no verdict on the group: its cross-check call failed or was not started (the
    call's error), its valid answer left the id out, or it was not asked."""
    unit = rounds.asked.get(group_id, {}).get(model)
    if unit is None:
        if model not in rounds.answered:
            return "not asked: it gave no valid review answer"
        return "not asked: the cross-check did not run"
    for f in rounds.failures:
        if f.get("schema") == "cross_check" and f["model"] == model and f["unit"] == unit:
            return f["error"]
    for n in rounds.not_reviewed:
        if n.get("schema") == "cross_check" and n["model"] == model and n["unit"] == unit:
            return n["reason"]
    return f"its answer gave no verdict on {group_id}"


def undecided_error(items: Sequence[Undecided], quorum: int, fail_on: Severity) -> str | None:
    """The model error naming the findings the cross-check left undecided; None when there are none."""
    if not items:
        return None
    text = "; ".join(u.summary() for u in items)
    return (
        f"{len(items)} finding(s) at or above '{fail_on.value}' not decided by {quorum} distinct models "
        f"(cross-check verdicts missing): "
        + (text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "…")
    )


def undecided_gaps(items: Sequence[Undecided], quorum: int, stage: str) -> list[Gap]:
    """The undecided findings as coverage gaps on the lines they point at."""
    return [
        Gap(
            stage=stage,
            kind="failure",
            reason=(
                f"finding {u.group.id} ({u.claim.lead.finding.title.strip()[:80]}) not decided by {quorum} "
                f"models: {u.needed - len(u.gave)} more cross-check verdict(s) needed ({u.why})"
            ),
            path=u.path,
            lines=u.lines,
        )
        for u in items
    ]
