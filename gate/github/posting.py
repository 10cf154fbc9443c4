"""Post a report to every place asked for, each on its own: one failure is recorded, not fatal.

A 403 on a write means the token may not write (a fork's read-only token): the findings then go out
as workflow-command annotations and the job summary, which need no token, and the summary says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gate.errors import GitHubError
from gate.github import limits
from gate.github.check import post_check_run
from gate.github.client import GitHubClient, GitHubForbidden
from gate.github.commands import write_annotations, write_notice
from gate.github.comment import post_summary_comment
from gate.github.environment import Target
from gate.github.event import require_head
from gate.github.outputs import write_job_summary
from gate.github.review import post_review
from gate.github.status import post_status
from gate.redact import redact
from gate.report.github_summary import render_summary
from gate.report.github_view import PostContext

READ_ONLY_NOTE = (
    "the token could not write to this pull request (HTTP 403; a fork's read-only token?): results are "
    "shown as workflow annotations and in the job summary instead"
)


@dataclass(frozen=True)
class PostingResult:
    posted: tuple[str, ...]
    failures: tuple[str, ...]
    read_only: bool

    @property
    def notes(self) -> tuple[str, ...]:
        notes = tuple(f"could not post the {f}" for f in self.failures)
        return (READ_ONLY_NOTE, *notes) if self.read_only else notes


def posting_identity(client: GitHubClient, notes: list[str]) -> str | None:
    """The account this token posts as: only its comments are the gate's own on later runs."""
    try:
        return client.viewer_login()
    except GitHubError as exc:
        notes.append(f"could not tell which account the token posts as ({exc.message})")
        return None


def _head_moved(client: GitHubClient, ctx: PostContext) -> str | None:
    """Why the PR's review and summary comment are not this run's to post (its head moved on, or could not
    be read); None when its head is still `ctx.head_sha`."""
    try:
        require_head(client, ctx.number, ctx.head_sha, what="its review and summary are that head's")
    except GitHubError as exc:  # Superseded among them
        return exc.message
    return None


def post_results(
    client: GitHubClient,
    ctx: PostContext,
    targets: frozenset[Target],
    *,
    step_summary: Path | None,
    stdout: TextIO | None = None,
) -> PostingResult:
    out = stdout or sys.stdout
    posted: list[str] = []
    failures: list[str] = []
    read_only = False

    def attempt(target: Target, fn: Callable[[], str]) -> None:
        nonlocal read_only
        if target not in targets:
            return
        try:
            posted.append(fn())
        except GitHubForbidden as exc:
            read_only = True
            failures.append(f"{target.value}: {exc.message}")
        except GitHubError as exc:
            failures.append(f"{target.value}: {exc.message}")

    attempt(Target.CHECK, lambda: post_check_run(client, ctx))
    attempt(Target.STATUS, lambda: post_status(client, ctx))
    # The review and the one summary comment are the PR's, not the commit's: a run for an earlier head
    # (one that started late, or was re-run) would put that head's findings and verdict over the newer
    # one's. Its check run and status are that commit's own.
    on_pr = targets & {Target.REVIEW, Target.COMMENT}
    if on_pr and (moved := _head_moved(client, ctx)) is not None:
        failures.extend(f"{target.value}: {moved}" for target in sorted(on_pr, key=lambda t: t.value))
        on_pr = frozenset()
    if Target.REVIEW in on_pr:
        attempt(Target.REVIEW, lambda: post_review(client, ctx))
    # The comment goes last so that it can list what failed before it.
    so_far = PostingResult(tuple(posted), tuple(failures), read_only)
    if Target.COMMENT in on_pr:
        attempt(Target.COMMENT, lambda: post_summary_comment(client, ctx, so_far.notes))
    result = PostingResult(tuple(posted), tuple(failures), read_only)
    if read_only:
        write_notice(READ_ONLY_NOTE, out)
        write_annotations(ctx.view.annotated, out)
    if Target.SUMMARY in targets or read_only:
        summary = render_summary(
            ctx.view,
            notes=(*result.notes, *ctx.notes),  # what could not be posted first: notes are cut from the end
            report_link=ctx.report_link,
            room=limits.STEP_SUMMARY,
            origin=ctx.origin,
            links=ctx.links,
        )
        if write_job_summary(step_summary, summary):
            posted.append("job summary")
    for failure in failures:
        sys.stderr.write(redact(f"ai-gate: warning: could not post the {failure}") + "\n")
    return PostingResult(tuple(posted), tuple(failures), read_only)
