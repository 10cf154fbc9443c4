"""The model call settings live in the validated config (`models.concurrency`, `timeout_seconds`,
`backoff_seconds`, `grace_seconds`, `max_output_tokens`, `budget.unpriced_usd_per_million_tokens`);
an `AI_GATE_MODEL_*` environment variable may override one, validated the same way: 0 or garbage is
one clear line and exit 2, through `ai-gate check` and `ai-gate github` alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gate.cli import main
from gate.config import Config, load_config_text
from gate.config.env import MODEL_ENV, with_env_overrides
from gate.errors import ConfigError
from tests.fakes.fixtures import model_server
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import github
from tests.github.test_action_e2e import run_gate
from tests.github.test_neutral import MODELS, model_env, model_pr
from tests.gitrepo import GitRepo

__all__ = ["github", "model_server"]


def test_the_defaults() -> None:
    models = Config().models
    assert (models.concurrency, models.timeout_seconds, models.backoff_seconds) == (16, 120.0, 1.0)
    assert (models.grace_seconds, models.max_output_tokens) == (15.0, 8192)
    assert Config().budget.unpriced_usd_per_million_tokens is None


def test_the_settings_are_read_from_the_file() -> None:
    text = (
        "models:\n  concurrency: 4\n  timeout_seconds: 30\n  backoff_seconds: 0.5\n"
        "  grace_seconds: 5\n  max_output_tokens: 2000\nbudget:\n  unpriced_usd_per_million_tokens: 3\n"
    )
    config = load_config_text(text)
    assert config.models.concurrency == 4 and config.models.timeout_seconds == 30.0
    assert config.models.max_output_tokens == 2000 and config.budget.unpriced_usd_per_million_tokens == 3.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models:\n  concurrency: 0\n", "x.yml:2: 'models.concurrency'"),
        ("models:\n  timeout_seconds: 0\n", "x.yml:2: 'models.timeout_seconds'"),
        ("models:\n  backoff_seconds: soon\n", "x.yml:2: 'models.backoff_seconds'"),
        ("models:\n  grace_seconds: .inf\n", "x.yml:2: 'models.grace_seconds'"),
        ("models:\n  max_output_tokens: -5\n", "x.yml:2: 'models.max_output_tokens'"),
        ("budget:\n  unpriced_usd_per_million_tokens: .nan\n", "'budget.unpriced_usd_per_million_tokens'"),
    ],
)
def test_bad_values_in_the_file_name_the_key_and_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text(text, "x.yml")
    assert message in str(info.value)


def test_every_variable_overrides_its_key() -> None:
    env = {
        "AI_GATE_MODEL_CONCURRENCY": "3",
        "AI_GATE_MODEL_TIMEOUT": "7.5",
        "AI_GATE_MODEL_BACKOFF": "0.01",
        "AI_GATE_MODEL_GRACE": "2",
        "AI_GATE_MODEL_MAX_OUTPUT_TOKENS": " 512 ",
    }
    assert set(env) == set(MODEL_ENV)
    models = with_env_overrides(Config(), env).models
    assert (models.concurrency, models.timeout_seconds, models.backoff_seconds) == (3, 7.5, 0.01)
    assert (models.grace_seconds, models.max_output_tokens) == (2.0, 512)
    assert with_env_overrides(Config(), {"AI_GATE_MODEL_TIMEOUT": ""}) == Config()  # empty = unset


@pytest.mark.parametrize("var", sorted(MODEL_ENV))
@pytest.mark.parametrize("value", ["0", "abc", "-1", "inf", "nan"])
def test_zero_or_garbage_in_a_variable_is_an_error_naming_it(var: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        with_env_overrides(Config(), {var: value})
    line = info.value.one_line()
    assert f"environment variable {var}: 'models.{MODEL_ENV[var]}'" in line and "\n" not in line


def _pr(tmp_path: Path) -> list[str]:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/calc.py", "def total(items):\n    return sum(items)\n")
    repo.commit("add calc")
    repo.branch("feature")
    repo.write("app/calc.py", "def total(items):\n    return sum(items) + 0\n")
    repo.commit("change calc")
    return ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature"]


def test_the_cli_stops_on_a_bad_variable_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "0")
    assert main(_pr(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("ai-gate: bad config: environment variable AI_GATE_MODEL_TIMEOUT")


def test_the_cli_applies_the_config_and_a_variable_overrides_it(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    args = _pr(tmp_path)
    config = tmp_path / "ai-gate.yml"
    data = model_server.review_config(("openai/house-a", "openai/house-b"))
    data["models"]["max_output_tokens"] = 222
    config.write_text(yaml.safe_dump(data))
    main([*args, "--config", str(config), "--output", str(tmp_path / "out.txt")])
    assert model_server.count() == 2 and {c.body["max_tokens"] for c in model_server.calls} == {222}
    monkeypatch.setenv("AI_GATE_MODEL_MAX_OUTPUT_TOKENS", "321")
    main([*args, "--config", str(config), "--output", str(tmp_path / "out.txt")])
    assert model_server.count() == 4 and {c.body["max_tokens"] for c in model_server.calls[2:]} == {321}


def test_the_action_validates_the_variables_and_applies_them_only_to_tighten(
    model_server: FakeModelServer, tmp_path: Path, github: FakeGitHub
) -> None:
    workspace = model_pr(tmp_path, github, model_server)
    for model in MODELS:
        model_server.script(model.split("/", 1)[1], "review", Reply.json({"findings": []}))
    env = model_env(github, tmp_path, workspace)
    proc = run_gate({**env, "AI_GATE_MODEL_CONCURRENCY": "many"}, workspace)
    assert proc.returncode == 2 and model_server.count() == 0
    assert proc.stderr.count("\n") == 1 and "environment variable AI_GATE_MODEL_CONCURRENCY" in proc.stderr
    # On `pull_request` the workflow that sets them is the PR's own copy: like inputs, the variables may
    # only tighten the base branch's config. A longer timeout is taken; a smaller answer limit is not.
    proc = run_gate(
        {**env, "AI_GATE_MODEL_MAX_OUTPUT_TOKENS": "321", "AI_GATE_MODEL_TIMEOUT": "300"}, workspace
    )
    assert proc.returncode == 0, proc.stderr
    assert model_server.count() == 2 and {c.body["max_tokens"] for c in model_server.calls} == {8192}
    warning = next(line for line in proc.stdout.splitlines() if line.startswith("::warning"))
    assert "AI_GATE_MODEL_* variables would loosen" in warning
    assert "models.max_output_tokens: 321 -> 8192" in warning and "timeout" not in warning
