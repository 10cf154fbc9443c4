"""The files a Python manifest has its installer read, as the ignore list and the dependencies analyzer
see them: one reader for both, so a file included in any form pip or setuptools reads is kept out of the
default ignore list and read as a manifest, whatever folder it sits in (`vendor/extra.txt`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.analyzers.dependencies.pyproject import PyprojectParser
from gate.analyzers.dependencies.requirements import RequirementsParser
from gate.analyzers.dependencies.setup_files import SetupCfgParser
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.manifest_includes import included_files
from gate.findings import Severity
from tests.analyzers.gitrepo import context, registry_config
from tests.analyzers.test_dependencies_manifest_reading import absent, utf7_hidden
from tests.fakes.registries import FakeNpm, FakePyPI
from tests.gitrepo import GitRepo

CODED_INCLUDE = (
    f"# -*- coding: utf-7 -*-\n# pinned {utf7_hidden(chr(10) + '-r vendor/extra.txt')}\nrequests\n"
)

# (manifest, its text) that includes `vendor/extra.txt`, in each form an installer reads.
INCLUDING_FORMS = [
    ("requirements.txt", "requests\n-r \\\n    vendor/extra.txt\n"),
    ("requirements.txt", "requests\n-r\\\nvendor/extra.txt\n"),
    ("requirements.txt", CODED_INCLUDE),
    ("requirements.txt", "\ufeffrequests\n--requirement=vendor/extra.txt\n"),
    ("requirements.txt", "requests\n--constraint vendor/extra.txt  # pins\n"),
    ("requirements.txt", "requests\n-cvendor/extra.txt\n"),
    ("requirements/base.txt", "-r ../vendor/extra.txt\n"),
    ("setup.cfg", "[options]\ninstall_requires =\n    file: vendor/extra.txt\n"),
    ("setup.cfg", "[options]\ninstall_requires = file: README.txt,\n    vendor/extra.txt\n"),
    ("setup.cfg", "[options]\nInstall-Requires = file: vendor/extra.txt\n"),
    ("setup.cfg", "[options.extras_require]\ndev = file: vendor/extra.txt\n"),
    ("pyproject.toml", '[tool]\nsetuptools.dynamic.dependencies = {file = "vendor/extra.txt"}\n'),
    ("pyproject.toml", "[tool.setuptools.dynamic]\ndependencies.file = ['vendor/extra.txt']\n"),
    ("pyproject.toml", '[tool.setuptools.dynamic.dependencies]\nfile = "vendor\\u002fextra.txt"\n'),
    (
        "pyproject.toml",
        '[tool.setuptools.dynamic]\noptional-dependencies = {dev = {file = """vendor/extra.txt"""}}\n',
    ),
]
# Forms that name a file no installer reads as a list of requirements.
NOT_INCLUDING_FORMS = [
    ("requirements.txt", "requests  # -r vendor/extra.txt\n"),
    ("requirements.txt", "# -r vendor/extra.txt\n"),
    ("requirements.txt", "requests \\\n  -r vendor/extra.txt\n"),  # an option of the requirement line
    ("requirements.txt", "-r https://example.com/extra.txt\n"),
    ("setup.cfg", "[metadata]\nlong_description = file: vendor/extra.txt\n"),
    ("pyproject.toml", '[project]\nreadme = {file = "vendor/extra.txt"}\n'),
    ("pyproject.toml", '[tool.other]\ndependencies = {file = "vendor/extra.txt"}\n'),
]
PARSERS = {
    "requirements.txt": RequirementsParser(),
    "setup.cfg": SetupCfgParser(),
    "pyproject.toml": PyprojectParser(),
}


def read_by_the_analyzer(path: str, text: str) -> set[str]:
    """The files the analyzer's parser of `path` reads as the manifests it includes."""
    asked: set[str] = set()

    def read(target: str) -> str:
        asked.add(target)
        return ""

    PARSERS.get(path.rsplit("/", 1)[-1], PARSERS["requirements.txt"]).parse(text, path, read)
    return asked


@pytest.mark.parametrize(("path", "text"), INCLUDING_FORMS + NOT_INCLUDING_FORMS)
def test_the_ignore_list_and_the_analyzer_read_the_same_includes(path: str, text: str):
    expected = {"vendor/extra.txt"} if (path, text) in INCLUDING_FORMS else set()
    analyzer = read_by_the_analyzer(path, text.removeprefix("\ufeff"))
    assert analyzer - {"README.txt"} == expected
    assert set(included_files(path, text)) == analyzer  # the ignore list reads the mark too


@pytest.mark.parametrize(
    "including",
    [
        pytest.param("requests\n-r \\\n    vendor/extra.txt\n", id="line-continuation"),
        pytest.param(CODED_INCLUDE, id="coding-line"),
    ],
)
def test_a_file_included_in_a_form_pip_reads_is_not_left_out_by_the_default_ignore_list(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, including: str
):
    pypi.add("requests")
    repo = GitRepo(tmp_path / "repo")
    repo.write("requirements.txt", including)
    repo.write("vendor/extra.txt", "requests\n")
    base = repo.commit("base")
    repo.branch("work")
    repo.write("vendor/extra.txt", "requests\nghost-hidden-include\n")
    repo.commit("change")
    paths = Config().paths
    changeset = load_git_changeset(
        repo.root, base, "HEAD", ignore=paths.ignore, default_ignore=paths.ignore_defaults
    )
    assert changeset.diff.ignored_paths == ()
    result = DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))
    assert absent(result) == {"ghost-hidden-include": (Severity.HIGH, "vendor/extra.txt")}


def test_a_pyproject_past_the_toml_bounds_still_keeps_the_files_it_may_name():
    # setuptools loads TOML nested deeper than the gate does; the analyzer reports the manifest unread.
    deep = "x = " + "[" * 150 + "]" * 150 + "\n"
    text = f'{deep}[tool.setuptools.dynamic]\ndependencies = {{file = ["vendor/extra.txt"]}}\n'
    assert included_files("pyproject.toml", text) == ["vendor/extra.txt"]


def test_includes_are_read_with_pips_comment_and_option_rules() -> None:
    """pip reads a comment after any run of blanks (so its `\\` joins nothing) and takes any prefix that
    names one long option alone (`--requirem`); a name two options share (`--re`) is no include."""
    from gate.context.pip_requirements import include_targets

    assert include_targets("  # note \\\n-r evil.txt\n", "requirements.txt") == ["evil.txt"]
    assert include_targets("--requirem evil.txt\n--cons=pins.txt\n--re x.txt\n", "requirements.txt") == [
        "evil.txt",
        "pins.txt",
    ]


def test_a_coding_line_naming_a_slow_codec_is_not_followed() -> None:
    """Python's punycode decoder takes time growing with the square of the text: a coding line naming
    it is reported as one the gate does not decode, at once, rather than followed for minutes."""
    from gate.context.pip_requirements import as_pip_reads

    text = "# coding: punycode\n" + "a" * 10 + "-" + "b9" * 200_000
    decoded, why = as_pip_reads(text)
    assert decoded == text and why == "coding punycode, which the gate does not decode"


def test_setup_cfg_sections_and_keys_are_read_as_configparser_reads_them() -> None:
    """A header with text after its `]`, and keys of any characters, are read as setuptools reads them."""
    text = "[options] ; x\ninstall_requires = file: a.txt\n[options.extras_require]\n2fa = file: b.txt\n"
    assert included_files("setup.cfg", text + "x+y = file: c.txt\n") == ["a.txt", "b.txt", "c.txt"]
