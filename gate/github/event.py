"""The event that started the workflow: a pull request to gate, or a reason not to gate anything."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gate.context.model import PullRequestInfo
from gate.errors import GitHubError, InputError

if TYPE_CHECKING:  # PyGithub loads only where the API is called
    from gate.github.client import GitHubClient

PR_EVENTS = ("pull_request", "pull_request_target")
# Actions that always gate the head: it is new, or the PR is open for review again.
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
# Actions that gate the head only when they change what the gate reads. A check run and a commit status
# sit on the head commit, and branch protection reads them whatever base the PR targets and whatever
# labels it carries, so a verdict reached against a lax base, or before a label marked the PR as AI,
# would otherwise stand: `edited` gates when it changes the base branch (and with it the config),
# `labeled`/`unlabeled` when the label is one provenance reads (the Action decides, once the config is
# known: `PullRequestEvent.label`).
BASE_CHANGE_ACTION = "edited"
LABEL_ACTIONS = ("labeled", "unlabeled")


@dataclass(frozen=True)
class PullRequestEvent:
    event_name: str
    action: str
    number: int
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    draft: bool
    title: str
    body: str
    author_login: str
    labels: tuple[str, ...]
    changed_files: int | None
    commit_count: int | None
    # The base repository's web address as the event gives it (`base.repo.html_url`): the server the
    # event names, GitHub Enterprise Server included; "" when the payload has none.
    repo_url: str = ""
    # The label a `labeled`/`unlabeled` event adds or takes off; None for other actions, and when the
    # payload names none (then the event is gated, as the label cannot be told).
    label: str | None = None
    # The test merge commit GitHub made for the PR (`merge_commit_sha`); "" when it has none yet.
    merge_commit_sha: str = ""

    def info(self, commit_logins: Mapping[str, str] | None = None) -> PullRequestInfo:
        return PullRequestInfo(
            number=self.number,
            title=self.title,
            body=self.body,
            author_login=self.author_login,
            labels=self.labels,
            head_branch=self.head_ref,
            base_branch=self.base_ref,
            head_sha=self.head_sha,
            base_sha=self.base_sha,
            draft=self.draft,
            commit_logins=dict(commit_logins or {}),
        )


@dataclass(frozen=True)
class NotGated:
    """The event is not one the gate runs on; the run ends neutral, saying why."""

    reason: str


def load_payload(path: Path | None) -> dict[str, Any]:
    if path is None:
        raise InputError(
            "GITHUB_EVENT_PATH is not set", "run inside GitHub Actions, or set it to an event JSON file"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the event payload: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: the event payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the event payload is not a JSON object")
    return data


def read_event(event_name: str, payload: Mapping[str, Any]) -> PullRequestEvent | NotGated:
    if event_name not in PR_EVENTS:
        shown = event_name or "(GITHUB_EVENT_NAME unset)"
        return NotGated(
            f"event '{shown}' is not a pull request; the gate runs on pull_request and pull_request_target"
        )
    action = str(payload.get("action", ""))
    if action == BASE_CHANGE_ACTION:
        changes = payload.get("changes")
        if not (isinstance(changes, dict) and "base" in changes):
            return NotGated(f"pull request action '{action}' does not change the base branch")
    elif action and action not in (*PR_ACTIONS, *LABEL_ACTIONS):
        gated = ", ".join((*PR_ACTIONS, *LABEL_ACTIONS, BASE_CHANGE_ACTION))
        return NotGated(f"pull request action '{action}' is not gated (only {gated})")
    event = pull_request_from(payload.get("pull_request"), event_name, action)
    if action in LABEL_ACTIONS:
        event = replace(event, label=_label_name(payload.get("label")))
    return event


def pull_request_from(pr: object, event_name: str = "", action: str = "") -> PullRequestEvent:
    """A PR object as GitHub's REST and webhook payloads share it."""
    if not isinstance(pr, dict):
        raise InputError("the event payload has no pull_request object")
    try:
        head, base = pr["head"], pr["base"]
        number = int(pr["number"])
        head_sha, base_sha = str(head["sha"]), str(base["sha"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the pull_request in the event payload lacks {exc}") from None
    return PullRequestEvent(
        event_name=event_name,
        action=action,
        number=number,
        head_sha=head_sha,
        base_sha=base_sha,
        head_ref=str(head.get("ref") or ""),
        base_ref=str(base.get("ref") or ""),
        draft=bool(pr.get("draft", False)),
        title=str(pr.get("title") or ""),
        body=str(pr.get("body") or ""),
        author_login=_login(pr.get("user")),
        labels=tuple(
            str(lb["name"]) for lb in pr.get("labels") or () if isinstance(lb, dict) and "name" in lb
        ),
        changed_files=_int(pr.get("changed_files")),
        commit_count=_int(pr.get("commits")),
        repo_url=_repo_url(base.get("repo")),
        merge_commit_sha=str(pr.get("merge_commit_sha") or ""),
    )


class Superseded(GitHubError):
    """The PR's head is no longer the commit a run is for. What GitHub serves for the PR (its diff, files
    and commits) follows the head, so it is another commit's change; and the PR's summary comment is the
    newer head's. The run for the newer head gates it."""

    kind = "superseded"


def require_head(client: GitHubClient, number: int, head_sha: str, *, what: str) -> None:
    """Raise Superseded unless PR `number`'s head is `head_sha` now; `what`, what is therefore not done."""
    now = pull_request_from(client.pull(number)).head_sha
    if now != head_sha:
        raise Superseded(
            f"PR #{number}'s head is now {now[:12]}, not {head_sha[:12]}, the commit this run is for: {what}",
            "the run for the new head gates it",
        )


def _label_name(label: object) -> str | None:
    name = label.get("name") if isinstance(label, dict) else None
    return name if isinstance(name, str) else None


def _repo_url(repo: object) -> str:
    url = repo.get("html_url") if isinstance(repo, dict) else None
    return url if isinstance(url, str) else ""


def _login(user: object) -> str:
    return str(user.get("login") or "") if isinstance(user, dict) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
