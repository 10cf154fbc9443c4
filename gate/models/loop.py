"""The model layer's own event loop: one thread, one loop, that every call of a client goes through.

Model stages each run their coroutines on a loop of their own (`gate.run.run_sync`), and the pipeline
runs independent model stages side by side on threads. A bound on calls in flight (an
`asyncio.Semaphore`) belongs to one loop, so the calls of every stage are carried over to this one loop:
the bound and the budget's waits live there, and stages running at the same time share them.

The loop is the process's (`model_loop`), each client keeping its own bounds on it. A caller that
stops waiting (a round's grace period ran out, its loop is shutting down) has the call
cancelled on this loop and waits until it has ended there, so the attempt's trace record is written
and its budget hold settled before the caller moves on, as when everything ran on one loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from gate import syntax
from gate.once import once

T = TypeVar("T")


class ModelLoop:
    """Started on first use; its daemon thread serves calls until the process ends."""

    def __init__(self, name: str = "model-calls") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                syntax.guard_stdlib_parser()  # calls on this thread import and parse beside the stages
                threading.Thread(target=_serve, args=(loop, ready), name=self._name, daemon=True).start()
                ready.wait()
                self._loop = loop
            return self._loop

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """`coro`'s result, run on this loop and awaited from the caller's own loop."""
        loop = self._started()
        if asyncio.get_running_loop() is loop:
            return await coro
        ended: concurrent.futures.Future[T] = concurrent.futures.Future()
        tasks: list[asyncio.Task[T]] = []

        def start() -> None:
            task = loop.create_task(coro)
            tasks.append(task)
            task.add_done_callback(lambda t: _copy(t, ended))

        loop.call_soon_threadsafe(start)
        waiter = asyncio.wrap_future(ended)
        try:
            # shielded: the caller's cancellation must not end the wait before the call has ended
            return await asyncio.shield(waiter)
        except asyncio.CancelledError:
            # scheduled after `start`, so the task exists by then
            loop.call_soon_threadsafe(lambda: [t.cancel() for t in tasks])
            await asyncio.wait([waiter])
            raise


@once
def model_loop() -> ModelLoop:
    """The process's one model loop. One, not one per client: litellm keeps run-wide state bound to the
    loop its calls run on (its logging worker, its HTTP clients), which a second live loop would orphan."""
    return ModelLoop()


def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    loop.run_forever()


def _copy(task: asyncio.Task[T], ended: concurrent.futures.Future[T]) -> None:
    if task.cancelled():
        ended.cancel()
    elif (exc := task.exception()) is not None:
        ended.set_exception(exc)
    else:
        ended.set_result(task.result())
