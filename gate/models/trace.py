"""The prompt trace (SPEC 5.5): JSONL, written as the run goes so that a failed run still leaves one.

Records, one JSON object a line, each with a `type`:
- `header`: the first line; trace format version, tool version, start time, the configuration.
- `call`: one line per call attempt, retries and repair attempts included: stage, model, schema,
  unit, prompt version, parameters (never keys), the messages (secrets redacted), the raw response
  choices, the validation outcome of each choice, tokens, cost, latency, attempt (retry) number, error.
- `run`: written when the run ends: the configuration and the non-model inputs the verdict needs (the
  diff's shape, provenance, every stage's result with its findings) and the verdict reached.
  `gate.replay.replay_trace` recomputes the review findings from the `call` records and the
  verdict from all of it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from gate.errors import GateError
from gate.sanitize import json_inert

if TYPE_CHECKING:
    from gate.config.models import Config
    from gate.run import Outcome

TRACE_VERSION = 1


@dataclass(frozen=True)
class CallRecord:
    stage: str
    model: str
    schema: str
    unit: str
    prompt_version: str
    purpose: str  # "answer" | "repair"
    attempt: int  # 0 = first try; 1.. = retries after a transient failure
    parameters: dict[str, Any]
    messages: list[dict[str, str]]
    response: list[str | None] | None  # raw content of each choice, None when no response came
    validation: list[str]  # per choice: "ok" or "invalid: <why>"
    error: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = True
    latency_s: float = 0.0
    started_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {"type": "call", **asdict(self)}


def _redacted(record: dict[str, Any], hide: _HiddenTexts) -> dict[str, Any]:
    """Every string of the record redacted; the messages sent to a model were redacted before the call,
    so only values remembered since are hidden there (the cost of a full scan is paid once). A model's
    answers are redacted as the run read them (`redacted_answer`: values, not the schema's keys), so a
    replay reads what the run decided on. The other values are scanned together, one pass for the record
    rather than one per field."""
    from gate.models.structured import redacted_answer
    from gate.redact import hide_tree, redact_tree

    others = [k for k in record if k not in ("messages", "response")]
    redacted = dict(zip(others, redact_tree([record[k] for k in others]), strict=True))
    if "messages" in record:
        redacted["messages"] = hide_tree(record["messages"], hide)
    if isinstance(response := record.get("response"), list):
        redacted["response"] = [redacted_answer(c) if isinstance(c, str) else c for c in response]
    elif "response" in record:
        redacted["response"] = redact_tree(record["response"])
    return {k: redacted[k] for k in record}


# Message texts a writer keeps hidden: every review model is sent the same chunk, and each of their
# trace lines carries it again. The lines of one chunk are written close together; this bounds memory.
HIDDEN_TEXTS_KEPT = 64


class _HiddenTexts:
    """`memory.hide` of the texts one writer records, kept while no value is added to the memory."""

    def __init__(self) -> None:
        self._generation = -1
        self._texts: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        from gate.redact import memory

        generation = memory.generation()
        with self._lock:
            if generation != self._generation or len(self._texts) >= HIDDEN_TEXTS_KEPT:
                self._generation, self._texts = generation, {}
            hidden = self._texts.get(text)
        if hidden is None:
            hidden = memory.hide(text)
            with self._lock:
                if generation == self._generation:
                    self._texts[text] = hidden
        return hidden


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ai-quality-gate")
    except PackageNotFoundError:
        return "unknown"


class CallRecorder(Protocol):
    def record_call(self, record: CallRecord) -> None: ...


class TraceWriter:
    """Appends records to a JSONL file; thread-safe, flushed per line. Create with `TraceWriter.open`."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()
        self._hidden = _HiddenTexts()
        self.calls = 0

    @classmethod
    def open(cls, path: Path, config: Config | None = None) -> TraceWriter:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise GateError(
                f"{path}: cannot write the trace: {exc.strerror or exc}", "pass another --trace FILE"
            ) from None
        writer = cls(path, handle)
        header: dict[str, Any] = {
            "type": "header",
            "trace_version": TRACE_VERSION,
            "tool": f"ai-quality-gate {_version()}",
            "started_at": time.time(),
        }
        if config is not None:
            header["config"] = config.model_dump(mode="json")
        writer.write(header)
        return writer

    def write(self, record: dict[str, Any]) -> None:
        line = json_inert(json.dumps(_redacted(record, self._hidden), ensure_ascii=False, default=str))
        with self._lock:
            if self._handle.closed:
                return
            self._handle.write(line + "\n")
            self._handle.flush()

    def record_call(self, record: CallRecord) -> None:
        self.calls += 1
        self.write(record.to_json())

    def record_run(self, outcome: Outcome) -> None:
        """The closing record: what replay needs besides the model answers."""
        from gate.models.trace_codec import encode_run

        self.write(encode_run(outcome))

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
