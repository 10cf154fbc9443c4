"""The labelled same-issue set (tests/data/same-issue-pairs.jsonl and same-issue-groups.jsonl, built by
scripts/build-same-issue-pairs.py from real review comments; see tests/data/same-issue-pairs.md) and
how a same-issue rule or a grouping scores on it.

A pair is `{id, kind, label: "same"|"different", a, b, source}`; `a` and `b` are findings
`{model, path, line, end_line, category, severity, title, body}`. A rule is a callable
`(a, b) -> bool` on those dicts ("the same issue?"); `gate_rule` adapts one on ReviewFindings.

    .venv/bin/python -m tests.review.same_issue_pairs     # the gate's current rule and grouping
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from gate.models.schemas import ReviewFinding

DATA = Path(__file__).resolve().parent.parent / "data"
PAIRS = DATA / "same-issue-pairs.jsonl"
GROUPS = DATA / "same-issue-groups.jsonl"

KINDS = (
    "same-reworded",
    "different-same-lines",
    "different-near-lines",
    "different-same-file",
    "same-title-different-lines",
)
# How the findings of one PR are laid out for a grouping: all on one range (several issues in one
# hunk), or each issue on its own 3-line range, neighbouring ranges 2 lines apart.
LAYOUTS = ("same-lines", "near-lines")
NEAR_LINES_STEP = 5

Rule = Callable[[dict[str, Any], dict[str, Any]], bool]
# A grouping takes a PR's findings and returns groups of their indices.
Grouping = Callable[[Sequence[dict[str, Any]]], list[list[int]]]


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def _pairs() -> tuple[str, ...]:
    return tuple(PAIRS.read_text(encoding="utf-8").splitlines())


def load_pairs() -> list[dict[str, Any]]:
    """Every labelled pair, a fresh copy each call."""
    return [json.loads(line) for line in _pairs() if line.strip()]


def load_pr_findings() -> list[dict[str, Any]]:
    """Per PR, every finding the benchmark's judge matched to one of its golden issues, with that
    issue's index as `issue` (findings without lines: `placed` lays them out)."""
    return _read(GROUPS)


def placed(pr: dict[str, Any], layout: str) -> list[dict[str, Any]]:
    """A PR's findings with lines, by layout (see LAYOUTS)."""
    issues = sorted({f["issue"] for f in pr["findings"]})
    out = []
    for f in pr["findings"]:
        if layout == "same-lines":
            start = 10
        elif layout == "near-lines":
            start = 10 + NEAR_LINES_STEP * issues.index(f["issue"])
        else:
            raise ValueError(f"unknown layout {layout!r}")
        out.append({**f, "line": start, "end_line": start + 2})
    return out


def review_finding(d: dict[str, Any]) -> ReviewFinding:
    """A pair's finding as a model's review answer."""
    return ReviewFinding(
        path=d["path"],
        start_line=d["line"],
        end_line=d["end_line"],
        severity=d["severity"],
        category=d["category"],
        title=d["title"],
        body=d["body"],
        suggestion=None,
    )


def gate_rule(same_issue: Callable[[ReviewFinding, ReviewFinding], bool]) -> Rule:
    """A rule on ReviewFindings (as gate/review/consensus.py has it) as a rule on pair dicts."""
    return lambda a, b: same_issue(review_finding(a), review_finding(b))


def score(rule: Rule, pairs: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """False merges (a "different" pair the rule calls the same) and missed merges (a "same" pair it
    keeps apart), in total and by kind, with the ids of each. The rule is asked both ways round: a
    merge in either order is a merge."""
    pairs = load_pairs() if pairs is None else pairs
    by_kind: dict[str, dict[str, int]] = defaultdict(
        lambda: {"pairs": 0, "merged": 0, "false_merges": 0, "missed_merges": 0}
    )
    false_ids: list[str] = []
    missed_ids: list[str] = []
    asymmetric: list[str] = []
    for pair in pairs:
        forward, backward = rule(pair["a"], pair["b"]), rule(pair["b"], pair["a"])
        if forward != backward:
            asymmetric.append(pair["id"])
        merged = forward or backward
        counts = by_kind[pair["kind"]]
        counts["pairs"] += 1
        counts["merged"] += merged
        if merged and pair["label"] == "different":
            counts["false_merges"] += 1
            false_ids.append(pair["id"])
        elif not merged and pair["label"] == "same":
            counts["missed_merges"] += 1
            missed_ids.append(pair["id"])
    return {
        "pairs": len(pairs),
        "same": sum(p["label"] == "same" for p in pairs),
        "different": sum(p["label"] == "different" for p in pairs),
        "false_merges": len(false_ids),
        "missed_merges": len(missed_ids),
        "by_kind": {kind: dict(by_kind[kind]) for kind in KINDS if kind in by_kind},
        "false_merge_ids": false_ids,
        "missed_merge_ids": missed_ids,
        "asymmetric_ids": asymmetric,
    }


def score_grouping(grouping: Grouping, rule: Rule | None = None) -> dict[str, Any]:
    """A grouping on every PR in every layout. Counted over pairs of findings from different models:
    false merges (one group, different issues), missed merges (one issue, different groups); with a
    `rule`, `chained` counts the false merges the rule itself would not make (A~B, B~C puts A with C).
    `inflated_groups`: groups whose distinct models outnumber the distinct models behind any one
    issue in them, i.e. a vote counted that no model cast for that issue."""
    totals: dict[str, dict[str, int]] = {}
    for layout in LAYOUTS:
        t = {"findings": 0, "groups": 0, "false_merges": 0, "missed_merges": 0, "chained": 0}
        t["inflated_groups"] = 0
        for pr in load_pr_findings():
            findings = placed(pr, layout)
            groups = grouping(findings)
            if sorted(i for g in groups for i in g) != list(range(len(findings))):
                raise AssertionError(f"{pr['pr']} {layout}: the groups must hold every finding once")
            where = {i: n for n, g in enumerate(groups) for i in g}
            t["findings"] += len(findings)
            t["groups"] += len(groups)
            for i, j in itertools.combinations(range(len(findings)), 2):
                a, b = findings[i], findings[j]
                if a["model"] == b["model"]:
                    continue
                together = where[i] == where[j]
                if together and a["issue"] != b["issue"]:
                    t["false_merges"] += 1
                    if rule is not None and not (rule(a, b) or rule(b, a)):
                        t["chained"] += 1
                elif not together and a["issue"] == b["issue"]:
                    t["missed_merges"] += 1
            for g in groups:
                models = {findings[i]["model"] for i in g}
                per_issue: dict[int, set[str]] = defaultdict(set)
                for i in g:
                    per_issue[findings[i]["issue"]].add(findings[i]["model"])
                if len(models) > max(len(m) for m in per_issue.values()):
                    t["inflated_groups"] += 1
        totals[layout] = t
    return totals


def gate_grouping(
    group_findings: Callable[[Sequence[Any]], Sequence[Any]], raised: Callable[..., Any]
) -> Grouping:
    """gate/review/consensus.py's `group_findings` (with its `Raised`) as a Grouping: each finding
    goes in as its own unit, so the groups map back to indices."""

    def grouping(findings: Sequence[dict[str, Any]]) -> list[list[int]]:
        items = [raised(f["model"], str(i), review_finding(f)) for i, f in enumerate(findings)]
        return [[int(m.unit) for m in g.members] for g in group_findings(items)]

    return grouping


def _report() -> None:
    from gate.review import consensus

    pairs = score(gate_rule(consensus.same_issue))
    print(f"pairs: {pairs['pairs']} ({pairs['same']} same, {pairs['different']} different)")
    print(f"false merges: {pairs['false_merges']}/{pairs['different']}")
    print(f"missed merges: {pairs['missed_merges']}/{pairs['same']}")
    for kind, counts in pairs["by_kind"].items():
        print(f"  {kind}: {counts}")
    grouping = gate_grouping(consensus.group_findings, consensus.Raised)
    for layout, counts in score_grouping(grouping, gate_rule(consensus.same_issue)).items():
        print(f"grouping, {layout}: {counts}")


if __name__ == "__main__":
    _report()
