"""From the models' `spec_check` answers to findings, by code: the same rules as review.

A `contradicted` judgment is a finding on the lines it names, titled by the gate from the statement
(never by the model), severity `SEVERITY`. Contradictions of one statement are grouped with the
review's strict `same_issue` rule (never across statements), then confirmed like review findings:
distinct models that raised or agreed in the cross-check, counted against the quorum. A `kept` or a
`not_addressed`, or a cross-check refusal, never removes support, so text in a source or the code
that talks a model into "kept" cannot clear a contradiction other models raised. Judgments on
statements not sent with the chunk, and contradictions that name no lines of the chunk, are ignored
and counted; they judge nothing, so the statement counts as judged only by the models that gave it a
verdict kept here (`Judged.judged_by`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from gate.intent.prompt import Statement
from gate.models.schemas import ReviewFinding, SpecCheckOutput
from gate.review.consensus import Group, Raised, group_findings, norm_path
from gate.review.placing import spellings
from gate.review.units import names_shown_line

SEVERITY: Literal["high"] = (
    "high"  # a confirmed contradiction of the change's own intent blocks at the default fail_on
)
CATEGORY = "contradiction"
VERDICTS = ("kept", "contradicted", "not_addressed")


@dataclass(frozen=True)
class ChunkPlan:
    """What one chunk was checked against: the statements that govern its files."""

    id: str
    paths: tuple[str, ...]
    statements: tuple[str, ...]
    # the lines the chunk showed (`Chunk.shown`); none in a trace that predates them: its paths only
    lines: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "paths": list(self.paths),
            "statements": list(self.statements),
            "lines": list(self.lines),
        }


@dataclass(frozen=True)
class Answer:
    model: str
    unit: str
    output: SpecCheckOutput


@dataclass
class Judged:
    raised: list[Raised] = field(default_factory=list)
    # statement id -> verdict -> models that gave it (in some chunk)
    said: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # chunk id -> models with a valid answer on it
    answered_by: dict[str, set[str]] = field(default_factory=dict)
    # chunk id -> statement id -> models that gave it a verdict counted here (in that chunk)
    judged_by: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    ignored: int = 0


def title_of(statement: Statement) -> str:
    return f"Contradicts {statement.id}: {statement.text}"[:300]


def judge(
    answers: Iterable[Answer], plans: Mapping[str, ChunkPlan], statements: Mapping[str, Statement]
) -> Judged:
    out = Judged()
    # Each chunk's paths as its prompt spelled them (a folder named like a value remembered as a secret
    # reaches the models as `[REDACTED]/db.py`, and they cite it so), to the one file each stands for: a
    # spelling shared by several files stands for none, and a contradiction on it judges nothing.
    spelled = {unit: spellings(plan.paths)[1] for unit, plan in plans.items()}
    for answer in sorted(answers, key=lambda a: (a.unit, a.model)):
        plan = plans.get(answer.unit)
        if plan is None:
            continue
        out.answered_by.setdefault(answer.unit, set()).add(answer.model)
        files = spelled[answer.unit]
        paths = set(plan.paths) | files.keys()
        for j in answer.output.judgments:
            rid = j.id.strip()
            if rid not in plan.statements or rid not in statements:
                out.ignored += 1
                continue
            if j.verdict == "contradicted":
                path = norm_path(j.path or "", paths)
                path = files.get(path, path)
                if path not in paths or j.start_line is None:
                    out.ignored += 1
                    continue
                start = j.start_line
                end = max(start, j.end_line or start)
                if plan.lines and not names_shown_line(plan.lines, path, start, end):
                    out.ignored += 1  # lines of the file the chunk did not show (past the end, elsewhere)
                    continue
                out.raised.append(
                    Raised(
                        answer.model,
                        answer.unit,
                        ReviewFinding(
                            path=path,
                            start_line=start,
                            end_line=end,
                            severity=SEVERITY,
                            category=CATEGORY,
                            title=title_of(statements[rid]),
                            body=j.reason.strip(),
                            suggestion=None,
                        ),
                    )
                )
            out.said.setdefault(rid, {v: set() for v in VERDICTS})[j.verdict].add(answer.model)
            out.judged_by.setdefault(answer.unit, {}).setdefault(rid, set()).add(answer.model)
    return out


def group_by_statement(raised: Sequence[Raised], statements: Sequence[Statement]) -> list[Group]:
    """Groups within each statement's contradictions, ids `C1`.. in statement then line order."""
    groups: list[Group] = []
    for statement in statements:
        mine = [r for r in raised if r.finding.title == title_of(statement)]
        for g in group_findings(mine):
            groups.append(Group(f"C{len(groups) + 1}", g.members))
    return groups
