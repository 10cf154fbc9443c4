"""Hostile inputs end to end: one 1 MB line, or a 1 MB commit message, through `ai-gate check --offline`.

A PR can hold one very long line built to make a pattern backtrack (letters only, a `## system` header
followed by spaces, a dense run of keywords). Each must be gated within the target, as a whole process
(git, every deterministic stage, the JSON report), the way a user runs it. The tests check that the
time grows linearly with the input (tests/analyzers/test_linear_time.py); this is the absolute figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.corpus import DJANGO, RICH, Release, sdist_tree
from bench.measure import run as measure

TARGET_SECONDS = 5.0
# Just within the 1,000,000-byte limit of an analysed file, newline included.
SIZE = 999_999

LINES: dict[str, Callable[[int], str]] = {
    "letters-only line": lambda n: ("abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n],
    "`## system` + spaces": lambda n: "## system" + " " * (n - 9),
    "keywords (`password = token;`)": lambda n: ("password = token; " * (n // 18 + 1))[:n],
    "letters and digits (`Zq7x…`)": lambda n: ("Zq7x" * (n // 4 + 1))[:n],
}
MESSAGES: dict[str, Callable[[int], str]] = {
    "letters-only commit message": LINES["letters-only line"],
    "commit message with two space runs": lambda n: "subject\n\nA" + " " * (n // 2) + "B" + " " * (n // 2),
}


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _repo(root: Path, line: str | None, message: str | None) -> Path:
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("project\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    _git(root, "checkout", "-qb", "work")
    (root / "long.txt").write_text((line if line is not None else "x = 1") + "\n")
    (root.parent / f"{root.name}.msg").write_text(message or "add a long line\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-F", str(root.parent / f"{root.name}.msg"))
    return root


def _row(name: str, root: Path) -> str:
    argv = [sys.executable, "-m", "gate", "check", "--offline", "--format", "json"]
    argv += ["--repo", str(root), "--base", "main"]
    done = measure(argv, env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    ok = done.returncode in (0, 1)
    verdict = "met" if ok and done.wall <= TARGET_SECONDS else "**missed**"
    exit_note = "" if ok else f" (exit {done.returncode})"
    return f"| {name} | {done.wall:.2f}{exit_note} | {done.peak_rss_mb:.0f} | {verdict} |"


def _release_diff(release: Release) -> str:
    """Every change between two released sdists, as one unified diff (all files, not only Python)."""
    base, head = sdist_tree(release.package, release.base), sdist_tree(release.package, release.head)
    done = subprocess.run(
        ["git", "diff", "--no-index", "--no-renames", "--no-color", base.name, head.name],
        cwd=base.parent,
        capture_output=True,
        check=False,
    )
    return done.stdout.decode("utf-8", "replace")


def _injection_rates() -> list[str]:
    """Detection on the test corpus of real-world injection phrasings; false positives on real diffs."""
    import json
    from collections import Counter

    from gate.analyzers import InjectionAnalyzer
    from gate.analyzers.injection import find_phrases
    from gate.config.models import Config
    from gate.context.model import ChangeSet
    from gate.diff.parser import parse_diff
    from gate.run import RunContext

    corpus_path = Path(__file__).resolve().parent.parent / "tests" / "data" / "injection-corpus.jsonl"
    entries = [json.loads(line) for line in corpus_path.read_text().splitlines() if line.strip()]
    attacks = [e for e in entries if e["label"] == "injection"]
    benign = [e for e in entries if e["label"] == "benign"]
    caught = sum(1 for e in attacks if any(find_phrases(e["text"].splitlines())))
    flagged = sum(1 for e in benign if any(find_phrases(e["text"].splitlines())))
    rows = [
        "",
        "### Injection text: detection and false positives",
        "",
        f"Corpus (`tests/data/injection-corpus.jsonl`): {caught} of {len(attacks)} real-world injection "
        f"phrasings detected ({caught / len(attacks):.0%}); {flagged} of {len(benign)} benign look-alikes "
        "flagged.",
        "",
        "| real diff (all files) | added lines | scanned | phrase findings | lines per false positive |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    examples: Counter[str] = Counter()
    for release in (RICH, DJANGO):
        diff = parse_diff(_release_diff(release))
        result = InjectionAnalyzer().run(RunContext(ChangeSet(source="diff", diff=diff), Config()))
        phrase = [
            f
            for f in result.findings
            if f.rule not in ("zero-width", "bidi-control", "tag-characters", "variation-selectors")
        ]
        examples.update(f"{f.rule}: {f.title}" for f in phrase)
        per = f"{diff.added_count // len(phrase):,}" if phrase else "none found"
        name = f"{release.package} {release.base} → {release.head}"
        scanned = int(result.details.get("lines_scanned", 0))
        rows.append(f"| {name} | {diff.added_count:,} | {scanned:,} | {len(phrase)} | {per} |")
    if examples:
        rows += ["", "Flagged on real diffs: " + "; ".join(f"{t} ({n})" for t, n in examples.most_common(8))]
    return rows


def run() -> str:
    rows = [
        "## Hostile inputs",
        "",
        f"One line of {SIZE:,} characters (the largest file the analyzers read), or a commit message of "
        f"that size, gated by `ai-gate check --offline --format json`; target {TARGET_SECONDS:.0f} s "
        "end to end each.",
        "",
        "| input | wall s | peak RSS MB | target |",
        "| --- | ---: | ---: | --- |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, make) in enumerate(LINES.items()):
            rows.append(_row(name, _repo(Path(tmp) / f"line{i}", make(SIZE), None)))
        for i, (name, make) in enumerate(MESSAGES.items()):
            rows.append(_row(name, _repo(Path(tmp) / f"msg{i}", None, make(SIZE))))
    rows += _injection_rates()
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run())
