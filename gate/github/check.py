"""The check run `AI Quality Gate` on the PR's head commit, with one annotation per located finding that
goes in the diff (`ReportView.annotated`), up to `limits.CHECK_ANNOTATIONS_MAX`: the blocking ones first,
then by severity, and the check's text says how many more there are.

Its title begins with what was not checked when something was not (`Not reviewed: …`), so a neutral
conclusion is never read as a pass. `ai-gate publish` posts under its own name (`Origin`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gate.findings import Severity
from gate.github import limits
from gate.github.client import GitHubClient, iter_batches
from gate.report import unchecked
from gate.report.github_summary import TITLE, headline, render_summary
from gate.report.github_view import FindingView, PostContext, ReportView, postable_path
from gate.sanitize import plain

CHECK_NAME = TITLE
_CONCLUSION = {"pass": "success", "fail": "failure", "neutral": "neutral"}


def annotation(f: FindingView) -> dict[str, Any]:
    assert f.path is not None and f.start_line is not None
    message = f.body or f.title
    return {
        "path": f.path,
        "start_line": f.start_line,
        "end_line": max(f.start_line, f.end or f.start_line),
        "annotation_level": f.level,
        # Annotations are plain text: mentions, foreign links and hidden characters still made inert.
        "title": plain(f"[{f.severity}] {f.title}", max_chars=limits.CHECK_ANNOTATION_TITLE_MAX_CHARS),
        "message": plain(message, max_chars=limits.CHECK_ANNOTATION_MESSAGE_MAX_CHARS),
    }


def check_title(view: ReportView, name: str = CHECK_NAME) -> str:
    """`Not reviewed: <what> (neutral, …)` when something was not checked, else `<name>: <headline>`."""
    room = limits.CHECK_ANNOTATION_TITLE_MAX_CHARS
    head = headline(view)
    said = unchecked.statement(view, room - len(head) - len(name) - 5)
    if said is None:
        return unchecked.shorten(f"{name}: {head}", room)
    if view.verdict == "fail":
        return unchecked.shorten(f"{name}: {head}; {said}", room)
    return unchecked.shorten(f"{said[:1].upper()}{said[1:]} ({head})", room)


def annotated(view: ReportView) -> tuple[list[FindingView], int]:
    """The located findings a check run annotates, blocking first and then by severity (in the report's
    order otherwise), at most `limits.CHECK_ANNOTATIONS_MAX`; and how many are left out."""
    located = [f for f in view.annotated if f.path and f.start_line is not None and postable_path(f.path)]
    located.sort(key=lambda f: (not f.blocking, -Severity(f.severity).rank))
    shown = located[: limits.CHECK_ANNOTATIONS_MAX]
    return shown, len(located) - len(shown)


def post_check_run(client: GitHubClient, ctx: PostContext) -> str:
    """Create the check run with the first 50 annotations, then add the rest 50 at a time."""
    view = ctx.view
    shown, left_out = annotated(view)
    annotations = [annotation(f) for f in shown]
    batches = list(iter_batches(annotations, limits.CHECK_ANNOTATIONS_PER_REQUEST)) or [[]]
    output = {
        "title": check_title(view, ctx.origin.check_name),
        "summary": render_summary(
            view,
            notes=ctx.notes,
            report_link=ctx.report_link,
            room=limits.CHECK_SUMMARY,
            origin=ctx.origin,
            links=ctx.links,
        ),
    }
    if left_out:
        output["text"] = (
            f"{left_out} more located finding(s) are not annotated: a check run carries "
            f"{limits.CHECK_ANNOTATIONS_MAX} annotations at most, the blocking ones first, then by severity. "
            "The JSON report and the SARIF file hold them all."
        )
    body: dict[str, Any] = {
        "name": ctx.origin.check_name,
        "head_sha": ctx.head_sha,
        "status": "completed",
        "conclusion": _CONCLUSION[view.verdict],
        "completed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "output": {**output, "annotations": batches[0]},
    }
    if ctx.report_link:
        body["details_url"] = ctx.report_link
    check_id = client.create_check_run(body)
    for batch in batches[1:]:
        client.update_check_run(check_id, {"output": {**output, "annotations": batch}})
    said = f"check run with {len(annotations)} annotations in {len(batches)} request(s)"
    return f"{said}; {left_out} more not annotated" if left_out else said
