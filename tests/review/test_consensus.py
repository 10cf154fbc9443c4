"""Grouping findings across models and counting distinct support."""

from __future__ import annotations

from typing import Any

from gate.findings import Severity
from gate.models.schemas import CrossCheckVerdict, ReviewFinding
from gate.review.consensus import Raised, Support, group_findings, tally, to_findings

HIGH = Severity.HIGH  # gate.fail_on's default


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
    (finding,) = to_findings(groups, support, quorum=2, fail_on=HIGH)
    assert finding.confirmed_by == ("m1", "m3")
    assert dict(finding.extra)["disagreed_by"] == "m2"
    assert finding.stage == "review" and not finding.deterministic


def _severity(quorum: int, *severities: str, agreed: tuple[str, ...] = ()) -> str:
    """The severity of one issue raised by m1, m2, .. at `severities`, with `agreed` agreeing in the
    cross-check."""
    groups = group_findings([Raised(f"m{i}", "c", rf(severity=s)) for i, s in enumerate(severities, 1)])
    (group,) = groups
    support = {group.id: Support(frozenset(agreed), frozenset())}
    return to_findings(groups, support, quorum=quorum, fail_on=HIGH)[0].severity.value


def test_severity_is_what_a_quorum_stands_behind_so_one_model_cannot_inflate_it() -> None:
    assert _severity(2, "critical", "low", "medium") == "medium"
    assert _severity(2, "critical", "low") == "low"
    assert _severity(3, "critical", "high", "high") == "high"
    # two of four models rate it high or above: a quorum of 2 stands behind high
    assert _severity(2, "info", "info", "high", "critical") == "high"
    # below the quorum, the lower median of the raisers
    assert _severity(3, "critical", "low") == "low"


def test_one_raiser_rating_it_lower_cannot_pull_a_finding_under_fail_on_the_others_confirm() -> None:
    """m1 raises a high finding and m2 echoes it at info: m3's agreement in the cross-check stands
    behind the claim it was shown, m1's high, so a quorum of 2 stands behind high."""
    groups = group_findings([Raised("m1", "c", rf(severity="high")), Raised("m2", "c", rf(severity="info"))])
    (group,) = groups
    claim = group.claim(HIGH)
    assert claim.by == {"m1"} and claim.lead.model == "m1" and claim.lead.finding.severity == "high"
    assert _severity(2, "high", "info", agreed=("m3",)) == "high"
    assert _severity(2, "high", "info") == "info"  # refused or unasked: the quorum stands behind info
    # as when m2 stays silent and m3 agrees
    assert _severity(2, "high", agreed=("m3",)) == "high"
    # the claim is all the raisers when none, or all, rate it at fail_on
    (lower,) = group_findings(
        [Raised("m1", "c", rf(severity="low")), Raised("m2", "c", rf(severity="medium"))]
    )
    assert lower.claim(HIGH).by == {"m1", "m2"}


def test_groups_follow_the_finding_order_across_paths_written_differently() -> None:
    """`./a.py`, `b/a.py` (the diff header's spelling) and `a.py` are one file once read as the review
    reads a model's answer; ids follow the sorted order whatever the path spelling."""
    from gate.models.schemas import ReviewOutput
    from gate.review.flow import raised_in
    from gate.review.placing import Places

    said = [
        ("m1", rf(path="b.py", start_line=5, end_line=5)),
        ("m2", rf(path="./a.py")),
        ("m3", rf(path="b/a.py", title="user null deref")),
        ("m1", rf(path="a.py", start_line=90, end_line=90, title="unrelated leak", category="x")),
        ("m2", rf(path="b.py", start_line=6, end_line=6)),
    ]
    shown = {"c1": ("a.py:1-100", "b.py:1-10")}
    raised = [
        r for model, f in said for r in raised_in(model, "c1", ReviewOutput(findings=[f]), Places(shown))[0]
    ]
    groups = group_findings(raised)
    summary = [(g.lead.finding.path, sorted(g.raisers)) for g in groups]
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
