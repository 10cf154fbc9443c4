"""Model stages: our multi-model review of the corpus PRs through the metered loopback server, per model
and for the whole run, side by side with PR-Agent's review of the same diffs in the same run.

Every call waits LATENCY seconds at the server, so the critical path of a review is known: its rounds
(review, then cross-check) times the slowest call. The server counts every prompt and completion with
the same tokenizer for both tools.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from bench import corpus, pr_agent
from bench.gate_models import KEY_ENV, REVIEW_MODELS, serve_gate_models, write_config
from bench.loopback import PRICE_NOTE, Metered, MeteredServer, rounds, totals
from bench.measure import ROOT, ai_gate, gate_env
from bench.measure import run as run_process
from gate.config.models import Models

LATENCY = 1.0
# the model layer's default bound on concurrent calls per model (AI_GATE_MODEL_CONCURRENCY)
CONCURRENCY = Models().concurrency
TARGET_CRITICAL_RATIO = 1.3
WORK = ROOT / "bench" / ".work" / "model-stages"


@dataclass(frozen=True)
class GateReview:
    pr: corpus.CorpusPR
    wall: float
    peak_rss_mb: float
    calls: list[Metered]
    report: dict[str, Any]

    @property
    def review_ran(self) -> bool:
        return bool(self.report.get("stages", {}).get("review", {}).get("ran"))

    @property
    def schemas(self) -> list[str]:
        """The rounds in the order they started (review, cross_check, ...)."""
        ordered = sorted(self.calls, key=lambda c: c.started)
        return list(dict.fromkeys(c.schema for c in ordered))

    @property
    def span(self) -> float:
        """First request in to last answer out, at the server."""
        if not self.calls:
            return 0.0
        starts = [c.started for c in self.calls]
        return max(starts) + LATENCY - min(starts)

    @property
    def critical_path(self) -> float:
        return len(self.schemas) * LATENCY

    @property
    def bounded_path(self) -> float:
        """The critical path given the per-model concurrency bound: each round needs as many waves as its
        busiest model, ceil(calls of that model / bound)."""
        waves = 0
        for schema in self.schemas:
            per_model: dict[str, int] = {}
            for c in self.calls:
                if c.schema == schema:
                    per_model[c.model] = per_model.get(c.model, 0) + 1
            waves += math.ceil(max(per_model.values(), default=0) / CONCURRENCY)
        return waves * LATENCY


def review(server: MeteredServer, pr: corpus.CorpusPR) -> GateReview:
    config = write_config(WORK / "ai-gate.yml", server, review=True, regen=False)
    server.reset()
    argv = [ai_gate(), "check", "--repo", str(pr.repo), "--base", "main", "--head", "pr"]
    argv += [
        "--config",
        str(config),
        "--format",
        "json",
        "--no-progress",
        "--trace",
        str(WORK / f"{pr.name}.jsonl"),
    ]
    result = run_process(argv, env=gate_env(**{KEY_ENV: "sk-loopback"}))
    if result.returncode not in (0, 1):
        raise RuntimeError(
            f"ai-gate on {pr.name} exited {result.returncode}: {result.stderr.decode()[-600:]}"
        )
    return GateReview(pr, result.wall, result.peak_rss_mb, list(server.calls), json.loads(result.stdout))


def measure() -> list[GateReview]:
    with MeteredServer(LATENCY) as server:
        serve_gate_models(server)
        return [review(server, corpus.pr(size)) for size in corpus.REVIEW_SIZES]


def _pr_agent_by_pr() -> dict[str, pr_agent.Outcome]:
    outcomes = pr_agent.LAST or pr_agent.measure()
    return {o.pr.name: o for o in outcomes if o.mode == "plain-diff" and o.ok}


def _per_model(runs: list[GateReview], theirs: dict[str, pr_agent.Outcome]) -> list[str]:
    rows = []
    for r in runs:
        other = theirs.get(r.pr.name)
        # PR-Agent drops files that do not fit its token budget: rate it per line it actually reviewed
        their_rate = other.metered.prompt_tokens / max(other.reviewed_changed, 1) if other else None
        for model in REVIEW_MODELS:
            name = model.split("/", 1)[-1]
            t = totals(r.calls, name)
            first, second = totals(r.calls, name, "review"), totals(r.calls, name, "cross_check")
            rate = t.prompt_tokens / r.pr.changed
            review_rate = first.prompt_tokens / r.pr.changed
            versus = f"{their_rate:.1f} ({rate / their_rate:.2f}x)" if their_rate else "n/a"
            ok = "met" if their_rate and rate <= their_rate else "**missed**" if their_rate else "n/a"
            rows.append(
                f"| {r.pr.changed:,} | `{model}` | {t.calls} | {t.prompt_tokens:,} | {t.completion_tokens:,} "
                f"| {first.calls} / {second.calls} | {first.prompt_tokens:,} / {second.prompt_tokens:,} "
                f"| {review_rate:.1f} | {rate:.1f} | {versus} | {ok} | ${t.cost_usd:.4f} |"
            )
    return rows


def _whole(runs: list[GateReview], theirs: dict[str, pr_agent.Outcome]) -> list[str]:
    rows = []
    for r in runs:
        t = totals(r.calls)
        other = theirs.get(r.pr.name)
        their = (
            f"{other.metered.calls} | {other.metered.prompt_tokens:,} | ${other.metered.cost_usd:.4f} "
            f"| {other.wall:.1f}"
            if other
            else "n/a | n/a | n/a | n/a"
        )
        ratio = r.span / r.critical_path if r.critical_path else 0.0
        rows.append(
            f"| {r.pr.changed:,} | {t.calls} | {' → '.join(r.schemas)} | {t.prompt_tokens:,} "
            f"| {t.completion_tokens:,} "
            f"| ${t.cost_usd:.4f} | {r.wall:.1f} | {r.span:.1f} | {r.critical_path:.1f} | {ratio:.2f}x "
            f"| {r.bounded_path:.1f} | {rounds(r.calls, LATENCY)} | {their} |"
        )
    return rows


def _verdicts(runs: list[GateReview]) -> list[str]:
    lines = []
    for r in runs:
        ratio = r.span / r.critical_path if r.critical_path else 0.0
        mark = "met" if ratio <= TARGET_CRITICAL_RATIO else "**missed**"
        lines.append(
            f"- {r.pr.changed:,} changed lines: {ratio:.2f}x, {mark} ({len(r.calls)} calls at a bound of "
            f"{CONCURRENCY} per model need {r.bounded_path / LATENCY:.0f} waves)"
        )
    return lines


LAST: list[GateReview] = []


def run() -> str:
    runs = measure()
    LAST[:] = runs
    header = [
        "## Model stages: multi-model review vs PR-Agent",
        "",
        "`ai-gate check --repo R --base main --head pr` with review models "
        f"{', '.join(f'`{m}`' for m in REVIEW_MODELS)} "
        f"(quorum 2, cross-check on) on the loopback server: {LATENCY:.1f} s per call, tokens counted at the "
        f"server (tiktoken `o200k_base`), cost at {PRICE_NOTE}. Completions are scripted (two findings per "
        "review call: one all models raise, one only the caller raises; cross-checkers confirm one "
        "model's own), so prompt tokens are the comparable figure. PR-Agent figures come from the same "
        "run (see its section).",
        "",
    ]
    if not any(r.review_ran for r in runs):
        why = runs[0].report.get("stages", {}).get("review", {}) if runs else {}
        return "\n".join(
            [
                *header,
                f"The review stage did not run in this build ({why.get('why', '?')}; "
                f"{why.get('skipped_reason', '?')}), so there is nothing to compare yet.",
            ]
        )
    theirs = _pr_agent_by_pr()
    return "\n".join(
        [
            *header,
            "### Per model",
            "",
            "| changed lines | model | calls | prompt tokens | completion tokens "
            "| calls review / cross-check | prompt tokens review / cross-check "
            "| review prompt tokens / changed line | prompt tokens / changed line "
            "| PR-Agent prompt tokens / reviewed line (ours / theirs) | target: ≤ PR-Agent | cost |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
            *_per_model(runs, theirs),
            "",
            "### Whole multi-model run",
            "",
            "*span* is first request to last answer at the server; *critical path* = rounds x slowest call "
            f"({LATENCY:.1f} s); *bounded path* adds the model layer's concurrency bound "
            f"({CONCURRENCY} calls per model); "
            "*waves* are the sequential waves the server saw. Wall is the whole `ai-gate` process.",
            "",
            "| changed lines | calls | rounds | prompt tokens | completion tokens | cost | wall s | span s "
            "| critical path s | span / critical | bounded path s | waves | PR-Agent calls | PR-Agent prompt "
            "tokens | PR-Agent cost | PR-Agent wall s |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: | ---: |",
            *_whole(runs, theirs),
            "",
            f"Target (issue 7): review span within {TARGET_CRITICAL_RATIO}x the critical path.",
            "",
            *_verdicts(runs),
        ]
    )
