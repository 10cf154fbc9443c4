"""Each review prompt carries the specs that govern its chunk's files (and the small general context),
not every spec of the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.config.models import Config
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.review.scenario import config_for, gate, stage


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


def _code(name: str, lines: int) -> str:
    return "\n".join(
        f"def {name}_{i}(value):\n    return value * {i} + len(str(value))\n" for i in range(lines)
    )


def _spec(governs: str, statement: str, size: int = 0) -> str:
    filler = "".join(f"{n}. {statement} (detail {n}).\n" for n in range(2, 2 + size // 40))
    return f'---\ngoverns: ["{governs}"]\n---\n# Spec\n\n1. {statement}\n{filler}'


def _repo(root: Path, *, web_only: bool = False) -> GitRepo:
    repo = GitRepo(root)
    repo.write("src/payments/refund.py", "def refund(amount):\n    return amount\n")
    repo.write("src/web/page.py", "def page():\n    return ''\n")
    repo.write("docs/specs/payments.md", _spec("src/payments/**", "PAYMENTS-RULE amounts are Decimal"))
    repo.write("docs/specs/web.md", _spec("src/web/**", "WEB-RULE pages escape HTML"))
    repo.write("docs/specs/legacy.md", _spec("legacy/**", "LEGACY-RULE never touched", size=30_000))
    repo.write("docs/specs/general.md", "GENERAL-RULE every public function has a docstring.\n")
    repo.commit("base with specs")
    repo.branch("feature")
    if not web_only:
        repo.write("src/payments/refund.py", _code("refund", 600))
    repo.write("src/web/page.py", _code("page", 600))
    repo.commit("grow both packages")
    return repo


def _config(server: FakeModelServer) -> Config:
    return config_for(server).model_copy(update={"specs": ("docs/specs/*.md",)})


def test_each_chunk_gets_only_the_specs_governing_its_files(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    outcome = gate(_repo(tmp_path / "repo"), _config(model_server))
    result = stage(outcome)
    assert result.ran and result.model_error is None, result
    chunks = result.details["chunks"]
    assert len(chunks) >= 2
    by_specs = {tuple(sorted(c["specs"])) for c in chunks}
    assert by_specs == {
        ("docs/specs/general.md", "docs/specs/payments.md"),
        ("docs/specs/general.md", "docs/specs/web.md"),
    }, chunks
    reviews = [c for c in model_server.calls if c.schema == "review"]
    assert reviews and all("LEGACY-RULE" not in c.last_user for c in reviews)
    assert all("GENERAL-RULE" in c.last_user for c in reviews)
    for call in reviews:
        has_payments_code = "def refund_" in call.last_user
        has_web_code = "def page_" in call.last_user
        assert ("PAYMENTS-RULE" in call.last_user) == has_payments_code
        assert ("WEB-RULE" in call.last_user) == has_web_code


def test_a_change_no_spec_governs_carries_only_the_general_context(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    outcome = gate(_repo(tmp_path / "repo", web_only=True), _config(model_server))
    reviews = [c for c in model_server.calls if c.schema == "review"]
    assert reviews and all("PAYMENTS-RULE" not in c.last_user for c in reviews)
    assert all("WEB-RULE" in c.last_user for c in reviews)
    assert all(
        set(c["specs"]) == {"docs/specs/general.md", "docs/specs/web.md"}
        for c in stage(outcome).details["chunks"]
    )
