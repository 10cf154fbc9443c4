"""The secrets and injection-text analyzers take time linear in their input, whatever its shape.

Each adversarial shape (a letters-only line, a `## system` header followed by a long run of spaces, a
line dense with keywords or trigger words, a PR body and a commit message of the same kinds) is
analysed at 10 KB, 100 KB and 1 MB. The CPU time of this process (`time.process_time`, best of three;
git runs in child processes and is not counted) may grow about tenfold per step: a quadratic pattern
grows a hundredfold. No wall-clock limit here; the absolute figures are in bench/ (`analyzers`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.analyzers import InjectionAnalyzer, SecretsAnalyzer
from gate.analyzers.interface import Analyzer
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import ChangeSet, PullRequestInfo
from gate.run import RunContext
from tests.gitrepo import GitRepo

# 1 MB is the size limit of an analysed file: the largest line, with its newline, is just within it.
SIZES = (10_000, 100_000, 999_999)
# Growth allowed from 100 KB to 1 MB (linear: about 10; quadratic: about 100), and the time under
# which a measurement is too small to compare (timer resolution, interpreter noise).
MAX_GROWTH = 30
FLOOR_SECONDS = 0.02

# Each shape makes `size` characters of one line (or of a message).
SHAPES: dict[str, Callable[[int], str]] = {
    "letters-only": lambda n: ("abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n],
    "letters-and-digits": lambda n: ("Zq7x" * (n // 4 + 1))[:n],
    "system-then-spaces": lambda n: "## system" + " " * (n - 9),
    "spaces-then-colon": lambda n: "**assistant" + " \t" * ((n - 12) // 2) + ":",
    "keywords": lambda n: ("password = token; " * (n // 18 + 1))[:n],
    "trigger-words": lambda n: ("ignore the above, AI reviewer: you are now " * (n // 43 + 1))[:n],
    "quotes-and-brackets": lambda n: ("<|im_start|>'\"`[inst] " * (n // 22 + 1))[:n],
}


def _changeset(tmp_path: Path, line: str, *, message: str = "change") -> ChangeSet:
    repo = GitRepo(tmp_path)
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    repo.branch("work")
    repo.write("notes/long.txt", line + "\n")
    (tmp_path.parent / f"{tmp_path.name}.msg").write_text(message, encoding="utf-8")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-F", str(tmp_path.parent / f"{tmp_path.name}.msg"))
    return load_git_changeset(repo.root, base, "HEAD")


def _best_of_three(analyzer: Analyzer, changeset: ChangeSet) -> float:
    best = float("inf")
    for _ in range(3):
        ctx = RunContext(changeset=changeset, config=Config())
        started = time.process_time()
        result = analyzer.run(ctx)
        best = min(best, time.process_time() - started)
        assert result.ran and result.error is None
        assert result.details["skipped_files"] == [], result.details  # the line was analysed, not skipped
    return best


def _assert_linear(times: dict[int, float], what: str) -> None:
    small, large = max(times[SIZES[1]], FLOOR_SECONDS), times[SIZES[2]]
    shown = ", ".join(f"{size // 1000} KB {t:.3f} s" for size, t in times.items())
    assert large / small < MAX_GROWTH, f"{what} grows faster than linear: {shown}"


def _measure(tmp_path: Path, analyzer: Analyzer, make: Callable[[int], ChangeSet | None]) -> dict[int, float]:
    times: dict[int, float] = {}
    for size in SIZES:
        changeset = make(size)
        assert changeset is not None
        times[size] = _best_of_three(analyzer, changeset)
    return times


@pytest.mark.growth
@pytest.mark.parametrize("analyzer", [SecretsAnalyzer(), InjectionAnalyzer()], ids=lambda a: a.meta.id)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_an_added_line_is_analysed_in_linear_time(tmp_path: Path, analyzer: Analyzer, shape: str) -> None:
    times = _measure(
        tmp_path, analyzer, lambda size: _changeset(tmp_path / f"{shape}-{size}", SHAPES[shape](size))
    )
    _assert_linear(times, f"{analyzer.meta.id} on a {shape} line")


@pytest.mark.growth
@pytest.mark.parametrize("shape", ["letters-only", "system-then-spaces", "trigger-words", "keywords"])
def test_a_commit_message_and_a_pr_body_are_analysed_in_linear_time(tmp_path: Path, shape: str) -> None:
    def make(size: int) -> ChangeSet:
        text = SHAPES[shape](size)
        changeset = _changeset(tmp_path / f"{shape}-{size}", "x = 1", message=f"subject\n\n{text}\n")
        body = f"{text}\n<!-- {text}"  # and an HTML comment that never closes
        return dataclasses.replace(changeset, pr=PullRequestInfo(number=1, title=text[:200], body=body))

    _assert_linear(_measure(tmp_path, InjectionAnalyzer(), make), f"injection-text on a {shape} message")
