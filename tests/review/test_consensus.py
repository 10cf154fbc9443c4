"""Grouping findings across models and counting distinct support."""

from __future__ import annotations

from typing import Any

from gate.models.schemas import CrossCheckVerdict, ReviewFinding
from gate.review.consensus import Raised, group_findings, tally, to_findings


def rf(**kw: Any) -> ReviewFinding:
    base = {
        "path": "a.py",
        "start_line": 10,
        "end_line": 10,
        "severity": "high",
        "category": "bug",
        "title": "null dereference of user",
        "body": "user may be None here",
        "suggestion": None,
    }
    return ReviewFinding.model_validate({**base, **kw})


def test_same_issue_in_other_words_groups_different_issues_do_not() -> None:
    raised = [
        Raised("m1", "c1", rf()),
        Raised("m2", "c1", rf(start_line=12, end_line=12, title="User can be null and is dereferenced")),
        Raised("m3", "c1", rf(title="SQL injection in query", category="security")),
        Raised("m3", "c1", rf(path="b.py", title="null dereference of user")),
        Raised("m2", "c1", rf(start_line=40, end_line=40)),  # same words, far away: another place
    ]
    groups = group_findings(raised)
    sizes = sorted(sorted(g.raisers) for g in groups)
    assert sizes == [["m1", "m2"], ["m2"], ["m3"], ["m3"]]


def test_grouping_does_not_depend_on_answer_order() -> None:
    raised = [
        Raised("m1", "c1", rf()),
        Raised("m2", "c1", rf(title="user null deref")),
        Raised("m3", "c1", rf(path="b.py")),
    ]
    ids = [g.id for g in group_findings(raised)]
    assert [g.id for g in group_findings(list(reversed(raised)))] == ids


def test_a_model_counts_once_and_disagreement_never_removes_support() -> None:
    groups = group_findings(
        [Raised("m1", "c1", rf()), Raised("m1", "c2", rf(title="null dereference of user!"))]
    )
    (group,) = groups
    verdicts = {
        "m1": [CrossCheckVerdict(id=group.id, agree=True, reason="mine")],  # a raiser cannot vote for itself
        "m2": [CrossCheckVerdict(id=group.id, agree=False, reason="no")],
        "m3": [
            CrossCheckVerdict(id=group.id, agree=True, reason="yes"),
            CrossCheckVerdict(id=group.id, agree=False, reason=""),
        ],
    }
    support = tally(groups, verdicts)
    (finding,) = to_findings(groups, support, quorum=2)
    assert finding.confirmed_by == ("m1", "m3")
    assert dict(finding.extra)["disagreed_by"] == "m2"
    assert finding.stage == "review" and not finding.deterministic


def test_severity_is_the_lower_median_so_one_model_cannot_inflate_it() -> None:
    groups = group_findings(
        [
            Raised("m1", "c", rf(severity="critical")),
            Raised("m2", "c", rf(severity="low")),
            Raised("m3", "c", rf(severity="medium")),
        ]
    )
    (finding,) = to_findings(groups, {}, quorum=2)
    assert finding.severity.value == "medium"
    groups = group_findings(
        [Raised("m1", "c", rf(severity="critical")), Raised("m2", "c", rf(severity="low"))]
    )
    assert to_findings(groups, {}, quorum=2)[0].severity.value == "low"


def test_groups_follow_the_finding_order_across_paths_written_differently() -> None:
    """`./a.py` and `a.py` are one file; ids follow the sorted order whatever the path spelling."""
    raised = [
        Raised("m1", "c1", rf(path="b.py", start_line=5, end_line=5)),
        Raised("m2", "c1", rf(path="./a.py")),
        Raised("m3", "c1", rf(path="a.py", title="user null deref")),
        Raised("m1", "c1", rf(path="a.py", start_line=90, end_line=90, title="unrelated leak", category="x")),
        Raised("m2", "c1", rf(path="b.py", start_line=6, end_line=6)),
    ]
    groups = group_findings(raised)
    summary = [(g.lead.finding.path.removeprefix("./"), sorted(g.raisers)) for g in groups]
    assert summary == [("a.py", ["m2", "m3"]), ("a.py", ["m1"]), ("b.py", ["m1", "m2"])]
    assert [g.id for g in groups] == ["F1", "F2", "F3"]


def test_grouping_never_chains() -> None:
    """A~B and B~C, but not A~C: C starts its own group rather than joining A's through B."""
    from gate.review.consensus import same_issue

    a = rf(title="null dereference of user in login", start_line=10, end_line=10)
    b = rf(title="null dereference of user", start_line=12, end_line=12)
    c = rf(title="user null dereference in handler", start_line=14, end_line=14)
    assert same_issue(a, b) and same_issue(b, c) and not same_issue(a, c)
    groups = group_findings([Raised("m1", "c", a), Raised("m2", "c", b), Raised("m3", "c", c)])
    assert sorted(sorted(g.raisers) for g in groups) == [["m1", "m2"], ["m3"]]


def test_different_problems_on_the_same_lines_are_not_one_issue() -> None:
    from gate.review.consensus import same_issue

    race = rf(title="Possible race condition when updating the cache")
    null = rf(title="Possible null dereference when reading the cache")
    assert not same_issue(race, null)
    assert same_issue(race, rf(title="Race condition when the cache is updated", start_line=11))
    assert not same_issue(race, rf(title="Possible race condition when updating the cache", start_line=20))
