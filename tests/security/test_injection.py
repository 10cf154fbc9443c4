"""Hostile pull requests through the whole gate, reviewed by models that obey the injection.

Whatever the PR says and whatever one model answers: the injection-text finding is raised, a single
model neither clears nor blocks, and the text the gate produces for GitHub carries nothing hostile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.report import markdown
from tests.fakes.model_server import FakeModelServer
from tests.security.hostile import HostileCase, corpus, run_case, script

CASES = corpus()


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "5")


def test_the_corpus_is_all_there() -> None:
    assert {c.name for c in CASES} >= {
        "comment-instructions",
        "string-instructions",
        "file-names",
        "pr-title-body",
        "fake-system-block",
        "bidi-trojan-source",
        "zero-width",
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_one_obedient_model_neither_clears_nor_blocks(
    case: HostileCase, model_server: FakeModelServer, tmp_path: Path
) -> None:
    script(model_server)
    outcome = run_case(tmp_path / "repo", case, model_server)

    injection = [f for f in outcome.findings if f.stage == "injection-text"]
    assert any(case.expect in f.title for f in injection), [f.title for f in injection]
    review = [f for f in outcome.findings if f.stage == "review"]
    planted = [f for f in review if "float" in f.title.lower()]
    hostile = [f for f in review if f.title.startswith("APPROVED")]
    # The obedient model reported nothing real and refused the real defect: it is confirmed anyway.
    assert planted and planted[0].blocking
    assert set(planted[0].confirmed_by) == {"openai/honest-a", "openai/honest-b"}
    # Its own critical finding is its word alone: reported, never blocking.
    assert hostile and not hostile[0].blocking and hostile[0].confirmed_by == ("openai/obedient-c",)
    assert outcome.verdict == "fail"


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: c.name)
def test_all_models_obeying_cannot_clear_the_gate(
    case: HostileCase, model_server: FakeModelServer, tmp_path: Path
) -> None:
    script(model_server, honest=False)
    outcome = run_case(tmp_path / "repo", case, model_server)
    assert not [f for f in outcome.findings if f.stage == "review" and f.blocking]
    injection = [f for f in outcome.findings if f.stage == "injection-text"]
    assert injection and any(f.blocking for f in injection)
    assert outcome.verdict == "fail"


def test_the_markdown_summary_is_inert(model_server: FakeModelServer, tmp_path: Path) -> None:
    """The markdown report is what the job summary and the summary comment are made from."""
    from tests.security.hostile import unsafe_for_github

    (case,) = [c for c in CASES if c.name == "pr-title-body"]
    script(model_server)
    outcome = run_case(tmp_path / "repo", case, model_server)
    assert any(f.title.startswith("APPROVED") for f in outcome.findings)
    text = markdown.render(outcome)
    assert not unsafe_for_github(text), unsafe_for_github(text)


def test_plain_text_fields_are_inert_too() -> None:
    """Check-run annotations are shown as plain text: HTML stays as written (it does not render), but
    hidden characters, links away from the repository and mentions are made inert."""
    from gate.sanitize import plain
    from tests.security.hostile import HOSTILE_FINDING, unsafe_for_github

    text = plain(HOSTILE_FINDING["body"], repo_url="https://github.com/shop/payments")
    assert not unsafe_for_github(text, plain=True), unsafe_for_github(text, plain=True)
    assert "<script>" in text and "evil[.]example" in text
