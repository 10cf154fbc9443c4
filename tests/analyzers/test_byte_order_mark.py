"""A UTF-8 byte-order mark that opens a file hides nothing: Python, pip and Node skip it, and so do the
analyzers that read a file as they do. Through the CLI, from a real repository and from a patch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.fakes.registries import FakeNpm, FakePyPI
from tests.gitrepo import GitRepo

BOM = "\ufeff"
CORE = "def real():\n    return 1\n"
TEST = "from app.core import real\n\n\ndef test_more():\n    assert real() > 0\n"
PACKAGE_JSON = '{\n  "name": "web",\n  "version": "1.0.0",\n  "dependencies": {}\n}\n'
GHOST_PYPI = "Package 'fastjsonx-hallucinated-pkg' does not exist on PyPI"
GHOST_NPM = "Package 'left-padx-hallucinated' does not exist on npm"
# Model stages stay off: the thresholds that call them are out of reach.
NO_MODELS = "thresholds:\n  review: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"


def _base(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", CORE)
    repo.write("tests/test_more.py", TEST)
    repo.write("requirements.txt", "requests==2.31.0\n")
    repo.write("package.json", PACKAGE_JSON)
    repo.commit("base")
    repo.branch("pr")


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str, *extra: str) -> tuple[int, dict]:
    """The CLI over the branch `pr`: read from the repository, or from its `git format-patch` series."""
    if source == "repo":
        where = ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    else:
        patch = repo.root.parent / "change.patch"
        patch.write_bytes(repo.format_patch("main..pr"))
        where = ["--diff", str(patch)]
    code = main(["check", *where, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _findings(report: dict) -> set[tuple[str, str, int]]:
    return {(f["stage"], f["title"], f["start_line"]) for f in report["findings"]}


def test_a_byte_order_mark_hides_no_missing_import_or_early_return(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/new.py", BOM + "from app.ghost import phantom\n\n\ndef main():\n    return phantom()\n")
    repo.write("tests/test_more.py", BOM + TEST.replace("    assert", "    return\n    assert"))
    repo.write("app/core.py", CORE.replace("1", "2"))
    repo.commit("Add the entry point")

    code, report = _check(repo, capsys, "repo", "--offline")

    assert code == 1
    titles = {(stage, line) for stage, _, line in _findings(report)}
    assert ("phantom-symbols", 1) in titles
    assert ("weakened-tests", 5) in titles
    assert not [f for f in report["findings"] if f["rule"] == "could-not-analyse"]


@pytest.mark.parametrize("source", ["repo", "patch"])
def test_a_byte_order_mark_hides_no_test_module_taken_out_of_the_run(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    _base(repo)
    repo.write("tests/test_more.py", BOM + "__test__ = False\n" + TEST)
    repo.write("app/core.py", CORE.replace("1", "2"))
    repo.commit("Change the core")

    code, report = _check(repo, capsys, source, "--offline")

    assert code == 1
    assert [(f["stage"], f["start_line"]) for f in report["findings"]] == [("weakened-tests", 1)]


@pytest.mark.parametrize("source", ["repo", "patch"])
def test_a_byte_order_mark_hides_no_import_of_a_missing_package(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], pypi: FakePyPI, npm: FakeNpm, source: str
) -> None:
    _base(repo)
    repo.write("app/net.py", BOM + "import fastjsonx_hallucinated_pkg\n\n\ndef go():\n    return 1\n")
    repo.commit("Add the client")
    config = _registries(repo.root.parent, pypi, npm)

    code, report = _check(repo, capsys, source, "--config", str(config))

    # From a patch, the repository's own modules are unknown: the finding is not blocking there.
    assert code == (1 if source == "repo" else 0)
    assert ("dependencies", GHOST_PYPI, 1) in _findings(report)
    assert dict(pypi.requests) == {"fastjsonx-hallucinated-pkg": 1}


@pytest.mark.parametrize("source", ["repo", "patch"])
def test_manifests_opening_with_a_byte_order_mark_are_read_as_pip_and_npm_read_them(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], pypi: FakePyPI, npm: FakeNpm, source: str
) -> None:
    _base(repo)
    pypi.add("requests")
    repo.write("requirements.txt", BOM + "fastjsonx-hallucinated-pkg==1.0\nrequests==2.31.0\n")
    repo.write(
        "package.json", BOM + PACKAGE_JSON.replace("{}", '{\n    "left-padx-hallucinated": "^1.0.0"\n  }')
    )
    repo.commit("Add two packages")
    config = _registries(repo.root.parent, pypi, npm)

    code, report = _check(repo, capsys, source, "--config", str(config))

    assert code == 1
    found = _findings(report)
    assert ("dependencies", GHOST_PYPI, 1) in found
    assert ("dependencies", GHOST_NPM, 5) in found
    assert not [f for f in report["findings"] if f["rule"] == "could-not-analyse"]
    assert pypi.requests["fastjsonx-hallucinated-pkg"] == 1
    assert npm.requests["left-padx-hallucinated"] == 1


def test_a_byte_order_mark_inside_a_file_is_still_reported(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/core.py", CORE + "\n\ndef other():\n    return " + BOM + "1\n")
    repo.commit("Add a helper")

    _, report = _check(repo, capsys, "repo", "--offline")

    assert [(f["stage"], f["start_line"]) for f in report["findings"]] == [("injection-text", 6)]


def _registries(where: Path, pypi: FakePyPI, npm: FakeNpm) -> Path:
    config = where / "gate.yml"
    config.write_text(
        f"version: 1\ndependencies:\n  registries: {{pypi: '{pypi.url}', npm: '{npm.url}'}}\n{NO_MODELS}",
        encoding="utf-8",
    )
    return config
