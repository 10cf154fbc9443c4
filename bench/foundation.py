"""Foundation: `ai-gate check --offline --format json` over generated series, side by side with unidiff.

Both sides run as fresh processes on the same mbox in the same run, so the ratio is fair on a noisy
machine: the gate's cost includes interpreter start, imports, provenance and the report; unidiff's
includes interpreter start and `PatchSet` parsing. The in-process parse time is shown too.
"""

from __future__ import annotations

import json
import sys

from bench import corpus
from bench.measure import Run, ai_gate, best_of, gate_env

REPEAT = 3
TARGET_SECONDS = 2.0
TARGET_RSS_MB = 300.0
TARGET_RATIO = 5.0
TARGET_HELP_SECONDS = 0.3
MODES = {"mbox": "mbox (`--diff`)", "git": "git range (`--repo --base`)"}

_UNIDIFF = """
import io, sys, time
start = time.perf_counter()
import unidiff
with open(sys.argv[1], encoding="utf-8") as fh:
    patch = unidiff.PatchSet(io.StringIO(fh.read(), newline="\\n"))
print(time.perf_counter() - start, sum(f.added for f in patch))
"""


def _gate(series: corpus.Series, mode: str) -> Run:
    """`mode` "mbox": the series file (`--diff`); "git": the same commits as a range (`--repo --base`)."""
    source = (
        ["--diff", str(series.mbox)]
        if mode == "mbox"
        else ["--repo", str(series.repo), "--base", "base", "--head", "main"]
    )
    argv = [ai_gate(), "check", "--offline", "--format", "json", "--no-progress", *source]
    result = best_of(REPEAT, argv, env=gate_env())
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ai-gate ({mode}) failed on {series.mbox}: {result.stderr.decode()[-500:]}")
    report = json.loads(result.stdout)["provenance"]
    added, ai_lines = report["added_lines"], report["ai_lines"]
    if added != series.added:
        raise RuntimeError(f"ai-gate ({mode}) counted {added} added lines, expected {series.added}")
    if ai_lines != series.ai_lines:
        raise RuntimeError(f"ai-gate ({mode}) counted {ai_lines} AI lines, expected {series.ai_lines}")
    return result


def _unidiff(series: corpus.Series) -> tuple[Run, float]:
    result = best_of(REPEAT, [sys.executable, "-c", _UNIDIFF, str(series.mbox)], env=gate_env())
    in_process, added = result.stdout.split()
    if int(added) != series.added:
        raise RuntimeError(f"unidiff counted {added} added lines in {series.mbox}, expected {series.added}")
    return result, float(in_process)


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run() -> str:
    rows = []
    verdicts = []
    walls: list[tuple[int, float]] = []
    for lines in corpus.FOUNDATION_LINES:
        series = corpus.foundation_series(lines)
        uni, parse = _unidiff(series)
        for mode in ("mbox", "git"):
            gate = _gate(series, mode)
            ratio = gate.wall / uni.wall
            if mode == "mbox":
                walls.append((series.added, gate.wall))
            rows.append(
                f"| {series.added:,} | {series.files:,} | {series.commits} | {MODES[mode]} | {gate.wall:.2f} "
                f"| {gate.peak_rss_mb:.0f} | {gate.wall / series.added * 1e6:.1f} | {uni.wall:.2f} "
                f"| {parse:.2f} | {uni.peak_rss_mb:.0f} | {ratio:.1f}x | {gate.wall / parse:.1f}x |"
            )
            if lines == max(corpus.FOUNDATION_LINES):
                verdicts.append(
                    f"- {MODES[mode]}: wall time under {TARGET_SECONDS} s: {gate.wall:.2f} s, "
                    f"{_mark(gate.wall < TARGET_SECONDS)}; peak RSS under {TARGET_RSS_MB:.0f} MB: "
                    f"{gate.peak_rss_mb:.0f} MB, {_mark(gate.peak_rss_mb < TARGET_RSS_MB)}; within "
                    f"{TARGET_RATIO:.0f}x unidiff (process vs process): {ratio:.1f}x, "
                    f"{_mark(ratio <= TARGET_RATIO)}"
                )
    (n0, t0), (n1, t1) = walls[1], walls[-1]
    slope = (t1 - t0) / (n1 - n0)
    verdicts.insert(
        0,
        f"- growth (mbox): {slope * 1e6:.1f} µs per added line between {n0:,} and {n1:,} lines, on a "
        f"fixed {t0 - slope * n0:.2f} s of start-up (interpreter, imports, report)",
    )
    helps = best_of(5, [ai_gate(), "--help"], env=gate_env())
    verdicts.append(
        f"- `ai-gate --help` under {TARGET_HELP_SECONDS} s: {helps.wall:.3f} s (best of 5), "
        f"{_mark(helps.wall < TARGET_HELP_SECONDS)}"
    )
    return "\n".join(
        [
            "## Foundation: `ai-gate check --offline --format json` on a patch series",
            "",
            f"Generated series of {corpus.FOUNDATION_COMMITS} commits adding files of "
            f"{corpus.FOUNDATION_LINES_PER_FILE} real source lines each (every other commit carries a "
            "`Co-Authored-By: Claude` trailer), gated two ways: the `git format-patch` mbox (`--diff`) and "
            "the same commits as a git range of the repository they came from (`--repo --base`). Best of "
            f"{REPEAT} runs each; peak RSS is the process's own (GNU time `%M`, git children included). "
            "unidiff runs as its own process (`python -c 'unidiff.PatchSet(...)'`) on the mbox in the same "
            "run; *parse* is its in-process parse time.",
            "",
            "| added lines | files | commits | input | gate s | gate MB | gate µs/line | unidiff process s "
            "| unidiff parse s "
            "| unidiff MB | gate / unidiff process | gate / unidiff parse |",
            "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Targets (issue 2), at 200,000 lines:",
            "",
            *verdicts,
        ]
    )
