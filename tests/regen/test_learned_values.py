"""A value the run remembers from one file cannot pass another file's AI code off as re-generated: a
region an added `.env` line hides in part is left out, with a gap and a model error, as a region of a
file the run could not read is. Through the whole run, the real model layer and the loopback server."""

from __future__ import annotations

from typing import Any

import pytest

from gate.app import run_gate
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.redact.hidden import HIDDEN
from gate.report import coverage
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.regen.conftest import DISCOUNT_ID, make_change
from tests.regen.conftest import HEAD as REGEN_HEAD
from tests.regen.samples import SAME

MODELS = ("openai/regen-a", "openai/regen-b")
# The AI's function with names of each test's own: a value the run remembers stays remembered for the
# rest of the process, and hides only the code of the test that adds it.
HEAD = REGEN_HEAD.replace("discounted", "learned_discounted")
CONTROL_HEAD = REGEN_HEAD.replace("discounted", "kept_discounted")


@pytest.fixture(autouse=True)
def _model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")


def _config(server: FakeModelServer) -> Config:
    data: dict[str, Any] = {
        "thresholds": {"regen": {"ai_share": 0.0, "ai_lines": 0}},
        "models": {"regen": list(MODELS), "endpoints": server.endpoints(MODELS)},
        "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
    }
    return Config.model_validate(data)


def _regen(repo: GitRepo, server: FakeModelServer) -> Any:
    for model in MODELS:
        server.script(model.split("/", 1)[1], "regeneration", Reply(choices=tuple({"code": c} for c in SAME)))
    outcome = run_gate(load_git_changeset(repo.root, "main", "feature"), _config(server))
    return outcome, next(s for s in outcome.stages if s.stage == "regen")


def test_an_ai_region_a_value_from_another_file_hides_is_not_re_generated(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    """The change's `.env` assigns the start of a line of the AI's function to a password's name: the
    value is remembered and would be hidden in that line too. The region is not sent, and the stage
    says it did not check it: a gap on the region and a model error, not a consistent hunk."""
    make_change(repo, HEAD, ai_files={"deploy/.env": "DB_PASSWORD=round(learned_discounted\n"})
    outcome, regen = _regen(repo, model_server)
    assert model_server.count(schema="regeneration") == 0
    assert regen.details["checked"] == []
    gaps = [(g.kind, g.path, g.lines, g.reason) for g in coverage.of(outcome).gaps if g.stage == "regen"]
    assert gaps == [("failure", "src/prices.py", "14-18", f"not re-generated: line(s) 18 {HIDDEN}")]
    assert regen.model_error == (
        "not re-generated: 1 AI hunk(s) with added lines shown with text hidden by a value remembered "
        f"elsewhere in the run ({DISCOUNT_ID})"
    )


def test_a_remembered_value_no_ai_region_holds_leaves_the_regions_checked(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    """The same `.env` with a value the code does not hold: the region is re-generated and checked."""
    make_change(repo, CONTROL_HEAD, ai_files={"deploy/.env": "DB_PASSWORD=hunter2-not-in-code\n"})
    outcome, regen = _regen(repo, model_server)
    assert model_server.count(schema="regeneration") > 0
    assert [c["outcome"] for c in regen.details["checked"]] == ["consistent"]
    assert regen.model_error is None
    assert not [g for g in coverage.of(outcome).gaps if g.stage == "regen"]


def test_a_value_learned_while_the_calls_are_out_leaves_the_region_unchecked(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    """The spec stage, beside this one, learns a linked issue's values while the re-generations are out:
    one that hides part of the AI region's code, learned after the region was chosen, still means the
    region was not checked as written (a model error), not a consistent hunk."""
    from gate.redact import memory

    late_head = REGEN_HEAD.replace("discounted", "late_discounted")
    make_change(repo, late_head)

    def learning(body: dict[str, Any]) -> Reply:
        memory.remember(["round(late_discounted"])  # what the other stage learns meanwhile
        return Reply(choices=tuple({"code": c} for c in SAME))

    for model in MODELS:
        model_server.script(model.split("/", 1)[1], "regeneration", learning)
    outcome = run_gate(load_git_changeset(repo.root, "main", "feature"), _config(model_server))
    regen = next(s for s in outcome.stages if s.stage == "regen")
    assert model_server.count(schema="regeneration") > 0
    assert regen.model_error == (
        "not re-generated: 1 AI hunk(s) with added lines shown with text hidden by a value remembered "
        f"elsewhere in the run ({DISCOUNT_ID})"
    )
