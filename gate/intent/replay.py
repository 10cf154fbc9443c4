"""Recompute the `spec` stage's findings from the trace's recorded answers, calling no model.

The statements and what each chunk was checked against are the recorded stage's `spec_plan`, its quorum
and line keys its other typed fields; the judgments and the cross-check verdicts are re-validated from the raw
responses of the `spec` calls, then judged, grouped and tallied by the same code as the run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from gate.findings import Severity, with_line_keys
from gate.intent.check import STAGE, findings_of
from gate.intent.judge import Answer, ChunkPlan, group_by_statement, judge
from gate.intent.prompt import Statement
from gate.models.schemas import CrossCheckOutput, CrossCheckVerdict, SpecCheckOutput
from gate.models.structured import validate
from gate.review.flow import on_sent, recorded_sent
from gate.run import StageResult
from gate.schema.spec_plan import SpecPlan


def recompute(recorded: StageResult, calls: Iterable[Mapping[str, Any]], fail_on: Severity) -> StageResult:
    plan = recorded.spec_plan or SpecPlan()
    statements = [Statement(r.id, r.source, r.statement) for r in plan.requirements]
    plans = {c.id: ChunkPlan(c.id, c.paths, c.statements, c.lines) for c in plan.chunks}
    answers: list[Answer] = []
    verdicts: dict[str, list[CrossCheckVerdict]] = defaultdict(list)
    for call in calls:
        if call.get("stage") != STAGE:
            continue
        for content in call.get("response") or ():
            if call.get("schema") == "spec_check":
                out, _ = validate(SpecCheckOutput, content)
                if isinstance(out, SpecCheckOutput):
                    answers.append(Answer(str(call["model"]), str(call["unit"]), out))
            elif call.get("schema") == "cross_check":
                check, _ = validate(CrossCheckOutput, content)
                if isinstance(check, CrossCheckOutput):
                    model = str(call["model"])
                    sent = recorded_sent(recorded.details, model, str(call["unit"]))
                    verdicts[model].extend(on_sent(check.verdicts, sent)[0])
    judged = judge(answers, plans, {s.id: s for s in statements})
    groups = group_by_statement(judged.raised, statements)
    findings = findings_of(groups, verdicts, recorded.quorum, fail_on)
    return replace(recorded, findings=with_line_keys(findings, recorded.line_keys))
