"""A symbolic link named as source is read only when it leads to a file of its own kind.

Git stores a link as the path it points to: `app/net.py -> ../data/impl.txt` shows in the diff as one
line, `../data/impl.txt`, while Python follows the link and runs `data/impl.txt`, which no check reads
as Python. Such a link is source the gate did not read, so the verdict is neutral; a link to another
`.py` in the repository is read where it points, and changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

# Code Python runs through the link: a missing module, and a package no registry has.
HIDDEN = (
    "import reqeusts_turbo_hallucinated\nfrom app.ghost import phantom\n\n\ndef go():\n    return phantom()\n"
)
CALLER = "from app.net import go\n\nprint(go())\n"


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *source: str) -> tuple[int, dict]:
    where = list(source) or ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    code = main(["check", *where, "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _link(repo: GitRepo, path: str, target: str) -> None:
    (repo.root / path).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, repo.root / path)


def _base(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", "def real():\n    return 1\n")
    repo.commit("Initial")
    repo.branch("pr")


def _unread(report: dict) -> list[str]:
    return [r for r in report["reasons"] if r.startswith("not read: ")]


def _hidden_through_a_link(repo: GitRepo) -> None:
    _base(repo)
    repo.write("data/impl.txt", HIDDEN)
    _link(repo, "app/net.py", "../data/impl.txt")
    repo.write("app/main.py", CALLER)
    repo.commit("Add the network module")


def test_a_source_named_link_to_a_text_file_is_source_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _hidden_through_a_link(repo)

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert _unread(report) == [
        "not read: 1 file named as source code but a symbolic link to a file not read as code "
        "(app/net.py); the verdict is neutral"
    ]
    # The link's one line is a path, not code: no analyzer reads it as a module that does not parse.
    assert report["findings"] == []
    gaps = {gap["path"]: gap["reason"] for gap in report["coverage"]["gaps"] if gap["path"]}
    assert gaps == {"app/net.py": "not analysed: symbolic link"}


def test_the_link_in_a_patch_and_a_series_is_source_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _hidden_through_a_link(repo)
    diff, series = tmp_path / "pr.diff", tmp_path / "pr.mbox"
    diff.write_text(repo.git("diff", "main", "pr"))
    series.write_bytes(repo.format_patch("main..pr"))
    assert "new file mode 120000" in diff.read_text()

    for patch in (diff, series):
        code, report = _check(repo, capsys, "--diff", str(patch))

        assert (code, report["verdict"]) == (0, "neutral")
        assert [r.split(" (")[1] for r in _unread(report)] == ["app/net.py); the verdict is neutral"]


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "../../outside.py", "../data/missing.py", "../data", "loop.py"]
)
def test_a_link_out_of_the_repository_or_to_no_file_is_source_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    _base(repo)
    repo.write("data/keep.py", "X = 1\n")
    _link(repo, "app/loop.py", "net.py")
    _link(repo, "app/net.py", target)
    repo.commit("Link the network module")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert "app/net.py" in _unread(report)[0]


def test_a_changed_link_is_read_where_it_now_points(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/impl.py", "def go():\n    return 1\n")
    repo.write("data/impl.txt", HIDDEN)
    _link(repo, "app/net.py", "impl.py")
    repo.commit("Initial")
    repo.branch("pr")
    (repo.root / "app/net.py").unlink()
    _link(repo, "app/net.py", "../data/impl.txt")
    repo.commit("Point the module elsewhere")
    assert "index " in repo.git("diff", "main", "pr") and "new file mode" not in repo.git(
        "diff", "main", "pr"
    )

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert "(app/net.py)" in _unread(report)[0]


def test_a_link_moved_whole_is_read_where_it_now_points(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("lib/impl.py", "def go():\n    return 1\n")
    _link(repo, "lib/net.py", "impl.py")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/impl.txt", HIDDEN)
    repo.git("mv", "lib/net.py", "app/net.py")
    repo.commit("Move the network module")
    # Moved as it was, the link's diff says nothing of its mode; relative, it leads to app/impl.py now.
    assert "120000" not in repo.git("diff", "-M", "main", "pr", "--", "lib/net.py", "app/net.py")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert "(app/net.py)" in _unread(report)[0]


def test_a_link_to_python_in_the_repository_is_read_there(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/impl.py", "def go():\n    return 2\n")
    repo.commit("Add the implementation")
    repo.git("branch", "-f", "main")
    # A link beside its target, one through a linked folder and `..`, and a changed target.
    _link(repo, "app/net.py", "impl.py")
    _link(repo, "lib", "app")
    _link(repo, "tools/core.py", "../lib/../app/core.py")
    repo.write("app/core.py", "def real():\n    return 3\n")
    repo.write("app/main.py", CALLER)
    repo.commit("Add the network module")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "pass")
    assert report["findings"] == []
