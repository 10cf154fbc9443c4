"""The same-issue rule on the labelled pair set (`tests/data/same-issue-pairs.jsonl`, real review comments
of several tools on the same PRs): it never merges two different issues, and grouping never chains."""

from __future__ import annotations

from gate.review.consensus import Raised, group_findings, same_issue
from tests.review.same_issue_pairs import LAYOUTS, gate_grouping, gate_rule, load_pairs, score, score_grouping


def test_no_false_merge_on_any_different_pair() -> None:
    different = [p for p in load_pairs() if p["label"] == "different"]
    assert len(different) >= 100
    result = score(gate_rule(same_issue), different)
    assert result["false_merges"] == 0, result["false_merge_ids"]
    assert result["asymmetric_ids"] == []


def test_the_rule_still_merges_some_issues_said_in_other_words() -> None:
    """Not the trivial rule that never merges: some rewordings are one issue (the rest go to the
    cross-check, where a model's agreement still counts)."""
    result = score(gate_rule(same_issue))
    merged = result["same"] - result["missed_merges"]
    assert result["false_merges"] == 0 and merged >= 10, result


def test_grouping_makes_no_false_merge_no_chain_and_no_inflated_vote() -> None:
    result = score_grouping(gate_grouping(group_findings, Raised), gate_rule(same_issue))
    for layout in LAYOUTS:
        counts = result[layout]
        assert (counts["false_merges"], counts["chained"], counts["inflated_groups"]) == (0, 0, 0), counts
