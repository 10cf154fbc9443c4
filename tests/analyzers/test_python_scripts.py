"""Python is Python whatever its name: a `.pyw` module and a script named without a suffix whose first line
runs Python (`bin/tool` with `#!/usr/bin/env python3`) are read by the Python checks like any `.py` file.

Python runs them, so their imports fail as a module's do; read as text alone, a missing module or a
made-up package in them went unchecked while the coverage counted them analysed. The coverage now
counts a Python file as analysed only when an analyzer read it as Python.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gate.analyzers import SecretsAnalyzer
from gate.cli import main
from gate.config.models import Config
from gate.context.file_kinds import is_python_source
from gate.pipeline import run
from gate.report import coverage
from gate.run import RunContext
from tests.analyzers.gitrepo import change
from tests.fakes.registries import FakeNpm, FakePyPI
from tests.gitrepo import GitRepo

GHOSTS = "from app.ghost import helper\nfrom app.core import not_there\n\nhelper()\nnot_there()\n"
MISSING = [("missing-module", 2), ("missing-name", 3)]


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(
        args
        or (
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
        )
    )
    return json.loads(capsys.readouterr().out)


def _base(repo: GitRepo, files: dict[str, str] | None = None) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", "def real():\n    return 1\n")
    for path, text in (files or {}).items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("pr")


def _script(repo: GitRepo, path: str, text: str) -> None:
    repo.write(path, text)
    os.chmod(repo.root / path, 0o755)


def _found(report: dict, path: str) -> list[tuple[str, int]]:
    return [(f["rule"], f["start_line"]) for f in report["findings"] if f["path"] == path]


@pytest.mark.parametrize(
    "shebang",
    [
        "#!/usr/bin/env python3",
        "#!/usr/bin/python",
        "#!/usr/bin/python3.12 -u",
        "#!/usr/bin/env -S python3 -X dev",
        "#! /usr/local/bin/python3",
        "#!/usr/bin/env -S uv run --script",  # PEP 723: uv installs the script's dependencies first
        "#!/usr/bin/env -S uv --quiet run --script",
        "#!/home/dev/.local/bin/uv run",
    ],
)
def test_a_script_named_without_a_suffix_is_read_as_python(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], shebang: str
) -> None:
    _base(repo)
    _script(repo, "bin/tool", f"{shebang}\n{GHOSTS}")
    repo.commit("tool")

    report = _check(repo, capsys)

    assert report["verdict"] == "fail"
    assert _found(report, "bin/tool") == MISSING
    assert report["coverage"]["analysed"] == 1


def test_a_pyw_module_is_read_as_python(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _base(repo)
    repo.write("app/gui.pyw", "#!/usr/bin/env python3\n" + GHOSTS)
    repo.commit("gui")

    report = _check(repo, capsys)

    assert report["verdict"] == "fail"
    assert _found(report, "app/gui.pyw") == MISSING


def test_a_script_from_a_patch_is_read_as_python(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/helpers.py", "def helper():\n    return 1\n")
    _script(repo, "bin/tool", "#!/usr/bin/env python3\nfrom app.helpers import nothere\n")
    repo.commit("tool")
    patch = tmp_path / "change.patch"
    patch.write_bytes(repo.format_patch("main..pr"))

    report = _check(repo, capsys, "check", "--diff", str(patch), "--offline", "--format", "json")

    assert report["verdict"] == "fail"
    # Patch input knows only the modules the diff adds: here app.helpers.
    assert _found(report, "bin/tool") == [("missing-name", 2)]


def test_a_script_edited_far_from_its_first_line_is_read_as_python(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"STEP_{i} = {i}\n" for i in range(40))
    _base(repo, {"bin/tool": "#!/usr/bin/env python3\n" + body})
    _script(repo, "bin/tool", "#!/usr/bin/env python3\n" + body + "from app.ghost import helper\n")
    repo.commit("tool")

    report = _check(repo, capsys)

    assert _found(report, "bin/tool") == [("missing-module", 42)]


def test_a_script_named_with_a_suffix_of_no_language_is_read_as_python(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Installed as `bin/tool`, a link to the script that runs it; the script is read where it lives.
    _base(repo)
    _script(repo, "libexec/tool.real", f"#!/usr/bin/env python3\n{GHOSTS}")
    _script(repo, "scripts/deploy.sh", f"#!/usr/bin/env python3\n{GHOSTS}")
    (repo.root / "bin").mkdir()
    os.symlink("../libexec/tool.real", repo.root / "bin/tool")
    repo.commit("tool")

    report = _check(repo, capsys)

    assert report["verdict"] == "fail"
    assert _found(report, "libexec/tool.real") == MISSING
    assert _found(report, "scripts/deploy.sh") == MISSING


def test_a_script_named_as_javascript_is_not_read_as_python(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    _script(repo, "web/tool.js", "#!/usr/bin/env python3\nimport app.ghost\n")
    repo.commit("tool")

    report = _check(repo, capsys)

    assert _found(report, "web/tool.js") == []


def test_a_shell_script_is_not_read_as_python(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _base(repo)
    _script(repo, "bin/tool", "#!/bin/sh\nimport app.ghost\nexec python3 -m app.ghost\n")
    _script(repo, "bin/other", "#!/usr/bin/env pythonish\nimport app.ghost\n")
    repo.commit("tools")

    report = _check(repo, capsys)

    assert report["verdict"] == "pass"
    assert report["findings"] == []


def test_a_script_that_imports_a_package_that_does_not_exist_is_looked_up(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: FakePyPI, npm: FakeNpm
) -> None:
    config = tmp_path / "gate.yml"
    config.write_text(
        f"version: 1\ndependencies:\n  registries: {{pypi: '{pypi.url}', npm: '{npm.url}'}}\n"
        "thresholds:\n  review: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"
        "  spec: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"
    )
    _base(repo)
    _script(repo, "bin/tool", "#!/usr/bin/env python3\nimport fastjsonx_two\n\nfastjsonx_two.run()\n")
    repo.commit("tool")

    report = _check(
        repo,
        capsys,
        *("check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--format", "json"),
        *("--config", str(config)),
    )

    assert report["verdict"] == "fail"
    assert _found(report, "bin/tool") == [("absent-package", 2)]
    assert pypi.requests["fastjsonx-two"] == 1


def test_python_no_analyzer_read_as_python_is_not_counted_analysed(tmp_path: Path) -> None:
    # Only the secrets scan runs: it reads every line as text, and no file as Python.
    changeset = change(
        tmp_path,
        {"app/core.py": "X = 1\n"},
        {"app/core.py": "X = 2\n", "bin/tool": "#!/usr/bin/env python3\nimport os\n", "README.md": "hi\n"},
    )
    outcome = run(RunContext(changeset=changeset, config=Config(), offline=True), [SecretsAnalyzer()])

    cov = coverage.of(outcome)

    assert (cov.files, cov.analysed) == (3, 1)
    assert {g.path: g.reason for g in cov.gaps if g.path} == {
        "app/core.py": coverage.NOT_READ_AS_PYTHON,
        "bin/tool": coverage.NOT_READ_AS_PYTHON,
    }


@pytest.mark.parametrize(
    ("path", "first_line", "python"),
    [
        ("bin/tool", "#!/usr/bin/env python3", True),
        ("bin/tool", "#!/usr/bin/env python3.12 -u", True),
        ("bin/tool", "#!/usr/bin/env PYTHONPATH=src python3", True),
        ("bin/tool", "#!/usr/bin/pypy3", True),
        ("bin/tool", "#!/bin/bash", False),
        ("bin/tool", "#!/usr/bin/env pythonista", False),
        ("bin/tool", None, False),
        ("bin/tool", "#!/usr/bin/env -S uv run --script", True),
        ("bin/tool", "#!/usr/bin/env uvx ruff", False),
        ("bin/tool", "#!/usr/bin/python3.13t", True),  # the free-threaded build
        ("bin/tool", "#!/usr/bin/env -u PYTHONHOME python3", True),
        ("bin/tool", "#!/usr/bin/env -S poetry run python", True),
        ("bin/tool", "#!/usr/bin/env ipython3", True),
        ("bin/tool", "#!/usr/bin/env -S poetry run pytest", False),
        ("bin/tool.sh", "#!/usr/bin/env python3", True),  # run, it is Python; no analyzer reads shell
        ("libexec/tool.real", "#!/usr/bin/env python3", True),
        ("web/tool.js", "#!/usr/bin/env python3", False),  # read as JavaScript
        ("app/impl.PY", "import os", False),  # Python imports `.py` only, as its case is
        ("app/gui.pyw", None, True),
        ("app/stubs.pyi", None, True),
    ],
)
def test_what_is_python_source(path: str, first_line: str | None, python: bool) -> None:
    assert is_python_source(path, first_line) is python
