"""The run's model budget (SPEC 3 `budget`): dollars and seconds shared by every model stage of a run.

Checked before each call attempt starts: once spent or out of time, no new call starts and the result
says it was skipped. Calls already in flight finish, so the last round can overshoot a little.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from gate.config.models import Budget


@dataclass
class RunBudget:
    max_cost_usd: float
    max_seconds: float
    started: float = field(default_factory=time.monotonic)
    spent_usd: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_config(cls, budget: Budget) -> RunBudget:
        return cls(max_cost_usd=budget.max_cost_usd, max_seconds=budget.max_seconds)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining_seconds(self) -> float:
        return max(0.0, self.max_seconds - self.elapsed())

    def charge(self, cost_usd: float) -> None:
        with self._lock:
            self.spent_usd += cost_usd

    def exhausted(self) -> str | None:
        """Why no new call may start, or None while there is budget left."""
        with self._lock:
            spent = self.spent_usd
        if spent >= self.max_cost_usd:
            return f"budget exhausted: ${spent:.4f} spent of budget.max_cost_usd ${self.max_cost_usd:.2f}"
        if self.remaining_seconds() <= 0:
            elapsed = self.elapsed()
            return f"budget exhausted: {elapsed:.0f} s elapsed of budget.max_seconds {self.max_seconds:g} s"
        return None
