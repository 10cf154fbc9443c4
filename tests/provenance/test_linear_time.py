"""The provenance parsers run in linear time on adversarial input: CPU time (time.process_time, best
of 3) on 10 KB, 100 KB and 1 MB inputs grows far below quadratic. A quadratic parser makes the
1 MB / 100 KB ratio about 100; linear gives about 10."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from gate.config.models import Provenance
from gate.context.model import Commit, Person, PullRequestInfo
from gate.provenance.classify import classify
from gate.provenance.line_records import parse_agent_traces, parse_git_ai_note
from gate.provenance.pull_request import pr_signals

SIZES = (10_000, 100_000, 1_000_000)
FLOOR = 0.002  # seconds: below this, a timer's noise dominates


def _trailer_runs(n: int) -> str:
    half = max(1, (n - 40) // 2)
    return "Fix\n\nCo-authored-by: x" + " " * half + "y" + " " * half + "z\n"


def _many_trailers(n: int) -> str:
    line = "Co-authored-by: Someone <someone@example.com>  \n"
    return "Fix\n\n" + line * (n // len(line))


def _markers(n: int) -> str:
    line = "aider: Added " + "a." * 40 + " Generated with Claude Cod\n"
    return "Fix\n\n" + line * (n // len(line))


def _commit(message: str) -> Commit:
    return Commit("a" * 40, Person("Dev", "dev@example.com"), None, message)


NOTE_META = json.dumps(
    {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": "0" * 40,
        "prompts": {},
        "humans": {"h_0123456789abcd": {"author": "Dev <dev@example.com>"}},
    }
)


def _note(n: int) -> str:
    line = "  h_0123456789abcd 1-4,9-10,12\n"
    return "a.py\n" + line * (n // len(line)) + "---\n" + NOTE_META


def _trace(n: int) -> str:
    record = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-25T10:00:00Z",
        "files": [{"path": "a.py", "conversations": [{"contributor": {"type": "ai"}, "ranges": []}]}],
    }
    ranges = record["files"][0]["conversations"][0]["ranges"]  # type: ignore[index]
    one = {"start_line": 1, "end_line": 2}
    ranges.extend([one] * (n // 32))
    return json.dumps(record) + "\n"


def _deep(n: int) -> str:
    return "[" * (n // 2) + "]" * (n // 2)


CASES: dict[str, tuple[Callable[[int], str], Callable[[str], object]]] = {
    "trailer with blank runs": (_trailer_runs, lambda m: classify(_commit(m), Provenance())),
    "many trailers": (_many_trailers, lambda m: classify(_commit(m), Provenance())),
    "near-miss markers": (_markers, lambda m: classify(_commit(m), Provenance())),
    "PR body with a blank run": (
        lambda n: "Link to Devin run" + " " * n + "x",
        lambda b: pr_signals(PullRequestInfo(number=1, body=b), Provenance()),
    ),
    "git-ai note": (_note, parse_git_ai_note),
    "git-ai note, deep metadata": (lambda n: "a.py\n  h_0 1\n---\n" + _deep(n), parse_git_ai_note),
    "agent trace": (_trace, parse_agent_traces),
    "agent trace, deep": (_deep, parse_agent_traces),
}


def _cpu(work: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        work(text)
        best = min(best, time.process_time() - started)
    return max(best, FLOOR)


@pytest.mark.growth
@pytest.mark.parametrize("case", sorted(CASES))
def test_provenance_parsers_grow_linearly(case: str) -> None:
    build, work = CASES[case]
    t10k, t100k, t1m = (_cpu(work, build(n)) for n in SIZES)
    assert t1m / t100k < 30, f"{case}: {t10k:.4f} / {t100k:.4f} / {t1m:.4f} s"
    assert t100k / t10k < 30, f"{case}: {t10k:.4f} / {t100k:.4f} / {t1m:.4f} s"


def _idiom_beside_moved_lines(m: int) -> float:
    """CPU time of the neighbour check (carry.py) on a file with no AI line at head that alternates one
    idiom the AI commits wrote `m` times with `m` distinct lines they wrote once each."""
    from gate.provenance.carry import _AiOrder
    from gate.provenance.formatting import unformatted

    idiom = "alpha = compute_alpha(x, y)"
    once = [f"b_value_{i} = compute_thing({i})" for i in range(m)]
    ai_texts = [("a" * 40, text) for text in once] + [("a" * 40, idiom)] * m
    texts = [line for text in once for line in (idiom, text)]
    written = {unformatted(text) for _, text in ai_texts}
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        _AiOrder(ai_texts).beside(texts, list(range(1, len(texts) + 1)), written)
        best = min(best, time.process_time() - start)
    return max(best, FLOOR)


def test_the_neighbour_check_of_repeated_lines_grows_linearly() -> None:
    # 8x the lines: linear is about 8x (with a log factor), the quadratic walk was about 64x.
    assert _idiom_beside_moved_lines(8_000) / _idiom_beside_moved_lines(1_000) < 25
