"""The litellm-backed ModelClient: bounded concurrency, retries, per-call timeout, budget, structured
output with one repair attempt, usage and cost, and a trace record for every attempt.

`call` never raises for model or network failures: what went wrong is in `CallResult.error` (and the
trace); a call the budget did not allow to start is `skipped`, its error naming the budget setting.
Each attempt holds its estimated cost from the run's budget before it is sent (`gate.models.budget`)
and asks for at most `models.max_output_tokens` (`max_tokens`), so the estimate bounds what it costs.
The call settings (`models.concurrency`, `timeout_seconds`, `backoff_seconds`) come from the config.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from gate import invisible
from gate.config.models import Config
from gate.models import pricing
from gate.models.budget import PROMPT_SAFETY, Hold, Price, Refused, RunBudget
from gate.models.interface import CallRequest, CallResult
from gate.models.loop import model_loop
from gate.models.retry import backoff, is_transient
from gate.models.selection import Route, route_for
from gate.models.structured import redacted_answer, repair_messages, response_format, validate
from gate.models.trace import CallRecord, CallRecorder
from gate.redact import memory, redact
from gate.run import Usage

# The bound on concurrent calls (`models.concurrency`) is per model: a provider's rate limits are per
# model, and a bound shared by the whole run makes a large PR reviewed by several models wait in waves
# that no provider asked for. It is shared by every stage of the run, also when stages run side by side.
DEFAULT_ATTEMPTS = 3  # one try and two retries on transient failures (one retry after a timeout)
MAX_ERROR_CHARS = 500


@dataclass
class _Completion:
    """The outcome of one completion with its transport retries (not yet the repair)."""

    contents: list[str | None] | None = None
    checked: list[tuple[BaseModel | None, str | None]] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    usage: Usage = field(default_factory=Usage)


# Redacted prompt texts a client keeps: the same chunk's prompt goes to every review model, and the
# system prompts repeat; a run sends a few hundred distinct texts at most, so this bounds the memory, not
# the hit rate.
REDACTED_TEXTS_KEPT = 256


class _RedactedTexts:
    """Redacted texts of one client (one run), kept per state of the run's remembered secrets: a value
    learnt later is hidden, and nothing outlives the run. What a person cannot see is shown escaped
    (`invisible.shown`), so that no model reads an instruction hidden from the PR's reviewers."""

    def __init__(self) -> None:
        self._generation = -1
        self._texts: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        generation = memory.generation()
        if generation != self._generation or len(self._texts) >= REDACTED_TEXTS_KEPT:
            self._generation, self._texts = generation, {}
        if text not in self._texts:
            self._texts[text] = invisible.shown(redact(text))
        return self._texts[text]


class LiteLLMClient:
    """One per run (or per stage); shares the run's budget and trace. Safe across event loops and
    threads: its calls all run on the model loop (`gate.models.loop`)."""

    def __init__(
        self,
        config: Config,
        budget: RunBudget,
        recorders: Sequence[CallRecorder] = (),
        *,
        concurrency: int | None = None,
        timeout_s: float | None = None,
        max_attempts: int = DEFAULT_ATTEMPTS,
        backoff_s: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`env` is where keys are read (routes name the variable); the call settings come from
        `config.models` unless given here."""
        self.env = os.environ if env is None else env
        self.config = config
        self.budget = budget
        self.recorders = tuple(recorders)
        self.concurrency = concurrency or config.models.concurrency
        self.timeout_s = timeout_s or config.models.timeout_seconds
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s or config.models.backoff_seconds
        self.max_tokens = config.models.max_output_tokens
        # Every call runs on the process's model loop, whatever loop or thread it comes from: the bound per
        # model and the budget's waits are then shared by stages running side by side.
        self._loop = model_loop()
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._redacted = _RedactedTexts()

    def _semaphore(self, model: str) -> asyncio.Semaphore:
        # One bound per model, on the model loop (the only loop the client's calls run on).
        if model not in self._semaphores:
            self._semaphores[model] = asyncio.Semaphore(self.concurrency)
        return self._semaphores[model]

    def route(self, model: str) -> Route:
        return route_for(model, self.config, self.env)

    async def call(self, request: CallRequest) -> CallResult:
        return await self._loop.run(self._call_on_loop(request))

    async def _call_on_loop(self, request: CallRequest) -> CallResult:
        route = self.route(request.model)
        if request.n > 1 and not pricing.facts(route.litellm_model).supports_n:
            parts = await asyncio.gather(*(self._call(request, route, 1) for _ in range(request.n)))
            outputs = tuple(o for p in parts for o in p.outputs)
            errors = sorted({p.error for p in parts if p.error})
            usage = Usage()
            for p in parts:
                usage = usage + p.usage
            return CallResult(
                request, outputs, "; ".join(errors) or None, all(p.skipped for p in parts), usage
            )
        return await self._call(request, route, request.n)

    async def _call(self, request: CallRequest, route: Route, n: int) -> CallResult:
        # A system message is the gate's own prompt, a constant (`gate/prompts`): only the data is redacted.
        # Redacted, a value remembered from the PR's prose could take a sentence out of the instructions.
        messages = [
            {"role": m.role, "content": m.content if m.role == "system" else self._redacted(m.content)}
            for m in request.messages
        ]
        first = await self._complete(request, route, messages, n, "answer")
        if first.contents is None:  # an answer with no choices is a failed attempt already
            return CallResult(request, (), first.error, first.skipped, first.usage)
        usage = first.usage
        outputs: list[BaseModel] = []
        errors: list[str] = []
        invalid = [
            (c, err) for c, (out, err) in zip(first.contents, first.checked, strict=True) if out is None
        ]
        outputs.extend(out for out, _ in first.checked if out is not None)
        # Each invalid choice gets one repair attempt that shows the model why it was rejected.
        repairs = await asyncio.gather(
            *(
                self._complete(
                    request,
                    route,
                    messages + repair_messages(request.schema_name, request.output_type, c, e or ""),
                    1,
                    "repair",
                )
                for c, e in invalid
            )
        )
        for repaired in repairs:
            usage = usage + repaired.usage
            fixed, why = repaired.checked[0] if repaired.checked else (None, None)
            if fixed is not None:
                outputs.append(fixed)
            elif why is not None:
                errors.append(f"dropped: invalid answer twice ({why})")
            else:
                errors.append(f"dropped: invalid answer, and its repair failed ({repaired.error})")
        return CallResult(request, tuple(outputs), "; ".join(errors) or None, False, usage)

    async def _complete(
        self, request: CallRequest, route: Route, messages: list[dict[str, str]], n: int, purpose: str
    ) -> _Completion:
        done = _Completion()
        attempt_no = -1
        price = self.budget.price(route.name)
        if price is None:
            done.skipped = purpose == "answer"
            done.error = f"not started: {self.budget.unpriced_reason(route.name)}"
            return done
        tokens = pricing.prompt_tokens(route.litellm_model, messages)
        counted = math.ceil(tokens * PROMPT_SAFETY)
        estimate = counted * price.input_per_token + self.max_tokens * n * price.output_per_token
        what = f"{tokens} prompt tokens x {PROMPT_SAFETY:g} + {self.max_tokens * n} answer tokens"

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return min(
                backoff(state.attempt_number - 1, exc, self.backoff_s), self.budget.remaining_seconds()
            )

        def stop(state: RetryCallState) -> bool:
            # A model that timed out twice is not answering: more waiting only burns the time budget.
            exc = state.outcome.exception() if state.outcome else None
            timed_out = exc is not None and _timed_out(exc)
            return state.attempt_number >= (min(2, self.max_attempts) if timed_out else self.max_attempts)

        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(is_transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempt_no += 1
                    refused = await self._attempt(
                        request, route, messages, n, purpose, attempt_no, done, _Cost(price, estimate, what)
                    )
                    if refused is not None:
                        done.skipped = attempt_no == 0 and purpose == "answer"
                        done.error = (
                            f"not started: {refused.reason}"
                            if attempt_no == 0
                            else f"{refused.reason} (after {attempt_no} attempts)"
                        )
                        return done
        # litellm surfaces provider failures through many exception types; the contract is that a call
        # never raises: the failure is kept in the result and the trace, not swallowed.
        except Exception as exc:
            done.error = _describe(exc, attempt_no)
        return done

    async def _attempt(
        self,
        request: CallRequest,
        route: Route,
        messages: list[dict[str, str]],
        n: int,
        purpose: str,
        attempt_no: int,
        done: _Completion,
        cost: _Cost,
    ) -> Refused | None:
        """One attempt, sent once its estimated cost is held; a Refused when the budget did not allow it."""
        kwargs, params = self._arguments(request, route, messages, n, cost.price)
        record: dict[str, Any] = {
            "stage": request.stage,
            "model": request.model,
            "schema": request.schema_name,
            "unit": request.unit,
            "prompt_version": request.prompt_version,
            "purpose": purpose,
            "attempt": attempt_no,
            "parameters": {**params, **route.describe()},
            "messages": messages,
        }
        sent = await self._send(route, kwargs, record, cost, done, attempt_no)
        if isinstance(sent, Refused):
            return sent
        self._answered(request, sent, record, cost, done, attempt_no)
        return None

    def _arguments(
        self, request: CallRequest, route: Route, messages: list[dict[str, str]], n: int, price: Price
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """litellm's arguments for the attempt, and the call parameters the trace shows (never keys)."""
        params: dict[str, Any] = {"max_tokens": self.max_tokens}
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if n > 1:
            params["n"] = n
        kwargs: dict[str, Any] = {
            "model": route.litellm_model,
            "messages": messages,
            "response_format": response_format(request.schema_name, request.output_type),
            "max_retries": 0,  # retries are ours, counted and traced
            # litellm prices every answer it returns; the gate prices tokens itself (`_answered`) and
            # never reads litellm's figure. Given the price, litellm multiplies instead of searching
            # its cost map (for a model the map lacks, through every generalization of its name), a
            # few milliseconds of each call. Nothing of it is sent to the provider.
            "input_cost_per_token": price.input_per_token,
            "output_cost_per_token": price.output_per_token,
            **params,
        }
        if route.api_base:
            kwargs["api_base"] = route.api_base
        key = route.api_key(self.env)
        if key:
            kwargs["api_key"] = key
        return kwargs, params

    async def _send(
        self,
        route: Route,
        kwargs: dict[str, Any],
        record: dict[str, Any],
        cost: _Cost,
        done: _Completion,
        attempt_no: int,
    ) -> _Sent | Refused:
        """Within the model's bound, hold the attempt's cost and send it. An attempt that fails after it
        was sent settles its hold, is recorded, and raises for the retry policy."""
        from gate.models.runtime import litellm

        lm = litellm()
        started = time.monotonic()
        wall = time.time()
        held: Hold | None = None
        try:
            async with self._semaphore(route.name):
                hold = await self.budget.hold(cost.estimate, route.name, cost.what)
                if isinstance(hold, Refused):
                    return hold
                held = hold
                timeout = max(0.1, min(self.timeout_s, self.budget.remaining_seconds()))
                kwargs["timeout"] = record["parameters"]["timeout"] = round(timeout, 3)
                started = time.monotonic()
                wall = time.time()
                response = await asyncio.wait_for(lm.acompletion(**kwargs), timeout + 2.0)
        except BaseException as exc:
            if held is None:  # cancelled before it was sent: nothing to record
                raise
            # A provider may have done (and billed) the work of an attempt that timed out or was
            # abandoned; an error status means it did not.
            self.budget.settle(held, None if _timed_out(exc) or not isinstance(exc, Exception) else 0.0)
            self._failed(record, done, _describe(exc, attempt_no), time.monotonic() - started, wall)
            raise
        return _Sent(response, held, time.monotonic() - started, wall)

    def _answered(
        self,
        request: CallRequest,
        sent: _Sent,
        record: dict[str, Any],
        cost: _Cost,
        done: _Completion,
        attempt_no: int,
    ) -> None:
        """Settle the attempt at what the answer cost, validate its choices and record it."""
        response = sent.response
        if not getattr(response, "choices", None):
            # litellm hands back None instead of raising for some provider errors (an HTTP 422 from an
            # OpenAI-compatible server): a failed attempt like any other, recorded in the trace.
            self.budget.settle(sent.held, 0.0)
            error = f"the provider answered with no choices ({type(response).__name__})"
            described = _describe(EmptyResponseError(error), attempt_no)
            self._failed(record, done, described, sent.latency, sent.wall)
            raise EmptyResponseError(error)
        usage_obj = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage_obj, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage_obj, "completion_tokens", 0) or 0)
        dollars = prompt_tokens * cost.price.input_per_token + completion_tokens * cost.price.output_per_token
        # An answer without usage cost something unknown: its hold stays spent.
        self.budget.settle(sent.held, dollars if prompt_tokens or completion_tokens else None)
        # Decided on as the trace records them: a replay then reads the answers the run took.
        contents = [redacted_answer(choice.message.content) for choice in response.choices]
        checked = [validate(request.output_type, c) for c in contents]
        done.contents = contents
        done.checked = checked
        done.usage = done.usage + Usage(1, prompt_tokens, completion_tokens, dollars, sent.latency)
        self._record(
            CallRecord(
                **record,
                response=contents,
                validation=["ok" if out is not None else f"invalid: {err}" for out, err in checked],
                error=None,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost_usd=dollars,
                cost_known=cost.price.from_cost_map,
                latency_s=round(sent.latency, 3),
                started_at=sent.wall,
            )
        )

    def _failed(
        self, record: dict[str, Any], done: _Completion, error: str, latency: float, wall: float
    ) -> None:
        """Count and record an attempt that was sent and brought no answer."""
        done.usage = done.usage + Usage(model_calls=1, wall_seconds=latency)
        self._record(
            CallRecord(
                **record,
                response=None,
                validation=[],
                error=error,
                latency_s=round(latency, 3),
                started_at=wall,
            )
        )

    def _record(self, record: CallRecord) -> None:
        for recorder in self.recorders:
            recorder.record_call(record)


@dataclass(frozen=True)
class _Sent:
    """An attempt the provider answered: its response, the hold it settles, and when it ran."""

    response: Any
    held: Hold
    latency: float
    wall: float  # time.time() when it was sent


@dataclass(frozen=True)
class _Cost:
    """What an attempt's tokens are counted at, and the cost it holds before it starts."""

    price: Price
    estimate: float
    what: str  # how the estimate was made, for the reason a call was not started


def _timed_out(exc: BaseException) -> bool:
    return type(exc).__name__ in ("Timeout", "APITimeoutError") or isinstance(exc, TimeoutError)


class EmptyResponseError(Exception):
    """The provider's answer carried no choices at all."""


def _describe(exc: BaseException, attempt_no: int) -> str:
    if _timed_out(exc):
        what = "timed out"
    else:
        status = getattr(exc, "status_code", None)
        text = " ".join(str(exc).split())[:MAX_ERROR_CHARS]
        what = f"{type(exc).__name__}" + (f" {status}" if status else "") + (f": {text}" if text else "")
    tries = attempt_no + 1
    return f"{what} (attempt {tries})" if tries > 1 else what
