"""Deterministic stages in a second process, beside the rest of the run.

The deterministic stages are this interpreter's CPU, and so is everything else a run does: learning the
change's secrets, litellm's seconds-long import, the model stages' prompts and answers, the report. One
interpreter runs one of them at a time. On a machine with a second core, a forked child runs some of the
stages at the same time: it starts from this process's memory as it is (the change read, provenance
known; nothing is copied over), learns the change's secrets and sends them back first (with what its
scans read, so that this process looks those lines up rather than scanning them again), then runs its
stages and sends their results, with what it found scanning the strings the report will hold of them
(the report's redaction then looks them up too).

Some stages may be run by either process (`shared`, in groups: stages that share a cache run in one
process): each takes the next group left when it has nothing else to do, so that the one whose own work
ends first takes more of them. A group is handed out once, by a byte read from a pipe both hold; which
process ran a stage changes nothing in its result.

Fail closed: a child that dies, sends what cannot be read, or is still working when the run's time is up
(`budget.max_seconds`: a hostile input that makes a check run on and on) leaves each of its stages failed
("stage failed", never a pass); the report is still written. When its secrets did not arrive, this
process learns them itself before anything leaves the gate.

A fork is safe only while the process has one thread (a lock another thread holds stays held in the
child forever), so `start` forks only then, and only where `os.fork` exists; otherwise, or with
`AI_GATE_ONE_PROCESS=1` in the environment, it returns None and the stages run in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from gate.redact import adopt_learning, adopt_prescan, learn_changeset, memory, prescanned, redact
from gate.redact.detect import Hits, Scans, scans
from gate.run import RunContext, Stage, StageResult

# One stage's outcome: its result, and the trace's error record when it broke.
Outcome = tuple[StageResult, dict[str, object] | None]
RunStage = Callable[[Stage, RunContext], Outcome]
# The strings a report will hold of some outcomes: what `gate.redact.redact_tree` will scan of them.
ReportTexts = Callable[[Sequence[Outcome]], Iterable[str]]

ONE_PROCESS_ENV = "AI_GATE_ONE_PROCESS"
PR_SET_PDEATHSIG = 1  # prctl(2)
_LENGTH = struct.Struct("!Q")
# Why a child's outcomes could not be sent, as the failed stages' error says it: cut here.
WHY_MAX_CHARS = 300
# Shared groups past this many are this process's own: one byte names one.
_MAX_SHARED = 256


def enabled() -> bool:
    """Whether stages may run in a forked child on this platform and in this environment."""
    return hasattr(os, "fork") and os.environ.get(ONE_PROCESS_ENV, "") not in ("1", "true", "yes")


def start(
    stages: Sequence[Stage],
    ctx: RunContext,
    run_stage: RunStage,
    texts: ReportTexts | None = None,
    shared: Sequence[Sequence[Stage]] = (),
) -> Child | None:
    """Fork a child that learns the change's secrets and runs `stages` with `run_stage`, then takes
    the groups left of `shared` (this process takes the rest: `Child.claim`); None (run them all here) when
    forking is off or unsafe, or there is nothing to run. With `texts`, the child also scans the strings
    the report will hold of its outcomes, and this process takes over what it found."""
    if not (stages or shared) or not enabled() or threading.active_count() > 1:
        return None
    for stream in (sys.stdout, sys.stderr):  # what is buffered is written once, by this process
        stream.flush()
    shared = shared[:_MAX_SHARED]  # one byte names a group; the rest are this process's own
    claims = _claims(len(shared))
    read_end, write_end = os.pipe()
    parent = os.getpid()
    # What this process made so far lives to the end of the run (the change read, the modules loaded):
    # no collection walks it again, here or in the child, whose pages it would copy.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, stages, ctx, run_stage, texts, parent, (claims, shared))
    os.close(write_end)
    child = Child(pid, stages, ctx, texts, shared=shared, _claims=claims)
    child.receive(read_end)
    return child


def _claims(count: int) -> int:
    """The read end of a pipe that holds one byte per shared group, its index, and is closed for writing:
    each read of one byte hands one group to one process, and an empty read says none is left."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, bytes(range(count)))
    finally:
        os.close(write_end)
    return read_end


def _claim(fd: int) -> int | None:
    """The index of the next shared group nobody took yet; None when none is left."""
    taken = os.read(fd, 1)
    return taken[0] if taken else None


def _end_with(parent: int) -> None:
    """Have the kernel kill this child when its parent ends (Linux): a job that is cancelled, or a
    `timeout` that ends the run, kills the parent alone, and the child would run its stages on for
    nothing. A parent already gone by now ends it here."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _child(
    fd: int,
    stages: Sequence[Stage],
    ctx: RunContext,
    run_stage: RunStage,
    texts: ReportTexts | None,
    parent: int,
    shared: tuple[int, Sequence[Sequence[Stage]]],
) -> None:
    """Learn, send what was learned, run the stages and then the shared ones left, send their outcomes
    (with the hits of their report strings), and leave without running the parent's exit handlers or
    flushing its buffers a second time."""
    code = 0
    try:
        _end_with(parent)
        # What the parent made is never collected here: a collection would write to every object it
        # walks, copying the shared pages.
        gc.freeze()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # an interrupted run ends here at once
        with os.fdopen(fd, "wb") as out:
            learn_changeset(ctx.changeset)
            _send(out, (memory.known(), scans()))
            outcomes = [run_stage(stage, ctx) for stage in stages]
            claims, pool = shared
            taken: dict[int, list[Outcome]] = {}
            while (index := _claim(claims)) is not None:
                taken[index] = [run_stage(stage, ctx) for stage in pool[index]]
            try:
                hits = prescanned(texts(_every(outcomes, taken))) if texts is not None else None
            except Exception:  # the outcomes go without it: this process scans their strings itself
                hits = None
            try:
                _send(out, (outcomes, taken, hits))
            except Exception as exc:  # an outcome that cannot be sent (a defect): say why instead
                _send(out, redact(f"{type(exc).__name__}: {exc}")[:WHY_MAX_CHARS])
                code = 1
    except BaseException:  # whatever it was, the parent fails these stages closed
        code = 1
    finally:
        os._exit(code)


def _every(outcomes: Sequence[Outcome], taken: dict[int, list[Outcome]]) -> list[Outcome]:
    """The child's own outcomes, then those of the shared groups it took, as both processes list them."""
    return [*outcomes, *(outcome for group in taken.values() for outcome in group)]


def _send(out: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()


@dataclass
class Child:
    """The forked child, as the parent sees it: what it learned and its stages' outcomes, as they come."""

    pid: int
    stages: Sequence[Stage]
    ctx: RunContext
    texts: ReportTexts | None = None
    # Groups of stages either process may run; the read end of the pipe that hands them out (-1 once
    # empty).
    shared: Sequence[Sequence[Stage]] = ()
    _claims: int = -1
    _mine: set[int] = field(default_factory=set)  # the shared groups this process took
    _taken: dict[int, list[Outcome]] | None = None  # the outcomes of the groups the child took
    _learned: threading.Event = field(default_factory=threading.Event)
    _done: threading.Event = field(default_factory=threading.Event)
    _secrets: frozenset[str] | None = None
    _scans: Scans | None = None
    _outcomes: list[Outcome] | None = None
    _report_hits: Hits | None = None  # what the child's scan of `texts(_outcomes)` found
    _ended: str = ""
    _unsent: str = ""
    _late: str = ""
    _applied: bool = False

    def receive(self, fd: int) -> None:
        """Read the child's messages on a thread, so that it can finish and exit while this process works."""
        threading.Thread(target=self._read, args=(fd,), name="stage-process", daemon=True).start()

    def learned(self, within: float | None = None) -> None:
        """Wait until the change's secrets are known here: the child's, or, when it sent none or had not
        within `within` seconds (it is then stopped), this process learns them."""
        if not self._learned.wait(within):
            self._stopped()
        if self._applied:
            return
        self._applied = True
        if self._secrets is None or self._scans is None:
            learn_changeset(self.ctx.changeset)
        else:
            # With what its scans read: what this process redacts of those lines (a prompt's rows, the
            # report's strings) is then looked up, not scanned again.
            adopt_learning(self.ctx.changeset, self._secrets, self._scans)

    def claim(self) -> Sequence[Stage] | None:
        """The next shared group for this process to run; None when none is left (the child took the
        rest). Its outcomes are then this process's to keep: `outcomes` leaves them out."""
        if self._claims < 0:
            return None
        index = _claim(self._claims)
        if index is None:
            os.close(self._claims)
            self._claims = -1
            return None
        self._mine.add(index)
        return self.shared[index]

    @property
    def theirs(self) -> list[Stage]:
        """The stages whose outcomes `outcomes` gives, in its order: the child's own, then those of the
        shared groups this process did not take."""
        return [
            *self.stages,
            *(s for i, group in enumerate(self.shared) if i not in self._mine for s in group),
        ]

    def outcomes(
        self, failed: Callable[[Stage, str], StageResult], within: float | None = None
    ) -> list[Outcome]:
        """The outcomes of `theirs`, in its order; each failed when the child did not send it, or had not
        within `within` seconds (it is then stopped). A shared group still left is then run by nobody,
        and its stages fail too."""
        unrun: set[int] = set()  # shared groups still left: this process would have run them first
        while self._claims >= 0 and (index := _claim(self._claims)) is not None:
            unrun.add(index)
        if self._claims >= 0:
            os.close(self._claims)
            self._claims = -1
        if not self._done.wait(within):
            self._stopped()
        if self._outcomes is not None and len(self._outcomes) == len(self.stages) and self._taken is not None:
            sent, taken = self._outcomes, self._taken
            if self.texts is not None and self._report_hits is not None:
                # Once: the report's strings of these outcomes are looked up, not scanned again.
                texts, hits = self.texts, self._report_hits
                self._report_hits = None
                adopt_prescan(lambda: texts(_every(sent, taken)), hits)
            out = list(sent)
            for i, group in enumerate(self.shared):
                if i in self._mine:
                    continue
                got = taken.get(i)
                if isinstance(got, list) and len(got) == len(group):
                    out.extend(got)
                else:
                    why = "no process ran it" if i in unrun else "its process sent no result"
                    out.extend((failed(stage, why), None) for stage in group)
            return out
        if self._late:
            why = f"the stage's process had not finished when the run's time was up ({self._late})"
        elif self._unsent:
            why = f"the stage's process could not send its result ({self._unsent})"
        else:
            why = f"the stage's process ended without a result ({self._ended or 'no answer'})"
        return [(failed(stage, why), None) for stage in self.theirs]

    def stop(self) -> None:
        """End the child (an interrupted run); the thread reading its messages reaps it."""
        if not self._done.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def _stopped(self) -> None:
        """Stop a child still at work when the wait for it is over, and wait until it is reaped."""
        self._late = f"budget.max_seconds {self.ctx.config.budget.max_seconds:g} s; it was stopped"
        self.stop()
        self._done.wait()

    def _read(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "rb") as stream:
                learned = _receive(stream)
                if isinstance(learned, tuple) and len(learned) == 2:
                    secrets, taken = learned
                    if isinstance(secrets, frozenset) and all(isinstance(s, str) for s in secrets):
                        self._secrets = secrets
                    if (
                        isinstance(taken, tuple)
                        and len(taken) == 2
                        and isinstance(taken[0], dict)
                        and isinstance(taken[1], tuple)
                    ):
                        self._scans = taken
                self._learned.set()
                sent = _receive(stream)
                if (
                    isinstance(sent, tuple)
                    and len(sent) == 3
                    and isinstance(sent[0], list)
                    and isinstance(sent[1], dict)
                ):
                    self._outcomes, self._taken, hits = sent
                    self._report_hits = hits if isinstance(hits, dict) else None
                elif isinstance(sent, str):
                    self._unsent = sent
        except Exception:  # a broken message is a missing one: fail closed
            pass
        finally:
            self._learned.set()
            self._ended = _reap(self.pid)
            self._done.set()


def _receive(stream: BinaryIO) -> object:
    head = stream.read(_LENGTH.size)
    if len(head) != _LENGTH.size:
        raise EOFError("the stage process closed its pipe")
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the stage process closed its pipe")
    return pickle.loads(data)  # our own child's message, over a pipe only the two hold


def _reap(pid: int) -> str:
    """How the child ended, in words."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "its exit status is unknown"
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"
