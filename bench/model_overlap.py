"""Review and re-generation together: the run's model-bound time when both escalate.

One AI-authored change (a commit with an AI co-author trailer) that both model stages check: three
review models (review, then cross-check) and two re-generation models (samples, then a comparison of
each outlier candidate). Every call waits LATENCY at the metered loopback server, so each stage's
critical path is its rounds x LATENCY. In one process, through the real pipeline and real litellm:
each stage alone, then both one after the other (the pipeline's `together=False`, as before the two
ran side by side), then both side by side. The model-bound time is the server's span: first request
in to last answer out.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gate_models import KEY_ENV, REVIEW_MODELS, answer
from bench.loopback import Metered, rounds
from tests.fakes.model_server import FakeModelServer, Reply

LATENCY = 1.0
TARGET_RATIO = 1.1
REGEN_MODELS = REVIEW_MODELS[:2]
FILES = 3  # AI-written modules of FUNCTIONS logic-bearing functions each: the hunks regen checks
FUNCTIONS = 2
REVIEW_SCHEMAS = ("review", "cross_check")
REGEN_SCHEMAS = ("regeneration", "equivalence")


def _module(n: int) -> str:
    return "".join(
        f"def settle_{n}_{i}(balance, payments, fee):\n"
        f"    if not payments:\n"
        f"        raise ValueError('nothing to settle')\n"
        f"    total = sum(p.amount for p in payments) - fee * {i + 1}\n"
        f"    remaining = balance - total\n"
        f"    return round(remaining, 2) if remaining > 0 else 0.0\n\n\n"
        for i in range(FUNCTIONS)
    )


def _change(root: Path) -> Any:
    from gate.context.local_git import load_git_changeset
    from tests.gitrepo import GitRepo

    repo = GitRepo(root)
    repo.write("README.md", "ledger\n")
    repo.commit("base")
    repo.branch("feature")
    for n in range(FILES):
        repo.write(f"ledger/settle_{n}.py", _module(n))
    repo.commit(
        "Add settlement helpers\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        author=("Claude", "noreply@anthropic.com"),
    )
    return load_git_changeset(repo.root, "main", "feature")


def _serve(server: FakeModelServer, latency: float) -> None:
    """The benchmarks' scripted answers (`bench.gate_models`), each after `latency`. Not metered: the
    pipeline runs in this process, and counting tokens at the server would take its CPU."""
    for model in REVIEW_MODELS:
        name = model.split("/", 1)[-1]
        server.script(name, "*", lambda body: Reply.json(answer(body), delay=latency))


def _calls(server: FakeModelServer) -> list[Metered]:
    return [Metered(c.model, c.schema, 0, 0, c.at) for c in server.calls]


def _config(server: FakeModelServer) -> Any:
    from gate.config.models import Config

    return Config.model_validate(
        {
            "models": {
                "review": list(REVIEW_MODELS),
                "regen": list(REGEN_MODELS),
                "endpoints": {m: {"api_base": server.url, "api_key_env": KEY_ENV} for m in REVIEW_MODELS},
            },
            "budget": {"max_cost_usd": 1000.0, "max_seconds": 600, "unpriced_usd_per_million_tokens": 1.0},
        }
    )


@dataclass(frozen=True)
class Run:
    name: str
    calls: list[Metered]
    wall: float  # the whole pipeline, in process
    findings: tuple[str, ...]

    @property
    def span(self) -> float:
        if not self.calls:
            return 0.0
        starts = [c.started for c in self.calls]
        return max(starts) + LATENCY - min(starts)

    def critical_path(self, schemas: tuple[str, ...]) -> float:
        """Rounds x LATENCY of the calls of `schemas` (one stage's)."""
        return rounds([c for c in self.calls if c.schema in schemas], LATENCY) * LATENCY


def _run(server: FakeModelServer, changeset: Any, name: str, stages: tuple[str, ...], together: bool) -> Run:
    from gate.models.budget import RunBudget
    from gate.pipeline import run
    from gate.regen.stage import RegenStage
    from gate.review.stage import ReviewStage
    from gate.run import RunContext, Services

    config = _config(server)
    escalations = {s: (s in stages, "benchmark") for s in ("review", "regen")}
    ctx = RunContext(
        changeset=changeset,
        config=config,
        escalations=escalations,
        services=Services(budget=RunBudget.from_config(config.budget)),
    )
    server.calls.clear()
    started = time.perf_counter()
    outcome = run(ctx, [ReviewStage(), RegenStage()], together=together)
    wall = time.perf_counter() - started
    for stage in outcome.stages:
        if stage.stage in stages and (not stage.ran or stage.model_error or stage.error):
            raise RuntimeError(f"{name}: {stage.stage} did not finish: {stage.model_error or stage.error}")
    return Run(name, _calls(server), wall, tuple(f.fingerprint for f in outcome.findings))


def measure() -> list[Run]:
    os.environ[KEY_ENV] = "sk-loopback"
    with tempfile.TemporaryDirectory() as tmp, FakeModelServer() as server:
        _serve(server, 0.0)
        changeset = _change(Path(tmp) / "repo")
        _run(server, changeset, "warm-up", ("review", "regen"), True)  # litellm import, connections
        _serve(server, LATENCY)
        return [
            _run(server, changeset, "review alone", ("review",), True),
            _run(server, changeset, "regen alone", ("regen",), True),
            _run(server, changeset, "both, one after the other (before)", ("review", "regen"), False),
            _run(server, changeset, "both, side by side (after)", ("review", "regen"), True),
        ]


def run() -> str:
    review_alone, regen_alone, before, after = measure()
    longest = max(review_alone.critical_path(REVIEW_SCHEMAS), regen_alone.critical_path(REGEN_SCHEMAS))
    # the longer stage's span when it runs alone: its critical path with its own work between rounds
    alone = max(review_alone.span, regen_alone.span)
    rows = []
    for r in (review_alone, regen_alone, before, after):
        review_calls = sum(1 for c in r.calls if c.schema in REVIEW_SCHEMAS)
        regen_calls = sum(1 for c in r.calls if c.schema in REGEN_SCHEMAS)
        rows.append(
            f"| {r.name} | {review_calls} / {regen_calls} | {rounds(r.calls, LATENCY)} | {r.span:.2f} "
            f"| {r.span / longest:.2f}x | {r.span / alone:.2f}x | {r.wall:.2f} |"
        )
    review_path = review_alone.critical_path(REVIEW_SCHEMAS)
    regen_path = regen_alone.critical_path(REGEN_SCHEMAS)
    ratio = after.span / longest
    mark = "met" if ratio <= TARGET_RATIO else "**missed**"
    same = "the same findings" if before.findings == after.findings else "**different findings**"
    return "\n".join(
        [
            "## Review and re-generation side by side",
            "",
            f"One AI-authored change ({FILES * FUNCTIONS} new functions in {FILES} files) that both model "
            f"stages check: review by {len(REVIEW_MODELS)} models with cross-check, re-generation by "
            f"{len(REGEN_MODELS)} models with the comparison of outlier candidates. {LATENCY:.1f} s per "
            "call at the loopback model server, real litellm, the pipeline in process (`gate.pipeline.run`). "
            "*Span* is the model-bound time: first request in to last answer out at the server; *waves* "
            "are the sequential rounds the server saw.",
            "",
            "| run | calls review / regen | waves | span s | span / longer critical path "
            "| span / longer stage alone | pipeline wall s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            f"Longer critical path (rounds x latency): {longest:.1f} s (review {review_path:.1f} s, "
            f"re-generation {regen_path:.1f} s); the longer stage alone took {alone:.2f} s. Target: side "
            f"by side within {TARGET_RATIO}x of the critical path: {ratio:.2f}x, {mark} "
            f"({after.span / alone:.2f}x the longer stage alone); {same} before and after.",
        ]
    )


if __name__ == "__main__":
    print(run())
