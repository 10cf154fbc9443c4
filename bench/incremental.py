"""Incremental re-review: what a 2-commit follow-up to the ~1,000-line PR costs, against a full review.

The follow-up (`bench.corpus.follow_up`) adds two small commits on top of the PR. Measured, through the
metered loopback server:
- *full*: the whole PR reviewed again at the new head (`--base main --head pr2`): what a `synchronize`
  run costs without incremental review;
- *follow-up only*: a review of just the two new commits (`--base pr --head pr2`), the floor an
  incremental review approaches (it also re-sends the PR hunks those commits touch);
- *incremental*: the real thing, when `ai-gate check` has `--previous-report` (the state an earlier
  run left: head sha and findings fingerprints): first `main..pr`, then `main..pr2` with that report.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench import corpus
from bench.gate_models import KEY_ENV, serve_gate_models, write_config
from bench.loopback import MeteredServer, Totals, totals
from bench.measure import ROOT, ai_gate, gate_env
from bench.measure import run as run_process

SIZE = 1_000
TARGET_SHARE = 0.20
WORK = ROOT / "bench" / ".work" / "incremental"
PREVIOUS_FLAG = "--previous-report"


def _check(server: MeteredServer, repo: Path, base: str, head: str, extra: list[str]) -> tuple[Totals, Path]:
    config = write_config(WORK / "ai-gate.yml", server, review=True, regen=False)
    report = WORK / f"{base}..{head}{'-incremental' if extra else ''}.json"
    server.reset()
    argv = [ai_gate(), "check", "--repo", str(repo), "--base", base, "--head", head, "--config", str(config)]
    argv += ["--format", "json", "--no-progress", "--output", str(report), *extra]
    result = run_process(argv, env=gate_env(**{KEY_ENV: "sk-loopback"}))
    if result.returncode not in (0, 1):
        raise RuntimeError(
            f"ai-gate {base}..{head} exited {result.returncode}: {result.stderr.decode()[-600:]}"
        )
    return totals(server.calls), report


def _has_previous_flag() -> bool:
    done = subprocess.run([ai_gate(), "check", "--help"], capture_output=True, text=True, check=False)
    return PREVIOUS_FLAG in done.stdout


def run() -> str:
    repo = corpus.follow_up(SIZE)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    with MeteredServer(latency=0.0) as server:
        serve_gate_models(server)
        full, _ = _check(server, repo, "main", "pr2", [])
        floor, _ = _check(server, repo, "pr", "pr2", [])
        measured = [("full re-review (`main..pr2`)", full), ("follow-up commits only (`pr..pr2`)", floor)]
        incremental_note = (
            f"`ai-gate check` has no `{PREVIOUS_FLAG}` yet, so the incremental run itself is not measured; "
            "the *follow-up only* row is the floor it would approach."
        )
        if _has_previous_flag():
            _, first = _check(server, repo, "main", "pr", [])
            incremental, _ = _check(server, repo, "main", "pr2", [PREVIOUS_FLAG, str(first)])
            measured.append((f"incremental (`main..pr2 {PREVIOUS_FLAG}`)", incremental))
            incremental_note = ""
    if full.prompt_tokens == 0:
        return (
            "## Incremental re-review\n\nThe review stage did not run in this build; nothing to measure yet."
        )
    for label, t in measured:
        share = (t.prompt_tokens + t.completion_tokens) / (full.prompt_tokens + full.completion_tokens)
        mark = "" if t is full else (" (met)" if share <= TARGET_SHARE else " (**missed**)")
        rows.append(
            f"| {label} | {t.calls} | {t.prompt_tokens:,} | {t.completion_tokens:,} | ${t.cost_usd:.4f} "
            f"| {share:.0%}{mark} |"
        )
    return (
        "\n".join(
            [
                "## Incremental re-review",
                "",
                f"The ~{SIZE:,}-line PR plus a follow-up of two small commits (11 added lines in 2 files), "
                "reviewed by the three loopback models (no latency). Target (issue 7): the follow-up "
                f"costs at most {TARGET_SHARE:.0%} of the tokens of a full review.",
                "",
                "| run | calls | prompt tokens | completion tokens | cost | tokens vs full |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
                *rows,
                "",
                incremental_note,
            ]
        ).rstrip()
        + "\n"
    )
