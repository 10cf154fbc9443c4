"""Only the statements of the specs that govern a chunk's files reach that chunk's `spec_check` prompt,
and a spec that governs no changed file is no intent source at all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gate.app import run_gate
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo

# Small context windows (8,192 tokens in litellm's cost map), so that each file is a chunk of its own.
MODELS = ("openai/gpt-4", "openai/gpt-4-0613")


def _spec(governs: str, rule: str) -> str:
    return f'---\ngoverns: ["{governs}"]\n---\n# Contract\n\n{rule}\n'


def _module(name: str, lines: int) -> str:
    return "".join(f"def {name}_{i}(x):\n    return x * {i}\n\n\n" for i in range(lines))


def test_each_chunk_is_sent_only_the_statements_that_govern_it(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/pay.py", "PAY = 1\n")
    repo.write("shop/cart.py", "CART = 1\n")
    repo.write("docs/specs/payments.md", _spec("shop/pay.py", "Amounts are Decimal."))
    repo.write("docs/specs/cart.md", _spec("shop/cart.py", "A cart holds at most 100 items."))
    repo.write("docs/specs/orders.md", _spec("shop/orders.py", "Orders are immutable."))
    repo.commit("base")
    repo.branch("feature")
    repo.write("shop/pay.py", "PAY = 1\n" + _module("pay", 60))
    repo.write("shop/cart.py", "CART = 1\n" + _module("cart", 60))
    repo.commit("grow both modules")

    requirements = [
        {"source": "S1", "statement": "a cart holds at most 100 items"},
        {"source": "S2", "statement": "amounts are Decimal"},
    ]
    sent: list[tuple[frozenset[str], frozenset[str]]] = []

    def check(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
        ids = frozenset(re.findall(r'"id": "(R\d+)"', text))
        paths = frozenset(re.findall(r"^### (\S+)", text, re.MULTILINE))
        sent.append((paths, ids))
        return Reply.json(
            {
                "judgments": [
                    {
                        "id": i,
                        "verdict": "kept",
                        "path": None,
                        "start_line": None,
                        "end_line": None,
                        "reason": "ok",
                    }
                    for i in sorted(ids)
                ]
            }
        )

    def either(body: dict[str, Any]) -> Reply:
        # gpt-4 is sent no response_format (litellm knows it has none): the task is in the prompt
        system = str(body["messages"][0].get("content", ""))
        return Reply.json({"requirements": requirements}) if "spec_extract" in system else check(body)

    for model in ("gpt-4", "gpt-4-0613"):
        model_server.script(model, "*", either)
    config = Config.model_validate(
        {
            "specs": ["docs/specs/**"],
            "thresholds": {"spec": {"changed_lines": 1}, "review": {"changed_lines": 100_000}},
            "models": {
                "review": list(MODELS),
                "endpoints": model_server.endpoints(MODELS),
                "max_output_tokens": 500,
            },
            "budget": {"max_cost_usd": 50},
        }
    )
    changeset = load_git_changeset(repo.root, "main", "feature", config.paths.ignore)
    outcome = run_gate(changeset, config)

    spec = next(s for s in outcome.stages if s.stage == "spec")
    assert spec.model_error is None, spec.model_error
    assert [s["name"] for s in spec.details["sources"]] == [
        "spec docs/specs/cart.md",
        "spec docs/specs/payments.md",
    ]
    extract = next(c for c in model_server.calls if "spec_extract" in str(c.body["messages"][0]))
    assert "Orders are immutable" not in extract.last_user  # governs no changed file
    by_paths = {paths: ids for paths, ids in sent}
    assert len(by_paths) >= 2, by_paths  # the two files went in separate chunks
    for paths, ids in by_paths.items():
        expected = ({"R1"} if "shop/cart.py" in paths else set()) | (
            {"R2"} if "shop/pay.py" in paths else set()
        )
        assert ids == expected, (paths, ids)
