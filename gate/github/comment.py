"""The one summary comment on the PR, found by its hidden marker and edited in place on later runs.

Only a comment written by the account this run posts as (`PostContext.identity`, the GraphQL viewer of
the token: `github-actions[bot]` for the Actions GITHUB_TOKEN) is the gate's. Anyone can type the
marker, and any app's bot can comment; neither may steer a later run.
"""

from __future__ import annotations

from gate.errors import GitHubError
from gate.github import limits
from gate.github.client import GitHubClient, PostedComment
from gate.report.github_summary import MARKER, render_summary
from gate.report.github_view import PostContext
from gate.review.state import ReviewState, StateError, from_comment

UNKNOWN_IDENTITY = (
    "cannot tell which account the token posts as, so no comment can be known as the gate's own"
)


def _marked(comments: list[PostedComment], marker: str) -> list[PostedComment]:
    return [c for c in comments if c.body.lstrip().startswith(marker)]


def _ours(comments: list[PostedComment], marker: str, identity: str) -> list[PostedComment]:
    """The comments this account wrote with the marker, oldest first."""
    return sorted((c for c in _marked(comments, marker) if c.user_login == identity), key=lambda c: c.id)


def previous_review(
    client: GitHubClient, number: int, identity: str | None
) -> tuple[ReviewState | None, str | None]:
    """The review state the last run left in the summary comment, and a note on what was found.

    A state decides which code the models skip: one in a comment by anyone else (a person who pasted
    the marker, another app's bot) could say everything was already reviewed, so it is never read.
    """
    if identity is None:
        return None, f"full review: {UNKNOWN_IDENTITY}"
    try:
        comments = client.issue_comments(number)
    except GitHubError as exc:
        return None, f"full review: could not read the summary comment ({exc.message})"
    mine = _ours(comments, MARKER, identity)
    if not mine:
        forged = any(from_comment(c.body) for c in _marked(comments, MARKER))
        ignored = f"full review: ignored a review state in a comment not written by {identity}"
        return None, ignored if forged else None  # else: the first run on this PR
    encoded = from_comment(mine[0].body)
    if encoded is None:
        return None, None  # the last run left none (no review ran, or it did not complete)
    try:
        return ReviewState.decode(encoded), "review state read from the summary comment"
    except StateError as exc:
        return None, f"full review: {exc}"


def post_summary_comment(client: GitHubClient, ctx: PostContext, notes: tuple[str, ...] = ()) -> str:
    if ctx.identity is None:
        # Editing someone else's comment fails (and would read as a read-only token); creating one
        # each run would duplicate it.
        raise GitHubError(f"the summary comment was not posted: {UNKNOWN_IDENTITY}")
    body = render_summary(
        ctx.view,
        notes=(*notes, *ctx.notes),  # what could not be posted first: notes are cut from the end
        report_link=ctx.report_link,
        room=limits.COMMENT_BODY,
        marker=True,
        origin=ctx.origin,
        links=ctx.links,
    )
    mine = _ours(client.issue_comments(ctx.number), ctx.origin.comment_marker, ctx.identity)
    if not mine:
        client.create_issue_comment(ctx.number, body)
        return "summary comment created"
    if mine[0].body == body:
        return "summary comment unchanged"
    client.edit_issue_comment(mine[0].id, body)
    return "summary comment updated"
