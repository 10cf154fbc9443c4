"""The commit status `ai-quality-gate` on the PR's head commit."""

from __future__ import annotations

from typing import Any

from gate.github import limits
from gate.github.client import GitHubClient
from gate.github.text import one_line, truncate
from gate.report.github_summary import headline
from gate.report.github_view import PostContext

STATUS_CONTEXT = "ai-quality-gate"
# Statuses have no "neutral": a neutral gate does not block the merge, so it reports success and says so.
_STATE = {"pass": "success", "fail": "failure", "neutral": "success"}


def status_description(ctx: PostContext) -> str:
    return truncate(one_line(headline(ctx.view)), limits.STATUS_DESCRIPTION_MAX_CHARS)


def post_status(client: GitHubClient, ctx: PostContext) -> str:
    body: dict[str, Any] = {
        "state": _STATE[ctx.view.verdict],
        "context": STATUS_CONTEXT,
        "description": status_description(ctx),
    }
    if ctx.report_link:
        body["target_url"] = ctx.report_link
    client.create_status(ctx.head_sha, body)
    return f"commit status {body['state']}"
