"""A loopback GitHub REST server for tests, strict where GitHub is strict.

1. Every request is checked against the committed subset of GitHub's official OpenAPI description
   (tests/fakes/openapi/, from @octokit/openapi): the operation must exist, path and query parameters
   must have the declared types, and a JSON body must match the request schema (with `nullable`
   understood and unknown properties refused). An invalid request is answered 422 and recorded in
   `invalid`, and the fixture fails the test.
2. GitHub's rules: 422 for a review comment on a line outside the diff (or a range across hunks),
   422 for more than 50 annotations in one request and for a status description past 140 characters,
   422 for a check run's summary past 65,535 bytes of UTF-8 (GitHub counts bytes, not characters),
   403 for writes in read-only mode, 406 for the diff media type past 300 files or 20,000 lines,
   pagination with Link headers (per_page at most 100), the files list cut at 3,000 and commits at 250,
   a commit's files 300 a page and cut at 3,000,
   a file's content past 1 MB only through its blob, and rate-limit or 5xx answers on demand.
3. Who a token is: an installation token (`ghs_...`, what the Actions GITHUB_TOKEN is) authenticates
   as its app's bot, `github-actions[bot]`; any other token as the user `tokens` maps it to (or
   `token-owner`). Comments are written by that identity, only their author may edit them, and the
   GraphQL endpoint answers `viewer { login }` with it, as GitHub does for both kinds of token (REST
   `GET /user` refuses installation tokens, so the GraphQL viewer is how a token learns who it is).

It stores what was posted so tests can assert on it.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jsonschema
from unidiff import PatchSet

from tests.fakes.loopback import LoopbackServer

SPEC_PATH = Path(__file__).parent / "openapi" / "api.github.com.subset.json"
DIFF_MEDIA_TYPE = "application/vnd.github.v3.diff"
MAX_ANNOTATIONS = 50
MAX_STATUS_DESCRIPTION = 140
MAX_COMMENT_BODY = 65_536
# "summary exceeds a maximum bytesize of 65535": the documentation says characters, GitHub counts bytes.
MAX_CHECK_SUMMARY_BYTES = 65_535
DIFF_MAX_FILES = 300
DIFF_MAX_LINES = 20_000
FILES_MAX = 3_000
COMMITS_MAX = 250
PER_PAGE_MAX = 100
# A commit's files: "If there are more than 300 files in the commit diff ... the response will include
# pagination link headers for the remaining files, up to a limit of 3000 files. Each page contains the
# static commit information, and the only changes are to the file listing." (GET a commit; 300 a page
# is also the most a page holds.)
COMMIT_FILES_PER_PAGE = 300
# The contents API gives a file's content up to 1 MB; past that `content` is "" and `encoding` "none", and
# the blob API serves it. https://docs.github.com/rest/repos/contents#get-repository-content
CONTENTS_MAX_BYTES = 1024 * 1024
BASE64_LINE = 60  # GitHub wraps base64 content in lines of 60 characters
BOT_LOGIN = "github-actions[bot]"
INSTALLATION_TOKEN_PREFIX = "ghs_"
DEFAULT_USER_LOGIN = "token-owner"
# The GraphQL queries the gate sends; anything else is a request this fake does not know.
VIEWER_QUERY = re.compile(r"^\s*(?:query\b\s*\w*\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$")
CLOSING_ISSUES_QUERY = re.compile(
    r"^\s*query\s*\(\s*\$owner:\s*String!,\s*\$name:\s*String!,\s*\$number:\s*Int!\s*\)\s*\{\s*"
    r"repository\(owner:\s*\$owner,\s*name:\s*\$name\)\s*\{\s*pullRequest\(number:\s*\$number\)\s*\{\s*"
    r"closingIssuesReferences\(first:\s*(?P<first>\d+)\)\s*\{\s*nodes\s*\{\s*number\s+repository\s*"
    r"\{\s*nameWithOwner\s*\}\s*\}\s*\}\s*\}\s*\}\s*\}\s*$"
)


# -- the OpenAPI subset -----------------------------------------------------------------------------


def _openapi_to_jsonschema(node: Any, closed: bool = True) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null type; plain objects are closed."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n, closed) for n in node]
    if not isinstance(node, dict):
        return node
    composed = any(k in node for k in ("allOf", "anyOf", "oneOf"))
    out = {}
    for key, value in node.items():
        if key in ("allOf", "anyOf", "oneOf"):
            out[key] = _openapi_to_jsonschema(value, closed=False)
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: _openapi_to_jsonschema(v, True) for k, v in value.items()}
        elif key in ("example", "examples", "description"):
            continue
        else:
            out[key] = _openapi_to_jsonschema(value, True)
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if closed and not composed and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    params: list[dict[str, Any]]
    body_schema: dict[str, Any] | None
    body_required: bool


class Spec:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        doc = json.loads(path.read_text())
        self.version = doc["info"].get("x-subset-of", "")
        components = _openapi_to_jsonschema(doc["components"])
        self._components = components
        self.operations: list[Operation] = []
        for template, item in doc["paths"].items():
            shared = item.get("parameters", [])
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template))
            if template.endswith("{path}"):
                regex = regex.replace("(?P<path>[^/]+)", "(?P<path>.+)")
            for method, op in item.items():
                if method == "parameters":
                    continue
                params = [self._resolve(p) for p in [*shared, *op.get("parameters", [])]]
                body = op.get("requestBody", {})
                schema = body.get("content", {}).get("application/json", {}).get("schema")
                self.operations.append(
                    Operation(
                        method=method.upper(),
                        template=template,
                        pattern=re.compile(regex + "$"),
                        params=params,
                        body_schema=_openapi_to_jsonschema(schema) if schema else None,
                        body_required=bool(body.get("required")),
                    )
                )

    def _resolve(self, param: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in param:
            _, _, kind, name = param["$ref"].split("/", 3)
            return self._components[kind][name]
        return param

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            if op.method != method:
                continue
            m = op.pattern.match(path)
            if m:
                return op, m.groupdict()
        return None

    def validate(self, method: str, path: str, query: dict[str, str], body: Any, has_body: bool) -> list[str]:
        found = self.find(method, path)
        if found is None:
            return [f"{method} {path}: no such operation in the OpenAPI subset"]
        op, path_params = found
        errors: list[str] = []
        for p in op.params:
            name, where, schema = p["name"], p["in"], p.get("schema", {})
            value = (
                path_params.get(name) if where == "path" else query.get(name) if where == "query" else None
            )
            if value is None:
                if p.get("required") and where in ("path", "query"):
                    errors.append(f"missing {where} parameter {name}")
                continue
            typ = schema.get("type")
            if typ == "integer" and not re.fullmatch(r"-?\d+", value):
                errors.append(f"{where} parameter {name}={value!r} is not an integer")
            if "enum" in schema and value not in schema["enum"]:
                errors.append(f"{where} parameter {name}={value!r} not in {schema['enum']}")
        known_query = {p["name"] for p in op.params if p["in"] == "query"}
        errors.extend(f"unknown query parameter {q!r}" for q in query if q not in known_query)
        if op.body_schema is None:
            if has_body and body not in (None, {}):
                errors.append("a body was sent to an operation that takes none")
        elif not has_body:
            if op.body_required:
                errors.append("the request body is required")
        else:
            schema = {**op.body_schema, "components": self._components}
            validator = jsonschema.Draft202012Validator(schema)
            for err in sorted(validator.iter_errors(body), key=lambda e: list(e.path)):
                where = "/".join(str(p) for p in err.absolute_path) or "(body)"
                errors.append(f"body {where}: {err.message[:300]}")
        return [f"{method} {op.template}: {e}" for e in errors]


# -- repository state -------------------------------------------------------------------------------


@dataclass
class FakePull:
    number: int
    title: str
    body: str
    user: str
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    diff: str
    commits: list[dict[str, Any]]
    files: list[dict[str, Any]]
    labels: list[str] = field(default_factory=list)
    draft: bool = False
    head_repo: str = ""

    def right_side_hunks(self) -> dict[str, list[tuple[int, int, set[int]]]]:
        """path -> hunks as (first, last, commentable right-side lines)."""
        out: dict[str, list[tuple[int, int, set[int]]]] = {}
        for pf in PatchSet(io.StringIO(self.diff)):
            path = pf.target_file[2:] if pf.target_file.startswith("b/") else pf.path
            for h in pf:
                lines = {ln.target_line_no for ln in h if ln.target_line_no is not None}
                if lines:
                    out.setdefault(path, []).append((min(lines), max(lines), lines))
        return out


@dataclass
class FakeIssue:
    number: int
    title: str
    body: str | None
    state: str = "open"
    user: str = "reporter"


@dataclass
class OtherRepo:
    """Another repository an issue reference may name; the token reads it only when `readable` (GitHub
    answers 404, not 403, for a private repository the token cannot see)."""

    issues: dict[int, FakeIssue] = field(default_factory=dict)
    readable: bool = True


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    headers: dict[str, str]
    message: str
    accept: str = ""  # a media type the request's Accept header must name, or any request


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    at: float


class FakeGitHub:
    def __init__(self, spec: Spec | None = None) -> None:
        self.spec = spec or Spec()
        self.repo = "octo/widgets"
        self.pulls: dict[int, FakePull] = {}
        self.contents: dict[tuple[str, str], str] = {}  # (sha, path) -> text
        self.blobs: dict[str, bytes] = {}  # blob sha -> bytes
        self.content_blobs: dict[tuple[str, str], str] = {}  # (sha, path) -> blob sha, served as bytes
        self.trees: dict[str, list[str]] = {}
        self.commit_files: dict[str, list[dict[str, Any]]] = {}
        # The files of a commit GitHub lists at most; a test lowers it to stand for a commit past it.
        self.commit_files_max = FILES_MAX
        self.compares: dict[str, dict[str, Any]] = {}  # "BASE...HEAD" -> {"status", "files"}
        self.issues: dict[int, FakeIssue] = {}  # this repository's issues (its pulls are issues too)
        self.other_repos: dict[str, OtherRepo] = {}  # "owner/name" -> another repository
        # PR number -> ("owner/name", number) GitHub links as closed by it (keywords and the sidebar)
        self.closing: dict[int, list[tuple[str, int]]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.check_run_requests: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.review_comments: dict[int, list[dict[str, Any]]] = {}
        self.issue_comments: dict[int, list[dict[str, Any]]] = {}
        self.read_only = False
        # token -> login of a personal token; installation tokens are the bot (see `login_of`)
        self.tokens: dict[str, str] = {}
        # GitHub Enterprise Server serves the REST API under /api/v3.
        self.path_prefix = ""
        self.requests: list[Recorded] = []
        self.invalid: list[str] = []
        self.faults: list[Fault] = []
        # (method, path pattern, what to do): done once, right before the first such request is answered
        self.before_requests: list[tuple[str, re.Pattern[str], Callable[[], None]]] = []
        self._ids = 1000
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._server = LoopbackServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        """The API URL (GITHUB_API_URL), with the Enterprise Server prefix when one is set."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path_prefix}"

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "Server Error",
        accept: str = "",
    ) -> None:
        """Answer the next `times` requests that match with `status`; with `accept`, only those asking
        for that media type (the diff of a PR, not the PR, which share a path)."""
        fault = Fault(method, re.compile(path_regex), status, times, headers or {}, message, accept)
        self.faults.append(fault)

    def before(self, method: str, path_regex: str, action: Callable[[], None]) -> None:
        """Do `action` once, right before answering the first request that matches: a push that lands
        while a run is reading, say."""
        self.before_requests.append((method, re.compile(path_regex), action))

    def rate_limit(self, method: str, path_regex: str, *, secondary: bool = False, times: int = 1) -> None:
        if secondary:
            self.fail(
                method,
                path_regex,
                403,
                times=times,
                headers={"Retry-After": "1"},
                message="You have exceeded a secondary rate limit. Please wait a few minutes.",
            )
        else:
            reset = str(int(time.time()) + 1)
            self.fail(
                method,
                path_regex,
                403,
                times=times,
                headers={
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Limit": "5000",
                    "X-RateLimit-Reset": reset,
                },
                message="API rate limit exceeded for installation ID 1.",
            )

    def next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def login_of(self, token: str) -> str:
        """Who GitHub says the token is."""
        if token in self.tokens:
            return self.tokens[token]
        return BOT_LOGIN if token.startswith(INSTALLATION_TOKEN_PREFIX) else DEFAULT_USER_LOGIN

    @property
    def graphql_path(self) -> str:
        """github.com serves GraphQL at /graphql; Enterprise Server at /api/graphql beside /api/v3."""
        return self.path_prefix.removesuffix("/v3") + "/graphql"

    def requests_to(self, method: str, path_regex: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.search(path_regex, r.path)]

    def add_pull(self, pull: FakePull) -> None:
        self.pulls[pull.number] = pull
        self.review_comments.setdefault(pull.number, [])
        self.issue_comments.setdefault(pull.number, [])

    def payload(self, number: int, action: str = "synchronize") -> dict[str, Any]:
        return {
            "action": action,
            "number": number,
            "pull_request": self._pull_json(self.pulls[number]),
            "repository": {"full_name": self.repo},
        }

    # -- JSON shapes -----------------------------------------------------------------------------

    def issue_json(self, repo: str, issue: FakeIssue, pull: FakePull | None = None) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo}"
        out: dict[str, Any] = {
            "id": issue.number,
            "node_id": f"I_{issue.number}",
            "url": f"{base}/issues/{issue.number}",
            "repository_url": base,
            "html_url": f"https://github.test/{repo}/issues/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "title": issue.title,
            "body": issue.body,
            "user": _user(issue.user),
            "labels": [],
            "locked": False,
            "comments": 0,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "closed_at": None,
            "author_association": "NONE",
        }
        if pull is not None:
            out["pull_request"] = {
                "url": f"{base}/pulls/{pull.number}",
                "html_url": f"https://github.test/{repo}/pull/{pull.number}",
                "diff_url": f"https://github.test/{repo}/pull/{pull.number}.diff",
                "patch_url": f"https://github.test/{repo}/pull/{pull.number}.patch",
            }
        return out

    def _pull_json(self, p: FakePull) -> dict[str, Any]:
        base = f"{self.url}/repos/{self.repo}"
        return {
            "url": f"{base}/pulls/{p.number}",
            "id": p.number,
            "number": p.number,
            "state": "open",
            "title": p.title,
            "body": p.body,
            "draft": p.draft,
            "user": {"login": p.user, "id": 1},
            "labels": [{"name": n} for n in p.labels],
            "html_url": f"https://github.test/{self.repo}/pull/{p.number}",
            "head": {"sha": p.head_sha, "ref": p.head_ref, "repo": {"full_name": p.head_repo or self.repo}},
            "base": {"sha": p.base_sha, "ref": p.base_ref, "repo": {"full_name": self.repo}},
            "commits": len(p.commits),
            "changed_files": len(p.files),
        }


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeGitHub
    protocol_version = "HTTP/1.1"
    # The headers and the body go out as two writes: with Nagle's algorithm the body waits for the
    # client's delayed acknowledgement of the headers, 40 ms a request on loopback.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _send(
        self, status: int, data: Any = None, headers: dict[str, str] | None = None, text: str | None = None
    ) -> None:
        raw = (text if text is not None else json.dumps(data) if data is not None else "").encode()
        self.send_response(status)
        # GitHub names the charset of a diff too; without it a client decodes UTF-8 as Latin-1.
        self.send_header(
            "Content-Type",
            f"{DIFF_MEDIA_TYPE}; charset=utf-8" if text is not None else "application/json; charset=utf-8",
        )
        self.send_header("Content-Length", str(len(raw)))
        merged = {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999", **(headers or {})}
        for k, v in merged.items():
            self.send_header(k, v)
        record = getattr(self, "_record", None)
        if record is not None:
            record.status = status
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self, method: str) -> None:
        fake = self.server_state
        arrived = time.monotonic()
        self._record: Recorded | None = None
        parts = urlsplit(self.path)
        path = parts.path
        if path == fake.graphql_path:
            self._graphql(method, arrived)
            return
        if fake.path_prefix:
            if not path.startswith(fake.path_prefix + "/"):
                fake.invalid.append(f"{method} {path}: outside the API prefix {fake.path_prefix}")
                self._send(404, {"message": "Not Found"})
                return
            path = path[len(fake.path_prefix) :]
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        has_body = bool(raw)
        body: Any = None
        errors: list[str] = []
        if has_body:
            try:
                body = json.loads(raw)
            except ValueError:
                errors.append(f"{method} {path}: body is not JSON")
        if not errors:
            errors = fake.spec.validate(method, path, query, body, has_body)
        # Recorded before answering, so a client that has its answer always finds its request here.
        self._record = Recorded(method, path, query, body, 0, arrived)
        fake.requests.append(self._record)
        if errors:
            fake.invalid.extend(errors)
            self._send(422, {"message": "Invalid request.", "errors": errors})
        else:
            self._act_before(method, path)
            self._route(method, path, query, body)

    def _act_before(self, method: str, path: str) -> None:
        fake = self.server_state
        with fake._lock:
            due = [b for b in fake.before_requests if b[0] == method and b[1].search(path)][:1]
            for b in due:
                fake.before_requests.remove(b)
        for _, _, action in due:
            action()

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> None:
        fake = self.server_state
        for fault in fake.faults:
            if (
                fault.remaining > 0
                and fault.method == method
                and fault.pattern.search(path)
                and fault.accept in self.headers.get("Accept", "")
            ):
                fault.remaining -= 1
                self._send(fault.status, {"message": fault.message}, fault.headers)
                return
        if self._login() is None:
            self._send(401, {"message": "Requires authentication"})
            return
        if method != "GET" and fake.read_only:
            self._send(403, {"message": "Resource not accessible by integration"})
            return
        prefix = f"/repos/{fake.repo}"
        if path == "/rate_limit":
            self._send(
                200, {"resources": {}, "rate": {"limit": 5000, "remaining": 4999, "reset": 0, "used": 1}}
            )
            return
        other = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path)
        if method == "GET" and other and other.group(1).lower() != fake.repo.lower():
            self.get_other_issue(other.group(1), int(other.group(2)))
            return
        if not path.startswith(prefix + "/") and path != prefix:
            self._send(404, {"message": "Not Found"})
            return
        rest = path[len(prefix) :]
        handler = _ROUTES.get(method, [])
        for pattern, fn in handler:
            m = re.fullmatch(pattern, rest)
            if m:
                fn(self, query, body, *m.groups())
                return
        self._send(404, {"message": "Not Found"})

    def _login(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme not in ("token", "Bearer") or not token:
            return None
        return self.server_state.login_of(token.strip())

    def _graphql(self, method: str, arrived: float) -> None:
        """POST /graphql with `{query, variables}`: only `viewer { login }` is known here. GitHub answers
        a query it cannot run with 200 and an `errors` list."""
        fake = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._record = Recorded(method, fake.graphql_path, {}, body, 0, arrived)
        fake.requests.append(self._record)
        for fault in fake.faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.search(fake.graphql_path):
                fault.remaining -= 1
                self._send(fault.status, {"message": fault.message}, fault.headers)
                return
        login = self._login()
        if login is None:
            self._send(401, {"message": "This endpoint requires you to be authenticated."})
            return
        query = body.get("query") if isinstance(body, dict) else None
        variables = body.get("variables", {}) if isinstance(body, dict) else None
        if method != "POST" or not isinstance(query, str) or not isinstance(variables, (dict, type(None))):
            fake.invalid.append(f"{method} {fake.graphql_path}: not a GraphQL request: {body!r}"[:300])
            self._send(400, {"message": "Problems parsing JSON"})
            return
        closing = CLOSING_ISSUES_QUERY.match(query)
        if closing is not None:
            self._closing_issues(variables or {}, int(closing.group("first")))
            return
        if not VIEWER_QUERY.match(query):
            fake.invalid.append(f"POST {fake.graphql_path}: a query this fake does not know: {query!r}"[:300])
            self._send(200, {"errors": [{"message": "Field is not known to the fake GitHub"}]})
            return
        self._send(200, {"data": {"viewer": {"login": login}}})

    def _closing_issues(self, variables: dict[str, Any], first: int) -> None:
        """`repository.pullRequest.closingIssuesReferences`: only issues the viewer may see are listed."""
        fake = self.server_state
        owner, name, number = variables.get("owner"), variables.get("name"), variables.get("number")
        if not isinstance(owner, str) or not isinstance(name, str) or not isinstance(number, int):
            fake.invalid.append(f"POST {fake.graphql_path}: closingIssuesReferences variables {variables!r}")
            self._send(
                200, {"errors": [{"message": "Variable $number of type Int! was provided invalid value"}]}
            )
            return
        if not 1 <= first <= 100:
            fake.invalid.append(f"POST {fake.graphql_path}: closingIssuesReferences(first: {first})")
            self._send(200, {"errors": [{"message": "first must be between 1 and 100"}]})
            return
        if f"{owner}/{name}".lower() != fake.repo.lower() or number not in fake.pulls:
            self._send(
                200,
                {
                    "data": {"repository": None},
                    "errors": [
                        {"type": "NOT_FOUND", "message": f"Could not resolve to a Repository {owner}/{name}"}
                    ],
                },
            )
            return
        nodes = []
        for repo, n in fake.closing.get(number, [])[:first]:
            other = fake.other_repos.get(repo)
            if repo.lower() != fake.repo.lower() and (other is None or not other.readable):
                continue
            nodes.append({"number": n, "repository": {"nameWithOwner": repo}})
        self._send(
            200, {"data": {"repository": {"pullRequest": {"closingIssuesReferences": {"nodes": nodes}}}}}
        )

    # -- pagination -----------------------------------------------------------------------------

    def _page(
        self,
        query: dict[str, str],
        items: list[Any],
        default: int = 30,
        most: int = PER_PAGE_MAX,
        wrap: dict[str, Any] | None = None,
    ) -> None:
        """One page of `items` with GitHub's Link header; `wrap`, the object a page's items are the
        `files` of (a commit), else the page is the list itself."""
        per_page = min(int(query.get("per_page", str(default))), most)
        page = max(1, int(query.get("page", "1")))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        base = self.server_state.url.removesuffix(self.server_state.path_prefix) + urlsplit(self.path).path
        links = []
        if page < last:
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": page + 1})}>; rel="next"')
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": 1})}>; rel="first"')
            links.append(f'<{base}?{urlencode({"per_page": per_page, "page": page - 1})}>; rel="prev"')
        data = chunk if wrap is None else {**wrap, "files": chunk}
        self._send(200, data, {"Link": ", ".join(links)} if links else None)

    # -- routes ---------------------------------------------------------------------------------

    def _pull(self, number: str) -> FakePull | None:
        p = self.server_state.pulls.get(int(number))
        if p is None:
            self._send(404, {"message": "Not Found"})
        return p

    def get_pull(self, query: dict[str, str], body: Any, number: str) -> None:
        p = self._pull(number)
        if p is None:
            return
        if DIFF_MEDIA_TYPE in self.headers.get("Accept", ""):
            changed = sum(
                1 for ln in p.diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
            )
            if len(p.files) > DIFF_MAX_FILES or changed > DIFF_MAX_LINES:
                self._send(
                    406,
                    {
                        "message": "Sorry, the diff exceeded the maximum number of files (300). "
                        "Consider using 'List pull requests files' API or locally cloning the repository "
                        "instead.",
                        "errors": [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
                    },
                )
                return
            self._send(200, text=p.diff)
            return
        self._send(200, self.server_state._pull_json(p))

    def get_pull_files(self, query: dict[str, str], body: Any, number: str) -> None:
        p = self._pull(number)
        if p is not None:
            self._page(query, p.files[:FILES_MAX])

    def get_pull_commits(self, query: dict[str, str], body: Any, number: str) -> None:
        p = self._pull(number)
        if p is not None:
            self._page(query, p.commits[:COMMITS_MAX])

    def get_commit(self, query: dict[str, str], body: Any, sha: str) -> None:
        fake = self.server_state
        for p in fake.pulls.values():
            for c in p.commits:
                if c["sha"] == sha:
                    files = fake.commit_files.get(sha, [])[: fake.commit_files_max]
                    self._page(query, files, COMMIT_FILES_PER_PAGE, COMMIT_FILES_PER_PAGE, wrap=c)
                    return
        self._send(404, {"message": "No commit found for SHA: " + sha})

    def get_compare(self, query: dict[str, str], body: Any, basehead: str) -> None:
        found = self.server_state.compares.get(basehead)
        if found is None:
            self._send(404, {"message": "Not Found"})
            return
        files = found.get("files", [])
        self._send(200, {**found, "total_commits": found.get("total_commits", 1), "files": files[:300]})

    def get_contents(self, query: dict[str, str], body: Any, path: str) -> None:
        fake = self.server_state
        ref = query.get("ref", "")
        sha = fake.content_blobs.get((ref, path))
        text = fake.contents.get((ref, path))
        if sha is None and text is None:
            self._send(404, {"message": "Not Found"})
            return
        data = fake.blobs[sha] if sha is not None else (text or "").encode()
        shown = len(data) <= CONTENTS_MAX_BYTES
        self._send(
            200,
            {
                "type": "file",
                "encoding": "base64" if shown else "none",
                "size": len(data),
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "sha": sha or "0" * 40,
                "content": _base64(data) if shown else "",
            },
        )

    def get_blob(self, query: dict[str, str], body: Any, sha: str) -> None:
        fake = self.server_state
        data = fake.blobs.get(sha)
        if data is None:
            self._send(404, {"message": "Not Found"})
            return
        self._send(
            200,
            {
                "sha": sha,
                "node_id": f"B_{sha[:12]}",
                "size": len(data),
                "url": f"{fake.url}/repos/{fake.repo}/git/blobs/{sha}",
                "content": _base64(data),
                "encoding": "base64",
            },
        )

    def get_tree(self, query: dict[str, str], body: Any, sha: str) -> None:
        paths = self.server_state.trees.get(sha)
        if paths is None:
            self._send(404, {"message": "Not Found"})
            return
        self._send(
            200,
            {
                "sha": sha,
                "truncated": False,
                "tree": [{"path": p, "type": "blob", "mode": "100644", "sha": "0" * 40} for p in paths],
            },
        )

    def _check_output_refused(self, body: Any) -> bool:
        """Answer 422 as GitHub does for a check run's output it refuses; True when it did."""
        output = body.get("output") or {}
        if len(output.get("annotations", [])) > MAX_ANNOTATIONS:
            self._send(422, {"message": "Only 50 annotations are allowed per request"})
            return True
        if len(output.get("summary", "").encode("utf-8")) > MAX_CHECK_SUMMARY_BYTES:
            error = {
                "resource": "CheckRun",
                "code": "custom",
                "field": "summary",
                "message": f"summary exceeds a maximum bytesize of {MAX_CHECK_SUMMARY_BYTES}",
            }
            self._send(422, {"message": "Validation Failed", "errors": [error]})
            return True
        return False

    def post_check_run(self, query: dict[str, str], body: Any) -> None:
        fake = self.server_state
        if self._check_output_refused(body):
            return
        annotations = body.get("output", {}).get("annotations", [])
        run = {"id": fake.next_id(), **copy.deepcopy(body)}
        run.setdefault("output", {})["annotations"] = list(annotations)
        fake.check_runs[run["id"]] = run
        fake.check_run_requests.append(body)
        self._send(
            201,
            {
                "id": run["id"],
                "name": run["name"],
                "head_sha": run["head_sha"],
                "status": run.get("status", "queued"),
                "conclusion": run.get("conclusion"),
            },
        )

    def patch_check_run(self, query: dict[str, str], body: Any, run_id: str) -> None:
        fake = self.server_state
        run = fake.check_runs.get(int(run_id))
        if run is None:
            self._send(404, {"message": "Not Found"})
            return
        if self._check_output_refused(body):
            return
        annotations = body.get("output", {}).get("annotations", [])
        fake.check_run_requests.append(body)
        output = body.get("output")
        if output:
            run["output"] = {**run["output"], **{k: v for k, v in output.items() if k != "annotations"}}
            run["output"]["annotations"] = run["output"].get("annotations", []) + list(annotations)
        for k, v in body.items():
            if k != "output":
                run[k] = v
        self._send(
            200,
            {
                "id": run["id"],
                "name": run["name"],
                "head_sha": run["head_sha"],
                "status": run.get("status"),
                "conclusion": run.get("conclusion"),
            },
        )

    def post_status(self, query: dict[str, str], body: Any, sha: str) -> None:
        fake = self.server_state
        if len(body.get("description") or "") > MAX_STATUS_DESCRIPTION:
            self._send(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [{"message": "description is too long (maximum is 140 characters)"}],
                },
            )
            return
        status = {"id": fake.next_id(), "sha": sha, **body}
        fake.statuses.append(status)
        self._send(201, status)

    def get_issue(self, query: dict[str, str], body: Any, number: str) -> None:
        """An issue of this repository; a pull request's number answers the pull as an issue, with a
        `pull_request` key, as GitHub does."""
        fake = self.server_state
        n = int(number)
        if n in fake.pulls:
            p = fake.pulls[n]
            issue = FakeIssue(n, p.title, p.body, user=p.user)
            self._send(200, fake.issue_json(fake.repo, issue, p))
        elif n in fake.issues:
            self._send(200, fake.issue_json(fake.repo, fake.issues[n]))
        else:
            self._send(404, {"message": "Not Found"})

    def get_other_issue(self, repo: str, number: int) -> None:
        fake = self.server_state
        other = fake.other_repos.get(repo)
        if other is None or not other.readable or number not in other.issues:
            self._send(404, {"message": "Not Found"})
            return
        self._send(200, fake.issue_json(repo, other.issues[number]))

    def get_review_comments(self, query: dict[str, str], body: Any, number: str) -> None:
        if self._pull(number) is not None:
            self._page(query, self.server_state.review_comments[int(number)])

    def post_review(self, query: dict[str, str], body: Any, number: str) -> None:
        fake = self.server_state
        p = self._pull(number)
        if p is None:
            return
        hunks = p.right_side_hunks()
        errors = []
        for c in body.get("comments", []):
            if "position" in c:
                errors.append("position-based comments are not used by this client")
                continue
            line, start = c.get("line"), c.get("start_line")
            if c.get("side", "RIGHT") != "RIGHT" or (
                start is not None and c.get("start_side", "RIGHT") != "RIGHT"
            ):
                errors.append("only right-side comments are expected")
                continue
            found = [h for h in hunks.get(c["path"], []) if line in h[2]]
            if line is None or not found:
                errors.append("Pull request review thread line must be part of the diff")
            elif start is not None and (start >= line or start not in found[0][2]):
                errors.append("Pull request review thread start line must be in the same hunk as the line")
            if len(c.get("body", "")) > MAX_COMMENT_BODY:
                errors.append("body is too long")
        if errors:
            self._send(422, {"message": "Unprocessable Entity", "errors": errors})
            return
        review_id = fake.next_id()
        author = self._login() or ""
        fake.reviews.append({"id": review_id, "number": int(number), "author": author, **body})
        for c in body.get("comments", []):
            cid = fake.next_id()
            fake.review_comments[int(number)].append(
                {
                    "id": cid,
                    "url": f"{fake.url}/repos/{fake.repo}/pulls/comments/{cid}",
                    "pull_request_review_id": review_id,
                    "body": c["body"],
                    "path": c["path"],
                    "line": c.get("line"),
                    "start_line": c.get("start_line"),
                    # where it was posted: GitHub keeps these once the comment is outdated (`line` null)
                    "original_line": c.get("line"),
                    "original_start_line": c.get("start_line"),
                    "original_commit_id": body.get("commit_id", p.head_sha),
                    "side": "RIGHT",
                    "commit_id": body.get("commit_id", p.head_sha),
                    "user": _user(author),
                }
            )
        self._send(
            200,
            {
                "id": review_id,
                "state": "COMMENTED",
                "body": body.get("body", ""),
                "user": _user(author),
                "commit_id": body.get("commit_id", p.head_sha),
            },
        )

    def get_issue_comments(self, query: dict[str, str], body: Any, number: str) -> None:
        if self._pull(number) is not None:
            self._page(query, self.server_state.issue_comments[int(number)])

    def post_issue_comment(self, query: dict[str, str], body: Any, number: str) -> None:
        fake = self.server_state
        if self._pull(number) is None:
            return
        if len(body["body"]) > MAX_COMMENT_BODY:
            self._send(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}]})
            return
        cid = fake.next_id()
        comment = {
            "id": cid,
            "url": f"{fake.url}/repos/{fake.repo}/issues/comments/{cid}",
            "body": body["body"],
            "user": _user(self._login() or ""),
            "html_url": f"https://github.test/{fake.repo}/pull/{number}#issuecomment",
        }
        fake.issue_comments[int(number)].append(comment)
        self._send(201, comment)

    def patch_issue_comment(self, query: dict[str, str], body: Any, comment_id: str) -> None:
        fake = self.server_state
        for comments in fake.issue_comments.values():
            for c in comments:
                if c["id"] == int(comment_id):
                    if c["user"]["login"] != self._login():
                        self._send(403, {"message": "Resource not accessible by integration"})
                        return
                    c["body"] = body["body"]
                    self._send(200, c)
                    return
        self._send(404, {"message": "Not Found"})


def _base64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + BASE64_LINE] + "\n" for i in range(0, len(text), BASE64_LINE))


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"}


_ROUTES: dict[str, list[tuple[str, Any]]] = {
    "GET": [
        (r"/pulls/(\d+)", _Handler.get_pull),
        (r"/pulls/(\d+)/files", _Handler.get_pull_files),
        (r"/pulls/(\d+)/commits", _Handler.get_pull_commits),
        (r"/pulls/(\d+)/comments", _Handler.get_review_comments),
        (r"/commits/([0-9a-f]{40})", _Handler.get_commit),
        (r"/compare/([0-9a-f]{40}\.\.\.[0-9a-f]{40})", _Handler.get_compare),
        (r"/contents/(.+)", _Handler.get_contents),
        (r"/git/trees/([0-9a-f]{40})", _Handler.get_tree),
        (r"/git/blobs/([0-9a-f]{40})", _Handler.get_blob),
        (r"/issues/(\d+)/comments", _Handler.get_issue_comments),
        (r"/issues/(\d+)", _Handler.get_issue),
    ],
    "POST": [
        (r"/check-runs", _Handler.post_check_run),
        (r"/statuses/([0-9a-f]{40})", _Handler.post_status),
        (r"/pulls/(\d+)/reviews", _Handler.post_review),
        (r"/issues/(\d+)/comments", _Handler.post_issue_comment),
    ],
    "PATCH": [
        (r"/check-runs/(\d+)", _Handler.patch_check_run),
        (r"/issues/comments/(\d+)", _Handler.patch_issue_comment),
    ],
}
