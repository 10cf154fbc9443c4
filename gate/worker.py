"""Deterministic stages in a second process, beside the rest of the run.

The deterministic stages are this interpreter's CPU, and so is everything else a run does: learning the
change's secrets, litellm's seconds-long import, the model stages' prompts and answers, the report. One
interpreter runs one of them at a time. On a machine with a second core, a forked child runs some of the
stages at the same time: it starts from this process's memory as it is (the change read, provenance
known; nothing is copied over), learns the change's secrets and sends them back first (with what its
scans read, so that this process looks those lines up rather than scanning them again), then runs its
stages, sending each one's result as it ends, and last what it found scanning the strings the report
will hold of them (the report's redaction then looks them up too).

Some stages may be run by either process (`shared`, in groups: stages that share a cache run in one
process): each takes the next group left when it has nothing else to do, so that the one whose own work
ends first takes more of them. A group is handed out once, by a byte read from a pipe both hold; which
process ran a stage changes nothing in its result.

Fail closed: a child that dies, sends what cannot be read, or is still working when the run's time is up
(`budget.max_seconds`: a hostile input that makes a check run on and on) leaves each of its stages whose
result had not arrived failed ("stage failed", never a pass), saying whether it was running or had not
started; the results of those it finished are kept, and the report is still written. When its secrets
did not arrive, this process learns them itself before anything leaves the gate.

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

from gate.deadline import why_stopped
from gate.redact import (
    adopt_learning,
    adopt_prescan,
    learn_changeset,
    memory,
    prescanned,
    redact,
    unlearned_files,
)
from gate.redact.detect import Hits, Scans, scans
from gate.run import RunContext, Stage, StageResult, prepare

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
# The child's messages after what it learned: a stage starts (slot), a stage's outcome (slot, outcome),
# why an outcome could not be sent (slot, why), and the last (the hits of the report strings of the
# outcomes sent, in the order they were sent).
_STARTED, _DONE, _UNSENT, _END = "started", "done", "unsent", "end"


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
    """Learn, send what was learned, run the stages and then the shared ones left, each stage's outcome
    sent as it ends (a child that dies or is stopped later has still handed over what it finished), then
    the hits of their report strings; and leave without running the parent's exit handlers or flushing
    its buffers a second time."""
    code = 0
    try:
        _end_with(parent)
        # What the parent made is never collected here: a collection would write to every object it
        # walks, copying the shared pages.
        gc.freeze()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # an interrupted run ends here at once
        with os.fdopen(fd, "wb") as out:
            prepare(stages, ctx)  # git's work for them goes on while this process learns
            learn_changeset(ctx.changeset)
            _send(out, (memory.known(), scans(), unlearned_files()))
            claims, pool = shared
            first = _first_slots(len(stages), pool)
            sent: dict[int, Outcome] = {}  # by slot, in the order they ran
            ctx.runs_here = frozenset(s.id for s in stages)
            for slot, stage in enumerate(stages):
                sent.update(_run_and_send(out, slot, stage, ctx, run_stage))
            while (index := _claim(claims)) is not None:
                ctx.runs_here = frozenset(s.id for s in (*stages, *pool[index]))
                for offset, stage in enumerate(pool[index]):
                    sent.update(_run_and_send(out, first[index] + offset, stage, ctx, run_stage))
            try:
                hits = prescanned(texts(list(sent.values()))) if texts is not None else None
            except Exception:  # the outcomes went without it: this process scans their strings itself
                hits = None
            _send(out, (_END, hits))
    except BaseException:  # whatever it was, the parent fails the stages it has no outcome of
        code = 1
    finally:
        os._exit(code)


def _run_and_send(
    out: BinaryIO, slot: int, stage: Stage, ctx: RunContext, run_stage: RunStage
) -> dict[int, Outcome]:
    """Say that the stage starts, run it and send its outcome; the outcome by its slot when it was sent."""
    _send(out, (_STARTED, slot))
    outcome = run_stage(stage, ctx)
    try:
        _send(out, (_DONE, slot, outcome))
    except Exception as exc:  # an outcome that cannot be sent (a defect): say why instead
        _send(out, (_UNSENT, slot, redact(f"{type(exc).__name__}: {exc}")[:WHY_MAX_CHARS]))
        return {}
    return {slot: outcome}


def _first_slots(own: int, shared: Sequence[Sequence[Stage]]) -> list[int]:
    """The slot of each shared group's first stage. A stage's slot names it in the child's messages: the
    child's own stages are 0 to `own` - 1, then the shared groups' stages follow, group by group."""
    first: list[int] = []
    for group in shared:
        first.append(own)
        own += len(group)
    return first


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
    _learned: threading.Event = field(default_factory=threading.Event)
    _done: threading.Event = field(default_factory=threading.Event)
    _secrets: frozenset[str] | None = None
    _scans: Scans | None = None
    _unlearned: dict[str, str] | None = None  # the files its learning could not read whole
    # What the child sent of its stages, by slot (`_first_slots`): the last it started (it runs one at a
    # time), their outcomes in the order it sent them, and why an outcome could not be sent.
    _running: int | None = None
    _sent: dict[int, Outcome] = field(default_factory=dict)
    _unsent: dict[int, str] = field(default_factory=dict)
    _report_hits: Hits | None = None  # what the child's scan of `texts` of those outcomes found: its last
    _ended: str = ""
    _broken: bool = False
    _late: bool = False  # stopped when the run's time was up
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
        if self._secrets is None or self._scans is None or self._unlearned is None:
            learn_changeset(self.ctx.changeset)
        else:
            # With what its scans read: what this process redacts of those lines (a prompt's rows, the
            # report's strings) is then looked up, not scanned again.
            adopt_learning(self.ctx.changeset, self._secrets, self._scans, self._unlearned)

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
        return [stage for _, _, stage in self._slots()]

    def _slots(self) -> list[tuple[int, int, Stage]]:
        """`theirs`, each with its slot, and the index of its shared group (-1 for the child's own)."""
        first = _first_slots(len(self.stages), self.shared)
        return [
            *((slot, -1, stage) for slot, stage in enumerate(self.stages)),
            *(
                (first[i] + offset, i, stage)
                for i, group in enumerate(self.shared)
                if i not in self._mine
                for offset, stage in enumerate(group)
            ),
        ]

    def outcomes(self, failed: Callable[[Stage, str], Outcome], within: float | None = None) -> list[Outcome]:
        """The outcomes of `theirs`, in its order: each the child sent is kept; `failed` makes the others,
        told why: the child had not sent it within `within` seconds (it is then stopped), ended, or
        could not send it. A shared group still left is then run by nobody, and its stages fail too."""
        unrun: set[int] = set()  # shared groups still left: this process would have run them first
        while self._claims >= 0 and (index := _claim(self._claims)) is not None:
            unrun.add(index)
        if self._claims >= 0:
            os.close(self._claims)
            self._claims = -1
        if not self._done.wait(within):
            self._stopped()
        if self.texts is not None and self._report_hits is not None:
            # Once: the report's strings of these outcomes are looked up, not scanned again.
            texts, hits, sent = self.texts, self._report_hits, self._sent
            self._report_hits = None
            adopt_prescan(lambda: texts(list(sent.values())), hits)
        out: list[Outcome] = []
        for slot, group, stage in self._slots():
            if slot in self._sent:
                out.append(self._sent[slot])
            else:
                out.append(failed(stage, "no process ran it" if group in unrun else self._why(slot)))
        return out

    def _why(self, slot: int) -> str:
        """Why the stage in `slot` has no outcome: it was running, or had not started, when the child was
        stopped or ended; or its outcome could not be sent."""
        if slot in self._unsent:
            return f"the stage's process could not send its result ({self._unsent[slot]})"
        running = slot == self._running
        if self._late:
            return why_stopped(self.ctx.config.budget.max_seconds, started=running)
        ended = self._ended or "no answer"
        if self._broken:
            return f"the stage's process sent what could not be read ({ended})"
        if running:
            return f"the stage's process ended while it ran ({ended})"
        return f"the stage did not start: its process ended first ({ended})"

    def stop(self) -> None:
        """End the child (an interrupted run); the thread reading its messages reaps it."""
        if not self._done.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def _stopped(self) -> None:
        """Stop a child still at work when the wait for it is over, and wait until it is reaped."""
        self._late = True
        self.stop()
        self._done.wait()

    def _take(self, message: object) -> None:
        """Keep one message of the child's about its stages; one of no known shape breaks the stream."""
        match message:
            case (str(kind), int(slot)) if kind == _STARTED:
                self._running = slot
            case (str(kind), int(slot), tuple((StageResult() as result, (dict() | None) as record))) if (
                kind == _DONE
            ):
                self._sent[slot] = (result, record)
            case (str(kind), int(slot), str(why)) if kind == _UNSENT:
                # A send that failed part-way may have written the outcome whole: it is not among those
                # sent, whose strings the child's prescan covers.
                self._sent.pop(slot, None)
                self._unsent[slot] = why
            case (str(kind), hits) if kind == _END:
                self._report_hits = hits if isinstance(hits, dict) else None
            case _:
                raise ValueError("a message of no known shape from the stage process")

    def _read(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "rb") as stream:
                learned = _receive(stream)
                if isinstance(learned, tuple) and len(learned) == 3:
                    secrets, taken, unlearned = learned
                    if isinstance(secrets, frozenset) and all(isinstance(s, str) for s in secrets):
                        self._secrets = secrets
                    if (
                        isinstance(taken, tuple)
                        and len(taken) == 2
                        and isinstance(taken[0], dict)
                        and isinstance(taken[1], tuple)
                    ):
                        self._scans = taken
                    if isinstance(unlearned, dict) and all(
                        isinstance(k, str) and isinstance(v, str) for k, v in unlearned.items()
                    ):
                        self._unlearned = unlearned
                self._learned.set()
                while (message := _receive(stream)) is not None:
                    self._take(message)
        except EOFError:  # the child ended in the middle of a message: as if it had not begun it
            pass
        except Exception:  # a broken message is a missing one, and so is what follows it: fail closed
            self._broken = True
        finally:
            self._learned.set()
            self._ended = _reap(self.pid)
            self._done.set()


def _receive(stream: BinaryIO) -> object:
    """The next message; None when the child closed its pipe after the last."""
    head = stream.read(_LENGTH.size)
    if not head:
        return None
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
