"""What the `spec` stage reached of the change, for the report's coverage: the requirements it drew from
the intent sources, those it sent with code they govern and those the quorum judged; the files it sent,
each with the models that judged every requirement sent with it; and the changed files no requirement
governs, which there was nothing to check against. Fail closed: a chunk with a requirement fewer than
`quorum` models judged, a line too long to send whole, a binary file, a file whose text was not read
whole (sent to no model: its secrets are not all known) and an added line sent with text a value
remembered elsewhere in the run hid are gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gate.diff.model import Diff
from gate.intent.judge import ChunkPlan
from gate.review.coverage import hidden_gaps
from gate.review.units import Chunk, NotReviewed
from gate.schema.coverage import Gap, IntentReach, ReviewedFile, StageCoverage
from gate.wording import first_of

STAGE = "spec"
# The requirement ids a gap's reason names one by one.
IDS_NAMED = 10


def nothing_sent(diff: Diff, models: Sequence[str], requirements: Sequence[str] = ()) -> StageCoverage:
    """The coverage of a check that sent no code: no intent source, no requirement drawn from them, or
    requirements that could not be drawn (the stage's model error says so). Every changed file is then
    one no requirement governs."""
    ungoverned = tuple(c.path for c in diff.files if not c.is_binary and c.hunks)
    intent = IntentReach(requirements=tuple(requirements), ungoverned=ungoverned)
    return StageCoverage(models=tuple(models), intent=intent)


def intent_coverage(
    diff: Diff,
    models: Sequence[str],
    quorum: int,
    requirements: Sequence[str],
    plans: Mapping[str, ChunkPlan],
    checked: Sequence[Chunk],
    judged_by: Mapping[str, Mapping[str, set[str]]],
    ungoverned: Sequence[str],
    cut: Sequence[NotReviewed],
    withheld: Sequence[NotReviewed] = (),
    hidden: Sequence[NotReviewed] = (),
) -> StageCoverage:
    """What the check reached. `judged_by`: chunk id -> requirement id -> the models that gave it a
    counted verdict there. A requirement is judged when the quorum judged it on every chunk it was sent
    with; a file, by the models that judged every requirement of every chunk holding part of it. A file
    `withheld` names was left out of the prompts (its text not read whole): a gap, with why; so is an
    added line `hidden` names, sent with text a value remembered elsewhere in the run hid."""
    by_file: dict[str, set[str]] = {}
    short: list[Gap] = []
    sent: dict[str, bool] = {}  # requirement id -> judged by the quorum on every chunk so far
    for chunk in checked:
        plan = plans[chunk.id]
        by = judged_by.get(chunk.id, {})
        whole = set.intersection(*(by.get(s, set()) for s in plan.statements)) if plan.statements else set()
        for path in chunk.paths:
            by_file[path] = set(whole) if path not in by_file else by_file[path] & whole
        missing = [s for s in plan.statements if len(by.get(s, set())) < quorum]
        for s in plan.statements:
            sent[s] = sent.get(s, True) and s not in missing
        if missing:
            short.extend(_short(chunk, missing, by, quorum))
    binary = [
        Gap(stage=STAGE, kind="binary", reason="binary file: not checked against the intent", path=c.path)
        for c in diff.files
        if c.is_binary
    ]
    too_long = [Gap(stage=STAGE, kind="size", reason=s.reason, path=s.what, lines=str(s.line)) for s in cut]
    unsent = [Gap(stage=STAGE, kind="failure", reason=s.reason, path=s.what) for s in withheld]
    unseen = hidden_gaps(hidden, STAGE)
    intent = IntentReach(
        requirements=tuple(requirements),
        sent=tuple(s for s in requirements if s in sent),
        judged=tuple(s for s in requirements if sent.get(s)),
        ungoverned=tuple(p for p in ungoverned if p not in by_file),
    )
    return StageCoverage(
        models=tuple(models),
        reviewed=tuple(ReviewedFile(path=p, models=tuple(sorted(m))) for p, m in by_file.items()),
        selected=len(intent.sent),
        checked=len(intent.judged),
        gaps=(*binary, *too_long, *unsent, *unseen, *short),
        intent=intent,
    )


def _short(chunk: Chunk, missing: Sequence[str], by: Mapping[str, set[str]], quorum: int) -> list[Gap]:
    """A gap for each part of the chunk: the requirements sent with it that fewer than `quorum` judged."""
    named = first_of(
        [
            f"{s} ({len(by.get(s, ()))} of {quorum}"
            + (f": {', '.join(sorted(by[s]))})" if by.get(s) else ")")
            for s in missing
        ],
        IDS_NAMED,
    )
    reason = f"not judged by the {quorum} models required against requirement(s) {named}"
    return [
        Gap(stage=STAGE, kind="failure", reason=reason, path=u.path, lines=f"{u.start_line}-{u.end_line}")
        for u in chunk.units
    ]
