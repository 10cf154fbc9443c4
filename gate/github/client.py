"""A thin wrapper over PyGithub: the REST calls the gate makes, with retries and typed errors.

PyGithub's own urllib3 retry is switched off (`retry=None`) and its request throttling too: tenacity
retries here, once per call, on 5xx, connection errors and primary/secondary rate limits, waiting as
long as `Retry-After` or `X-RateLimit-Reset` say. Only this module sees PyGithub types; everything it
returns is a plain frozen value.
"""

from __future__ import annotations

import base64
import os
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException
from github.Commit import Commit as GhCommit
from github.File import File as GhFile
from github.IssueComment import IssueComment
from github.PaginatedList import PaginatedList
from github.PullRequestComment import PullRequestComment
from tenacity import RetryCallState, Retrying, retry_if_exception

from gate.errors import GitHubError
from gate.github import limits

T = TypeVar("T")

# The statuses GitHub answers a rate-limited request with (primary: 403, secondary: 403 or 429).
# https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
_RATE_LIMITED = (HTTPStatus.FORBIDDEN, HTTPStatus.TOO_MANY_REQUESTS)

DEFAULT_API_URL = "https://api.github.com"
DIFF_MEDIA_TYPE = "application/vnd.github.v3.diff"
# REST `GET /user` answers 403 to an installation token (the Actions GITHUB_TOKEN is one); GraphQL's
# `viewer` names the identity of every kind of token: `<app>[bot]` for an app, the login for a user.
VIEWER_QUERY = "query { viewer { login } }"
REQUEST_TIMEOUT_SECONDS = 30
# The issues a PR will close when merged, as GitHub links them (keywords, and the sidebar's links). The
# gate's own bound, not GitHub's (a connection returns up to 100 a page): it bounds the issue text the
# spec check reads into its prompts (each issue up to `gate.intent.sources.MAX_ISSUE_CHARS`).
CLOSING_ISSUES_MAX = 20
CLOSING_ISSUES_QUERY = (
    "query($owner: String!, $name: String!, $number: Int!) { repository(owner: $owner, name: $name) "
    f"{{ pullRequest(number: $number) {{ closingIssuesReferences(first: {CLOSING_ISSUES_MAX}) "
    "{ nodes { number repository { nameWithOwner } } } } } }"
)


class GitHubForbidden(GitHubError):
    """A 403 that is not a rate limit: the token may not do this (a fork PR's read-only token)."""

    kind = "github permission"


class GitHubNotFound(GitHubError):
    kind = "github not found"


class GitHubUnprocessable(GitHubError):
    """422: GitHub understood the request and refused it (e.g. a review comment outside the diff)."""

    kind = "github rejected"


class DiffTooLarge(GitHubError):
    """406 on the diff media type: past 300 files or 20,000 lines GitHub will not render the diff."""

    kind = "github diff too large"


@dataclass(frozen=True)
class PullFile:
    path: str
    status: str
    previous_path: str | None
    patch: str | None
    additions: int
    deletions: int
    sha: str = ""  # the file's blob at the listed commit (its last blob for a removed file)


@dataclass(frozen=True)
class RepoFile:
    """A file as the contents API answers it: its blob's name, its size, and its bytes when the answer
    carries them (a file up to 1 MB; past that `data` is None and the blob holds them)."""

    sha: str
    size: int
    data: bytes | None


@dataclass(frozen=True)
class PullCommit:
    sha: str
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    message: str
    parents: tuple[str, ...]
    author_login: str
    tree: str = ""  # the commit's tree: a commit whose tree is its parent's changes no file


@dataclass(frozen=True)
class IssueText:
    """An issue as the REST API gives it; `is_pull` when the number is a pull request (they are issues
    too on GitHub's side)."""

    repository: str
    number: int
    title: str
    body: str
    state: str
    is_pull: bool


@dataclass(frozen=True)
class PostedComment:
    id: int
    body: str
    path: str = ""
    # A review comment's lines as GitHub places them on the PR's head now; None once they changed
    # (GitHub shows the comment as outdated).
    line: int | None = None
    user_login: str = ""
    start_line: int | None = None
    # Where a review comment was posted (at its original commit): GitHub keeps these once it shows the
    # comment as outdated and gives it no `line`.
    original_line: int | None = None
    original_start_line: int | None = None


_CLIENTS: weakref.WeakSet[GitHubClient] = weakref.WeakSet()


def _forget_connections_in_child() -> None:
    for client in list(_CLIENTS):
        client._forget_connections_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_connections_in_child)


class GitHubClient:
    """The REST calls of one repository. Constructing it does no I/O."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: int = REQUEST_TIMEOUT_SECONDS,
    ):
        self.api_url = api_url.rstrip("/") or DEFAULT_API_URL
        self.repository = repository
        self._gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=self.api_url,
            timeout=timeout,
            per_page=limits.PER_PAGE_MAX,
            # Retries happen once, in `_call`, where Retry-After is honoured; not again inside urllib3.
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=False,
        )
        self._requester = self._gh.requester
        self._repo_url = f"{self.api_url}/repos/{repository}"
        self._sleep = sleep
        _CLIENTS.add(self)

    def _forget_connections_in_child(self) -> None:
        """In a forked child (`gate.worker`, whose stages may read files through the API): let go of the
        parent's open connections, so that the child's requests go over its own. Two processes writing
        requests on one connection read each other's answers. Closing the child's copy of a socket
        leaves the parent's connection open."""
        self._gh.close()

    # -- reading -------------------------------------------------------------------------------------

    def viewer_login(self) -> str:
        """The login everything this token posts is written by (`github-actions[bot]` for GITHUB_TOKEN)."""
        _, data = self._call(
            "tell which account the token posts as", lambda: self._requester.graphql_query(VIEWER_QUERY, {})
        )
        viewer = (data.get("data") or {}).get("viewer") or {}
        login = viewer.get("login") if isinstance(viewer, dict) else None
        if not isinstance(login, str) or not login:
            raise GitHubError("cannot tell which account the token posts as: GitHub named none")
        return login

    def pull(self, number: int) -> Mapping[str, Any]:
        """The PR as GitHub's JSON (head, base, user, labels, draft, counts)."""
        _, data = self._call(f"read PR #{number}", lambda: self._json("GET", f"/pulls/{number}"))
        return dict(data)

    def pull_diff(self, number: int) -> str:
        """The PR's unified diff (merge base .. head). Raises DiffTooLarge on GitHub's 406."""

        def fetch() -> str:
            _, data = self._requester.requestJsonAndCheck(
                "GET", f"{self._repo_url}/pulls/{number}", headers={"Accept": DIFF_MEDIA_TYPE}
            )
            if data is None:
                return ""
            if not isinstance(data, dict) or not isinstance(data.get("data"), str):
                raise GitHubError(f"the diff of PR #{number} is not text")
            return str(data["data"])

        return self._call(f"read the diff of PR #{number}", fetch)

    def pull_files(self, number: int) -> list[PullFile]:
        pages = PaginatedList(GhFile, self._requester, f"{self._repo_url}/pulls/{number}/files", None)
        return [_file(f) for f in self._call(f"list the files of PR #{number}", lambda: list(pages))]

    def pull_commits(self, number: int) -> list[PullCommit]:
        pages = PaginatedList(GhCommit, self._requester, f"{self._repo_url}/pulls/{number}/commits", None)
        return [_commit(c) for c in self._call(f"list the commits of PR #{number}", lambda: list(pages))]

    def commit_files(self, sha: str) -> list[PullFile]:
        """The files (with patches) one commit changed, every page of them: GitHub lists 300 a page, and
        at most `limits.COMMIT_FILES_MAX` in all."""
        pages = PaginatedList(
            GhFile,
            self._requester,
            f"{self._repo_url}/commits/{sha}",
            {"per_page": limits.COMMIT_FILES_PER_PAGE},
            list_item="files",
        )
        return [_file(f) for f in self._call(f"read commit {sha[:12]}", lambda: list(pages))]

    def compare(self, base: str, head: str) -> tuple[str, list[PullFile]]:
        """How `head` relates to `base` (`ahead`, `identical`, `behind`, `diverged`) and the files (with
        patches) that differ; GitHub lists at most 300 files on the first page."""
        _, data = self._call(
            f"compare {base[:12]} with {head[:12]}", lambda: self._json("GET", f"/compare/{base}...{head}")
        )
        return str(data.get("status", "")), [_pull_file(f) for f in data.get("files", [])]

    def _file(self, path: str, ref: str) -> dict[str, Any] | None:
        """The contents API's answer for a file at `ref`; None when absent or not a file."""
        try:
            _, data = self._call(
                f"read {path} at {ref[:12]}",
                lambda: self._json("GET", f"/contents/{_quote_path(path)}", parameters={"ref": ref}),
            )
        except GitHubNotFound:
            return None
        return data if isinstance(data, dict) and data.get("type") == "file" else None

    def file(self, path: str, ref: str) -> RepoFile | None:
        """A file at `ref`; None when absent or not a file. The contents API gives the content of a file
        up to 1 MB; past that it names the blob, read through `blob` (the Git database API, up to 100 MB)."""
        data = self._file(path, ref)
        if data is None or not isinstance(data.get("size"), int):
            return None
        size = int(data["size"])
        sha = data.get("sha")
        sha = sha if isinstance(sha, str) else ""
        if data.get("encoding") == "base64" and (data.get("content") or size == 0):
            return RepoFile(sha, size, _base64(str(data.get("content", "")), f"{path} at {ref[:12]}"))
        if not sha:
            raise GitHubError(
                f"cannot read {path} at {ref[:12]}: GitHub gave neither its content nor its blob"
            )
        return RepoFile(sha, size, None)

    def blob(self, sha: str) -> bytes:
        """A blob's bytes through the Git database API, which answers them base64-encoded."""
        _, data = self._call(f"read blob {sha[:12]}", lambda: self._json("GET", f"/git/blobs/{sha}"))
        if not isinstance(data, dict) or data.get("encoding") != "base64":
            raise GitHubError(f"cannot read blob {sha[:12]}: GitHub did not answer it base64-encoded")
        return _base64(str(data.get("content", "")), f"blob {sha[:12]}")

    def tree_paths(self, sha: str) -> tuple[str, ...]:
        _, data = self._call(
            f"list the files at {sha[:12]}",
            lambda: self._json("GET", f"/git/trees/{sha}", parameters={"recursive": "1"}),
        )
        return tuple(e["path"] for e in data.get("tree", []) if e.get("type") == "blob")

    def issue(self, number: int, repository: str = "") -> IssueText:
        """An issue's title and body; `repository` (owner/name) defaults to this one. GitHub answers 404
        for a repository the token cannot read, as for one that does not exist."""
        repo = repository or self.repository
        url = f"{self.api_url}/repos/{quote(repo, safe='/')}/issues/{number}"
        _, data = self._call(
            f"read issue {repo}#{number}", lambda: self._requester.requestJsonAndCheck("GET", url)
        )
        data = data or {}
        return IssueText(
            repository=repo,
            number=int(data.get("number", number)),
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            state=str(data.get("state") or ""),
            is_pull=data.get("pull_request") is not None,
        )

    def closing_issues(self, number: int) -> list[tuple[str, int]]:
        """(owner/name, number) of the issues GitHub links to PR `number` as closed by it, through
        GraphQL's `closingIssuesReferences` (keywords and links made by hand in the sidebar)."""
        owner, _, name = self.repository.partition("/")
        variables = {"owner": owner, "name": name, "number": number}
        _, data = self._call(
            f"list the issues PR #{number} closes",
            lambda: self._requester.graphql_query(CLOSING_ISSUES_QUERY, variables),
        )
        pull = ((data.get("data") or {}).get("repository") or {}).get("pullRequest") or {}
        nodes = (pull.get("closingIssuesReferences") or {}).get("nodes") or []
        out = []
        for node in nodes:
            if isinstance(node, dict) and isinstance(node.get("number"), int):
                repo = (node.get("repository") or {}).get("nameWithOwner") or self.repository
                out.append((str(repo), int(node["number"])))
        return out

    def review_comments(self, number: int) -> list[PostedComment]:
        pages = PaginatedList(
            PullRequestComment, self._requester, f"{self._repo_url}/pulls/{number}/comments", None
        )
        items = self._call(f"list the review comments of PR #{number}", lambda: list(pages))
        return [
            PostedComment(
                c.id,
                c.body or "",
                c.path or "",
                c.line,
                (c.user.login if c.user else "") or "",
                start_line=c.start_line,
                original_line=c.original_line,
                original_start_line=c.original_start_line,
            )
            for c in items
        ]

    def issue_comments(self, number: int) -> list[PostedComment]:
        pages = PaginatedList(
            IssueComment, self._requester, f"{self._repo_url}/issues/{number}/comments", None
        )
        items = self._call(f"list the comments of PR #{number}", lambda: list(pages))
        return [
            PostedComment(c.id, c.body or "", user_login=(c.user.login if c.user else "") or "")
            for c in items
        ]

    # -- writing -------------------------------------------------------------------------------------

    def create_check_run(self, body: Mapping[str, Any]) -> int:
        _, data = self._call("create the check run", lambda: self._json("POST", "/check-runs", body))
        return int(data["id"])

    def update_check_run(self, check_run_id: int, body: Mapping[str, Any]) -> None:
        self._call("update the check run", lambda: self._json("PATCH", f"/check-runs/{check_run_id}", body))

    def create_status(self, sha: str, body: Mapping[str, Any]) -> None:
        self._call("set the commit status", lambda: self._json("POST", f"/statuses/{sha}", body))

    def create_review(self, number: int, body: Mapping[str, Any]) -> int:
        _, data = self._call("post the review", lambda: self._json("POST", f"/pulls/{number}/reviews", body))
        return int(data.get("id", 0))

    def create_issue_comment(self, number: int, body: str) -> int:
        _, data = self._call(
            "post the summary comment",
            lambda: self._json("POST", f"/issues/{number}/comments", {"body": body}),
        )
        return int(data["id"])

    def edit_issue_comment(self, comment_id: int, body: str) -> None:
        self._call(
            "edit the summary comment",
            lambda: self._json("PATCH", f"/issues/comments/{comment_id}", {"body": body}),
        )

    # -- plumbing ------------------------------------------------------------------------------------

    def _json(
        self,
        verb: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Any]:
        headers, data = self._requester.requestJsonAndCheck(
            verb,
            f"{self._repo_url}{path}",
            parameters=parameters,
            input=_redacted_body(body) if body is not None else None,
        )
        return headers, data if data is not None else {}

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        retrying = Retrying(
            retry=retry_if_exception(_retryable),
            stop=_stop,
            wait=_wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return fn()
        except GithubException as exc:
            raise _translate(what, exc) from None
        except requests.RequestException as exc:
            raise GitHubError(
                f"cannot {what}: {type(exc).__name__}: {exc}", f"check that {self.api_url} is reachable"
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")


# Fields GitHub reads as identifiers, not text: commits, the values GitHub takes from a fixed set, and
# the gate's own names and times. The run's memory of secrets holds values a PR wrote
# (`DB_PASSWORD=failure`): redacted here, `"conclusion": "failure"` would make GitHub refuse the check
# run and the status, and what was found would not be posted at all.
_IDENTIFIER_FIELDS = frozenset(
    {
        "head_sha",
        "commit_id",
        "sha",
        "side",
        "start_side",
        "annotation_level",
        "conclusion",
        "status",
        "state",
        "event",
        "name",
        "context",
        "completed_at",
        "details_url",
        "target_url",
    }
)


def _redacted_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """What is written to GitHub, with every secret redacted: the last door out for posted text. The
    identifier fields (`_IDENTIFIER_FIELDS`), at any depth, are written as they are. A file's path is
    one too, and is never sent redacted (`[REDACTED]/api.py` is no file of the PR, and GitHub refuses
    the whole review over it): a comment or an annotation on a path that holds a secret, or a value the
    run remembered, is left out of the request; the summary still names the finding, redacted."""
    from gate.redact import redact_tree

    return dict(_identifiers_kept(body, redact_tree(dict(body))))


def _identifiers_kept(sent: Any, redacted: Any) -> Any:
    """`redacted` with the identifier fields' values of `sent` put back, and the items placed on a path
    redaction changed left out (the two have the same shape: redaction changes strings, never the
    request's own keys)."""
    if isinstance(sent, Mapping) and isinstance(redacted, Mapping):
        return {
            key: value if key in _IDENTIFIER_FIELDS else _identifiers_kept(value, hidden)
            for (key, value), hidden in zip(sent.items(), redacted.values(), strict=True)
        }
    if isinstance(sent, list) and isinstance(redacted, list):
        return [
            _identifiers_kept(value, hidden)
            for value, hidden in zip(sent, redacted, strict=True)
            if not (
                isinstance(value, Mapping)
                and isinstance(hidden, Mapping)
                and value.get("path") != hidden.get("path")
            )
        ]
    return redacted


def _base64(content: str, what: str) -> bytes:
    # GitHub wraps base64 content in lines of 60 characters; the decoder skips the newlines.
    try:
        return base64.b64decode(content)
    except ValueError:
        raise GitHubError(f"cannot read {what}: its content is not base64") from None


def _quote_path(path: str) -> str:
    return quote(path, safe="/")


def _file(f: GhFile) -> PullFile:
    return _pull_file(f.raw_data)


def _commit(c: GhCommit) -> PullCommit:
    # Attributes, not `raw_data`: reading raw_data makes PyGithub fetch each commit again.
    detail = c.commit
    author, committer = detail.author, detail.committer
    return PullCommit(
        sha=c.sha,
        author_name=(author.name if author else "") or "",
        author_email=(author.email if author else "") or "",
        committer_name=(committer.name if committer else "") or "",
        committer_email=(committer.email if committer else "") or "",
        message=detail.message or "",
        parents=tuple(p.sha for p in c.parents or ()),
        author_login=(c.author.login if c.author else "") or "",
        tree=detail.tree.sha or "",
    )


def _headers(exc: GithubException) -> Mapping[str, str]:
    return {k.lower(): str(v) for k, v in (exc.headers or {}).items()}


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        msg = str(data.get("message", ""))
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = [e if isinstance(e, str) else e.get("message") or e.get("code", "") for e in errors]
            msg += " (" + "; ".join(str(d) for d in details if d) + ")"
        return msg
    return str(data or "")


def _rate_limit_wait(exc: GithubException) -> float | None:
    """Seconds to wait when this is a primary or secondary rate limit, else None."""
    if exc.status not in _RATE_LIMITED:
        return None
    headers = _headers(exc)
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return limits.SECONDARY_RATE_LIMIT_DEFAULT_WAIT_SECONDS
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time()) + 1.0
        except ValueError:
            return limits.SECONDARY_RATE_LIMIT_DEFAULT_WAIT_SECONDS
    if "rate limit" in _message(exc).lower():
        return limits.SECONDARY_RATE_LIMIT_DEFAULT_WAIT_SECONDS
    return None


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return True
    if isinstance(exc, GithubException):
        return exc.status >= HTTPStatus.INTERNAL_SERVER_ERROR or _rate_limit_wait(exc) is not None
    return False


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, GithubException):
        wait = _rate_limit_wait(exc)
        if wait is not None:
            return wait
    return float(min(8, 0.5 * 2 ** (state.attempt_number - 1)))


def _stop(state: RetryCallState) -> bool:
    if state.attempt_number >= limits.RETRY_ATTEMPTS:
        return True
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, GithubException):
        wait = _rate_limit_wait(exc)
        return wait is not None and wait > limits.MAX_RATE_LIMIT_WAIT_SECONDS
    return False


def _translate(what: str, exc: GithubException) -> GitHubError:
    msg = _message(exc) or f"HTTP {exc.status}"
    text = f"cannot {what}: HTTP {exc.status}: {msg}"
    if exc.status == HTTPStatus.UNAUTHORIZED:
        return GitHubError(text, "check the github-token input (or GITHUB_TOKEN)")
    if exc.status in _RATE_LIMITED and _rate_limit_wait(exc) is not None:
        return GitHubError(text, "the GitHub API rate limit was reached; re-run later")
    if exc.status == HTTPStatus.FORBIDDEN:
        return GitHubForbidden(
            text, "the token may not write here; give the workflow the permissions it needs"
        )
    if exc.status == HTTPStatus.NOT_FOUND:
        return GitHubNotFound(text)
    if exc.status == HTTPStatus.NOT_ACCEPTABLE:
        return DiffTooLarge(text)
    if exc.status == HTTPStatus.UNPROCESSABLE_ENTITY:
        return GitHubUnprocessable(text)
    return GitHubError(text)


def iter_batches(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pull_file(f: Mapping[str, Any]) -> PullFile:
    return PullFile(
        path=f["filename"],
        status=f.get("status", "modified"),
        previous_path=f.get("previous_filename"),
        patch=f.get("patch"),
        additions=int(f.get("additions", 0)),
        deletions=int(f.get("deletions", 0)),
        sha=str(f.get("sha") or ""),
    )
