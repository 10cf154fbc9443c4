"""The Action entrypoint (`ai-gate github`): read the event and the PR, run the gate, post the results.

Exit codes follow SPEC 2: 0 pass or neutral, 1 fail, 2 the gate could not run (a GateError, raised
to the CLI, and said on the PR first: `could_not_run`). Posting failures do not change the exit code;
they are listed in the summary and report.

On `pull_request_target` (a write token and the secrets, for a fork's PR too) the gate runs API-only:
the PR is read through the REST API, and a checkout in the workspace is neither used nor trusted, so
nothing from the PR's head is checked out or run by the gate.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gate.config.env import with_env_overrides
from gate.config.models import Config
from gate.context.git import Git
from gate.context.model import ChangeSet
from gate.errors import GateError, GitError, InputError
from gate.github.base_config import BaseConfig, load_gate_config
from gate.github.client import GitHubClient
from gate.github.commands import write_notice, write_warning
from gate.github.could_not_run import say_could_not_run, say_superseded
from gate.github.environment import ActionEnv
from gate.github.event import PR_EVENTS, NotGated, PullRequestEvent, Superseded, load_payload, read_event
from gate.github.outputs import ActionOutputs, write_job_summary, write_outputs
from gate.github.posting import PostingResult, post_results, posting_identity
from gate.github.pull import api_heads, load_pull_changeset
from gate.github.tighten import tighten, tighten_fail_on
from gate.intent.sources import LinkedIssues
from gate.provenance.pull_request import reads_label
from gate.report.github_view import PostContext, ReportView
from gate.report.links import BlobLinks, repo_url
from gate.run import EXIT_PASS, exit_code
from gate.schema.report import GitHubSection

REPORT_FILE = "report.json"
SARIF_FILE = "report.sarif"
TRACE_FILE = "trace.jsonl"
# New commits on a PR the gate has seen: review what changed since the state its summary comment holds.
INCREMENTAL_ACTIONS = ("synchronize",)
# The event that runs with a write token and the secrets for a fork's PR: read it through the API only.
API_ONLY_EVENTS = ("pull_request_target",)
API_ONLY_NOTE = (
    "pull_request_target: the PR was read through the GitHub API only; nothing from it was checked out or run"
)
HEAD_CHECKED_OUT_WARNING = (
    "the workspace has the PR's head checked out on pull_request_target, which hands the write token and "
    "the secrets to the PR's code; the gate did not use it. Remove that checkout (see SECURITY.md)"
)


def run_action(environ: Mapping[str, str]) -> int:
    env = ActionEnv.from_environ(environ)
    if env.event_name not in PR_EVENTS:
        event: PullRequestEvent | NotGated = read_event(env.event_name, {})
    else:
        event = read_event(env.event_name, load_payload(env.event_path))
    if isinstance(event, NotGated):
        return not_gated(env, event.reason)
    env.require_repository()
    if not env.token:
        raise InputError("no GitHub token", "pass the github-token input or set GITHUB_TOKEN")
    client = GitHubClient(env.api_url, env.token, env.repository)
    with _said_if_it_cannot_run(env, event):
        gated = _gate_pull(client, env, event, environ)
    if isinstance(gated, int):
        return gated
    view, paths, notes = gated.ctx.view, gated.paths, gated.notes
    result = post_results(client, gated.ctx, env.targets, step_summary=env.step_summary)
    _write_report(paths, view, event, env, notes, result)
    write_outputs(env.output_file, ActionOutputs.of(view, paths["report"], paths["sarif"], paths["trace"]))
    return exit_code(view.verdict, strict=False)


@dataclass(frozen=True)
class _Gated:
    """A PR the gate ran on, ready to post: where to post it, the report's files and the run's notes."""

    ctx: PostContext
    paths: dict[str, Path]
    notes: list[str]


@contextmanager
def _said_if_it_cannot_run(env: ActionEnv, event: PullRequestEvent) -> Iterator[None]:
    """Up to the posting: an error that stops the run (exit 2) is said on the PR, so that what the last
    run posted for an earlier head is not read as the verdict on this one (`could_not_run`)."""
    try:
        yield
    except Superseded as exc:
        # Nothing on the PR: its head is another commit, gated by a run of its own, whose summary comment
        # a line about this one would wrongly call stale; and the old head is no longer the PR's.
        say_superseded(env, exc)
        raise
    except Exception as exc:
        say_could_not_run(env, event.number, event.head_sha, exc)
        raise


def _gate_pull(
    client: GitHubClient, env: ActionEnv, event: PullRequestEvent, environ: Mapping[str, str]
) -> int | _Gated:
    """Everything before the posting: the config, the change, the gate's run and the report written;
    an exit code when the PR is not gated."""
    notes: list[str] = []
    workspace = readable_workspace(env, event, notes)
    base, config = gate_config(client, env, event, workspace, notes)
    config = _env_tightened(config, environ, notes)
    if event.label is not None and not reads_label(event.label, config.provenance):
        return not_gated(env, f"label '{event.label}' does not mark the PR as AI (provenance.ai_labels)")
    if event.draft and not config.gate.run_on_drafts:
        return not_gated(env, f"PR #{event.number} is a draft; set gate.run_on_drafts: true to gate drafts")
    changeset = load_pull_changeset(
        client, event, workspace, config.paths.ignore, default_ignore=config.paths.ignore_defaults
    )
    changed = {f.path for f in changeset.diff.files} | set(changeset.diff.ignored_paths)
    if (note := base.changed_note(changed)) is not None:
        notes.append(note)
    identity = posting_identity(client, notes)
    paths = _output_paths(env.output_dir)
    view = _gate(client, env, event, changeset, config, identity, paths["trace"], notes)
    _write_report(paths, view, event, env, notes, None)
    ctx = PostContext(
        view=view,
        number=event.number,
        head_sha=event.head_sha,
        diff=changeset.diff,
        report_link=env.run_url,
        notes=tuple(notes),
        identity=identity,
        links=BlobLinks.make(event.repo_url or repo_url(env.server_url, env.repository), event.head_sha),
    )
    return _Gated(ctx, paths, notes)


def _gate(
    client: GitHubClient,
    env: ActionEnv,
    event: PullRequestEvent,
    changeset: ChangeSet,
    config: Config,
    identity: str | None,
    trace_path: Path,
    notes: list[str],
) -> ReportView:
    """Run the gate on the PR: incrementally when new commits follow a run whose state is posted."""
    from gate.app import run_gate
    from gate.github.comment import previous_review
    from gate.github.issues import read_linked_issues
    from gate.report import json_v1

    previous = None
    if event.action in INCREMENTAL_ACTIONS:
        previous, note = previous_review(client, event.number, identity)
        if note is not None:
            notes.append(note)

    def linked() -> LinkedIssues:  # read only when the spec stage runs
        body = changeset.pr.body if changeset.pr else ""
        messages = [c.message for c in changeset.commits]
        return read_linked_issues(client, event.number, body, messages, server_url=env.server_url)

    outcome = run_gate(
        changeset,
        config,
        trace_path=trace_path,
        previous_review=previous,
        compare_heads=api_heads(client) if previous is not None else None,
        model_env=False,
        linked_issues=linked,
    )
    return json_v1.build(outcome)


def gate_config(
    client: GitHubClient, env: ActionEnv, event: PullRequestEvent, workspace: Path | None, notes: list[str]
) -> tuple[BaseConfig, Config]:
    """The base branch's config with the inputs applied as far as they tighten it; refusals are noted
    and shown as warnings on the run."""
    base = load_gate_config(client, workspace, event.base_sha, env.config, root=env.workspace)
    fail_on = tighten_fail_on(base.config, env.fail_on)
    refused = [*base.refused, *fail_on.notes]
    for note in refused:
        write_warning(note, sys.stdout)
    notes[:0] = [f"configuration: {base.source}", *refused]
    return base, fail_on.config


def _env_tightened(config: Config, environ: Mapping[str, str], notes: list[str]) -> Config:
    """The `AI_GATE_MODEL_*` overrides, held like inputs: on `pull_request` the workflow that sets them
    is the PR's own copy, so they may only make the base branch's config stricter."""
    held = tighten(config, with_env_overrides(config, environ), "the workflow's AI_GATE_MODEL_* variables")
    for note in held.notes:
        write_warning(note, sys.stdout)
    notes.extend(held.notes)
    return held.config


def readable_workspace(env: ActionEnv, event: PullRequestEvent, notes: list[str]) -> Path | None:
    """The workspace whose git the gate may read, or None for API-only (`pull_request_target`)."""
    if event.event_name not in API_ONLY_EVENTS:
        return env.workspace
    notes.append(API_ONLY_NOTE)
    if env.workspace is not None and any(_holds_the_pr(d, event) for d in _checkouts(env.workspace)):
        notes.append(HEAD_CHECKED_OUT_WARNING)
        write_warning(HEAD_CHECKED_OUT_WARNING, sys.stdout)
    return None


def _checkouts(workspace: Path) -> list[Path]:
    """The workspace and its subdirectories that hold a git checkout (actions/checkout's `path:` puts one
    a level down)."""
    try:
        children = sorted(child for child in workspace.iterdir() if child.is_dir())
    except OSError:
        return []
    return [d for d in (workspace, *children) if (d / ".git").exists()]


def _holds_the_pr(checkout: Path, event: PullRequestEvent) -> bool:
    """Whether a checkout holds the PR's code, however it was made: its HEAD, detached or a branch's tip,
    is the PR's head or its test merge commit, a commit with the head as a parent (a shallow checkout of
    `refs/pull/N/merge` when the event names an older merge commit, or none), or a descendant of the
    head. Git reads only refs and objects here (no work tree, index, hooks or filters), and a checkout it
    cannot read holds nothing to warn about."""
    try:
        git = Git.open(checkout)
        if git.root.resolve() != checkout.resolve():
            return False  # a repository around the directory, not a checkout in it
        commit = git.resolve("HEAD")
        if commit in (event.head_sha, event.merge_commit_sha):
            return True
        header = git.text("cat-file", "commit", commit).partition("\n\n")[0]
        if f"\nparent {event.head_sha}\n" in header + "\n":
            return True
        # The best common ancestor of the head and HEAD is the head itself when HEAD descends from it
        # (a branch checked out after the author pushed again); no output when git lacks the head.
        ancestor = git.run("merge-base", "--end-of-options", event.head_sha, commit, check=False)
    except GitError:
        return False
    return ancestor.decode("ascii", "replace").strip() == event.head_sha


def not_gated(env: ActionEnv, reason: str) -> int:
    """A neutral run that gates nothing: say why everywhere a person would look, exit 0."""
    write_notice(f"neutral: {reason}", sys.stdout)
    write_job_summary(env.step_summary, f"## ⚪ AI Quality Gate: **neutral**\n\n- {reason}\n")
    write_outputs(env.output_file, ActionOutputs())
    return EXIT_PASS


def _output_paths(output_dir: Path) -> dict[str, Path]:
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{output_dir}: cannot create the output directory: {exc.strerror or exc}") from None
    return {
        "report": output_dir / REPORT_FILE,
        "sarif": output_dir / SARIF_FILE,
        "trace": output_dir / TRACE_FILE,
    }


def github_section(
    event: PullRequestEvent, env: ActionEnv, notes: list[str], result: PostingResult | None
) -> GitHubSection:
    return GitHubSection(
        repository=env.repository,
        pull_request=event.number,
        head_sha=event.head_sha,
        base_sha=event.base_sha,
        event=event.event_name,
        run_url=env.run_url,
        notes=tuple(notes),
        posted=result.posted if result else (),
        post_failures=result.failures if result else (),
        read_only_token=result.read_only if result else False,
    )


def _write_report(
    paths: Mapping[str, Path],
    view: ReportView,
    event: PullRequestEvent,
    env: ActionEnv,
    notes: list[str],
    result: PostingResult | None,
) -> None:
    from gate.report.json_v1 import render_report as render_json
    from gate.report.sarif import render_report

    full = view.model_copy(update={"github": github_section(event, env, notes, result)})
    try:
        # Written before posting, so that a posting failure loses nothing, and again with what was
        # posted; the SARIF does not depend on posting, so it is written once.
        paths["report"].write_text(render_json(full), encoding="utf-8")
        if result is None:
            paths["sarif"].write_text(render_report(view), encoding="utf-8")
    except OSError as exc:
        raise GateError(f"cannot write the report: {exc}") from None
