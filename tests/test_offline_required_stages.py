"""`--offline` calls no model: a model stage the thresholds require is then not run, and the verdict
follows `gate.on_model_error`, as when no model is available. Offline is no way around the review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo


def _repo(repo: GitRepo, tmp_path: Path, on_model_error: str | None) -> Path:
    repo.write("app.py", "def f():\n    return 1\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app.py", "def f():\n    return 2\n")
    repo.commit("Change f")
    policy = f"gate:\n  on_model_error: {on_model_error}\n" if on_model_error else ""
    config = tmp_path / "ai-gate.yml"
    # One changed line calls for the review and the spec check.
    config.write_text(f"version: 1\nthresholds:\n  review: {{changed_lines: 1}}\n{policy}")
    return config


def _check(repo: GitRepo, config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    where = ["--repo", str(repo.root), "--base", "main", "--head", "pr", "--config", str(config)]
    code = main(["check", *where, "--offline", "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("on_model_error", "strict", "expected"),
    [
        (None, False, (0, "neutral")),
        (None, True, (1, "neutral")),
        ("fail", False, (1, "fail")),
        ("pass", False, (0, "pass")),
    ],
)
def test_a_review_the_thresholds_require_is_not_passed_offline(
    repo: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    on_model_error: str | None,
    strict: bool,
    expected: tuple[int, str],
) -> None:
    config = _repo(repo, tmp_path, on_model_error)

    code, report = _check(repo, config, capsys, *(["--strict"] if strict else []))

    assert (code, report["verdict"]) == expected
    review = report["stages"]["review"]
    assert review["ran"] is False
    assert review["model_error"] == (
        "the review stage the thresholds call for was not run (offline: no model is called)"
    )
    assert any(r.startswith("a required model stage could not finish (review: ") for r in report["reasons"])


def test_offline_below_the_thresholds_is_a_pass(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app.py", "def f():\n    return 1\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app.py", "def f():\n    return 2\n")
    repo.commit("Change f")
    config = tmp_path / "ai-gate.yml"
    config.write_text("version: 1\n")

    code, report = _check(repo, config, capsys)

    assert (code, report["verdict"]) == (0, "pass")
