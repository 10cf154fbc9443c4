"""What `ai-gate github` leaves on the PR when it could not run (exit 2): without it, the PR would go on
showing the verdict on its previous head (a pass, perhaps) for a head the gate never judged.

Where the run would have posted: a check run `AI Quality Gate` on the head that concludes `failure`
(branch protection reads `neutral` as passing, and a gate that judged nothing fails closed), a commit
status `error`, a line at the top of the summary comment saying it is for an earlier commit, and the
job summary. Best effort and bounded: short timeouts, a few seconds of waiting in all, and nothing more
once GitHub refuses one request; the exit code and the error line stay what they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gate.errors import GateError, GitHubError
from gate.github import limits
from gate.github.client import GitHubClient
from gate.github.comment import mark_stale
from gate.github.environment import ActionEnv, Target
from gate.github.event import Superseded
from gate.github.outputs import write_job_summary
from gate.github.text import one_line, sanitize, truncate
from gate.redact import redact_error
from gate.report.github_view import GATE

# The bounds of this best effort: each request, and the waits between attempts, in all.
REQUEST_TIMEOUT_SECONDS = 10
WAIT_SECONDS_IN_ALL = 2.0
REASON_MAX_CHARS = 1_000


class _OutOfPatience(Exception):
    """A retry would wait longer than the time this best effort has left."""


class _Patience:
    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def __call__(self, seconds: float) -> None:
        if seconds > self.left:
            raise _OutOfPatience
        self.left -= seconds
        time.sleep(seconds)


def reason_of(error: Exception) -> str:
    """What the CLI's error line says of `error`, as far as it can be told here, one line, redacted."""
    said = error.one_line() if isinstance(error, GateError) else f"internal error: {type(error).__name__}"
    return redact_error(one_line(said.removeprefix("ai-gate: ")))


def say_could_not_run(env: ActionEnv, number: int, head_sha: str, error: Exception) -> list[str]:
    """Post, where the run would have, that it could not run on `head_sha`; what was done."""
    reason = reason_of(error)
    done = ["job summary"] if _say_in_summary(env, "could not run", reason) else []
    client = GitHubClient(
        env.api_url,
        env.token,
        env.repository,
        sleep=_Patience(WAIT_SECONDS_IN_ALL),
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    steps: list[tuple[Target, Callable[[], str]]] = [
        (Target.CHECK, lambda: _check_run(client, head_sha, reason, env.run_url)),
        (Target.STATUS, lambda: _status(client, head_sha, reason, env.run_url)),
        (Target.COMMENT, lambda: mark_stale(client, number, client.viewer_login(), head_sha, reason)),
    ]
    for target, step in steps:
        if target not in env.targets:
            continue
        try:
            done.append(step())
        except (GitHubError, _OutOfPatience):
            break  # GitHub is failing this run: no more requests
    return done


def say_superseded(env: ActionEnv, error: Superseded) -> None:
    """Say in the job summary alone that the PR's head moved on from the run's (`Superseded`)."""
    _say_in_summary(env, "superseded", reason_of(error))


def _say_in_summary(env: ActionEnv, outcome: str, reason: str) -> bool:
    """Write the run's outcome and why to the job summary; whether it was written. One that cannot be
    written is left: the job's log has the error line all the same."""
    try:
        said = f"## ⚠️ {GATE.check_name}: **{outcome}**\n\n- {sanitize(reason)}\n"
        return Target.SUMMARY in env.targets and write_job_summary(env.step_summary, said)
    except GateError:
        return False


def _check_run(client: GitHubClient, head_sha: str, reason: str, run_url: str | None) -> str:
    why = sanitize(reason, REASON_MAX_CHARS)
    summary = (
        f"The gate could not run on this commit, so nothing in it was checked: {why}\n\n"
        "Re-run the workflow; until a run finishes, this change has no verdict."
    )
    body: dict[str, Any] = {
        "name": GATE.check_name,
        "head_sha": head_sha,
        "status": "completed",
        "conclusion": "failure",
        "completed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "output": {
            "title": truncate(f"{GATE.check_name}: could not run", limits.CHECK_ANNOTATION_TITLE_MAX_CHARS),
            "summary": summary,
        },
    }
    if run_url:
        body["details_url"] = run_url
    client.create_check_run(body)
    return "check run: could not run"


def _status(client: GitHubClient, head_sha: str, reason: str, run_url: str | None) -> str:
    body: dict[str, Any] = {
        "state": "error",
        "context": GATE.status_context,
        "description": truncate(f"could not run: {reason}", limits.STATUS_DESCRIPTION_MAX_CHARS),
    }
    if run_url:
        body["target_url"] = run_url
    client.create_status(head_sha, body)
    return "commit status error"
