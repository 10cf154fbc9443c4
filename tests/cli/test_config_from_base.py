"""`ai-gate check --repo` on a range that edits `.github/ai-gate.yml` uses the base's version.

In CI the checkout is the change's head, so reading the config from the working tree let a pull request
raise its own thresholds (no model review for its AI code) or let its findings pass (`fail_on`). As in
the Action, the base's version applies and the report says so; `--config` still picks a file.
"""

from __future__ import annotations

import json

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
LOOSE = "version: 1\ngate:\n  fail_on: critical\n"
CODE = 'TOKEN = "ghp_x7Kq2mVb9RtLw4NpZc8JfHd3GsYa6UeQ1oBi"\n'


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    main(
        [
            "check",
            "--repo",
            str(repo.root),
            "--base",
            "main",
            "--head",
            "pr",
            "--offline",
            "--format",
            "json",
            *extra,
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["findings"] if f["stage"] == "secrets"] == ["src/app.py"]
    notes = [n for n in report["notes"] if "ai-gate.yml" in n]
    return f"{report['verdict']}: {' '.join(notes)}"


def _pr(repo: GitRepo, base_config: str | None) -> None:
    repo.write("README.md", "# app\n")
    if base_config is not None:
        repo.write(".github/ai-gate.yml", base_config)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.write(".github/ai-gate.yml", LOOSE)
    repo.commit("Add the app\n\n" + CLAUDE)


@pytest.mark.parametrize("base_config", [None, "version: 1\n"])
def test_a_change_that_edits_the_config_is_gated_by_the_bases(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], base_config: str | None
) -> None:
    _pr(repo, base_config)

    outcome = _check(repo, capsys)

    assert outcome.startswith("fail: the change edits .github/ai-gate.yml; the gate used the base's version")


def test_an_explicit_config_is_used_as_given(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _pr(repo, "version: 1\n")

    assert _check(repo, capsys, "--config", str(repo.root / ".github/ai-gate.yml")) == "pass: "


def test_a_range_that_leaves_the_config_alone_reads_the_working_tree(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.write(".github/ai-gate.yml", "version: 1\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app")
    repo.write(".github/ai-gate.yml", LOOSE)  # a local edit, not committed

    assert _check(repo, capsys) == "pass: "
