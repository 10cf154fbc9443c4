"""`ai-gate check` reads the base and head it is given, or the default branch, as the refs they are.

git takes a short name through its lookup order, where a tag comes before a branch and a remote-tracking
branch, and a branch before the commit its name abbreviates. A contributor who can push a tag named
`origin/main` at the head of their change made that the base: the range held nothing, and the base's
config was the change's own. The default branch is now looked up by full ref, and a name given with
--base or --head that more than one ref answers to is refused with one line, naming them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CODE = 'TOKEN = "ghp_x7Kq2mVb9RtLw4NpZc8JfHd3GsYa6UeQ1oBi"\n'


def _upstream(repo: GitRepo) -> str:
    """main with a strict config, `feature` adding a secret, and a tag `origin/main` at feature's head."""
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: medium\n")
    repo.write("app.py", "X = 1\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("secret.py", CODE)
    head = repo.commit("Add the token")
    repo.git("tag", "origin/main", head)
    repo.checkout("main")
    return head


def _ci_clone(upstream: GitRepo, where: GitRepo) -> None:
    """A checkout as CI makes one: the branches fetched as remote-tracking refs with the tags, no
    refs/remotes/origin/HEAD, the change's head detached."""
    where.git("remote", "add", "origin", str(upstream.root))
    where.git("fetch", "-q", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*")
    where.git("checkout", "-q", "--detach", "refs/remotes/origin/feature")


def _check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict | str]:
    code = main(["check", "--repo", str(root), "--offline", "--format", "json", "--no-progress", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else err)


def test_the_default_branch_is_not_a_tag_of_the_same_name(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upstream(repo)
    ci = GitRepo(tmp_path / "ci")
    _ci_clone(repo, ci)

    code, report = _check(ci.root, capsys)

    assert isinstance(report, dict)
    assert (code, report["verdict"], report["provenance"]["added_lines"]) == (1, "fail", 1)
    assert [f["path"] for f in report["findings"] if f["stage"] == "secrets"] == ["secret.py"]


def test_an_ambiguous_base_is_refused_naming_the_refs(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upstream(repo)
    ci = GitRepo(tmp_path / "ci")
    _ci_clone(repo, ci)

    code, err = _check(ci.root, capsys, "--base", "origin/main")

    assert code == 2
    assert err == (
        "ai-gate: git: --base 'origin/main' is ambiguous: it names refs/tags/origin/main and "
        "refs/remotes/origin/main (hint: pass the one you mean in full, e.g. --base "
        "refs/remotes/origin/main)\n"
    )


def test_a_revision_after_an_ambiguous_name_is_refused_too(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upstream(repo)
    ci = GitRepo(tmp_path / "ci")
    _ci_clone(repo, ci)

    code, err = _check(ci.root, capsys, "--base", "origin/main~0")

    assert code == 2 and "'origin/main' is ambiguous" in str(err) and "Traceback" not in str(err)


def test_a_full_ref_is_taken_as_given(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upstream(repo)
    ci = GitRepo(tmp_path / "ci")
    _ci_clone(repo, ci)

    code, report = _check(ci.root, capsys, "--base", "refs/remotes/origin/main")

    assert isinstance(report, dict) and (code, report["verdict"]) == (1, "fail")


def test_an_ambiguous_head_is_refused(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """A tag `feature` at main's tip would make the change's head the base: nothing to gate."""
    _upstream(repo)
    repo.git("tag", "feature", "main")

    code, err = _check(repo.root, capsys, "--base", "main", "--head", "feature")

    assert code == 2
    assert "--head 'feature' is ambiguous: it names refs/tags/feature and refs/heads/feature" in str(err)


def test_a_name_as_long_as_a_commit_id_is_still_a_name(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # 40 characters, not hex: git reads it as a ref like any other. (Words, not a run of one letter,
    # which an earlier test in the same process may have had remembered as a secret.)
    name = "release/candidate-for-the-winter-updates"
    assert len(name) == 40
    _upstream(repo)
    repo.git("branch", name, "feature")
    repo.git("tag", name, "main")

    code, err = _check(repo.root, capsys, "--base", "main", "--head", name)

    assert code == 2 and f"--head '{name}' is ambiguous" in str(err)


def test_a_branch_named_as_the_base_commits_abbreviation_is_refused(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """git reads a name that is both a branch and an abbreviated commit id as the branch, silently."""
    head = _upstream(repo)
    base = repo.git("rev-parse", "main").strip()
    repo.git("branch", base[:10], head)

    code, err = _check(repo.root, capsys, "--base", base[:10], "--head", "feature")

    assert code == 2
    assert f"--base '{base[:10]}' is ambiguous: it names refs/heads/{base[:10]} and {base}" in str(err)


def test_a_full_commit_id_is_the_commit(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    head = _upstream(repo)
    base = repo.git("rev-parse", "main").strip()
    # git refuses to make such a branch through `git branch`; update-ref still writes one.
    subprocess.run(["git", "-C", str(repo.root), "update-ref", f"refs/heads/{base}", head], check=True)

    code, report = _check(repo.root, capsys, "--base", base, "--head", "feature")

    assert isinstance(report, dict) and (code, report["verdict"]) == (1, "fail")
