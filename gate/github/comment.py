"""The one summary comment on the PR, found by its hidden marker and edited in place on later runs.

Only a comment written by the account this run posts as (`PostContext.identity`, the GraphQL viewer of
the token: `github-actions[bot]` for the Actions GITHUB_TOKEN) is the gate's. Anyone can type the
marker, and any app's bot can comment; neither may steer a later run.

Its last line names the head commit it is for, and only a run for the PR's head at the time writes it.
A later run that could not run puts a line at its top saying that it is stale (`mark_stale`), so that it
is not read as the verdict on the PR's new head; the next run that posts writes the comment anew,
without it. The stale line goes under the hidden lines (the marker, and the review state right under
it), which stay where the gate reads them.

The review state is read only from its own line and only when it names the commit the comment's last
line names: the comment quotes the PR's file names, titles and findings, and a state that another
commit's run did not leave there is not the gate's.
"""

from __future__ import annotations

import re

from gate.errors import GitHubError
from gate.github import limits
from gate.github.client import GitHubClient, PostedComment
from gate.github.event import pull_request_from
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
        state = ReviewState.decode(encoded)
    except StateError as exc:
        return None, f"full review: {exc}"
    # The state is the one the run that wrote the comment left only if it is for that run's head.
    recorded = commit_of(mine[0].body)
    if recorded is None:
        return (
            None,
            "full review: the summary comment holding the review state does not say which commit it is for",
        )
    if not state.head.startswith(recorded):
        return None, (
            f"full review: the review state names commit `{state.head[:SHORT_SHA]}`, but its summary "
            f"comment is for commit `{recorded}`"
        )
    return state, "review state read from the summary comment"


def commit_of(body: str) -> str | None:
    """The short SHA of the commit a summary comment is for, from its last line, where the gate writes
    it after everything else (a line like it higher up is text the comment quotes)."""
    last = body.rstrip().rpartition("\n")[2].rstrip("\r")
    match = _COMMIT_LINE.fullmatch(last)
    return match.group(1) if match else None


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


def _under_hidden_lines(lines: list[str], line: str) -> list[str]:
    """`lines` with `line` under the hidden ones at the top: the marker that finds the comment again, and
    the review state, which is read only right under the marker."""
    hidden = 2 if from_comment("\n".join(lines[:2])) is not None else 1
    return [*lines[:hidden], line, *lines[hidden:]]


def mark_stale(client: GitHubClient, number: int, identity: str, head_sha: str, reason: str) -> str:
    """Put a line at the top of the gate's summary comment saying that it is for an earlier commit and
    that the run for `head_sha` could not run (why: `reason`); nothing when there is no such comment or
    it is for `head_sha` itself. A line an earlier such run put there is replaced. Nothing either when
    `head_sha` is no longer the PR's head: the line would call it the PR's head, and the comment is left to
    the run for the head it has now."""
    if pull_request_from(client.pull(number)).head_sha != head_sha:
        return "the summary comment is left to the run for the PR's newer head"
    mine = _ours(client.issue_comments(number), MARKER, identity)
    if not mine:
        return "no summary comment to mark stale"
    body = mine[0].body
    was_for = commit_of(body)
    if was_for and head_sha.startswith(was_for):
        return "the summary comment is for this head"
    commit = f"commit `{was_for}`" if was_for else "an earlier commit"
    why = sanitize(one_line(reason), STALE_REASON_MAX_CHARS)
    line = (
        f"{STALE_PREFIX}this summary is for {commit}. The gate could not run on the PR's head "
        f"`{head_sha[:SHORT_SHA]}`: {why}"
    )
    lines = body.split("\n")
    for i, old in enumerate(lines[:4]):
        if old.startswith(STALE_PREFIX):
            del lines[i : i + 2]  # the line and the blank line after it
            break
    marked = cut_redacted(
        "\n".join(_under_hidden_lines(lines, f"{line}\n")), limits.COMMENT_BODY_MAX_CHARS, marker=""
    )
    client.edit_issue_comment(mine[0].id, marked)
    return "summary comment marked stale"
