"""`ai-gate check --repo` reads `.github/ai-gate.yml` as the range's base commit holds it.

In CI the checkout is the change's head, so reading the config from the working tree let a pull request
raise its own thresholds (no model review for its AI code) or let its findings pass (`fail_on`): by
editing the file, or by linking the path to a file it wrote. As in the Action, the base's version applies
and the report says so when the head or the working tree holds another; `--config` still picks a file.
"""

from __future__ import annotations

import json
import os

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
    notes = [n for n in report["notes"] if "ai-gate.yml" in n and not n.startswith("configuration: ")]
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

    # Its fail_on: critical lets the key through; the review its AI share calls for is not run offline,
    # so the verdict is neutral rather than the fail of the base's config.
    assert _check(repo, capsys, "--config", str(repo.root / ".github/ai-gate.yml")) == "neutral: "


def test_a_folder_moved_away_and_linked_back_is_gated_by_the_bases(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The change never names `.github/ai-gate.yml`: it moves `.github` away, links it back, and the
    working tree's path reaches a config the change wrote."""
    repo.write("README.md", "# app\n")
    repo.write(".github/workflows/ci.yml", "on: pull_request\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.git("mv", ".github", "gh")
    repo.write("gh/ai-gate.yml", LOOSE)
    os.symlink("gh", repo.root / ".github")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app")

    assert _check(repo, capsys).startswith("fail: the change edits .github/ai-gate.yml; the gate used")


@pytest.mark.parametrize(
    ("link", "target", "real"),
    [
        (".github/ai-gate.yml", "../ci/ai-gate.yml", "ci/ai-gate.yml"),
        (".github", "ci/github", "ci/github/ai-gate.yml"),
    ],
)
def test_a_config_reached_through_a_link_is_read_at_the_base(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], link: str, target: str, real: str
) -> None:
    """The base links the config file (or its folder) elsewhere: the link is followed in the base's
    tree, and the change's edit of the file it leads to does not apply."""
    repo.write("README.md", "# app\n")
    repo.write(real, "version: 1\n")
    (repo.root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, repo.root / link)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.write(real, LOOSE)
    repo.commit("Add the app")

    assert _check(repo, capsys).startswith("fail: the change edits .github/ai-gate.yml; the gate used")


def test_a_link_out_of_the_repository_at_the_base_is_a_config_error(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    os.makedirs(repo.root / ".github")
    os.symlink("/etc/ai-gate.yml", repo.root / ".github/ai-gate.yml")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app")

    code = main(["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline"])

    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "bad config: .github/ai-gate.yml at the base" in err and "leads out of the repository" in err


def test_a_local_edit_of_the_config_is_used_only_when_named(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The working tree is not the base: an edit there (or a file a build step wrote) is not read
    unless `--config` names it, and the report says so."""
    repo.write("README.md", "# app\n")
    repo.write(".github/ai-gate.yml", "version: 1\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app")
    repo.write(".github/ai-gate.yml", LOOSE)  # a local edit, not committed

    assert _check(repo, capsys).startswith(
        "fail: the working tree's .github/ai-gate.yml is not the one the base holds; the gate used"
    )
    assert _check(repo, capsys, "--config", str(repo.root / ".github/ai-gate.yml")) == "pass: "


def test_a_range_that_leaves_the_config_alone_says_nothing_of_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: critical\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app")

    assert _check(repo, capsys) == "pass: "


def test_a_change_forked_before_the_base_tightened_its_config_is_gated_by_the_base_as_it_is_now(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # The base's file as it is now applies, as in the Action: not as it was where the change forked,
    # which its author chooses (a fork from before `fail_on: critical` became `fail_on: high` ...).
    repo.write("README.md", "# app\n")
    repo.write(".github/ai-gate.yml", LOOSE)
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("src/app.py", CODE)
    repo.commit("Add the app\n\n" + CLAUDE)
    repo.checkout("main")
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: high\n")
    repo.commit("Block high findings")

    assert _check(repo, capsys).startswith("fail: the change's .github/ai-gate.yml is older than the base's")
