"""The 240 labelled real commits (three public repositories): every AI commit gets its labelled tool,
every commit labelled human stays human. The confusion matrix is printed (`pytest -s`).

"human" in the data means "no AI marker", which is noisy; no commit needed an exception: the only
look-alikes among them (`Co-authored-by: allhands-bot`, `John-Mason P. Shackelford
<john-mason@all-hands.dev>`, `Debug Agent <debug@example.com>`, an `amazon.com` co-author, a
`claude.yml` workflow subject) are rightly human.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gate.config.models import Provenance
from gate.context.model import Commit, Person
from gate.provenance.classify import classify, classify_commit

DATA = Path(__file__).parent.parent / "data" / "provenance-commits.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def _commit(row: dict[str, object]) -> Commit:
    return Commit(
        sha=str(row["sha"]),
        author=Person(str(row["author_name"]), str(row["author_email"])),
        committer=Person(str(row["committer_name"]), str(row["committer_email"])),
        message=str(row["message"]),
    )


def _truth(row: dict[str, object]) -> str:
    tools = row["tools"]
    assert isinstance(tools, list)
    return str(tools[0]) if row["label"] == "ai" else "human"


def confusion() -> Counter[tuple[str, str]]:
    matrix: Counter[tuple[str, str]] = Counter()
    for row in ROWS:
        ai, tool, _ = classify_commit(_commit(row), Provenance(), None)
        matrix[(_truth(row), (tool or "?") if ai else "human")] += 1
    return matrix


def test_the_data_is_what_it_says() -> None:
    assert len(ROWS) == 240
    assert Counter(r["label"] for r in ROWS) == {"ai": 120, "human": 120}


def test_confusion_matrix_is_diagonal() -> None:
    matrix = confusion()
    labels = sorted({t for t, _ in matrix} | {g for _, g in matrix})
    print("\ntruth \\ classified: " + ", ".join(labels))
    for truth in labels:
        print(f"{truth:>12}: " + ", ".join(f"{matrix[(truth, got)]}" for got in labels))
    wrong = {k: v for k, v in matrix.items() if k[0] != k[1]}
    assert wrong == {}
    assert matrix == {
        ("claude-code", "claude-code"): 3,
        ("cursor", "cursor"): 40,
        ("jules", "jules"): 40,
        ("openhands", "openhands"): 37,
        ("human", "human"): 120,
    }


@pytest.mark.parametrize("row", [r for r in ROWS if r["label"] == "ai"], ids=lambda r: str(r["sha"])[:10])
def test_every_ai_commit_quotes_the_labelled_evidence(row: dict[str, object]) -> None:
    result = classify(_commit(row), Provenance())
    assert result.tool == _truth(row)
    quoted = {e.text for e in result.evidence}
    # The label's evidence is "a | b" of exact trailers, or "author: X | committer: Y".
    for part in str(row["label_evidence"]).split(" | "):
        kind, _, text = part.partition(": ")
        if kind == "committer":
            continue  # the author decides; the committer is never quoted as evidence
        assert (text if kind == "author" else part) in quoted


def test_release_and_automation_bots_are_named_in_the_notes() -> None:
    bump = next(r for r in ROWS if str(r["sha"]).startswith("9710ac32f6"))
    result = classify(_commit(bump), Provenance())
    assert result.tool == "openhands"  # by the openhands trailer, not by the release bot author
    assert all(e.text != "OpenHands Bot <contact@all-hands.dev>" for e in result.evidence)
    assert any("release bot" in n for n in result.notes)
    automation = next(r for r in ROWS if str(r["sha"]).startswith("5214855e3a"))
    result = classify(_commit(automation), Provenance())
    assert not result.ai and any("allhands-bot" in n for n in result.notes)
