"""Consensus across models: group findings that say the same thing, count the distinct models behind
each group (raised it, or agreed in the cross-check), and turn groups into Findings.

Same thing = same path, line ranges that overlap within `LINE_TOLERANCE`, and similar words: titles
alike (rapidfuzz token-set ratio >= `TITLE_SIMILAR`), or the same category with a looser title or body
match. Grouping is order-independent of how calls completed (inputs are sorted first), so a replay of
the trace rebuilds the same groups and the same ids. A model never counts twice, and a disagreement
never removes support: one model can neither confirm nor veto alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from gate.findings import Confidence, Finding, Location, Severity
from gate.models.schemas import CrossCheckVerdict, ReviewFinding

LINE_TOLERANCE = 3
TITLE_SIMILAR = 70.0
TITLE_SIMILAR_SAME_CATEGORY = 50.0
BODY_SIMILAR_SAME_CATEGORY = 60.0
STAGE = "review"


@dataclass(frozen=True)
class Raised:
    model: str
    unit: str
    finding: ReviewFinding


@dataclass(frozen=True)
class Group:
    id: str
    members: tuple[Raised, ...]

    @property
    def raisers(self) -> frozenset[str]:
        return frozenset(m.model for m in self.members)

    @cached_property
    def lead(self) -> Raised:
        """The member the group is reported as: the lower-median severity among the models (one model
        alone cannot inflate it), earliest model name on ties."""
        per_model: dict[str, Raised] = {}
        for m in self.members:
            best = per_model.get(m.model)
            if best is None or _rank(m) > _rank(best):
                per_model[m.model] = m
        ordered = sorted(per_model.values(), key=lambda r: (_rank(r), r.model))
        return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Support:
    agreed: frozenset[str]
    disagreed: frozenset[str]


def _rank(r: Raised) -> int:
    return Severity(r.finding.severity).rank


def norm_path(path: str) -> str:
    """A finding's path as the diff spells it: models write `./x`, `a/x`, `b/x` or backslashes."""
    path = path.strip().replace("\\", "/")
    for prefix in ("./", "a/", "b/"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    return path


def same_issue(a: ReviewFinding, b: ReviewFinding) -> bool:
    if norm_path(a.path) != norm_path(b.path):
        return False
    if a.start_line > b.end_line + LINE_TOLERANCE or b.start_line > a.end_line + LINE_TOLERANCE:
        return False
    title = fuzz.token_set_ratio(a.title.lower(), b.title.lower())
    if title >= TITLE_SIMILAR:
        return True
    if a.category.strip().lower() != b.category.strip().lower():
        return False
    return (
        title >= TITLE_SIMILAR_SAME_CATEGORY
        or fuzz.token_set_ratio(a.body, b.body) >= BODY_SIMILAR_SAME_CATEGORY
    )


def group_findings(raised: Iterable[Raised]) -> list[Group]:
    ordered = sorted(
        raised,
        key=lambda r: (
            norm_path(r.finding.path),
            r.finding.start_line,
            r.finding.end_line,
            r.model,
            r.unit,
            r.finding.title,
            r.finding.body,
            r.finding.severity,
            r.finding.category,
        ),
    )
    buckets: list[list[Raised]] = []
    # Findings on different paths are never the same issue, so a bucket (whose members all share one
    # path) is only compared with findings on its path: grouping stays linear in the number of files.
    by_path: dict[str, list[list[Raised]]] = {}
    for item in ordered:
        same_path = by_path.setdefault(norm_path(item.finding.path), [])
        home = next((b for b in same_path if any(same_issue(item.finding, m.finding) for m in b)), None)
        if home is None:
            buckets.append([item])
            same_path.append(buckets[-1])
        else:
            home.append(item)
    # Ids are positions in this deterministic order: short for models to echo, the same on replay.
    return [Group(f"F{i}", tuple(bucket)) for i, bucket in enumerate(buckets, start=1)]


def tally(groups: Sequence[Group], verdicts: Mapping[str, Sequence[CrossCheckVerdict]]) -> dict[str, Support]:
    """Cross-check verdicts by model -> support per group. Only verdicts from models that did not raise
    the group count; a model's first verdict on an id is the one taken."""
    out: dict[str, Support] = {}
    for group in groups:
        agreed: set[str] = set()
        disagreed: set[str] = set()
        for model in sorted(verdicts):
            if model in group.raisers:
                continue
            verdict = next((v for v in verdicts[model] if v.id == group.id), None)
            if verdict is None:
                continue
            (agreed if verdict.agree else disagreed).add(model)
        out[group.id] = Support(frozenset(agreed), frozenset(disagreed))
    return out


def confidence(confirmers: int, quorum: int) -> Confidence:
    """High once a quorum of distinct models stands behind a finding, medium with two or more, else low."""
    if confirmers >= quorum:
        return Confidence.HIGH
    return Confidence.MEDIUM if confirmers > 1 else Confidence.LOW


def to_findings(groups: Sequence[Group], support: Mapping[str, Support], quorum: int) -> tuple[Finding, ...]:
    findings = []
    for group in groups:
        lead = group.lead.finding
        s = support.get(group.id, Support(frozenset(), frozenset()))
        confirmed_by = tuple(sorted(group.raisers | s.agreed))
        category = lead.category.strip().lower() or "review"
        extra = [
            ("group", group.id),
            ("raised_by", ",".join(sorted(group.raisers))),
            ("agreed_by", ",".join(sorted(s.agreed))),
            ("disagreed_by", ",".join(sorted(s.disagreed))),
            ("units", ",".join(sorted({m.unit for m in group.members}))),
        ]
        findings.append(
            Finding(
                stage=STAGE,
                rule=f"review/{category}",
                severity=Severity(lead.severity),
                confidence=confidence(len(confirmed_by), quorum),
                title=lead.title.strip(),
                body=lead.body.strip(),
                location=Location(norm_path(lead.path), lead.start_line, max(lead.start_line, lead.end_line)),
                category=category,
                suggestion=lead.suggestion,
                confirmed_by=confirmed_by,
                deterministic=False,
                extra=tuple(extra),
            )
        )
    return tuple(findings)
