"""The contract between model-using stages (review, regen) and the model layer that calls litellm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel

from gate.run import Usage


@dataclass(frozen=True)
class Message:
    role: str  # "system" (the gate's own prompt, sent as it is) | "user" | "assistant" (both redacted)
    content: str


@dataclass(frozen=True)
class CallRequest:
    stage: str  # "review" | "regen"
    model: str  # litellm model name
    schema_name: str  # "review" | "cross_check" | "regeneration" | "equivalence"
    output_type: type[BaseModel]
    messages: tuple[Message, ...]
    prompt_version: str  # e.g. "review/1"
    temperature: float | None = None
    n: int = 1  # choices wanted; the layer uses the provider's `n` where supported, else concurrent calls
    unit: str = ""  # what the call is about (chunk id, hunk id), for the trace and the report


@dataclass(frozen=True)
class CallResult:
    request: CallRequest
    outputs: tuple[BaseModel, ...]  # validated outputs, one per choice that validated
    error: str | None = None  # why the call (or some choices) produced nothing usable
    skipped: bool = False  # not started: budget exhausted or the run's time ran out
    usage: Usage = field(default_factory=Usage)


class ModelClient(Protocol):
    """Calls one model with structured output. Never raises for model or network failures."""

    async def call(self, request: CallRequest) -> CallResult: ...
