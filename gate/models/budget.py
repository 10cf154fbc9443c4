"""The run's model budget (SPEC 3 `budget`): dollars and seconds shared by every model stage of a run.

The budget holds before money is spent. A call attempt starts only once its estimated cost is held:
the prompt's tokens (counted offline) x `PROMPT_SAFETY` at the input price, plus the whole answer
reserve (`models.max_output_tokens`, sent as `max_tokens`) at the output price. Holds are taken under
a lock, so calls running side by side cannot together overdraw what is left; a call that does not fit
while others are in flight waits for them to settle, and is refused once it cannot fit even then. When
an attempt ends, its actual cost replaces its hold (a timed-out or abandoned attempt keeps its hold as
spent: the provider may have done, and billed, the work). Every retry and repair holds again.

Prices come from litellm's local cost map. A model the map does not know is counted at
`budget.unpriced_usd_per_million_tokens`, else at the highest input and output prices among the run's
priced models; with neither, its calls are refused (never counted as free).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from gate.config.models import Budget

PROMPT_SAFETY = 1.25  # providers' tokenizers count more than tiktoken for some text
WAIT_POLL_S = 0.02  # how often a call waiting for others' holds to settle looks again
UNPRICED_SETTING = "budget.unpriced_usd_per_million_tokens"


@dataclass(frozen=True)
class Price:
    """Dollars per token a model's calls are counted at, and where the figure comes from."""

    input_per_token: float
    output_per_token: float
    source: str  # "cost map" | the setting's name | "the highest price among the run's models"

    @property
    def from_cost_map(self) -> bool:
        return self.source == "cost map"

    def per_million(self) -> str:
        return f"${self.input_per_token * 1e6:g}/${self.output_per_token * 1e6:g} per million tokens in/out"


@dataclass(frozen=True)
class Hold:
    """Dollars set aside for one call attempt until it settles."""

    usd: float
    model: str


@dataclass(frozen=True)
class Refused:
    """Why a call attempt was not started. `reason` names the budget setting that stopped it."""

    reason: str


@dataclass
class RunBudget:
    max_cost_usd: float
    max_seconds: float
    unpriced_usd_per_million_tokens: float | None = None
    started: float = field(default_factory=time.monotonic)
    spent_usd: float = 0.0  # actual costs, and the holds of attempts whose cost cannot be known
    held_usd: float = 0.0  # holds of attempts in flight
    models: set[str] = field(default_factory=set)  # every model the run's stages said they call
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_config(cls, budget: Budget) -> RunBudget:
        return cls(
            max_cost_usd=budget.max_cost_usd,
            max_seconds=budget.max_seconds,
            unpriced_usd_per_million_tokens=budget.unpriced_usd_per_million_tokens,
        )

    # -- prices ------------------------------------------------------------------------------------
    def register(self, models: Iterable[str]) -> list[str]:
        """Declare models a stage will call (before its first call: an unpriced model is counted at the
        highest price among them). Returns notes on the models the cost map does not price."""
        names = tuple(models)
        with self._lock:
            self.models.update(names)
        notes = []
        counted = [m for m in names if (p := self.price(m)) is not None and not p.from_cost_map]
        refused = [m for m in names if self.price(m) is None]
        if counted:
            price = self.price(counted[0])
            assert price is not None
            notes.append(
                f"not in litellm's cost map, counted at {price.per_million()} ({price.source}): "
                + ", ".join(counted)
            )
        if refused:
            notes.append(f"not called: {self.unpriced_reason(', '.join(refused))}")
        return notes

    def price(self, model: str) -> Price | None:
        """What `model`'s tokens count at; None when it has no price and none may be assumed."""
        from gate.models.pricing import facts

        with self._lock:
            self.models.add(model)
            run_models = sorted(self.models)
        own = facts(model)
        if own.known:
            return Price(own.input_cost_per_token, own.output_cost_per_token, "cost map")
        if self.unpriced_usd_per_million_tokens is not None:
            per_token = self.unpriced_usd_per_million_tokens / 1e6
            return Price(per_token, per_token, UNPRICED_SETTING)
        priced = [f for f in map(facts, run_models) if f.known]
        highest_in = max((f.input_cost_per_token for f in priced), default=0.0)
        highest_out = max((f.output_cost_per_token for f in priced), default=0.0)
        if highest_in <= 0 and highest_out <= 0:
            return None
        return Price(highest_in, highest_out, "the highest price among the run's models")

    def unpriced_reason(self, model: str) -> str:
        return (
            f"{model}: not in litellm's cost map and no other model of the run is priced, so its cost "
            f"cannot be held to budget.max_cost_usd (set {UNPRICED_SETTING})"
        )

    # -- holding and settling ------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining_seconds(self) -> float:
        return max(0.0, self.max_seconds - self.elapsed())

    def out_of_time(self) -> str | None:
        if self.remaining_seconds() > 0:
            return None
        elapsed = self.elapsed()
        return f"budget exhausted: {elapsed:.0f} s elapsed of budget.max_seconds {self.max_seconds:g} s"

    async def hold(self, usd: float, model: str, what: str) -> Hold | Refused:
        """Set `usd` aside for one attempt (`what` says how it was estimated), waiting while holds of
        calls in flight keep it from fitting; refused when it cannot fit or the time is out."""
        import asyncio  # only model calls wait here; a run that calls no model never loads asyncio

        usd = max(0.0, usd)
        while True:
            late = self.out_of_time()
            if late is not None:
                return Refused(late)
            with self._lock:
                left = self.max_cost_usd - self.spent_usd
                if usd <= left - self.held_usd:
                    self.held_usd += usd
                    return Hold(usd, model)
                in_flight = self.held_usd > 0
            if not in_flight or usd > left:
                return Refused(
                    f"budget exhausted: {model}'s call, estimated at ${usd:.4f} ({what}), does not fit in "
                    f"the ${max(0.0, left):.4f} left of budget.max_cost_usd ${self.max_cost_usd:g}"
                )
            await asyncio.sleep(WAIT_POLL_S)

    def settle(self, hold: Hold, actual_usd: float | None) -> None:
        """The attempt is over: its actual cost replaces its hold (None: unknown, the hold is spent)."""
        with self._lock:
            self.held_usd = max(0.0, self.held_usd - hold.usd)
            self.spent_usd += hold.usd if actual_usd is None else max(0.0, actual_usd)
