"""`ai-gate publish REPORT`: post a report made by an earlier job that had no write token.

The split workflow for fork PRs: a `pull_request` job gates the PR with a read-only token and uploads
its output directory; a `workflow_run` job (with write permissions, running the base branch's
workflow) downloads it and runs this. The report is untrusted input: it must name the PR and head SHA
it was made for, those must match what the API says now (and the triggering run's head SHA), and
all of its text is sanitized when posted.

The analyze job ran the PR's own copy of its workflow, so the PR could have written the report. What
is posted is labelled as such: under its own names (`PUBLISHED`: check run `AI Quality Gate
(published)`, never the gate's own), with a line saying the findings were not recomputed, and without
the report's review state, so nothing a PR wrote can pass for the gate or steer its later runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gate.diff.model import Diff
from gate.diff.parser import parse_diff
from gate.errors import GitHubError, InputError
from gate.github.client import DiffTooLarge, GitHubClient
from gate.github.environment import ActionEnv
from gate.github.event import load_payload, pull_request_from
from gate.github.outputs import ActionOutputs, write_outputs
from gate.github.posting import post_results, posting_identity
from gate.github.pull import diff_from_files
from gate.report.github_view import PUBLISHED, PostContext, read_report
from gate.report.links import BlobLinks, repo_url
from gate.run import exit_code


class ReportMismatch(GitHubError):
    """The report does not belong to the PR and head commit it claims."""

    kind = "report mismatch"


def publish_report(report_path: Path, environ: Mapping[str, str]) -> int:
    env = ActionEnv.from_environ(environ)
    view, github = read_report(report_path, "download the analysis job's artifact first")
    # A state for incremental review is never taken from an unprivileged job, nor posted for one.
    view = view.model_copy(update={"review_state": None})
    number = view.source.pull_request or github.pull_request
    head_sha = view.source.head_sha or github.head_sha
    if not isinstance(number, int) or not isinstance(head_sha, str) or not head_sha:
        raise InputError(
            f"{report_path}: the report does not name the pull request and head SHA it was made for"
        )
    env.require_repository()
    claimed_repo = github.repository
    if claimed_repo and claimed_repo != env.repository:
        raise ReportMismatch(f"the report is for {claimed_repo}, this workflow runs in {env.repository}")
    _check_trigger(env, number, head_sha)
    if not env.token:
        raise InputError("no GitHub token", "pass the github-token input or set GITHUB_TOKEN")
    client = GitHubClient(env.api_url, env.token, env.repository)
    pr = pull_request_from(client.pull(number))
    if pr.head_sha != head_sha:
        raise ReportMismatch(
            f"the report is for {head_sha[:12]} but PR #{number}'s head is now {pr.head_sha[:12]}",
            "a newer run will publish the newer head; nothing was posted",
        )
    notes = [f"published from the report of an earlier run ({report_path.name})"]
    identity = posting_identity(client, notes)
    ctx = PostContext(
        view=view,
        number=number,
        head_sha=head_sha,
        diff=_pull_diff(client, number),
        report_link=_run_link(env),
        notes=tuple(notes),
        identity=identity,
        origin=PUBLISHED,
        links=BlobLinks.make(pr.repo_url or repo_url(env.server_url, env.repository), head_sha),
    )
    post_results(client, ctx, env.targets, step_summary=env.step_summary)
    write_outputs(env.output_file, ActionOutputs.of(view, report_path))
    return exit_code(view.verdict, strict=False)


def _check_trigger(env: ActionEnv, number: int, head_sha: str) -> None:
    """On `workflow_run`, the triggering run's head SHA (set by GitHub, not the PR) must match."""
    if env.event_name != "workflow_run" or env.event_path is None:
        return
    run = load_payload(env.event_path).get("workflow_run")
    if not isinstance(run, dict):
        return
    if run.get("head_sha") and run["head_sha"] != head_sha:
        raise ReportMismatch(
            f"the report is for {head_sha[:12]} but the triggering run was for {str(run['head_sha'])[:12]}"
        )
    prs = [p.get("number") for p in run.get("pull_requests") or () if isinstance(p, dict)]
    # GitHub leaves pull_requests empty for fork PRs; when it is given, the PR must be in it.
    if prs and number not in prs:
        raise ReportMismatch(f"the triggering run was for PR {prs}, the report claims PR #{number}")


def _pull_diff(client: GitHubClient, number: int) -> Diff:
    try:
        return parse_diff(client.pull_diff(number), source=f"the diff of PR #{number}")
    except DiffTooLarge:
        return diff_from_files(client.pull_files(number), source=f"PR #{number}")


def _run_link(env: ActionEnv) -> str | None:
    if env.event_name == "workflow_run" and env.event_path is not None:
        run = load_payload(env.event_path).get("workflow_run")
        if isinstance(run, dict) and isinstance(run.get("html_url"), str):
            return str(run["html_url"])
    return env.run_url
