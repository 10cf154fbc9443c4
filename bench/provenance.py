"""Benchmark: the provenance estimate over 2k / 20k / 200k added lines (files of 100 lines, a few
hundred commits, a third with trailers, a tenth with git-ai notes). Cost must grow linearly."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from bench.measure import ai_gate, best_of, gate_env
from gate.config.models import Provenance
from gate.context.model import ChangeSet, Commit, Person
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.provenance.estimate import estimate

LINES_PER_FILE = 100
REPEATS = 5
_META = json.dumps({"sessions": {"s_0123456789abcd": {"agent_id": {"tool": "claude", "model": "m"}}}})


def _commit(i: int, path: str) -> Commit:
    trailer = (
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>" if i % 3 == 0 else "Signed-off-by: A <a@b>"
    )
    note = f"{path}\n  s_0123456789abcd::t_0123456789abcd 1-40,60\n---\n{_META}" if i % 10 == 1 else None
    return Commit(
        f"{i:040x}", Person("Dev", "dev@example.com"), None, f"change {i}\n\n{trailer}", ai_note=note
    )


def changeset(added: int) -> ChangeSet:
    n_files = added // LINES_PER_FILE
    n_commits = max(3, min(300, n_files // 4))
    paths = [f"src/pkg{f % 40}/mod{f}.py" for f in range(n_files)]
    commits = tuple(_commit(i, paths[i % n_files]) for i in range(n_commits))
    files = []
    origins = {}
    for f, path in enumerate(paths):
        lines = tuple(DiffLine(LineKind.ADDED, None, n, f"x{n} = {n}") for n in range(1, LINES_PER_FILE + 1))
        files.append(FileChange(path, None, FileStatus.ADDED, (Hunk(0, 0, 1, LINES_PER_FILE, "", lines),)))
        origins[path] = {n: commits[(f + n // 25) % n_commits].sha for n in range(1, LINES_PER_FILE + 1)}
    return ChangeSet("git", Diff(tuple(files)), commits, origins)


def run() -> str:
    rows = [
        "## Provenance estimate",
        "",
        "| added lines | files | commits | best of 5 (ms) | ms per 10k lines |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for added in (2_000, 20_000, 200_000):
        cs = changeset(added)
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            result = estimate(cs, Provenance())
            best = min(best, time.perf_counter() - started)
        assert result.added_lines == added
        rows.append(
            f"| {added:,} | {len(cs.diff.files):,} | {len(cs.commits)} | {best * 1000:.1f} | "
            f"{best * 1000 / (added / 10_000):.2f} |"
        )
    return "\n".join(rows) + "\n\n" + hostile_message() + "\n"


MESSAGE_TARGET_SECONDS = 5.0


def _message_1mb() -> str:
    """A megabyte of commit message built to hurt pattern matching: trailer lines with long blank runs,
    a record separator and a unit separator, near-miss markers, then the real trailer."""
    half = 300_000
    return (
        "Subject \x1e with \x1f separators\n\n"
        + "Co-authored-by: x"
        + " " * half
        + "y"
        + " " * half
        + "z\n"
        + "Link to Devin run"
        + " " * 100_000
        + "x\n"
        + ("aider: Added " + "a." * 5_000 + "\n") * 20
        + "Generated with Claude Cod\n" * 5_000
        + "\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
    )


def hostile_message() -> str:
    """`ai-gate check --offline` on a repository whose one commit has a 1 MB adversarial message."""
    message = _message_1mb()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "repo")
        env = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
               "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}  # fmt: skip

        def run_git(*args: str) -> None:
            git_env = {**gate_env(), **env}
            subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=git_env)

        root.mkdir()
        run_git("init", "-q", "-b", "main")
        (root / "README.md").write_text("# app\n")
        run_git("add", "-A")
        run_git("commit", "-q", "-m", "Initial")
        run_git("checkout", "-q", "-b", "feature")
        (root / "app.py").write_text("".join(f"x_{i} = {i}\n" for i in range(60)))
        Path(tmp, "message").write_text(message)
        run_git("add", "-A")
        run_git("commit", "-q", "-F", str(Path(tmp, "message")))
        result = best_of(
            3,
            [ai_gate(), "check", "--repo", str(root), "--base", "main", "--offline", "--format", "json"],
            env=gate_env(),
        )
    report = json.loads(result.stdout)
    tool = report["provenance"]["commits"][0]["tool"]
    verdict = "met" if result.wall <= MESSAGE_TARGET_SECONDS and tool == "claude-code" else "**missed**"
    return "\n".join(
        [
            "### A 1 MB commit message, end to end",
            "",
            "`ai-gate check --offline` on one commit whose message is 1 MB built against the message",
            "patterns (trailer lines with 300,000-space runs, separators, near-miss markers); target 5 s.",
            "",
            "| message | exit | tool read | best of 3 (s) | peak RSS (MB) | target |",
            "| ---: | ---: | --- | ---: | ---: | --- |",
            f"| {len(message.encode()):,} B | {result.returncode} | {tool} | {result.wall:.2f} | "
            f"{result.peak_rss_mb:.0f} | {verdict} |",
        ]
    )


if __name__ == "__main__":
    print(run())
