"""paths.ignore keeps a default-ignored file when a file read to place it was not given: a module at head
past the size limit of a file read, a blob a partial clone lacks with its remote out of reach, or a list
of files at head the GitHub API failed to give. What such a file imports or names is unknown, not
nothing, so the file it may import or run is analysed (failing closed, as when the scan for importers is
cut short), and the notes say which file was not read and why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.cli import main
from gate.config.models import DEFAULT_IGNORE
from gate.context.ignore import apply_ignore
from gate.context.model import API_COULD_NOT_READ, GIT_COULD_NOT_READ, TOO_LARGE
from gate.context.revisions import MAX_FILE_BYTES
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import ApiRevisions, load_pull_changeset
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import github, pull_from_git
from tests.gitrepo import GitRepo

__all__ = ["github"]  # the loopback GitHub server, as a fixture of these tests

CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
HELPERS = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n" for i in range(20))


def _check(
    root: Path, capsys: pytest.CaptureFixture[str], head: str = "feature", *extra: str
) -> dict[str, Any]:
    args = ["check", "--offline", "--format", "json", "--repo", str(root), "--base", "main", "--head", head]
    code = main([*args, *extra])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == (1 if report["verdict"] == "fail" else 0)
    return report


def _helpers_rewritten(tmp_path: Path, files: dict[str, str | bytes]) -> GitRepo:
    """A repository of `files` and the vendored (default-ignored) helpers, which Claude rewrites on the
    branch `feature`."""
    repo = GitRepo(tmp_path / "repo")
    for path, text in files.items():
        repo.write(path, text)
    repo.write("app/vendor/helpers.py", "def helper_0(value):\n    return value\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/vendor/helpers.py", HELPERS)
    repo.commit("Rewrite the helpers" + CLAUDE)
    return repo


def _note(report: dict[str, Any], path: str) -> str:
    prefix = f"{path}: analysed although paths.ignore matches it, because "
    [note] = [n for n in report["notes"] if n.startswith(prefix)]
    return note.removeprefix(prefix)


def test_a_module_at_head_too_large_to_read_may_import_the_ignored_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`app/big.py` imports the vendored helpers, and is past the size limit: read as importing nothing,
    it left the rewritten helpers out of the gate."""
    filler = f"# {'x' * 96}\n" * (MAX_FILE_BYTES // 99 + 10)
    files = {"app/__init__.py": "", "app/big.py": "from app.vendor.helpers import helper_0\n" + filler}
    repo = _helpers_rewritten(tmp_path, files)
    report = _check(repo.root, capsys)
    assert report["source"]["unignored"] == ["app/vendor/helpers.py"]
    assert _note(report, "app/vendor/helpers.py") == (
        f"app/big.py at head was not read ({TOO_LARGE}), and it may import it"
    )


def _blobless(repo: GitRepo, tmp_path: Path) -> Path:
    """A blobless clone of the repository's `main` and `feature`, holding the blobs of the diff only, its
    promisor remote then out of reach."""
    clone, remote = repo.blobless_clone(tmp_path, "feature")
    remote.rename(tmp_path / "gone.git")
    return clone


def test_a_manifest_a_partial_clone_lacks_may_name_the_ignored_build_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Action's `action.yml` runs `dist/index.js`; the clone lacks its blob. Read as absent, it named
    nothing, and the rewritten build output it runs was left out of the gate."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("action.yml", "name: x\nruns:\n  using: node20\n  main: dist/index.js\n")
    repo.write("dist/index.js", "module.exports = 1;\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("dist/index.js", "module.exports = 2;\nrequire('child_process').exec(process.env.X);\n")
    repo.commit("Build" + CLAUDE)
    report = _check(_blobless(repo, tmp_path), capsys)
    assert report["source"]["unignored"] == ["dist/index.js"]
    assert _note(report, "dist/index.js") == (
        f"action.yml at head was not read ({GIT_COULD_NOT_READ}), and it may name it as code that runs"
    )


def test_a_module_a_partial_clone_lacks_may_import_the_ignored_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _helpers_rewritten(
        tmp_path,
        {
            "app/main.py": "from app.vendor.helpers import helper_0\n\nprint(helper_0(1))\n",
        },
    )
    report = _check(_blobless(repo, tmp_path), capsys)
    assert report["source"]["unignored"] == ["app/vendor/helpers.py"]
    assert _note(report, "app/vendor/helpers.py") == (
        f"app/main.py at head was not read ({GIT_COULD_NOT_READ}), and it may import it"
    )


def test_a_module_that_is_read_and_imports_nothing_leaves_the_file_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Failing closed is for a file not given, not for every module that does not import it."""
    repo = _helpers_rewritten(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "print(1)\n",
        },
    )
    report = _check(repo.root, capsys)
    assert report["source"]["unignored"] == []
    assert report["source"]["ignored_paths"] == ["app/vendor/helpers.py"]


def test_a_changed_module_too_large_to_read_may_import_a_file_the_users_own_pattern_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's own pattern gives way to the changed files' imports: a changed module read from the
    diff's lines alone, its head past the size limit, may import the file in the lines the diff leaves
    out."""
    repo = GitRepo(tmp_path / "repo")
    filler = f"# {'x' * 96}\n" * (MAX_FILE_BYTES // 99 + 10)
    repo.write("app/big.py", "from app.vendor.helpers import helper_0\n" + filler)
    repo.write("app/vendor/helpers.py", "def helper_0(value):\n    return value\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/big.py", "from app.vendor.helpers import helper_0\n" + filler + "print(1)\n")
    repo.write("app/vendor/helpers.py", HELPERS)
    repo.commit("Rewrite the helpers" + CLAUDE)
    config = tmp_path / "gate.yml"
    config.write_text('version: 1\npaths:\n  ignore: ["app/vendor/**"]\n', encoding="utf-8")
    report = _check(repo.root, capsys, "feature", "--config", str(config))
    assert report["source"]["unignored"] == ["app/vendor/helpers.py"]
    assert _note(report, "app/vendor/helpers.py") == (
        f"app/big.py at head was not read ({TOO_LARGE}), and it may import it"
    )


def test_a_program_with_no_suffix_too_large_to_read_leaves_the_file_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with no suffix may be a Python script by its first line; one past the size limit is far
    more often a program built elsewhere, and is not taken for a module that may import."""
    repo = _helpers_rewritten(
        tmp_path,
        {
            "tools/terraform": b"\x7fELF\x00" + b"\x01" * (MAX_FILE_BYTES + 1024),
        },
    )
    report = _check(repo.root, capsys)
    assert report["source"]["unignored"] == []
    assert report["source"]["ignored_paths"] == ["app/vendor/helpers.py"]


def test_a_list_of_files_at_head_not_given_keeps_the_default_ignored_files(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """Read through the GitHub API, a tree it failed to list is no tree without importers or runners."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/main.py", "from app.vendor.helpers import helper_0\n\nprint(helper_0(1))\n")
    repo.write("app/vendor/helpers.py", "def helper_0(value):\n    return value\n")
    base = repo.commit("base")
    repo.write("app/vendor/helpers.py", HELPERS)
    head = repo.commit("Rewrite the helpers" + CLAUDE)
    pull_from_git(github, repo, base, head, number=3)
    event = read_event("pull_request", github.payload(3))
    assert isinstance(event, PullRequestEvent)
    client = GitHubClient(github.url, "t", github.repo, sleep=lambda _: None)
    cs = load_pull_changeset(client, event, None, ())
    github.fail("GET", r"/git/trees/", 500, times=100)
    revisions = ApiRevisions(client, event.base_sha, event.head_sha, cs.diff)
    diff, _ = apply_ignore(cs.diff, cs.line_origins, DEFAULT_IGNORE, revisions, defaults=DEFAULT_IGNORE)
    assert diff.unignored_paths == ("app/vendor/helpers.py",)
    assert diff.notes[-1] == (
        "app/vendor/helpers.py: analysed although paths.ignore matches it, because the list of files at "
        f"head was not read ({API_COULD_NOT_READ}), and a file not listed may name it as code that runs"
    )
