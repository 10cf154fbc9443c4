"""The issues a pull request links, read through the REST API as untrusted data.

Which: the closing keywords in the PR's description and commit messages, and GitHub's own linked-
issue data (GraphQL `closingIssuesReferences`) where the token can read it. What: each issue's title
and body (REST `GET /repos/{owner}/{repo}/issues/{number}`). A number that is a pull request, an issue
the token cannot read (404) or any other failure is said in a note and left out: the `spec` stage then
checks against what could be read, and the report names what could not.
"""

from __future__ import annotations

from collections.abc import Sequence

from gate.errors import GitHubError
from gate.github.client import GitHubClient, GitHubNotFound
from gate.intent.refs import MAX_REFS, IssueRef, closing_refs
from gate.intent.sources import LinkedIssue, LinkedIssues

KEYWORD = "closing keyword"
LINKED = "GitHub's linked issues"


def read_linked_issues(
    client: GitHubClient, number: int, body: str, commit_messages: Sequence[str], server_url: str = ""
) -> LinkedIssues:
    own = client.repository
    found = closing_refs([body, *commit_messages], repository=own, server_url=server_url)
    notes: list[str] = []
    if found.dropped:
        notes.append(f"{found.dropped} more linked issue(s) not read: at most {MAX_REFS} are")
    via: dict[IssueRef, list[str]] = {ref: [KEYWORD] for ref in found.refs}
    try:
        for repo, n in client.closing_issues(number):
            ref = IssueRef("" if repo.lower() == own.lower() else repo, n)
            if ref in via:
                via[ref].append(LINKED)
            elif len(via) < MAX_REFS:
                via[ref] = [LINKED]
    except GitHubError as exc:
        notes.append(f"GitHub's linked-issue data not read ({exc.message[:200]}); closing keywords only")
    issues: list[LinkedIssue] = []
    for ref, how in via.items():
        try:
            got = client.issue(ref.number, ref.repository)
        except GitHubNotFound:
            notes.append(f"linked issue {ref} not read: not found, or the token may not read it")
            continue
        except GitHubError as exc:
            notes.append(f"linked issue {ref} not read: {exc.message[:200]}")
            continue
        if got.is_pull:
            notes.append(f"{ref} is a pull request, not an issue: left out of the intent")
            continue
        issues.append(LinkedIssue(ref, got.title, got.body, " and ".join(how)))
    return LinkedIssues(tuple(issues), tuple(notes))
