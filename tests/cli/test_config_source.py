"""The report of `ai-gate check` says which configuration the run used.

`--diff` has no base commit to read `.github/ai-gate.yml` from, so without `--config` it runs on the
defaults, also inside a repository whose file sets stricter ones: the same change that fails with
`--repo` passed with `--diff`, and nothing in the report said the repository's thresholds were not
applied. Every run without `--config` now names its configuration in the notes, as the Action's does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

STRICT = "version: 1\ngate:\n  fail_on: medium\n"
# A zero-width space inside a word: a medium finding, blocking only under fail_on: medium.
HIDDEN = 'ADMIN = "ad\u200bmin"\n'


def _change(repo: GitRepo, config: str | None) -> Path:
    """A commit adding the hidden character on top of `config`, and the change as a patch file."""
    if config is not None:
        repo.write(".github/ai-gate.yml", config)
    repo.write("app.py", "X = 1\n")
    repo.commit("Initial")
    repo.write("admin.py", HIDDEN)
    repo.commit("Add the admin name")
    patch = repo.root.parent / "admin.patch"
    patch.write_text(repo.git("diff", "HEAD~1", "HEAD"), encoding="utf-8")
    return patch


def _run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str, list[str]]:
    monkeypatch.chdir(cwd)
    code = main(["check", *args, "--offline", "--format", "json", "--no-progress"])
    report = json.loads(capsys.readouterr().out)
    return code, report["verdict"], report["notes"]


def test_a_patch_gated_inside_a_repository_says_its_config_was_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch = _change(repo, STRICT)

    in_repo = _run(capsys, monkeypatch, repo.root, "--base", "HEAD~1")
    as_patch = _run(capsys, monkeypatch, repo.root, "--diff", str(patch))

    assert in_repo[:2] == (1, "fail")
    assert in_repo[2][0].startswith("configuration: .github/ai-gate.yml at HEAD~1 (")
    assert as_patch == (
        0,
        "pass",
        ["configuration: defaults; .github/ai-gate.yml is not read with --diff (pass --config)"],
    )


def test_the_note_is_given_from_a_folder_below_the_repositorys_top(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch = _change(repo, STRICT)
    (repo.root / "src").mkdir()

    _, _, notes = _run(capsys, monkeypatch, repo.root / "src", "--diff", str(patch))

    assert notes == ["configuration: defaults; .github/ai-gate.yml is not read with --diff (pass --config)"]


def test_an_uncommitted_config_is_named_too(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch = _change(repo, None)
    repo.write(".github/ai-gate.yml", STRICT)

    _, _, notes = _run(capsys, monkeypatch, repo.root, "--diff", str(patch))

    assert notes == ["configuration: defaults; .github/ai-gate.yml is not read with --diff (pass --config)"]


def test_a_patch_outside_any_repository_says_it_used_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch = _change(GitRepo(tmp_path / "elsewhere" / "repo"), STRICT)
    (tmp_path / "empty").mkdir()

    _, _, notes = _run(capsys, monkeypatch, tmp_path / "empty", "--diff", str(patch))

    assert notes == ["configuration: defaults"]


def test_a_range_whose_base_has_no_config_says_it_used_the_defaults(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _change(repo, None)
    base = repo.git("rev-parse", "--short=12", "HEAD~1").strip()

    code, verdict, notes = _run(capsys, monkeypatch, repo.root, "--base", "HEAD~1")

    assert (code, verdict) == (0, "pass")
    assert notes[0] == f"configuration: defaults (no .github/ai-gate.yml at HEAD~1 ({base}))"


def test_an_explicit_config_is_used_with_diff(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patch = _change(repo, STRICT)

    code, verdict, _ = _run(
        capsys,
        monkeypatch,
        repo.root,
        "--diff",
        str(patch),
        "--config",
        str(repo.root / ".github/ai-gate.yml"),
    )

    assert (code, verdict) == (1, "fail")
