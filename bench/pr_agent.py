"""PR-Agent (PyPI `pr-agent`) reviewing the corpus PRs through the metered loopback model server.

PR-Agent runs in its own Python 3.12 venv (`bench/.venv-pr-agent`, created here on first use) as a
separate process, exactly as a user runs it: its plain-diff mode (`pr-agent --diff-file F review`) from
inside the PR's repository checked out at the head (so it may read head files for extra context, as it
does for a user), and once in its local-git mode (`config.git_provider=local`, `--pr_url <target
branch>`) to show that mode works offline as well. Its model calls go to the same loopback server as
ours, which counts tokens with the same tokenizer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import unidiff

from bench import corpus
from bench import measure as proc
from bench.loopback import PRICE_NOTE, MeteredServer, Totals, totals
from bench.measure import ROOT

VERSION = "0.49.0"
PYTHON = os.environ.get("PR_AGENT_PYTHON", "/root/.pyenv/versions/3.12.1/bin/python3.12")
VENV = ROOT / "bench" / ".venv-pr-agent"
MODEL = "gpt-4o"  # a name PR-Agent and tiktoken know; the loopback server answers whatever is asked
LATENCY = 1.0  # seconds the loopback server waits before every answer
OUT = ROOT / "bench" / ".work" / "pr-agent"


def ensure_venv() -> Path:
    """The `pr-agent` executable, installing the pinned release into its own venv if needed."""
    exe = VENV / "bin" / "pr-agent"
    if exe.exists() and _installed_version() == VERSION:
        return exe
    if not Path(PYTHON).exists():
        raise RuntimeError(f"PR-Agent needs Python 3.12: {PYTHON} not found (set PR_AGENT_PYTHON)")
    print(f"bench: installing pr-agent=={VERSION} into {VENV}", file=sys.stderr)
    subprocess.run([PYTHON, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(VENV / "bin" / "pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"pr-agent=={VERSION}",
        ],
        check=True,
    )
    return exe


def _installed_version() -> str | None:
    done = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", "import importlib.metadata as m; print(m.version('pr-agent'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def environment(api_base: str) -> dict[str, str]:
    """Everything PR-Agent is told, all through its documented env-var overrides (SECTION__KEY)."""
    tokenizers = (
        VENV / "lib" / "python3.12" / "site-packages" / "litellm" / "litellm_core_utils" / "tokenizers"
    )
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "OPENAI__KEY": "sk-loopback",  # any non-empty key; the loopback server ignores it
            "OPENAI__API_BASE": api_base,
            "CONFIG__MODEL": MODEL,
            "CONFIG__FALLBACK_MODELS": "[]",  # one model, so one answer per call is what is measured
            "CONFIG__PUBLISH_OUTPUT": "true",
            # tiktoken would download o200k_base; litellm ships the file, so point tiktoken at it.
            "TIKTOKEN_CACHE_DIR": str(tokenizers),
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


REVIEW_YAML = """```yaml
review:
  estimated_effort_to_review_[1-5]: 3
  relevant_tests: 'No'
  key_issues_to_review:
    - relevant_file: '{path}'
      issue_header: 'Possible bug'
      issue_content: 'The changed branch no longer handles an empty input (the old code returned early).'
      start_line: 1
      end_line: 3
    - relevant_file: '{path}'
      issue_header: 'Error handling'
      issue_content: 'The new call can raise on a missing key and nothing catches it on this path.'
      start_line: 5
      end_line: 6
  security_concerns: 'No'
```"""

_FILE = re.compile(r"## File: '([^']+)'")


def review_reply(body: dict[str, Any]) -> str:
    """A PR-Agent-shaped review (YAML with two key issues) about the first file in the prompt."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    found = _FILE.search(text)
    return REVIEW_YAML.format(path=found.group(1) if found else "unknown")


@dataclass(frozen=True)
class Outcome:
    mode: str
    pr: corpus.CorpusPR
    wall: float
    peak_rss_mb: float
    metered: Totals
    reported: dict[str, Any]  # PR-Agent's own --json-output (usage, coverage) when it wrote one
    ok: bool
    error: str

    @property
    def reviewed_changed(self) -> int:
        """Changed lines of the files PR-Agent says it reviewed (partly reviewed files count in full)."""
        skipped = set((self.reported.get("coverage") or {}).get("files_not_reviewed") or [])
        if not skipped:
            return self.pr.changed
        per_file = changed_lines_per_file(self.pr.diff)
        return self.pr.changed - sum(per_file.get(path, 0) for path in skipped)


def changed_lines_per_file(diff: Path) -> dict[str, int]:
    with diff.open(encoding="utf-8", errors="replace") as fh:
        patch = unidiff.PatchSet(fh)
    return {f.path: f.added + f.removed for f in patch}


def review_plain_diff(server: MeteredServer, pr: corpus.CorpusPR, exe: Path) -> Outcome:
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{pr.name}.json"
    report.unlink(missing_ok=True)
    server.reset()
    argv = [str(exe), "--diff-file", str(pr.diff), "--json-output", str(report), "review"]
    result = proc.run(argv, cwd=pr.repo, env=environment(server.url))
    reported = json.loads(report.read_text()) if report.exists() else {}
    ok = result.returncode == 0 and bool(reported)
    error = "" if ok else result.stderr.decode(errors="replace")[-400:]
    return Outcome(
        "plain-diff", pr, result.wall, result.peak_rss_mb, totals(server.calls), reported, ok, error
    )


def review_local_git(server: MeteredServer, pr: corpus.CorpusPR, exe: Path) -> Outcome:
    OUT.mkdir(parents=True, exist_ok=True)
    review = OUT / f"{pr.name}.local-review.md"
    review.unlink(missing_ok=True)
    server.reset()
    env = environment(server.url) | {"CONFIG__GIT_PROVIDER": "local", "LOCAL__REVIEW_PATH": str(review)}
    result = proc.run([str(exe), "--pr_url", "main", "review"], cwd=pr.repo, env=env)
    ok = result.returncode == 0 and review.exists()
    error = "" if ok else result.stderr.decode(errors="replace")[-400:]
    return Outcome("local-git", pr, result.wall, result.peak_rss_mb, totals(server.calls), {}, ok, error)


def measure(sizes: tuple[int, ...] = corpus.REVIEW_SIZES) -> list[Outcome]:
    """PR-Agent's review of every corpus PR (plain-diff mode) and of the 1,000-line PR in local-git mode."""
    exe = ensure_venv()
    outcomes = []
    with MeteredServer(LATENCY) as server:
        server.answer(MODEL, review_reply)
        for size in sizes:
            outcomes.append(review_plain_diff(server, corpus.pr(size), exe))
        outcomes.append(review_local_git(server, corpus.pr(1_000), exe))
    return outcomes


def _coverage(reported: dict[str, Any]) -> str:
    coverage = reported.get("coverage") or {}
    skipped = len(coverage.get("files_not_reviewed") or [])
    partial = len(coverage.get("files_partially_reviewed") or [])
    return f"{skipped} skipped, {partial} partial" if (skipped or partial) else "all"


def run_section(outcomes: list[Outcome]) -> str:
    rows = []
    for o in outcomes:
        t = o.metered
        if not o.ok:
            rows.append(
                f"| {o.mode} | {o.pr.name} | {o.pr.changed:,} | failed: `{o.error.strip()[-120:]}` |||||||"
            )
            continue
        rows.append(
            f"| {o.mode} | {o.pr.name} | {o.pr.changed:,} | {t.calls} | {t.prompt_tokens:,} | "
            f"{t.completion_tokens:,} | {t.prompt_tokens / o.pr.changed:.1f} | {o.reviewed_changed:,} "
            f"| {t.prompt_tokens / max(o.reviewed_changed, 1):.1f} | ${t.cost_usd:.4f} | "
            f"{o.wall:.1f} | {o.peak_rss_mb:.0f} | {_coverage(o.reported) if o.reported else 'n/a'} |"
        )
    return "\n".join(
        [
            f"## PR-Agent {VERSION} on the same PRs",
            "",
            f"Loopback model server with {LATENCY:.1f} s latency per call; tokens counted by the server "
            f"(tiktoken `o200k_base`); cost at {PRICE_NOTE}. Completions are scripted (a two-issue YAML "
            "review), so prompt tokens are the comparable figure. *files reviewed* is PR-Agent's own "
            "coverage report: it fits the diff into `config.max_model_tokens` (32,000 by default) and "
            "drops or clips files beyond that.",
            "",
            "| mode | PR | changed lines | calls | prompt tokens | completion tokens "
            "| prompt tokens / changed line | changed lines reviewed | prompt tokens / reviewed line | cost "
            "| wall s | peak MB | files reviewed |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
            "How it was run (from `bench/pr_agent.py`), in the PR's repository checked out at its head:",
            "",
            "```sh",
            f"{PYTHON} -m venv bench/.venv-pr-agent",
            f"bench/.venv-pr-agent/bin/pip install pr-agent=={VERSION}",
            "export OPENAI__KEY=sk-loopback OPENAI__API_BASE=http://127.0.0.1:<port>/v1 \\",
            f"       CONFIG__MODEL={MODEL} CONFIG__FALLBACK_MODELS='[]' CONFIG__PUBLISH_OUTPUT=true \\",
            "       TIKTOKEN_CACHE_DIR=bench/.venv-pr-agent/lib/python3.12/site-packages/litellm/"
            "litellm_core_utils/tokenizers \\",
            "       LITELLM_LOCAL_MODEL_COST_MAP=True LOG_LEVEL=WARNING",
            "# plain-diff mode",
            "pr-agent --diff-file pr.diff --json-output out.json review",
            "# local-git mode (branch `pr` checked out, target branch `main`)",
            "CONFIG__GIT_PROVIDER=local LOCAL__REVIEW_PATH=review.md pr-agent --pr_url main review",
            "```",
            "",
            "`TIKTOKEN_CACHE_DIR` is what makes it run offline: PR-Agent counts tokens with tiktoken "
            "`o200k_base` (`pr_agent/algo/token_handler.py`, for any model name tiktoken cannot map, "
            "e.g. `openai/...`), and tiktoken downloads that file from `openaipublic.blob.core.windows.net` "
            "on first use; litellm bundles it, so pointing the cache there avoids the download.",
        ]
    )


LAST: list[Outcome] = []  # this run's outcomes, for the model-stages comparison


def run() -> str:
    start = time.perf_counter()
    LAST[:] = measure()
    section = run_section(LAST)
    return section + f"\n\n_PR-Agent bench took {time.perf_counter() - start:.0f} s._\n"
