"""What a review prompt may hold: room left for the answer every call asks for, and PR words cut only
after their secrets are hidden."""

from __future__ import annotations

from gate.context.model import ChangeSet, Commit, Person, PullRequestInfo
from gate.diff.parser import parse_diff
from gate.models.pricing import DEFAULT_CONTEXT_TOKENS
from gate.redact import REDACTED
from gate.review.check import chunk_budget
from gate.review.prompt import MAX_COMMIT_CHARS, MAX_PR_BODY_CHARS, MAX_PR_TEXT_CHARS, Contracts, pr_text
from gate.review.room import CONTEXT_SHARE, MIN_CHUNK_TOKENS

# The window of a model litellm does not know (the cautious default), so the arithmetic is plain.
WINDOW = DEFAULT_CONTEXT_TOKENS
# Two documented GitHub token formats (gh[pousr]_ and 36 characters), written out only here.
TOKEN_A = "ghp_" + "Q7wZ2kV9xR4mT8bN1cY6hJ3pL5sD0fG2aE7u"
TOKEN_B = "gho_" + "M3nB8vC1xZ6lK4jH9gF2dS7aP0oI5uY1tR3e"


def _changeset(body: str, message: str) -> ChangeSet:
    diff = parse_diff("diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -0,0 +1 @@\n+x = 1\n")
    person = Person("Dev", "dev@example.com")
    commit = Commit(sha="a" * 40, author=person, committer=person, message=message)
    return ChangeSet(
        source="diff",
        diff=diff,
        commits=(commit,),
        pr=PullRequestInfo(title="Add x", body=body),
        line_origins={"a.py": {1: commit.sha}},
    )


def test_the_answer_reserve_follows_max_output_tokens() -> None:
    pr = pr_text(_changeset("", "Add x"))
    small = chunk_budget(WINDOW, Contracts(), pr, 4_000)
    default = chunk_budget(WINDOW, Contracts(), pr, 8_192)
    assert small - default == 4_192
    # What a call asks for never leaves less than the floor, and the rest of the window stays the margin.
    assert chunk_budget(WINDOW, Contracts(), pr, 1_000_000) == MIN_CHUNK_TOKENS
    assert default + 8_192 <= 32_000 * CONTEXT_SHARE


def test_a_secret_across_a_cut_is_never_half_sent() -> None:
    # Each text is long enough that its limit falls in the middle of the token.
    body = "x" * (MAX_PR_BODY_CHARS - 10) + " " + TOKEN_A + " trailing words"
    message = "Add x\n\n" + "y" * (MAX_COMMIT_CHARS - 20) + " " + TOKEN_B + " more"
    pr = pr_text(_changeset(body, message))
    shown = pr.for_paths(["a.py"])
    for token in (TOKEN_A, TOKEN_B):
        assert token[:10] not in shown
    assert REDACTED[:9] in pr.head


def test_the_whole_pr_text_is_cut_after_redaction() -> None:
    # The head alone exceeds the overall limit once the commits are added: the last cut is of redacted text.
    body = ("word " * 590)[: MAX_PR_BODY_CHARS - 30] + " " + TOKEN_A
    message = "Add x\n\n" + ("z" * 900) + " " + TOKEN_B
    shown = pr_text(_changeset(body, message)).for_paths(["a.py"])
    assert len(shown) <= MAX_PR_TEXT_CHARS + len(" …(truncated)")
    for token in (TOKEN_A, TOKEN_B):
        assert token[4:14] not in shown
