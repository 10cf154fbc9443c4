"""Recompute the review stage's findings from the trace's recorded answers, calling no model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from gate.findings import Severity, with_line_keys
from gate.models.schemas import CrossCheckOutput, CrossCheckVerdict, ReviewOutput
from gate.models.structured import validate
from gate.review.consensus import Raised, group_findings, tally, to_findings
from gate.review.flow import on_sent, raised_in, recorded_sent
from gate.review.incremental import with_carried
from gate.review.placing import Places
from gate.run import StageResult


def recompute(recorded: StageResult, calls: Iterable[Mapping[str, Any]], fail_on: Severity) -> StageResult:
    """The review result with its findings rebuilt from the recorded responses: re-validated, kept within
    the lines each chunk showed (as recorded in its details, each path as the prompts spelled it), with
    the cross-check verdicts on ids their call was not sent left out (as recorded there too), re-grouped,
    re-tallied with the recorded quorum and the run's `gate.fail_on`."""
    raised: list[Raised] = []
    verdicts: dict[str, list[CrossCheckVerdict]] = defaultdict(list)
    places = Places.recorded(recorded.details)
    for call in calls:
        if call.get("stage") != "review":
            continue
        schema = call.get("schema")
        for content in call.get("response") or ():
            if schema == "review":
                review, _ = validate(ReviewOutput, content)
                if isinstance(review, ReviewOutput):
                    kept, _ = raised_in(str(call["model"]), str(call["unit"]), review, places)
                    raised.extend(kept)
            elif schema == "cross_check":
                check, _ = validate(CrossCheckOutput, content)
                if isinstance(check, CrossCheckOutput):
                    model = str(call["model"])
                    sent = recorded_sent(recorded.details, model, str(call["unit"]))
                    verdicts[model].extend(on_sent(check.verdicts, sent)[0])
    groups = group_findings(raised)
    quorum = recorded.quorum
    findings = to_findings(groups, tally(groups, verdicts), quorum, fail_on)
    findings = with_line_keys(findings, recorded.line_keys)
    # an incremental run's findings on unchanged code came from the previous run, not from a call
    findings = with_carried(findings, recorded.carried)
    return replace(recorded, findings=findings)
