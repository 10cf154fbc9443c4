"""The run's time limit for a stage that runs on this process's main thread.

A stage in the forked child is stopped when `budget.max_seconds` is up (`gate.worker`). One that runs
here (offline, this process runs some deterministic stages itself; with `AI_GATE_ONE_PROCESS=1`, all of
them) is interrupted instead: a timer signal raises `TimeUp` in it, wherever it is, also in a long
regular-expression search (the engine checks for signals as it goes). `TimeUp` is not an `Exception`,
so a stage's own `except Exception` does not swallow it; the pipeline fails the stage closed.

Only the main thread receives signals, and only a process whose timer signal nobody else handles (a
test runner's own timeout may) is given one; elsewhere a stage runs without this limit, as before.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

# The longest timer asked for: some 30 years, where a budget of `.inf` means no limit worth counting (a
# timer of more than a time_t's seconds raises OverflowError).
MAX_TIMER_SECONDS = 1e9


class TimeUp(BaseException):
    """The run's time was up while the stage ran (`started`), or before it could start."""

    def __init__(self, started: bool = True) -> None:
        super().__init__(started)
        self.started = started


def why_stopped(max_seconds: float, started: bool) -> str:
    """Why a stage failed when the run's time was up, in the same words whichever process ran it:
    stopped while it ran (`started`), or never started."""
    budget = f"budget.max_seconds {max_seconds:g} s"
    if started:
        return f"the stage had not finished when the run's time was up ({budget}; it was stopped)"
    return f"the stage did not start: the run's time was up ({budget})"


def available() -> bool:
    """Whether a stage started now on this thread can be interrupted when the time is up."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    )


@contextlib.contextmanager
def limit(seconds: float) -> Iterator[None]:
    """Run the block with `seconds` left: TimeUp is raised in it when they are spent (at once when
    none are). Where no timer is available, the block runs without a limit."""
    if not available():
        yield
        return
    if seconds <= 0:
        raise TimeUp(started=False)
    previous = signal.signal(signal.SIGALRM, _time_up)
    try:
        signal.setitimer(signal.ITIMER_REAL, min(seconds, MAX_TIMER_SECONDS))
        yield
    finally:
        # Disarmed before the handler goes: a signal left pending would otherwise meet the default
        # action, which ends the process. A TimeUp raised here, at the very end, is still the stage's,
        # and the handler is put back all the same (else no later stage would be given a limit).
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _time_up(signum: int, frame: FrameType | None) -> None:
    raise TimeUp
