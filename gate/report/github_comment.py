"""The one summary comment on the PR, found by its hidden marker and edited in place on later runs."""

from __future__ import annotations

from gate.github import limits
from gate.github.client import GitHubClient
from gate.report.github_summary import MARKER, render_summary
from gate.report.github_view import PostContext


def post_summary_comment(client: GitHubClient, ctx: PostContext, notes: tuple[str, ...] = ()) -> str:
    body = render_summary(
        ctx.view,
        notes=(*ctx.notes, *notes),
        report_link=ctx.report_link,
        limit=limits.COMMENT_BODY_MAX_CHARS,
        marker=True,
    )
    mine = [c for c in client.issue_comments(ctx.number) if c.body.lstrip().startswith(MARKER)]
    # Anyone can type the marker; the gate posts as a bot account, so a bot's comment wins.
    mine.sort(key=lambda c: (not c.user_login.endswith("[bot]"), c.id))
    if not mine:
        client.create_issue_comment(ctx.number, body)
        return "summary comment created"
    if mine[0].body == body:
        return "summary comment unchanged"
    client.edit_issue_comment(mine[0].id, body)
    return "summary comment updated"
