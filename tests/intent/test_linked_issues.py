"""The PR's linked issues read through PyGithub from the loopback GitHub: closing keywords and GitHub's
own linked-issue data, with GitHub's rules (pull requests are issues too; another repository the token
cannot read answers 404)."""

from __future__ import annotations

from gate.github.client import GitHubClient
from gate.github.issues import read_linked_issues
from gate.intent.refs import IssueRef
from tests.fakes.github_server import FakeGitHub, FakeIssue, FakePull, OtherRepo


def _pull(github: FakeGitHub, number: int) -> None:
    github.add_pull(FakePull(number, "t", "", "octocat", "a" * 40, "b" * 40, "feature", "main", "", [], []))


def test_keywords_and_githubs_links_are_read_once_each(github: FakeGitHub) -> None:
    _pull(github, 7)
    _pull(github, 8)
    github.issues[12] = FakeIssue(12, "Refunds", "refunds must be logged")
    github.issues[13] = FakeIssue(13, "Linked by hand", None)
    github.other_repos["other/lib"] = OtherRepo({9: FakeIssue(9, "Upstream", "keep the API")})
    github.other_repos["secret/repo"] = OtherRepo({1: FakeIssue(1, "Hidden", "x")}, readable=False)
    github.closing[7] = [("octo/widgets", 12), ("octo/widgets", 13), ("secret/repo", 1)]
    client = GitHubClient(github.url, "ghs_test", github.repo)
    body = "Fixes #12. Closes #8, resolves other/lib#9, fixes secret/repo#1 and fixes #404."

    linked = read_linked_issues(client, 7, body, ["fix #12 again"])

    by_ref = {i.ref: i for i in linked.issues}
    assert list(by_ref) == [IssueRef("", 12), IssueRef("other/lib", 9), IssueRef("", 13)]
    assert by_ref[IssueRef("", 12)].via == "closing keyword and GitHub's linked issues"
    assert by_ref[IssueRef("", 13)].via == "GitHub's linked issues" and by_ref[IssueRef("", 13)].body == ""
    assert by_ref[IssueRef("other/lib", 9)].body == "keep the API"
    notes = " | ".join(linked.notes)
    assert "#8 is a pull request, not an issue" in notes
    assert "linked issue secret/repo#1 not read: not found, or the token may not read it" in notes
    assert "linked issue #404 not read" in notes
    assert len(github.requests_to("GET", r"/issues/12$")) == 1
    assert github.requests_to("GET", r"^/repos/other/lib/issues/9$")


def test_linked_issue_data_that_cannot_be_read_leaves_the_keywords(github: FakeGitHub) -> None:
    _pull(github, 7)
    github.issues[12] = FakeIssue(12, "Refunds", "body")
    github.fail("POST", r"graphql", 403, times=5, message="Resource not accessible by integration")
    client = GitHubClient(github.url, "ghs_test", github.repo)
    linked = read_linked_issues(client, 7, "closes #12", [])
    assert [i.ref for i in linked.issues] == [IssueRef("", 12)]
    assert any(n.startswith("GitHub's linked-issue data not read") for n in linked.notes)
