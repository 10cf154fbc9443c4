"""One PR review with inline comments on diff lines, never repeating a finding an earlier run commented.

Each comment carries a hidden fingerprint marker; on later runs the review comments this account wrote
(`PostContext.identity`) are listed and findings whose fingerprint is already there are left out; a
marker typed by anyone else, or posted by `ai-gate publish` (its own tag), never hides a finding.
Comments go on the right side only, a range only when it lies inside one hunk, and a ```suggestion
block when a fix is known; a finding's title and body are inert, their code shown as written
(`text.markdown`).
"""

from __future__ import annotations

import re
from typing import Any

from gate.errors import GitHubError
from gate.github import limits
from gate.github.client import GitHubClient, GitHubUnprocessable
from gate.github.text import markdown, markdown_line, sanitize, suggestion_block
from gate.redact import cut_redacted
from gate.report.github_view import GATE, FindingView, Origin, PostContext

FINGERPRINT_MARKER = "<!-- {tag}={key} -->"
# Our choices, not GitHub's: a review of more comments buries the PR's own discussion; the rest are in
# the check run and the summary comment.
MAX_INLINE_COMMENTS = 50
# A fingerprint key's characters in its marker, read back from comments anyone could have written.
FINGERPRINT_KEY_MAX_CHARS = 200
# What one comment quotes of a finding. The body and the suggestion, the only long parts, take at most
# 2 x 20,000 characters, so a comment stays within GitHub's limit (`limits.COMMENT_BODY_MAX_CHARS`).
TITLE_MAX_CHARS = 500
STAGE_MAX_CHARS = 40
BODY_MAX_CHARS = 20_000
SUGGESTION_MAX_CHARS = 20_000
MODEL_NAMES_MAX_CHARS = 300  # the models that confirmed, raised or refused a finding


def existing_keys(bodies: list[str], origin: Origin = GATE) -> set[str]:
    pattern = re.compile(
        rf"<!-- {re.escape(origin.finding_marker)}=([A-Za-z0-9_.:-]{{1,{FINGERPRINT_KEY_MAX_CHARS}}}) -->"
    )
    return {m.group(1) for body in bodies for m in pattern.finditer(body)}


def comment_body(f: FindingView, origin: Origin = GATE) -> str:
    key = re.sub(r"[^A-Za-z0-9_.:-]", "", f.key)[:FINGERPRINT_KEY_MAX_CHARS]
    parts = [
        FINGERPRINT_MARKER.format(tag=origin.finding_marker, key=key),
    ]
    title = markdown_line(f"[{f.severity}] {f.title}", TITLE_MAX_CHARS)
    parts.append(f"**{'🚫 ' if f.blocking else ''}{title}** ({sanitize(f.stage, STAGE_MAX_CHARS)})")
    if f.body:
        parts.append("")
        parts.append(markdown(f.body, BODY_MAX_CHARS))
    if f.suggestion is not None:
        parts.append("")
        parts.append(suggestion_block(f.suggestion, SUGGESTION_MAX_CHARS))
    if f.confirmed and f.confirmed_by:
        parts.append("")
        parts.append(f"Confirmed by: {sanitize(', '.join(f.confirmed_by), MODEL_NAMES_MAX_CHARS)}")
    elif f.raised_by or f.confirmed_by:
        # `post.unconfirmed: inline`: said for what it is
        parts.append("")
        raised = f.raised_by or f.confirmed_by
        line = f"Not confirmed: raised by {sanitize(', '.join(raised), MODEL_NAMES_MAX_CHARS)}"
        if f.refused_by:
            line += f"; refused by {sanitize(', '.join(f.refused_by), MODEL_NAMES_MAX_CHARS)}"
        parts.append(line)
    return cut_redacted("\n".join(parts), limits.COMMENT_BODY_MAX_CHARS, marker="")


def review_comment(f: FindingView, origin: Origin = GATE) -> dict[str, Any]:
    assert f.path is not None and f.start_line is not None
    end = max(f.start_line, f.end or f.start_line)
    out: dict[str, Any] = {"path": f.path, "line": end, "side": "RIGHT", "body": comment_body(f, origin)}
    if end > f.start_line:
        out["start_line"] = f.start_line
        out["start_side"] = "RIGHT"
    return out


def post_review(client: GitHubClient, ctx: PostContext) -> str:
    # Confirmed and deterministic findings only (the report's `inline`, from `post.unconfirmed`).
    commentable = [f for f in ctx.view.findings if f.posts_inline and ctx.is_commentable(f)]
    if not commentable:
        return "no finding on a changed line"
    if ctx.identity is None:
        raise GitHubError(
            "the review was not posted: cannot tell which account the token posts as, so the comments "
            "of earlier runs cannot be told apart"
        )
    mine = [c.body for c in client.review_comments(ctx.number) if c.user_login == ctx.identity]
    posted = existing_keys(mine, ctx.origin)
    fresh: list[FindingView] = []
    seen: set[str] = set(posted)
    for f in commentable:
        if f.key not in seen:
            fresh.append(f)
            seen.add(f.key)
    if not fresh:
        return f"no new inline comments ({len(posted)} already posted)"
    left_out = len(fresh) - MAX_INLINE_COMMENTS
    fresh = fresh[:MAX_INLINE_COMMENTS]
    plural = "s" if len(fresh) != 1 else ""
    body = f"**{ctx.origin.check_name}**: {len(fresh)} new finding{plural} on changed lines."
    if left_out > 0:
        body += f" {left_out} more are in the check run and the summary comment."
    review: dict[str, Any] = {
        "commit_id": ctx.head_sha,
        "event": "COMMENT",
        "body": body,
        "comments": [review_comment(f, ctx.origin) for f in fresh],
    }
    try:
        client.create_review(ctx.number, review)
    except GitHubUnprocessable:
        # The diff GitHub holds may differ from ours (a push raced the run): keep the comments that
        # are certain, single lines that are added lines, and try once more.
        single = [_single_line(f) for f in fresh]
        review["comments"] = [review_comment(f, ctx.origin) for f in single]
        client.create_review(ctx.number, review)
    return f"review with {len(fresh)} inline comment(s); {len(posted)} already posted"


def _single_line(f: FindingView) -> FindingView:
    line = f.end or f.start_line
    return f.model_copy(update={"start_line": line, "end_line": line, "suggestion": None})
