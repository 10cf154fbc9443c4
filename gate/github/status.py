"""The commit status `ai-quality-gate` on the PR's head commit.

A status has no neutral state: a neutral gate does not block the merge, so it reports `success`, and
its description begins `not reviewed:` / `not fully reviewed:` with the reason, so that it is not read
as a pass. A team that wants an unreviewed change to block sets `gate.on_model_error: fail`.
"""

from __future__ import annotations

from typing import Any

from gate.github.client import GitHubClient
from gate.report import unchecked
from gate.report.github_summary import headline
from gate.report.github_view import GATE, PostContext

STATUS_CONTEXT = GATE.status_context
_STATE = {"pass": "success", "fail": "failure", "neutral": "success"}


def status_description(ctx: PostContext) -> str:
    return unchecked.status_description(ctx.view, headline(ctx.view))


def post_status(client: GitHubClient, ctx: PostContext) -> str:
    body: dict[str, Any] = {
        "state": _STATE[ctx.view.verdict],
        "context": ctx.origin.status_context,
        "description": status_description(ctx),
    }
    if ctx.report_link:
        body["target_url"] = ctx.report_link
    client.create_status(ctx.head_sha, body)
    return f"commit status {body['state']}"
