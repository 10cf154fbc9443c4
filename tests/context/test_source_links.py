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
from tests.fakes.registries import FakeNpm, FakePyPI
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


@pytest.mark.parametrize(
    ("link", "target", "path", "text"),
    [
        # Python imports `app/net.py` through the link; no analyzer reads `impl.PY` as Python.
        ("app/net.py", "impl.PY", "app/impl.PY", HIDDEN),
        # `.pyw` is Python too, so the link is judged by where it leads.
        ("app/gui.pyw", "../data/impl.txt", "data/impl.txt", HIDDEN),
        ("web/index.js", "../data/impl.txt", "data/impl.txt", "require('left-padd')\n"),
        # Read as plain text, a `.env` file's `NAME=value` lines are not read as assignments.
        (".env", "config/settings.txt", "config/settings.txt", "DB_PASSWORD=Zq8vN2xT7rLk4pWs\n"),
        ("cmd/main.go", "../assets/main.bin", "assets/main.bin", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"),
    ],
)
def test_a_link_to_a_file_not_read_as_what_its_name_says_is_source_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], link: str, target: str, path: str, text: str | bytes
) -> None:
    _base(repo)
    repo.write(path, text)
    _link(repo, link, target)
    repo.commit("Add the link")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert _unread(report) == [
        "not read: 1 file named as source code but a symbolic link to a file not read as code "
        f"({link}); the verdict is neutral"
    ]


def test_a_link_to_what_the_analyzers_read_as_python_is_read_there(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("libexec/impl", "#!/usr/bin/env python3\ndef go():\n    return 2\n")
    _link(repo, "app/net.py", "../libexec/impl")
    repo.write("app/main.py", CALLER)
    repo.commit("Add the network module")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"], report["findings"]) == (0, "pass", [])


def test_ordinary_links_to_files_read_as_what_their_names_say_are_read_there(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("docker/Dockerfile.prod", "FROM python:3.12\nRUN pip install app\n")
    repo.write("scripts/deploy", "#!/bin/sh\necho deploy\n")
    repo.write("docker-compose.yml", "services:\n  app:\n    image: app\n")
    repo.write("build/common.mk", "all:\n\techo build\n")
    repo.commit("Initial")
    repo.branch("pr")
    _link(repo, "Dockerfile", "docker/Dockerfile.prod")
    _link(repo, "bin/deploy.sh", "../scripts/deploy")
    _link(repo, "docker-compose.yaml", "docker-compose.yml")
    _link(repo, "Makefile", "build/common.mk")
    repo.commit("Link the build files")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"], _unread(report)) == (0, "pass", [])


def test_a_link_an_analyzer_reads_under_another_name_is_not_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Not named as source: the link is not judged by where it leads, and the dependencies stage, which
    # meant to read it, did not.
    _base(repo)
    repo.write("deps/base.in", "reqeusts-turbo-hallucinated==1.0\n")
    _link(repo, "requirements.txt", "deps/base.in")
    repo.commit("Pin the requirements")
    pypi, npm = FakePyPI(), FakeNpm()
    config = tmp_path / "gate.yml"

    where = ["--repo", str(repo.root), "--base", "main", "--head", "pr", "--config", str(config)]

    with pypi.running(), npm.running():
        config.write_text(
            f"version: 1\ndependencies:\n  registries: {{pypi: '{pypi.url}', npm: '{npm.url}'}}\n"
        )
        code = main(["check", *where, "--format", "json"])
    report = json.loads(capsys.readouterr().out)

    assert (code, report["verdict"]) == (0, "neutral")
    assert _unread(report) == [
        "not read: 1 file the analyzers left unread (symbolic links they do not follow) "
        "(requirements.txt); the verdict is neutral"
    ]
