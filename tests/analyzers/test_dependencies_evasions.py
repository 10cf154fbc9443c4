"""Ways a change could slip a package past the dependencies analyzer, each caught: pip options and
includes, every manifest format, dynamic imports, JS comments and template literals, and directories
that only look like the package. Real git repositories, the loopback registries, no patching."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI


def run(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, before: Files, after: Files) -> StageResult:
    changeset = change(tmp_path, before, after)
    return DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))


def absent(result: StageResult) -> dict[str, tuple[Severity, str, int | None]]:
    """Absent package name -> (severity, file, line)."""
    out = {}
    for f in result.findings:
        if f.rule == "absent-package":
            name = f.title.split("'")[1]
            assert f.location is not None
            out[name] = (f.severity, f.location.path, f.location.start_line)
    return out


HIGH = Severity.HIGH
HASH = "--hash=sha256:" + "0" * 64


def test_a_requirement_with_hash_options_is_read(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("requests")
    after: Files = {
        "requirements.txt": f"requests==2.32 {HASH}\nghost-hashed==1.0 {HASH} \\\n    {HASH}\n",
    }
    result = run(tmp_path, pypi, npm, {}, after)
    assert absent(result) == {"ghost-hashed": (HIGH, "requirements.txt", 2)}
    assert not [f for f in result.findings if f.rule == "could-not-analyse"]


@pytest.mark.parametrize(
    "index",
    [
        "--index-url https://pypi.org/simple",
        "-i https://pypi.org/simple/",
        "--extra-index-url=https://pypi.python.org/simple",
        "--index-url {registry}/simple",  # the configured registry is the public index
        "--extra-index-url https://pypi.new-in-this-change.example/simple",  # brought in by the change
    ],
)
def test_an_index_does_not_downgrade_an_absent_package(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, index: str
):
    after: Files = {"requirements.txt": index.format(registry=pypi.url) + "\nghost-indexed\n"}
    result = run(tmp_path, pypi, npm, {}, after)
    assert absent(result) == {"ghost-indexed": (HIGH, "requirements.txt", 2)}


def test_a_private_index_exempts_only_the_file_that_names_it(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    private = "--extra-index-url https://pypi.acme.example/simple\n"
    before: Files = {"requirements/private.txt": private, "requirements.txt": "\n"}
    after: Files = {
        "requirements/private.txt": private + "acme-internal\n",
        "requirements.txt": "ghost-public\n",
    }
    found = absent(run(tmp_path, pypi, npm, before, after))
    assert found["acme-internal"][0] is Severity.MEDIUM
    assert found["ghost-public"] == (HIGH, "requirements.txt", 1)


@pytest.mark.parametrize("path", ["requirements/dev.txt", "requirements-test.in", "dev-requirements.txt"])
def test_any_requirements_file_is_read(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, path: str):
    result = run(tmp_path, pypi, npm, {}, {path: "ghost-dev-only\n"})
    assert absent(result) == {"ghost-dev-only": (HIGH, path, 1)}


def test_changed_includes_are_followed(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    before: Files = {
        "requirements.txt": "-r deps/base.txt\n-c deps/pins.txt\n",
        "deps/base.txt": "\n",
        "deps/pins.txt": "\n",
        "deps/other.txt": "ghost-in-other\n",
    }
    after: Files = {
        "requirements.txt": "-r deps/other.txt\n-c deps/pins.txt\n",  # the include now points elsewhere
        "deps/base.txt": "ghost-in-base\n",  # still included from nowhere: not installed, not read
        "deps/pins.txt": "ghost-pinned==1.0\n",  # a changed file that is included, whatever its name
    }
    found = absent(run(tmp_path, pypi, npm, before, after))
    assert set(found) == {"ghost-in-other", "ghost-pinned"}
    assert found["ghost-pinned"] == (HIGH, "deps/pins.txt", 1)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("pyproject.toml", '[project]\nname = "x"\n[tool.uv]\ndev-dependencies = ["ghost-manifest>=1"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n[dependency-groups]\ntest = ["ghost-manifest"]\n'),
        ("pyproject.toml", '[tool.pdm.dev-dependencies]\nlint = ["ghost-manifest~=1.0"]\n'),
        ("pyproject.toml", '[tool.hatch.envs.default]\ndependencies = ["ghost-manifest"]\n'),
        ("pyproject.toml", '[tool.hatch.envs.test]\nextra-dependencies = ["ghost-manifest"]\n'),
        (
            "setup.cfg",
            "[metadata]\nname = x\n[options]\ninstall_requires =\n    click\n    ghost-manifest>=2\n",
        ),
        ("setup.cfg", "[options.extras_require]\ntest =\n    ghost-manifest\n"),
        ("setup.py", "from setuptools import setup\nsetup(name='x', install_requires=['ghost-manifest'])\n"),
        (
            "setup.py",
            "import setuptools\nREQS = ['click', 'ghost-manifest>=1']\n"
            "setuptools.setup(name='x', extras_require={'dev': REQS})\n",
        ),
        ("Pipfile", '[packages]\nclick = "*"\n[dev-packages]\nghost-manifest = {version = "*"}\n'),
        ("Pipfile", '[docs]\nghost-manifest = "*"\n'),  # a custom package category
    ],
)
def test_every_python_manifest_format_is_read(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, path: str, text: str
):
    pypi.add("click")
    pypi.add("setuptools")
    found = absent(run(tmp_path, pypi, npm, {}, {path: text}))
    assert set(found) == {"ghost-manifest"}
    assert found["ghost-manifest"][:2] == (HIGH, path)


def test_setup_py_is_read_never_run(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    marker = tmp_path / "ran"
    text = (
        f"open({str(marker)!r}, 'w')\nfrom setuptools import setup\nsetup(install_requires=['ghost-setup'])\n"
    )
    pypi.add("setuptools")
    assert set(absent(run(tmp_path, pypi, npm, {}, {"setup.py": text}))) == {"ghost-setup"}
    assert not marker.exists()


@pytest.mark.parametrize(
    "line",
    [
        'importlib.import_module("ghost_dynamic")',
        "mod = importlib.import_module('ghost_dynamic.sub')",
        'plugin = __import__("ghost_dynamic")',
        'from importlib import import_module\nimport_module("ghost_dynamic")',
    ],
)
def test_literal_dynamic_imports_are_imports(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, line: str):
    after: Files = {"app.py": f"import importlib\n\n{line}\n"}
    assert set(absent(run(tmp_path, pypi, npm, {}, after))) == {"ghost-dynamic"}


def test_a_relative_or_computed_dynamic_import_is_not_a_package(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {
        "app.py": 'import importlib\nimportlib.import_module(".local", "pkg")\n__import__(name)\n'
    }
    assert absent(run(tmp_path, pypi, npm, {}, after)) == {}


@pytest.mark.parametrize(
    "line",
    [
        '/* generated */ import ghost from "ghost-js-pkg"',
        "const g = require(`ghost-js-pkg`)",
        '/** @type {x} */ const g = require("ghost-js-pkg")',
        'const u = "https://example.com"; const g = await import("ghost-js-pkg")',
    ],
)
def test_js_imports_after_comments_and_in_template_literals(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, line: str
):
    result = run(tmp_path, pypi, npm, {}, {"web/app.js": f"{line}\n"})
    assert set(absent(result)) == {"ghost-js-pkg"}


def test_js_imports_inside_comments_are_not_imports(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    text = '// require("ghost-one")\n/*\n import x from "ghost-two"\n*/\n * require("ghost-three")\n'
    assert absent(run(tmp_path, pypi, npm, {}, {"web/app.js": text})) == {}


def test_a_directory_named_like_the_package_is_not_the_package(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {
        "docs/ghostlib/README.md": "# ghostlib\n",
        "web/ghost-ui/notes.txt": "x\n",
        "app.py": "import ghostlib\n",
        "web/app.js": "import ui from 'ghost-ui'\n",
    }
    assert set(absent(run(tmp_path, pypi, npm, {}, after))) == {"ghostlib", "ghost-ui"}


@pytest.mark.parametrize(
    ("files", "importer"),
    [
        ({"localpkg/__init__.py": ""}, "app.py"),
        ({"src/localpkg/__init__.py": ""}, "src/app.py"),
        ({"localpkg.py": ""}, "tools/run.py"),  # the repository root is on the path
        ({"tools/localpkg.py": ""}, "tools/run.py"),  # next to the script
        ({"tests/localpkg.py": ""}, "tests/unit/test_x.py"),  # a directory above (pytest rootdir)
        ({"services/api/pyproject.toml": "", "services/api/src/localpkg/core.py": ""}, "services/api/app.py"),
        ({"localpkg/sub/mod.py": ""}, "app.py"),  # a namespace package holding Python
    ],
)
def test_an_importable_local_module_is_not_looked_up(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, files: Files, importer: str
):
    result = run(tmp_path, pypi, npm, {}, {**files, importer: "import localpkg\n"})
    assert absent(result) == {} and "localpkg" not in pypi.requests


def test_a_module_elsewhere_in_the_tree_is_not_importable(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {"tools/scripts/localpkg.py": "", "app/main.py": "import localpkg\n"}
    assert set(absent(run(tmp_path, pypi, npm, {}, after))) == {"localpkg"}


def test_a_js_base_url_folder_is_local(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {
        "web/tsconfig.json": '{"compilerOptions": {"baseUrl": "src"}}\n',
        "web/src/widgets/index.ts": "export const x = 1\n",
        "web/src/app.ts": "import { x } from 'widgets'\n",
    }
    assert absent(run(tmp_path, pypi, npm, {}, after)) == {}


def test_an_npmrc_scope_added_by_the_change_is_no_exemption(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    after: Files = {
        ".npmrc": "@ghostco:registry=https://npm.ghostco.example/\n",
        "package.json": '{"dependencies": {"@ghostco/tool": "^1"}}\n',
    }
    assert set(absent(run(tmp_path, pypi, npm, {}, after))) == {"@ghostco/tool"}


def test_a_private_index_in_use_before_the_change_still_softens(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    source = '[[tool.poetry.source]]\nname = "acme"\nurl = "https://pypi.acme.example/simple"\n'
    deps = '[tool.poetry.dependencies]\npython = "^3.11"\n'
    indexes = "-i https://pypi.org/simple\n--extra-index-url https://pypi.acme.example/simple\n"
    before: Files = {"pyproject.toml": source + deps, "requirements.txt": indexes}
    after: Files = {
        "pyproject.toml": source + deps + 'acme-poetry-internal = "^1"\n',
        "requirements.txt": indexes + "acme-req-internal\n",
    }
    found = absent(run(tmp_path, pypi, npm, before, after))
    assert {name: severity for name, (severity, _, _) in found.items()} == {
        "acme-poetry-internal": Severity.MEDIUM,
        "acme-req-internal": Severity.MEDIUM,
    }


@pytest.mark.parametrize(
    "text",
    [
        # configparser keeps a value going over a blank line, and a comment line, amid its lines
        "[options]\ninstall_requires =\n    click\n\n    ghost-manifest==1.0\n",
        "[options]\ninstall_requires =\n    click\n# pinned below\n    ghost-manifest==1.0\n",
        # setuptools reads the keys of its sections lower-cased, `-` as `_`
        "[options]\nInstall_Requires =\n    click\n    ghost-manifest==1.0\n",
        "[options]\ninstall-requires =\n    click\n    ghost-manifest==1.0\n",
    ],
)
def test_setup_cfg_is_read_as_setuptools_reads_it(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, text: str):
    pypi.add("click")
    before: Files = {"setup.cfg": "[metadata]\nname = x\n"}
    found = absent(run(tmp_path, pypi, npm, before, {"setup.cfg": "[metadata]\nname = x\n\n" + text}))
    assert set(found) == {"ghost-manifest"}
    assert found["ghost-manifest"][:2] == (HIGH, "setup.cfg")
