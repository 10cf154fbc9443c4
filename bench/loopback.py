"""The benchmark model endpoint: the tests' loopback OpenAI-compatible fake, metered.

`tests/fakes/model_server.py` answers chat completions on loopback and can delay a reply. This wrapper
scripts it so that every call waits a fixed latency and is counted with a real tokenizer (tiktoken
`o200k_base`, the one bundled with litellm, so no download) on the server side. Both tools under test
talk to the same server and are counted the same way, whatever usage each one reports itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.model_server import FakeModelServer, Reply

# The stated price every cost in the benchmarks is computed at (USD per million tokens).
PRICE_PROMPT_PER_M = 2.50
PRICE_COMPLETION_PER_M = 10.00
PRICE_NOTE = (
    f"${PRICE_PROMPT_PER_M:.2f} per million prompt tokens, "
    f"${PRICE_COMPLETION_PER_M:.2f} per million completion tokens"
)

Responder = Callable[[dict[str, Any]], str | dict[str, Any]]


@cache
def _encoding() -> Any:
    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        raise RuntimeError("litellm is not installed; its bundled tokenizer files are needed offline")
    os.environ.setdefault(
        "TIKTOKEN_CACHE_DIR", str(Path(spec.origin).parent / "litellm_core_utils" / "tokenizers")
    )
    import tiktoken

    return tiktoken.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def prompt_tokens(body: dict[str, Any]) -> int:
    """Tokens of the messages' text (the chat framing adds a few per message on real APIs; left out)."""
    total = 0
    for message in body.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):  # content parts
            content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        total += count_tokens(str(content))
    return total


def schema_of(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    return str((fmt.get("json_schema") or {}).get("name", "")) if isinstance(fmt, dict) else ""


@dataclass(frozen=True)
class Metered:
    model: str
    schema: str
    prompt_tokens: int
    completion_tokens: int
    started: float  # time.monotonic() when the request arrived


@dataclass
class MeteredServer:
    """Start with `with MeteredServer(latency) as server:`; script answers with `answer()`."""

    latency: float
    fake: FakeModelServer = field(default_factory=FakeModelServer)
    calls: list[Metered] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, model: str, respond: Responder) -> None:
        """Answer every request for `model` with `respond(body)` (a JSON object or raw text), late."""

        def script(body: dict[str, Any]) -> Reply:
            arrived = time.monotonic()
            content = respond(body)
            text = content if isinstance(content, str) else json.dumps(content)
            choices = int(body.get("n") or 1)
            record = Metered(
                model, schema_of(body), prompt_tokens(body), choices * count_tokens(text), arrived
            )
            with self._lock:
                self.calls.append(record)
            if isinstance(content, str):
                return Reply(raw=content, delay=self.latency)
            return Reply(content=content, delay=self.latency)

        self.fake.script(model, "*", script)

    @property
    def url(self) -> str:
        return self.fake.url

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def __enter__(self) -> MeteredServer:
        _encoding()  # load before timing anything
        self.fake.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake.stop()


@dataclass(frozen=True)
class Totals:
    calls: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def cost_usd(self) -> float:
        return (
            self.prompt_tokens * PRICE_PROMPT_PER_M + self.completion_tokens * PRICE_COMPLETION_PER_M
        ) / 1e6


def totals(calls: list[Metered], model: str | None = None, schema: str | None = None) -> Totals:
    chosen = [
        c for c in calls if (model is None or c.model == model) and (schema is None or c.schema == schema)
    ]
    return Totals(len(chosen), sum(c.prompt_tokens for c in chosen), sum(c.completion_tokens for c in chosen))


def rounds(calls: list[Metered], latency: float) -> int:
    """Sequential rounds seen: a call that arrived after an earlier round had finished starts a new round."""
    count = 0
    round_end = float("-inf")
    for call in sorted(calls, key=lambda c: c.started):
        if call.started >= round_end:
            count += 1
            round_end = call.started + latency
    return count
