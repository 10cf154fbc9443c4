"""Multi-model review: concurrency of a round, the gate's own overhead, and tokens per changed line.

Real litellm against the loopback model server of the tests (`tests/fakes/model_server.py`):
- 3 models x 4 chunks = 12 review calls with 1 s of latency each, then the cross-check round, run
  concurrently; the same review round with one call at a time per model for comparison;
- a 1,000-line PR through the whole gate (`run_gate`) with zero-latency models: the wall time is the
  gate's overhead with model latency excluded (litellm's client work on loopback included), next to
  the pure in-process part (units, prompts, consensus, policy, trace record);
- prompt tokens per changed line, counted with litellm's tokenizer on the messages really sent.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

MODELS = ("openai/bench-a", "openai/bench-b", "openai/bench-c")
KEY_ENV = "BENCH_REVIEW_KEY"
LATENCY_S = 1.0


def _repo(root: Path, files: int, lines_per_file: int) -> Any:
    from tests.gitrepo import GitRepo

    repo = GitRepo(root)
    repo.write("README.md", "bench\n")
    repo.commit("base")
    repo.branch("feature")
    for n in range(files):
        body = "".join(
            f"def handler_{n}_{i}(request, limit={i}):\n    return process(request, limit) + {i}\n\n"
            for i in range(lines_per_file // 3)
        )
        repo.write(f"svc/module_{n}.py", body)
    repo.commit("add handlers")
    return repo


def _config(url: str, **extra: Any) -> Any:
    from gate.config.models import Config

    data: dict[str, Any] = {
        "thresholds": {"review": {"changed_lines": 1}},
        "models": {
            "review": list(MODELS),
            "endpoints": {m: {"api_base": url, "api_key_env": KEY_ENV} for m in MODELS},
        },
        "budget": {"unpriced_usd_per_million_tokens": 1.0},  # the scripted models are not in the cost map
        **extra,
    }
    return Config.model_validate(data)


def _script(server: Any, delay: float) -> None:
    from tests.fakes.model_server import Reply, judge

    for i, model in enumerate(("bench-a", "bench-b", "bench-c")):

        def review(body: dict[str, Any], i: int = i) -> Any:
            # Each model raises its own finding, so every group goes to the cross-check round.
            text = next(m["content"] for m in body["messages"] if m["role"] == "user")
            path = text.split("### ", 1)[1].split(" ", 1)[0] if "### " in text else "svc/module_0.py"
            kind = ("injection", "overflow", "race")[i]
            finding = {
                "path": path,
                "start_line": 2 + 12 * i,
                "end_line": 2 + 12 * i,
                "severity": "high",
                "category": kind,
                "title": f"possible {kind} in handler",
                "body": f"{kind} risk",
                "suggestion": None,
            }
            return Reply.json({"findings": [finding]}, delay=delay)

        server.script(model, "review", review)
        server.script(model, "cross_check", judge(lambda title: True, delay=delay))


def _rounds(url: str, concurrency: int, repo: Any, cross_check: bool) -> tuple[float, float, int]:
    from gate.context.local_git import load_git_changeset
    from gate.models.budget import RunBudget
    from gate.models.client import LiteLLMClient
    from gate.review.flow import ReviewRounds, cross_check_round, review_round
    from gate.review.prompt import Contracts, pr_text
    from gate.review.units import build_units, pack

    config = _config(url)
    changeset = load_git_changeset(repo.root, "main", "feature")
    units, _ = build_units(changeset, 100_000)
    chunks = pack(units, max(u.tokens for u in units))  # one chunk per file: 4 chunks
    client = LiteLLMClient(
        config, RunBudget.from_config(config.budget), concurrency=concurrency, timeout_s=30
    )
    rounds = ReviewRounds()

    async def both() -> tuple[float, float]:
        started = time.perf_counter()
        await review_round(client, MODELS, chunks, config, Contracts(), pr_text(changeset), rounds)
        first = time.perf_counter() - started
        if not cross_check:
            return first, 0.0
        started = time.perf_counter()
        await cross_check_round(client, chunks, 2, config.gate.fail_on, rounds)
        return first, time.perf_counter() - started

    review_s, cross_s = asyncio.run(both())
    return review_s, cross_s, rounds.calls


def _overhead(url: str, server: Any, root: Path) -> tuple[float, float, int, int, float]:
    import litellm

    from gate.app import run_gate
    from gate.context.local_git import load_git_changeset
    from gate.policy import decide
    from gate.review.consensus import Raised, group_findings, tally, to_findings
    from gate.review.prompt import Contracts, pr_text, review_messages
    from gate.review.units import build_units, pack

    repo = _repo(root / "big", files=10, lines_per_file=102)
    changeset = load_git_changeset(repo.root, "main", "feature")
    changed = changeset.diff.changed_count
    config = _config(url)
    before = len(server.calls)
    started = time.perf_counter()
    outcome = run_gate(changeset, config, trace_path=root / "trace.jsonl")
    wall = time.perf_counter() - started
    review_calls = [c for c in server.calls[before:] if c.schema == "review"]
    tokens = sum(litellm.token_counter(model="gpt-4o", messages=c.body["messages"]) for c in review_calls)
    per_model = tokens / len(MODELS)

    started = time.perf_counter()
    units, _ = build_units(changeset, 20_000)
    chunks = pack(units, 20_000)
    for chunk in chunks:
        review_messages(chunk, config, Contracts(), pr_text(changeset))
    stage = next(s for s in outcome.stages if s.stage == "review")
    raised = [Raised(m, "chunk-1", f) for m in MODELS for f in _as_review(stage.findings)]
    groups = group_findings(raised)
    to_findings(groups, tally(groups, {}), 2, config.gate.fail_on)
    decide(outcome.stages, changeset, config)
    pure = time.perf_counter() - started
    return wall, pure, changed, len(review_calls), per_model


def _as_review(findings: Any) -> list[Any]:
    from gate.models.schemas import ReviewFinding

    return [
        ReviewFinding(
            path=f.location.path,
            start_line=f.location.start_line,
            end_line=f.location.end_line,
            severity=f.severity.value,
            category=f.category,
            title=f.title,
            body=f.body,
            suggestion=None,
        )
        for f in findings
    ]


def run() -> str:
    from tests.fakes.model_server import FakeModelServer

    os.environ[KEY_ENV] = "sk-bench"
    with tempfile.TemporaryDirectory() as tmp, FakeModelServer() as server:
        root = Path(tmp)
        repo = _repo(root / "four", files=4, lines_per_file=30)
        _script(server, 0.0)
        _rounds(server.url, 16, repo, cross_check=False)  # warm-up: litellm import and first connection
        _script(server, LATENCY_S)
        review_s, cross_s, calls = _rounds(server.url, 16, repo, cross_check=True)
        seq_s, _, seq_calls = _rounds(server.url, 1, repo, cross_check=False)
        _script(server, 0.0)
        wall, pure, changed, review_calls, per_model = _overhead(server.url, server, root)
    all_models = per_model * len(MODELS)
    return "\n".join(
        [
            "## Multi-model review: concurrency and overhead",
            "",
            f"Loopback OpenAI-compatible server, real litellm; {len(MODELS)} models, "
            f"{LATENCY_S:g} s latency a call.",
            "",
            "| measure | value | target |",
            "| --- | --- | --- |",
            f"| review round, {seq_calls} calls, concurrent (16 per model) | {review_s:.2f} s | ≤ ~1.3 s |",
            f"| cross-check round, {calls - seq_calls} calls (one per model, batched), concurrent | "
            f"{cross_s:.2f} s | ≤ ~1.3 s |",
            f"| review round, {seq_calls} calls, one at a time per model (concurrency 1) | {seq_s:.2f} s "
            f"| ~{seq_calls // len(MODELS)} s |",
            f"| whole gate on a {changed}-line PR, zero-latency models ({review_calls} review calls) | "
            f"{wall:.2f} s | < 0.5 s of gate overhead |",
            f"| of which in-process work (units, prompts, consensus, policy) | {pure * 1000:.0f} ms | |",
            f"| prompt tokens per changed line, per model (litellm tokenizer) | {per_model / changed:.1f} | |",  # noqa: E501
            f"| prompt tokens per changed line, all {len(MODELS)} models | {all_models / changed:.1f} | |",
            "",
        ]
    )


if __name__ == "__main__":
    print(run())
