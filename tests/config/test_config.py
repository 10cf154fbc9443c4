"""Configuration: defaults, strictness, and errors that name the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.config import Config, load_config, load_config_text
from gate.errors import ConfigError
from gate.findings import Severity


def test_no_file_means_the_documented_defaults() -> None:
    config, source = load_config(None)
    assert source is None
    assert config == Config()
    assert config.review.quorum == 2 and config.regen.samples == 5
    assert config.thresholds.review.ai_share == 0.30 and config.thresholds.regen.ai_lines == 50
    assert config.gate.fail_on is Severity.HIGH
    assert str(config.dependencies.registries["pypi"]) == "https://pypi.org/"
    assert "**/*.lock" in config.paths.ignore


def test_a_named_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "ai-gate.yml").write_text("review:\n  quorum: 3\n")
    config, source = load_config(tmp_path / "ai-gate.yml")
    assert config.review.quorum == 3 and source is not None and source.endswith("ai-gate.yml")


def test_full_spec_example_parses() -> None:
    text = """
version: 1
paths:
  ignore: ["**/*.lock"]
  instructions: [{path: "src/payments/**", rules: "amounts are Decimal, never float"}]
specs: ["docs/api/*.md"]
provenance:
  ai_identities: [{name: "Build Bot", email: "bot@corp.example", tool: "copilot"}]
  ai_labels: ["ai-generated", "copilot"]
thresholds:
  review: {ai_share: 0.2, ai_lines: 100, changed_lines: 500}
  regen: {ai_share: 0.4, ai_lines: 10}
models:
  review: ["openai/gpt-6.1-sol", "anthropic/claude-sonnet-5-5"]
  regen: []
  endpoints: {"openai/gpt-6.1-sol": {api_base: "http://proxy.internal:4000", api_key_env: "PROXY_KEY"}}
review: {quorum: 2, cross_check: false}
regen: {samples: 4, temperature: 0.5, max_hunks: 3, min_stability: 0.4, blocking: true}
dependencies: {registries: {pypi: "http://127.0.0.1:9999"}, min_age_days: 7}
budget: {max_cost_usd: 0.5, max_seconds: 120}
gate: {fail_on: medium, on_model_error: fail}
"""
    config = load_config_text(text)
    assert config.paths.instructions[0].rules.startswith("amounts")
    assert config.models.endpoints["openai/gpt-6.1-sol"].api_key_env == "PROXY_KEY"
    assert config.gate.fail_on is Severity.MEDIUM and config.regen.blocking


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\npaths:\n  ignore: []\n  ignroe: []\n", "x.yml:4: unknown key 'paths.ignroe'"),
        ("review:\n  quorum: many\n", "x.yml:2: 'review.quorum'"),
        ("gate:\n  fail_on: urgent\n", "x.yml:2: 'gate.fail_on'"),
        ("thresholds:\n  review:\n    ai_share: 1.5\n", "x.yml:3: 'thresholds.review.ai_share'"),
        ("paths: [\n", "x.yml:2: invalid YAML"),
        ("regen:\n  samples: 3\n  samples: 4\n", "x.yml:3: key 'regen.samples' given twice"),
        ("- a\n- b\n", "must be a mapping"),
        ("version: 2\n", "x.yml:1: 'version'"),
        (
            "paths:\n  instructions:\n    - {path: 'a/**'}\n",
            "x.yml:3: missing key 'paths.instructions[0].rules'",
        ),
    ],
)
def test_errors_name_the_key_and_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text(text, "x.yml")
    assert message in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yml")
    bad = tmp_path / "bin.yml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)
