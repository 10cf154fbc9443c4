"""The one summary comment on the PR, found by its hidden marker and edited in place on later runs.

Only a comment written by the account this run posts as (`PostContext.identity`, the GraphQL viewer of
the token: `github-actions[bot]` for the Actions GITHUB_TOKEN) is the gate's. Anyone can type the
marker, and any app's bot can comment; neither may steer a later run.

Its last line names the head commit it is for. A later run that could not run puts a line at its top
saying that it is stale (`mark_stale`), so that it is not read as the verdict on the PR's new head; the
next run that posts writes the comment anew, without it.
"""

from __future__ import annotations

import re

from gate.errors import GitHubError
from gate.github import limits
from gate.github.client import GitHubClient, PostedComment
from gate.github.text import one_line, sanitize
from gate.redact import cut_redacted
from gate.report.github_summary import MARKER, render_summary
from gate.report.github_view import PostContext
from gate.review.state import ReviewState, StateError, from_comment

UNKNOWN_IDENTITY = (
    "cannot tell which account the token posts as, so no comment can be known as the gate's own"
)
SHORT_SHA = 12
COMMIT_LINE = "This summary is for commit `{sha}`."
_COMMIT_LINE = re.compile(rf"^This summary is for commit `([0-9a-f]{{{SHORT_SHA}}})`\.$", re.MULTILINE)
STALE_PREFIX = "> ⚠️ **Stale:** "
# Room the comment keeps for the stale line (`mark_stale`): the reason's 300 characters and the rest.
STALE_LINE_MAX_CHARS = 600
STALE_REASON_MAX_CHARS = 300


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
    commit = COMMIT_LINE.format(sha=ctx.head_sha[:SHORT_SHA])
    body = render_summary(
        ctx.view,
        notes=(*notes, *ctx.notes),  # what could not be posted first: notes are cut from the end
        report_link=ctx.report_link,
        room=limits.Room(limits.COMMENT_BODY_MAX_CHARS - len(commit) - 2 - STALE_LINE_MAX_CHARS),
        marker=True,
        origin=ctx.origin,
        links=ctx.links,
    )
    if _COMMIT_LINE.fullmatch(commit):  # a head SHA as GitHub gives it
        body = f"{body.rstrip(chr(10))}\n\n{commit}"
    mine = _ours(client.issue_comments(ctx.number), ctx.origin.comment_marker, ctx.identity)
    if not mine:
        client.create_issue_comment(ctx.number, body)
        return "summary comment created"
    if mine[0].body == body:
        return "summary comment unchanged"
    client.edit_issue_comment(mine[0].id, body)
    return "summary comment updated"


def _under_marker(body: str, line: str) -> str:
    """`body` with `line` right under its first line (the marker that finds the comment again)."""
    first, _, rest = body.partition("\n")
    return f"{first}\n{line}\n{rest}"


def mark_stale(client: GitHubClient, number: int, identity: str, head_sha: str, reason: str) -> str:
    """Put a line at the top of the gate's summary comment saying that it is for an earlier commit and
    that the run for `head_sha` could not run (why: `reason`); nothing when there is no such comment or
    it is for `head_sha` itself. A line an earlier such run put there is replaced."""
    mine = _ours(client.issue_comments(number), MARKER, identity)
    if not mine:
        return "no summary comment to mark stale"
    body = mine[0].body
    was_for = [m.group(1) for m in _COMMIT_LINE.finditer(body)]
    if was_for and head_sha.startswith(was_for[-1]):
        return "the summary comment is for this head"
    commit = f"commit `{was_for[-1]}`" if was_for else "an earlier commit"
    why = sanitize(one_line(reason), STALE_REASON_MAX_CHARS)
    line = (
        f"{STALE_PREFIX}this summary is for {commit}. The gate could not run on the PR's head "
        f"`{head_sha[:SHORT_SHA]}`: {why}"
    )
    lines = body.split("\n")
    for i, old in enumerate(lines[:3]):
        if old.startswith(STALE_PREFIX):
            del lines[i : i + 2]  # the line and the blank line after it
            break
    marked = cut_redacted(
        _under_marker("\n".join(lines), f"{line}\n"), limits.COMMENT_BODY_MAX_CHARS, marker=""
    )
    client.edit_issue_comment(mine[0].id, marked)
    return "summary comment marked stale"
