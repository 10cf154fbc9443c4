"""Gate overhead: everything but model latency, per PR size from 10 to 100,000 changed lines.

Three ways per corpus PR, each a fresh `ai-gate check` process:
- `repo, offline`: the local git range (`--repo --base main --head pr`), deterministic stages only;
- `mbox, offline`: the same PR as a `git format-patch` series (`--diff pr.mbox`);
- `repo, all stages`: every stage the build has, model and registry calls answered by the loopback
  server with no added latency, so what is left is the gate's own work (prompt building, litellm,
  validation, cross-checking, reports). The models are unknown to litellm's map, so the gate takes
  their windows as 32,000 tokens; at the largest size the same run is repeated with the models
  declaring 128k windows (`repo, all stages, 128k windows`), the window of today's hosted models, whose
  chunks reach the gate's cap of 24,000 tokens of code (fewer calls).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bench import corpus
from bench.gate_models import KEY_ENV, serve_gate_models, write_config
from bench.loopback import MeteredServer
from bench.measure import ROOT, VENV_BIN, Run, ai_gate, best_of, gate_env

SIZES = (10, 100, 1_000, 10_000, 100_000)
TARGET_SECONDS = 5.0
TARGET_RSS_MB = 500.0
# A small PR with every stage on, against PR-Agent's whole process on the same PR (both at zero latency).
SMALL_SIZES = (10, 100)
SMALL_REPEAT = 3
TARGET_VS_PR_AGENT = 0.5
WORK = ROOT / "bench" / ".work" / "overhead"
LARGE_WINDOW = 131_072


@dataclass(frozen=True)
class Row:
    mode: str
    pr: corpus.CorpusPR
    run: Run
    report: dict[str, Any]

    @property
    def stages(self) -> str:
        ran = [name for name, stage in self.report.get("stages", {}).items() if stage.get("ran")]
        return ", ".join(ran) or "none"

    @property
    def calls(self) -> int:
        return int(self.report.get("usage", {}).get("model_calls", 0))


def _check(pr: corpus.CorpusPR, mode: str, extra: list[str], repeat: int) -> Row:
    source = (
        ["--diff", str(pr.mbox)] if mode.startswith("mbox") else ["--repo", str(pr.repo), "--base", "main"]
    )
    if not mode.startswith("mbox"):
        source += ["--head", "pr"]
    argv = [ai_gate(), "check", *source, "--format", "json", "--no-progress", *extra]
    result = best_of(repeat, argv, env=gate_env(**{KEY_ENV: "sk-loopback"}))
    if result.returncode not in (0, 1):
        raise RuntimeError(
            f"ai-gate {mode} on {pr.name} exited {result.returncode}: {result.stderr.decode()[-600:]}"
        )
    return Row(mode, pr, result, json.loads(result.stdout))


def measure() -> list[Row]:
    rows: list[Row] = []
    with MeteredServer(latency=0.0) as server:
        serve_gate_models(server)
        config = write_config(WORK / "ai-gate.yml", server, review=True, regen=True)
        large = write_config(WORK / "ai-gate-128k.yml", server, review=True, regen=True, window=LARGE_WINDOW)
        for size in SIZES:
            pr = corpus.pr(size)
            repeat = 3 if size < 100_000 else 1
            rows.append(_check(pr, "repo, offline", ["--offline"], repeat))
            rows.append(_check(pr, "mbox, offline", ["--offline"], repeat))
            rows.append(_check(pr, "repo, all stages", ["--config", str(config)], 1))
            if size == max(SIZES):
                rows.append(_check(pr, "repo, all stages, 128k windows", ["--config", str(large)], 1))
    return rows


@dataclass(frozen=True)
class SmallRow:
    pr: corpus.CorpusPR
    gate: Run
    pr_agent_wall: float
    pr_agent_ok: bool
    litellm_import: Run  # litellm's import alone, as the gate does it: the floor of a run that calls a model


# litellm imported the way the gate imports it (collection paused during the import, what it made frozen
# after it), ended the way the gate ends (exit handlers run, no teardown: `gate.cli.entry`), and nothing
# else: a plain `import litellm` also pays the collections and the teardown that the gate avoids, so it
# would not be a floor.
IMPORT_LITELLM = [
    str(VENV_BIN / "python"),
    "-c",
    "import atexit, os; from gate import collector; from gate.models import runtime; "
    "collector.freeze_at_exit(); runtime.litellm(); atexit._run_exitfuncs(); os._exit(0)",
]


def measure_small() -> list[SmallRow]:
    """Each small PR gated with every stage on and reviewed by PR-Agent, both against the loopback server
    at zero latency, alternately (best of `SMALL_REPEAT` each), so both see the same machine."""
    from bench import pr_agent

    exe = pr_agent.ensure_venv()
    rows = []
    with MeteredServer(latency=0.0) as server:
        serve_gate_models(server)
        server.answer(pr_agent.MODEL, pr_agent.review_reply)
        config = write_config(WORK / "ai-gate-small.yml", server, review=True, regen=True)
        for size in SMALL_SIZES:
            pr = corpus.pr(size)
            ours: list[Row] = []
            theirs: list[pr_agent.Outcome] = []
            imports: list[Run] = []
            for _ in range(SMALL_REPEAT):
                ours.append(_check(pr, "repo, all stages", ["--config", str(config)], 1))
                theirs.append(pr_agent.review_plain_diff(server, pr, exe))
                imports.append(best_of(1, IMPORT_LITELLM, env=gate_env()))
            best = min(ours, key=lambda r: r.run.wall)
            done = [o for o in theirs if o.ok]
            wall = min(o.wall for o in done) if done else float("nan")
            rows.append(SmallRow(pr, best.run, wall, bool(done), min(imports, key=lambda r: r.wall)))
    return rows


def _small_section(rows: list[SmallRow]) -> list[str]:
    lines = []
    for r in rows:
        ratio = r.gate.wall / r.pr_agent_wall if r.pr_agent_ok else float("nan")
        floor = r.litellm_import.wall / r.pr_agent_wall if r.pr_agent_ok else float("nan")
        lines.append(
            f"| {r.pr.changed:,} | {r.gate.wall:.2f} | {r.pr_agent_wall:.2f} | {ratio:.2f}x "
            f"| {r.litellm_import.wall:.2f} | {floor:.2f}x "
            f"| {'met' if ratio <= TARGET_VS_PR_AGENT else '**missed**'} |"
        )
    return [
        "",
        "### A small PR with every stage on, against PR-Agent's whole process",
        "",
        f"The same PR gated with every stage on (`repo, all stages`) and reviewed by PR-Agent "
        f"(`--diff-file`, see its section), both against the loopback server with zero latency, taking "
        f"turns, best of {SMALL_REPEAT} each. Target: at most {TARGET_VS_PR_AGENT}x. *litellm import* is "
        "litellm's import alone, as the gate imports it (`gate.models.runtime.litellm()`: collection paused "
        "during the import, its objects frozen after it) and ended as the gate ends (exit handlers run, "
        "no teardown), in a fresh process of the gate's interpreter, taken in the same turns: the least "
        "any run that calls a model through litellm can take.",
        "",
        "| changed lines | ai-gate wall s | PR-Agent wall s | ai-gate / PR-Agent | litellm import s "
        "| litellm import / PR-Agent | target |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *lines,
    ]


def run() -> str:
    rows = measure()
    small = measure_small()
    lines = []
    for row in rows:
        per_k = row.run.wall / row.pr.changed * 1000
        lines.append(
            f"| {row.pr.changed:,} | {row.pr.files} | {row.mode} | {row.run.wall:.2f} | {per_k * 1000:.0f} "
            f"| {row.run.peak_rss_mb:.0f} | {row.calls} | {row.stages} |"
        )
    biggest = [r for r in rows if r.pr.changed == max(x.pr.changed for x in rows)]
    verdicts = [
        f"- `{r.mode}` at {r.pr.changed:,} changed lines: {r.run.wall:.2f} s "
        f"({'met' if r.run.wall < TARGET_SECONDS else '**missed**'}), {r.run.peak_rss_mb:.0f} MB "
        f"({'met' if r.run.peak_rss_mb < TARGET_RSS_MB else '**missed**'})"
        for r in biggest
    ]
    return "\n".join(
        [
            "## Gate overhead (everything but model latency)",
            "",
            "Corpus PRs cut from real releases (see *Corpus*). `repo` = `ai-gate check --repo R --base main "
            "--head pr`, `mbox` = `--diff pr.mbox`; offline rows are best of 3 (100k: 1 run). "
            "*all stages* runs with a config that sends every model and registry call to the loopback "
            "server with zero latency and meets every threshold; *stages* lists what ran in this build. "
            "Peak RSS is the gate process's own (GNU time `%M`), git children included.",
            "",
            "| changed lines | files | mode | wall s | ms per 1k lines | peak MB | model calls "
            "| stages run |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
            *lines,
            "",
            f"Target (issue 7): under {TARGET_SECONDS:.0f} s and {TARGET_RSS_MB:.0f} MB "
            "at 100k changed lines.",
            "",
            *verdicts,
            *_small_section(small),
        ]
    )
