"""Manifests read as their installers read them: a requirements file decoded by pip's rule, with the
`${VAR}` lines pip fills in from the environment, and no line the gate cannot read ending as a pass.
Real git repositories, the loopback registries, no patching."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.findings import Finding, Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI
from tests.gitrepo import GitRepo

HIGH = Severity.HIGH


def run(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, before: Files, after: Files) -> StageResult:
    changeset = change(tmp_path, before, after)
    return DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))


def absent(result: StageResult) -> dict[str, tuple[Severity, str]]:
    """Absent package name -> (severity, file)."""
    out = {}
    for f in result.findings:
        if f.rule == "absent-package":
            assert f.location is not None
            out[f.title.split("'")[1]] = (f.severity, f.location.path)
    return out


def unread(result: StageResult) -> dict[str, Finding]:
    return {f.location.path: f for f in result.findings if f.rule == "could-not-analyse" and f.location}


def utf7_hidden(text: str) -> str:
    """`text` as one UTF-7 run: ASCII letters to a UTF-8 reader, the text itself under UTF-7."""
    return "+" + base64.b64encode(text.encode("utf-16-be")).decode().rstrip("=") + "-"


# --- decoding: what pip reads, not what a UTF-8 reader sees --------------------------------------


def test_a_coding_line_has_the_requirements_read_as_pip_decodes_them(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("requests")
    hidden = utf7_hidden("\nghost-utf7==1.2.0")
    after: Files = {"requirements.txt": f"# -*- coding: utf-7 -*-\n# pinned {hidden}\nrequests==2.31.0\n"}
    result = run(tmp_path, pypi, npm, {"requirements.txt": "requests==2.31.0\n"}, after)
    assert absent(result) == {"ghost-utf7": (HIGH, "requirements.txt")}


def test_a_coding_line_on_an_included_file_is_read_as_pip_decodes_it(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    hidden = utf7_hidden("\nghost-included-utf7")
    before: Files = {"requirements.txt": "-r deps/extra.txt\n", "deps/extra.txt": "\n"}
    after: Files = {"deps/extra.txt": f"# coding=utf-7\n# {hidden}\n"}
    found = absent(run(tmp_path, pypi, npm, before, after))
    assert found == {"ghost-included-utf7": (HIGH, "deps/extra.txt")}


@pytest.mark.parametrize(
    ("coding", "why"),
    [("no-such-codec", "no-such-codec"), ("rot13", "rot13")],
)
def test_a_coding_pip_cannot_read_is_no_pass(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, coding: str, why: str
):
    after: Files = {"requirements.txt": f"# -*- coding: {coding} -*-\nrequests\n"}
    pypi.add("requests")
    found = unread(run(tmp_path, pypi, npm, {}, after))
    assert found["requirements.txt"].severity is HIGH
    assert why in found["requirements.txt"].title


def test_a_coding_line_that_changes_nothing_is_read_as_usual(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("requests")
    after: Files = {"requirements.txt": "# -*- coding: latin-1 -*-\nrequests\nghost-latin\n"}
    result = run(tmp_path, pypi, npm, {}, after)
    assert absent(result) == {"ghost-latin": (HIGH, "requirements.txt")}
    assert not unread(result)


# --- ${VAR}: what pip fills in from the environment ---------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "ghost-validator-${CI}==1.2.0",
        "${EXTRA_PACKAGE}",
        "requests ${EXTRA}",
        "-r ${DEPS_DIR}/extra.txt",
        "-c ${PINS}",
    ],
)
def test_a_line_pip_completes_from_the_environment_is_no_pass(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, line: str
):
    pypi.add("requests")
    after: Files = {"requirements.txt": f"requests==2.31.0\n{line}\n"}
    found = unread(run(tmp_path, pypi, npm, {"requirements.txt": "requests==2.31.0\n"}, after))
    assert found["requirements.txt"].severity is HIGH
    assert "requirements.txt:2" in found["requirements.txt"].title
    assert "environment" in found["requirements.txt"].title


@pytest.mark.parametrize(
    "line",
    [
        "requests==${REQUESTS_VERSION}",
        "--extra-index-url https://${PYPI_USER}:${PYPI_TOKEN}@pypi.org/simple",
        "lowercase-${not_a_variable}",  # pip expands upper-case names only: an invalid requirement to both
    ],
)
def test_an_environment_variable_outside_a_name_is_read_as_usual(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, line: str
):
    pypi.add("requests")
    result = run(tmp_path, pypi, npm, {}, {"requirements.txt": f"{line}\nghost-beside\n"})
    assert absent(result) == {"ghost-beside": (HIGH, "requirements.txt")}
    assert not [f for f in unread(result).values() if "environment" in f.title]


# --- a manifest the gate cannot read is no pass ---------------------------------------------------


def test_a_requirement_line_that_does_not_parse_is_no_pass(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {"requirements.txt": "!!! not a requirement\n"}
    found = unread(run(tmp_path, pypi, npm, {}, after))
    assert found["requirements.txt"].severity is HIGH


def test_a_manifest_rewritten_as_wide_text_is_no_pass(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    # pip decodes UTF-16 by its byte-order mark; git holds it as bytes with NULs in them.
    pypi.add("requests")
    wide = "\ufeffrequests\nghost-wide\n".encode("utf-16-le")
    result = run(tmp_path, pypi, npm, {"requirements.txt": "requests\n"}, {"requirements.txt": wide})
    assert unread(result)["requirements.txt"].severity is HIGH
    assert absent(result) == {"ghost-wide": (HIGH, "requirements.txt")}  # its lines as the diff shows them


# --- an index softens only the packages installed from it -----------------------------------------

POETRY_EXPLICIT = (
    '[tool.poetry]\nname = "shop"\n\n[[tool.poetry.source]]\nname = "corp"\n'
    'url = "https://pypi.corp.example/simple/"\npriority = "explicit"\n\n'
    '[tool.poetry.dependencies]\npython = "^3.11"\n'
)
UV_EXPLICIT = (
    '[[tool.uv.index]]\nname = "corp"\nurl = "https://pypi.corp.example/simple/"\nexplicit = true\n\n'
    '[tool.uv.sources]\ncorp-uv-internal = { index = "corp" }\n\n'
)


def test_an_explicit_poetry_source_softens_only_the_packages_that_name_it(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    after: Files = {
        "pyproject.toml": POETRY_EXPLICIT
        + 'ghost-poetry-public = "^1.2"\ncorp-poetry-internal = { version = "^3.0", source = "corp" }\n'
    }
    found = absent(run(tmp_path, pypi, npm, {"pyproject.toml": POETRY_EXPLICIT}, after))
    assert found == {
        "ghost-poetry-public": (HIGH, "pyproject.toml"),
        "corp-poetry-internal": (Severity.MEDIUM, "pyproject.toml"),
    }


def test_an_explicit_uv_index_softens_only_the_packages_routed_to_it(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    before: Files = {"pyproject.toml": UV_EXPLICIT + '[project]\nname = "x"\ndependencies = []\n'}
    after: Files = {
        "pyproject.toml": UV_EXPLICIT
        + '[project]\nname = "x"\ndependencies = ["ghost-uv-public>=1", "corp-uv-internal"]\n'
    }
    found = absent(run(tmp_path, pypi, npm, before, after))
    assert found == {
        "ghost-uv-public": (HIGH, "pyproject.toml"),
        "corp-uv-internal": (Severity.MEDIUM, "pyproject.toml"),
    }


def test_a_uv_index_searched_for_every_package_still_softens(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    index = '[[tool.uv.index]]\nname = "corp"\nurl = "https://pypi.corp.example/simple/"\n\n'
    before: Files = {"pyproject.toml": index + '[project]\nname = "x"\ndependencies = []\n'}
    after: Files = {"pyproject.toml": index + '[project]\nname = "x"\ndependencies = ["corp-anywhere"]\n'}
    assert absent(run(tmp_path, pypi, npm, before, after)) == {
        "corp-anywhere": (Severity.MEDIUM, "pyproject.toml")
    }


# --- files installers read that no manifest name gives away ----------------------------------------

SETUP_CFG_FILE = "[metadata]\nname = x\n[options]\ninstall_requires = file: deps/base.txt\n"
DYNAMIC = (
    '[project]\nname = "x"\ndynamic = ["dependencies", "optional-dependencies"]\n'
    "[tool.setuptools.dynamic]\n"
    'dependencies = {file = ["deps.txt"]}\noptional-dependencies.dev = {file = "dev-deps.txt"}\n'
)


def test_a_file_setup_cfg_reads_by_its_file_directive_is_read_when_it_changes(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("requests")
    before: Files = {"setup.cfg": SETUP_CFG_FILE, "deps/base.txt": "requests\n"}
    after: Files = {"deps/base.txt": "requests\nghost-cfg-file>=1\n"}
    result = run(tmp_path, pypi, npm, before, after)
    assert absent(result) == {"ghost-cfg-file": (HIGH, "deps/base.txt")}
    assert "deps/base.txt" in result.details["manifests"]


def test_files_setuptools_reads_for_dynamic_dependencies_are_read(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("requests")
    before: Files = {"pyproject.toml": DYNAMIC, "deps.txt": "requests\n", "dev-deps.txt": "\n"}
    after: Files = {"deps.txt": "requests\nghost-dynamic\n", "dev-deps.txt": "ghost-dynamic-dev\n"}
    assert absent(run(tmp_path, pypi, npm, before, after)) == {
        "ghost-dynamic": (HIGH, "deps.txt"),
        "ghost-dynamic-dev": (HIGH, "dev-deps.txt"),
    }


def test_a_dynamic_dependency_file_counts_as_declared(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("requests")
    before: Files = {"pyproject.toml": DYNAMIC, "deps.txt": "ghost-declared-dynamic\n", "dev-deps.txt": "\n"}
    after: Files = {"app.py": "import ghost_declared_dynamic\nimport ghost_undeclared\n"}
    assert set(absent(run(tmp_path, pypi, npm, before, after))) == {"ghost-undeclared"}


def test_an_included_file_under_a_default_ignored_folder_is_read(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("requests")
    repo = GitRepo(tmp_path / "repo")
    repo.write("requirements.txt", "-r vendor/extra.txt\n")
    repo.write("vendor/extra.txt", "requests\n-r more.txt\n")
    repo.write("vendor/more.txt", "\n")
    repo.write("vendor/lib/other.txt", "\n")
    base = repo.commit("base")
    repo.branch("work")
    repo.write("vendor/extra.txt", "requests\n-r more.txt\nghost-vendored-include\n")
    repo.write("vendor/more.txt", "ghost-vendored-twice\n")
    repo.write("vendor/lib/other.txt", "not-a-manifest\n")  # named by no manifest: still ignored
    repo.commit("change")
    config = registry_config(pypi.url, npm.url)
    paths = Config().paths
    changeset = load_git_changeset(
        repo.root, base, "HEAD", ignore=paths.ignore, default_ignore=paths.ignore_defaults
    )
    assert changeset.diff.ignored_paths == ("vendor/lib/other.txt",)
    result = DependenciesAnalyzer().run(context(changeset, config=config))
    assert absent(result) == {
        "ghost-vendored-include": (HIGH, "vendor/extra.txt"),
        "ghost-vendored-twice": (HIGH, "vendor/more.txt"),
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("pyproject.toml", '[project]\nname = "x"\n[tool.rye]\ndev-dependencies = ["ghost-format>=1"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n[tool.pixi.pypi-dependencies]\nghost-format = ">=1"\n'),
        ("pyproject.toml", '[tool.pixi.feature.test.pypi-dependencies]\nghost-format = {version = "*"}\n'),
        ("pixi.toml", '[workspace]\nname = "x"\n[pypi-dependencies]\nghost-format = "*"\n'),
        ("pixi.toml", '[feature.lint.pypi-dependencies]\nghost-format = "*"\n'),
        (
            "tools/report.py",
            '# /// script\n# requires-python = ">=3.11"\n# dependencies = [\n#   "ghost-format<3",\n# ]\n'
            "# ///\nprint('hi')\n",
        ),
    ],
)
def test_rye_pixi_and_inline_script_dependencies_are_read(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, path: str, text: str
):
    found = absent(run(tmp_path, pypi, npm, {}, {path: text}))
    assert found == {"ghost-format": (HIGH, path)}


def test_an_inline_script_block_declares_what_the_script_imports(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("rich")
    text = '# /// script\n# dependencies = ["rich"]\n# ///\nimport rich\nimport ghost_script_import\n'
    assert set(absent(run(tmp_path, pypi, npm, {}, {"tools/report.py": text}))) == {"ghost-script-import"}


def test_an_unknown_dependencies_table_is_noted(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    text = '[project]\nname = "x"\n[tool.newinstaller]\nextra-dependencies = ["ghost-unknown"]\n'
    result = run(tmp_path, pypi, npm, {}, {"pyproject.toml": text})
    assert any("tool.newinstaller.extra-dependencies" in note for note in result.details["notes"])
