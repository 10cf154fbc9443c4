"""Fixtures of the regen tests: a real git change with AI-authored hunks, and a scripted model client.

`ScriptedModels` is an implementation of our own `ModelClient` protocol (gate/models/interface.py)
that answers from a script; it stands in for the model layer in the unit tests of selection,
measures and findings. The end-to-end tests drive the real model layer and litellm instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import ChangeSet
from gate.models.interface import CallRequest, CallResult
from gate.models.schemas import EquivalenceOutput, RegenerationOutput
from gate.provenance.model import ProvenanceResult
from gate.run import RunContext, Usage
from tests.gitrepo import GitRepo

BASE = '''"""Prices and discounts."""

import decimal


def total(items):
    subtotal = 0
    for item in items:
        subtotal += item.price
    return subtotal


def describe(item):
    name = item.name
    price = item.price
    return f"{name}: {price}"


def tax(amount):
    rate = 0.2
    due = amount * rate
    return due
'''

# The AI commit: an import, a logic-bearing function, a comment and a two-line helper, apart enough to
# be separate regions.
HEAD = '''"""Prices and discounts."""

import decimal
import math


def total(items):
    subtotal = 0
    for item in items:
        subtotal += item.price
    return subtotal


def apply_discount(price, rate):
    if rate < 0 or rate > 1:
        raise ValueError("rate must be within [0, 1]")
    discounted = price * (1 - rate)
    return round(discounted, 2)


def describe(item):
    name = item.name
    price = item.price
    return f"{name}: {price}"


def tax(amount):
    # VAT at the standard rate
    rate = 0.2
    due = amount * rate
    return due


def half(x):
    return x / 2
'''

SUBMITTED = """def apply_discount(price, rate):
    if rate < 0 or rate > 1:
        raise ValueError("rate must be within [0, 1]")
    discounted = price * (1 - rate)
    return round(discounted, 2)
"""

HUMAN_FILE = """def double(x):
    doubled = x * 2
    checked = max(doubled, 0)
    return checked
"""

DISCOUNT_ID = "src/prices.py:14-18"


@dataclass
class Change:
    changeset: ChangeSet
    provenance: ProvenanceResult
    ai_sha: str


def make_change(
    repo: GitRepo,
    head: str = HEAD,
    human_file: str = HUMAN_FILE,
    ai_files: Mapping[str, str] | None = None,
    base: str = BASE,
    path: str = "src/prices.py",
) -> Change:
    """`path` goes from `base` to `head` in an AI-authored commit (with `ai_files`), then a human one
    adds `human_file` as src/report.py."""
    repo.write(path, base)
    repo.commit("Add prices")
    repo.branch("feature")
    repo.write(path, head)
    for other, text in (ai_files or {}).items():
        repo.write(other, text)
    ai_sha = repo.commit(
        "Add a discount helper\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        author=("Claude", "noreply@anthropic.com"),
    )
    if human_file:
        repo.write("src/report.py", human_file)
        repo.commit("Add a helper by hand")
    changeset = load_git_changeset(repo.root, "main", "feature")
    ai_map = {
        path: frozenset(n for n, sha in lines.items() if sha == ai_sha)
        for path, lines in changeset.line_origins.items()
    }
    ai_lines = sum(len(v) for v in ai_map.values())
    added = changeset.diff.added_count
    provenance = ProvenanceResult(
        ai_share=ai_lines / added if added else 0.0,
        ai_lines=ai_lines,
        added_lines=added,
        commits=(),
        ai_line_map=ai_map,
    )
    return Change(changeset, provenance, ai_sha)


@pytest.fixture
def change(repo: GitRepo) -> Change:
    return make_change(repo)


Script = Mapping[str, Sequence[str]] | Callable[[CallRequest], Sequence[str]]


@dataclass
class ScriptedModels:
    """A ModelClient answering from scripts; records every request it gets. `models` go in the config."""

    regen: Script
    equivalence: tuple[bool, str] = (True, "")
    models: tuple[str, ...] = ("scripted/a", "scripted/b")
    calls_allowed: int | None = None  # after this many calls, calls come back skipped (budget)
    delay: float = 0.01
    fail_with: str | None = None  # every call fails with this error after retries
    requests: list[CallRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _cursor: dict[str, int] = field(default_factory=dict)

    async def call(self, request: CallRequest) -> CallResult:
        self.requests.append(request)
        if self.calls_allowed is not None and len(self.requests) > self.calls_allowed:
            return CallResult(request, outputs=(), error="budget exhausted", skipped=True)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        if self.fail_with is not None:
            return CallResult(request, outputs=(), error=self.fail_with, usage=Usage(model_calls=1))
        usage = Usage(model_calls=1, prompt_tokens=100, completion_tokens=50 * request.n, cost_usd=0.001)
        if request.schema_name == "equivalence":
            equivalent, difference = self.equivalence
            return CallResult(request, (EquivalenceOutput(equivalent=equivalent, difference=difference),),
                              usage=usage)  # fmt: skip
        codes = self._next(request)
        return CallResult(request, tuple(RegenerationOutput(code=c) for c in codes), usage=usage)

    def _next(self, request: CallRequest) -> Sequence[str]:
        if callable(self.regen):
            return self.regen(request)
        pool = self.regen.get(request.unit, ())
        start = self._cursor.get(request.unit, 0)
        self._cursor[request.unit] = start + request.n
        return [pool[(start + i) % len(pool)] for i in range(request.n)] if pool else []


def regen_context(change: Change, config: Config, offline: bool = False) -> RunContext:
    return RunContext(
        changeset=change.changeset,
        config=config,
        offline=offline,
        provenance=change.provenance,
        escalations={"regen": (True, "threshold met: AI share 100% >= 50%")},
    )


from tests.fakes.fixtures import model_server  # noqa: E402 - the loopback model server fixture

__all__ = ["model_server"]
