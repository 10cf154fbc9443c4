"""A loopback OpenAI-compatible chat server for tests: scripted per model and per response schema.

Real litellm talks to it over HTTP (`openai/<name>` with `api_base` = `server.url`). Each request is
answered by the script registered for (model, response_format.json_schema.name), falling back to
(model, "*") and then to a default that returns an empty result for the schema. A script is either a
list of replies consumed in order (the last one repeats) or a function of the request.

Fault injection: `Reply.error(429, retry_after=1)`, `Reply.error(500)`, `Reply(delay=...)`,
`Reply.raw("not json")`, `Reply.hang()` (never answers until the server stops).
The server counts calls per (model, schema) and the tokens it reported, and supports `n`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.loopback import LoopbackServer


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a JSON body (content), a raw content string, an HTTP error, or a hang."""

    content: Any = None  # JSON-able object sent as the message content (json.dumps'd)
    raw: str | None = None  # content sent verbatim (malformed JSON, prose)
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0
    hang: bool = False
    # For n > 1: one content per choice (cycled); overrides `content`.
    choices: tuple[Any, ...] = ()

    @classmethod
    def json(cls, content: Any, delay: float = 0.0) -> Reply:
        return cls(content=content, delay=delay)

    @classmethod
    def text(cls, raw: str) -> Reply:
        return cls(raw=raw)

    @classmethod
    def error(cls, status: int, retry_after: float | None = None) -> Reply:
        return cls(status=status, retry_after=retry_after)

    @classmethod
    def never(cls) -> Reply:
        return cls(hang=True)


Script = list[Reply] | Callable[[dict[str, Any]], Reply]

# What a test double's tokens cost: the gate refuses a model it cannot price unless told a price.
UNPRICED_USD_PER_MILLION = 1.0

DEFAULT_CONTENT: dict[str, Any] = {
    "review": {"findings": []},
    "cross_check": {"verdicts": []},
    "regeneration": {"code": ""},
    "equivalence": {"equivalent": True, "difference": ""},
    "spec_extract": {"requirements": []},
    "spec_check": {"judgments": []},
}


@dataclass
class Call:
    model: str
    schema: str
    body: dict[str, Any]
    status: int
    at: float

    @property
    def last_user(self) -> str:
        users = [m.get("content", "") for m in self.body.get("messages", []) if m.get("role") == "user"]
        return str(users[-1]) if users else ""


@dataclass
class FakeModelServer:
    """Start with `start()`, stop with `stop()`; `url` is the api_base to give litellm."""

    scripts: dict[tuple[str, str], Script] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    tokens: Counter[str] = field(default_factory=Counter)
    prompt_tokens_per_call: int = 0  # 0 = estimate from the request size
    # Requests being answered right now, and the most seen at once, per model and in all.
    in_flight: Counter[str] = field(default_factory=Counter)
    peak_in_flight: Counter[str] = field(default_factory=Counter)
    # Requests in flight per response schema, and each set of schemas seen in flight at once.
    schemas_in_flight: Counter[str] = field(default_factory=Counter)
    schemas_together: set[frozenset[str]] = field(default_factory=set)
    _cursor: dict[tuple[str, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _httpd: LoopbackServer | None = None
    _thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------------------------
    def script(self, model: str, schema: str, script: Script | Reply) -> None:
        self.scripts[(model, schema)] = [script] if isinstance(script, Reply) else script

    def count(self, model: str | None = None, schema: str | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if (model is None or c.model == model) and (schema is None or c.schema == schema)
        )

    def _next(self, model: str, schema: str, body: dict[str, Any]) -> Reply:
        for key in ((model, schema), (model, "*")):
            script = self.scripts.get(key)
            if script is None:
                continue
            if callable(script):
                return script(body)
            with self._lock:
                i = self._cursor.get(key, 0)
                self._cursor[key] = i + 1
            return script[min(i, len(script) - 1)]
        return Reply.json(DEFAULT_CONTENT.get(schema, {}))

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def endpoints(self, models: Iterable[str]) -> dict[str, dict[str, str]]:
        """`models.endpoints` of a configuration that sends `models` here, keyed by FAKE_MODEL_KEY."""
        return {m: {"api_base": self.url, "api_key_env": "FAKE_MODEL_KEY"} for m in models}

    def review_config(self, models: Sequence[str]) -> dict[str, Any]:
        """A configuration in which `models`, served here, review any change of a line or more. Names
        litellm's cost map does not know are counted at `UNPRICED_USD_PER_MILLION` (else refused)."""
        return {
            "thresholds": {"review": {"changed_lines": 1}},
            "models": {"review": list(models), "endpoints": self.endpoints(models)},
            "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
        }

    def start(self) -> FakeModelServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The headers and the body go out as two writes: with Nagle's algorithm the body waits for
            # the client's delayed acknowledgement of the headers, 40 ms an answer on a kept-alive
            # connection, which a model "at zero latency" would then have.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    models = sorted({m for m, _ in server.scripts})
                    self._send(
                        200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]}
                    )
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server._answer(self, body)

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self._httpd = LoopbackServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> FakeModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ---------------------------------------------------------------------------------
    def _answer(self, handler: Any, body: dict[str, Any]) -> None:
        model = str(body.get("model", ""))
        fmt = body.get("response_format") or {}
        schema = str((fmt.get("json_schema") or {}).get("name", "")) if isinstance(fmt, dict) else ""
        # In flight from arrival to answer, a scripted wait included (a script may hold a request).
        self._arrive(model, schema)
        left = False
        try:
            reply = self._next(model, schema, body)
            with self._lock:
                self.calls.append(Call(model, schema, body, reply.status, time.monotonic()))
            if reply.hang:
                left = True
                self._leave(model, schema)
                self._stopping.wait(600)
                return
            self._reply(handler, model, body, reply)
        finally:
            if not left:
                self._leave(model, schema)

    def _arrive(self, model: str, schema: str) -> None:
        with self._lock:
            for key in (model, "*"):
                self.in_flight[key] += 1
                self.peak_in_flight[key] = max(self.peak_in_flight[key], self.in_flight[key])
            self.schemas_in_flight[schema] += 1
            self.schemas_together.add(frozenset(s for s, n in self.schemas_in_flight.items() if n > 0))

    def _leave(self, model: str, schema: str) -> None:
        with self._lock:
            self.in_flight[model] -= 1
            self.in_flight["*"] -= 1
            self.schemas_in_flight[schema] -= 1

    def _reply(self, handler: Any, model: str, body: dict[str, Any], reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
            handler._send(
                reply.status, {"error": {"message": f"scripted {reply.status}", "type": "scripted"}}, headers
            )
            return
        n = int(body.get("n") or 1)
        contents = list(reply.choices) or [reply.raw if reply.raw is not None else reply.content]
        choices = []
        completion_tokens = 0
        for i in range(n):
            item = contents[i % len(contents)]
            text = (
                item
                if isinstance(item, str) and (reply.raw is not None or reply.choices)
                else json.dumps(item)
            )
            completion_tokens += max(1, len(text) // 4)
            choices.append(
                {"index": i, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            )
        prompt_tokens = self.prompt_tokens_per_call or max(1, len(json.dumps(body.get("messages", []))) // 4)
        with self._lock:
            self.tokens["prompt"] += prompt_tokens
            self.tokens["completion"] += completion_tokens
        handler._send(
            200,
            {
                "id": f"chatcmpl-{len(self.calls)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": choices,
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )


# -- helpers for scripting cross-checks ---------------------------------------------------------------

_ID = re.compile(r'"id":\s*"([^"]+)"[^{}]*?"title":\s*"([^"]*)"')


def sent_findings(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(id, title) of each finding sent for cross-checking in a request."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            yield from _ID.findall(str(message.get("content", "")))


def judge(agree: Callable[[str], bool], delay: float = 0.0) -> Callable[[dict[str, Any]], Reply]:
    """A cross_check script: agree with the findings whose title `agree(title)` accepts."""

    def answer(body: dict[str, Any]) -> Reply:
        verdicts = [
            {"id": fid, "agree": agree(title), "reason": "checked against the code"}
            for fid, title in sent_findings(body)
        ]
        return Reply.json({"verdicts": verdicts}, delay=delay)

    return answer
