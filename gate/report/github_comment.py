"""The one summary comment on the PR, found by its hidden marker and edited in place on later runs."""

from __future__ import annotations

from gate.errors import GitHubError
from gate.github import limits
from gate.github.client import GitHubClient, PostedComment
from gate.report.github_summary import MARKER, render_summary
from gate.report.github_view import PostContext
from gate.review.state import ReviewState, StateError, from_comment


def _ours(comments: list[PostedComment]) -> list[PostedComment]:
    mine = [c for c in comments if c.body.lstrip().startswith(MARKER)]
    # Anyone can type the marker; the gate posts as a bot account, so a bot's comment wins.
    mine.sort(key=lambda c: (not c.user_login.endswith("[bot]"), c.id))
    return mine


def previous_review(client: GitHubClient, number: int) -> tuple[ReviewState | None, str | None]:
    """The review state the last run left in the summary comment, and a note on what was found.

    Only a bot account's comment is trusted: a state decides which code the models skip, and anyone
    who can comment could otherwise forge one that says everything was already reviewed.
    """
    try:
        mine = _ours(client.issue_comments(number))
    except GitHubError as exc:
        return None, f"full review: could not read the summary comment ({exc.message})"
    if not mine:
        return None, None  # the first run on this PR
    if not mine[0].user_login.endswith("[bot]"):
        forged = any(from_comment(c.body) for c in mine)
        return (
            None,
            "full review: ignored a review state in a comment not posted by a bot" if forged else None,
        )
    encoded = from_comment(mine[0].body)
    if encoded is None:
        return None, None  # the last run left none (no review ran, or it did not complete)
    try:
        return ReviewState.decode(encoded), "review state read from the summary comment"
    except StateError as exc:
        return None, f"full review: {exc}"


def post_summary_comment(client: GitHubClient, ctx: PostContext, notes: tuple[str, ...] = ()) -> str:
    body = render_summary(
        ctx.view,
        notes=(*ctx.notes, *notes),
        report_link=ctx.report_link,
        limit=limits.COMMENT_BODY_MAX_CHARS,
        marker=True,
    )
    # Only a bot's comment is the gate's: a person may paste the marker, and editing their comment
    # would fail (403) and wrongly read as a read-only token.
    mine = [c for c in _ours(client.issue_comments(ctx.number)) if c.user_login.endswith("[bot]")]
    if not mine:
        client.create_issue_comment(ctx.number, body)
        return "summary comment created"
    if mine[0].body == body:
        return "summary comment unchanged"
    client.edit_issue_comment(mine[0].id, body)
    return "summary comment updated"
