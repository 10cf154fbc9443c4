"""The dependencies analyzer against loopback registries shaped like PyPI and npm."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.analyzers.dependencies.model import Ecosystem, Status
from gate.analyzers.dependencies.registry import ATTEMPTS, MAX_CONCURRENT, lookup_all
from gate.findings import Location, Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI, days_ago, refused_url


def run(
    tmp_path: Path, pypi_url: str, npm_url: str, before: Files, after: Files, **kw: object
) -> StageResult:
    changeset = change(tmp_path, before, after, patch_only=bool(kw.get("patch_only")))
    ctx = context(changeset, config=registry_config(pypi_url, npm_url), offline=bool(kw.get("offline")))
    return DependenciesAnalyzer().run(ctx)


def by_rule(result: StageResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.rule, []).append(f.title)
    return out


def test_a_new_requirement_that_does_not_exist_is_high_and_located(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("requests")
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {"requirements.txt": "requests==2.31\n"},
        {"requirements.txt": "requests==2.32\nflask-jwt-authz-helper>=1.0\n"},
    )
    assert result.ran and result.skipped_reason is None
    [finding] = result.findings
    assert finding.stage == "dependencies" and finding.rule == "absent-package"
    assert finding.severity is Severity.HIGH and finding.deterministic
    assert finding.title == "Package 'flask-jwt-authz-helper' does not exist on PyPI"
    assert finding.location is not None and (finding.location.path, finding.location.start_line) == (
        "requirements.txt",
        2,
    )
    # Only the newly added name is looked up; a version bump of requests is not new.
    assert dict(pypi.requests) == {"flask-jwt-authz-helper": 1}


def test_real_but_unusual_names_are_not_flagged(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    for name in ("zxcvbn-python", "pyqtdarktheme", "tinydb-serialization"):
        pypi.add(name)
    npm.add("@mapbox/unitbezier")
    npm.add("left-pad")
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {
            "requirements.txt": "zxcvbn-python\nPyQtDarkTheme==2.1\ntinydb_serialization\n",
            "package.json": '{"dependencies": {"@mapbox/unitbezier": "^0.0.1", "left-pad": "1.3.0"}}\n',
        },
    )
    assert result.ran and result.findings == ()
    assert npm.requests["@mapbox/unitbezier"] == 1


def test_a_young_package_is_a_medium_warning(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("brand-new-thing", first_release=days_ago(3))
    npm.add("fresh-npm-thing", created=days_ago(5))
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {
            "requirements.txt": "brand-new-thing\n",
            "package.json": '{"devDependencies": {"fresh-npm-thing": "^1.0.0"}}\n',
        },
    )
    assert {f.title for f in result.findings} == {
        "Package 'brand-new-thing' was first published 3 days ago on PyPI",
        "Package 'fresh-npm-thing' was first published 5 days ago on npm",
    }
    assert all(f.severity is Severity.MEDIUM for f in result.findings)


def test_npm_age_without_time_created_uses_the_first_version(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    npm.with_created = False
    npm.add("fresh-npm-thing", created=days_ago(4))
    npm.add("old-npm-thing")
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {"package.json": '{"dependencies": {"fresh-npm-thing": "1", "old-npm-thing": "1"}}\n'},
    )
    assert [f.title for f in result.findings] == [
        "Package 'fresh-npm-thing' was first published 4 days ago on npm"
    ]


def test_a_near_miss_of_a_popular_name_is_a_medium_warning(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("reqeusts")
    npm.add("lodahs")
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {"requirements.txt": "reqeusts\n", "package.json": '{"dependencies": {"lodahs": "1.0.0"}}\n'},
    )
    assert by_rule(result) == {
        "near-miss-package": [
            "Package 'lodahs' is one typo away from the popular 'lodash'",
            "Package 'reqeusts' is one typo away from the popular 'requests'",
        ]
    } or sorted(by_rule(result)["near-miss-package"]) == [
        "Package 'lodahs' is one typo away from the popular 'lodash'",
        "Package 'reqeusts' is one typo away from the popular 'requests'",
    ]
    assert all(f.severity is Severity.MEDIUM for f in result.findings)
    assert {f.suggestion for f in result.findings} == {"requests", '{"dependencies": {"lodash": "1.0.0"}}'}


def test_an_absent_near_miss_says_which_name_was_meant(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    result = run(tmp_path, pypi.url, npm.url, {}, {"requirements.txt": "python-dateutils\n"})
    [finding] = result.findings
    assert finding.rule == "absent-package" and "Did you mean 'python-dateutil'" in finding.body
    assert finding.suggestion == "python-dateutil"


def test_names_are_asked_as_written(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    npm.add("JSONStream")
    pypi.add("PyYAML")
    pypi.canonical_only = True  # a mirror: only /pypi/pyyaml/json answers
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {"package.json": '{"dependencies": {"JSONStream": "^1"}}\n', "requirements.txt": "PyYAML\n"},
    )
    assert result.findings == ()
    assert dict(npm.requests) == {"JSONStream": 1}
    assert dict(pypi.requests) == {"PyYAML": 1, "pyyaml": 1}


def test_each_name_is_looked_up_once(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("numpy-financial")
    npm.add("chalk")
    after: Files = {
        "requirements.txt": "numpy-financial\n",
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["numpy_financial>=1"]\n',
        "a.py": "import numpy_financial\n",
        "b.py": "import numpy_financial as npf\n",
        "web/a.js": "const chalk = require('chalk')\n",
        "web/b.ts": "import chalk from 'chalk'\nimport('chalk')\n",
    }
    result = run(tmp_path, pypi.url, npm.url, {}, after)
    assert result.findings == ()
    # Asked once, as first written (pyproject.toml comes before requirements.txt in the diff).
    assert dict(pypi.requests) == {"numpy_financial": 1}
    assert dict(npm.requests) == {"chalk": 1}


def test_undeclared_imports_are_checked_and_declared_stdlib_and_repo_ones_are_not(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    pypi.add("PyYAML")
    pypi.add("opencv-python")
    before: Files = {"requirements.txt": "PyYAML\n", "mypkg/__init__.py": "", "mypkg/core.py": "X = 1\n"}
    after: Files = {
        "app.py": (
            "import os, sys\nimport yaml\nfrom mypkg.core import X\nfrom . import sibling\n"
            "import cv2\nimport quantum_fastjson_turbo\n"
            "try:\n    import ujson_speedups_magic\nexcept ImportError:\n    ujson_speedups_magic = None\n"
        ),
        "web/main.ts": (
            "import fs from 'node:fs'\nimport path from 'path'\nimport { a } from './local'\n"
            "import {\n  b,\n} from '@acme-internal/ghost-utils/deep/path'\n"
        ),
    }
    result = run(tmp_path, pypi.url, npm.url, before, after)
    titles = {f.title: f for f in result.findings}
    assert set(titles) == {
        "Package 'quantum-fastjson-turbo' does not exist on PyPI",
        "Package 'ujson-speedups-magic' does not exist on PyPI",
        "Package '@acme-internal/ghost-utils' does not exist on npm",
    }
    assert titles["Package 'quantum-fastjson-turbo' does not exist on PyPI"].severity is Severity.HIGH
    # The code copes with a guarded import missing: a warning, not a blocker.
    assert titles["Package 'ujson-speedups-magic' does not exist on PyPI"].severity is Severity.MEDIUM
    ghost = titles["Package '@acme-internal/ghost-utils' does not exist on npm"]
    assert ghost.location is not None and ghost.location.start_line == 6
    # cv2 maps to its distribution; yaml is declared as PyYAML; stdlib, repo and relative imports: not asked.
    assert set(pypi.requests) == {"opencv-python", "quantum-fastjson-turbo", "ujson-speedups-magic"}
    assert set(npm.requests) == {"@acme-internal/ghost-utils"}


def test_requirements_includes_extras_markers_and_urls(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("uvicorn")
    after: Files = {
        "requirements.txt": (
            "-r requirements/base.txt\n--index-url https://pypi.example/simple\n"
            "uvicorn[standard]>=0.30 ; python_version >= '3.9'  # server\n"
            "git+https://github.com/acme/vcs-only-pkg.git#egg=vcs-only-pkg\n"
            "direct-pkg @ https://files.example/direct_pkg-1.0-py3-none-any.whl\n"
            "long-line-pkg \\\n    >=1.0\n"
        ),
        "requirements/base.txt": "included-ghost-pkg==1.0\n",
    }
    result = run(tmp_path, pypi.url, npm.url, {}, after)
    assert sorted(f.title for f in result.findings) == [
        "Package 'included-ghost-pkg' does not exist on PyPI",
        "Package 'long-line-pkg' does not exist on PyPI",
    ]
    located = {f.title: f.location for f in result.findings}
    assert located["Package 'included-ghost-pkg' does not exist on PyPI"] == Location(
        "requirements/base.txt", 1
    )
    assert "vcs-only-pkg" not in pypi.requests and "direct-pkg" not in pypi.requests
    assert any("vcs-only-pkg" in note for note in result.details["notes"])


def test_pyproject_pep621_optional_and_poetry_tables(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    for name in ("httpx", "pytest", "black", "django"):
        pypi.add(name)
    before: Files = {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["httpx"]\n'}
    after: Files = {
        "pyproject.toml": (
            '[project]\nname = "x"\ndependencies = ["httpx", "ghost-core-pkg>=1"]\n'
            '[project.optional-dependencies]\ntest = ["pytest", "ghost-test-pkg"]\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^5"\n'
            'ghost-poetry-pkg = {version = "^1"}\n'
            'local-pkg = {path = "../local"}\n'
            '[tool.poetry.group.dev.dependencies]\nblack = "*"\n'
        )
    }
    result = run(tmp_path, pypi.url, npm.url, before, after)
    assert sorted(f.title for f in result.findings) == [
        "Package 'ghost-core-pkg' does not exist on PyPI",
        "Package 'ghost-poetry-pkg' does not exist on PyPI",
        "Package 'ghost-test-pkg' does not exist on PyPI",
    ]
    assert "httpx" not in pypi.requests and "local-pkg" not in pypi.requests


def test_package_json_all_kinds_aliases_and_non_registry_specs(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    npm.add("react")
    npm.add("@types/node")
    npm.add("string-width")
    manifest = """{
  "name": "web", "version": "1.0.0",
  "dependencies": {"react": "^18", "sw-cjs": "npm:string-width@^4", "local": "file:../local",
                   "gh": "acme/repo#main"},
  "devDependencies": {"@types/node": "^20"},
  "peerDependencies": {"ghost-peer-pkg": "^1"},
  "optionalDependencies": {"@ghost/optional": "^1"}
}
"""
    result = run(tmp_path, pypi.url, npm.url, {}, {"package.json": manifest})
    assert sorted(f.title for f in result.findings) == [
        "Package '@ghost/optional' does not exist on npm",
        "Package 'ghost-peer-pkg' does not exist on npm",
    ]
    assert set(npm.requests) == {"react", "@types/node", "string-width", "ghost-peer-pkg", "@ghost/optional"}


def test_a_manifest_that_does_not_parse_is_a_could_not_analyse_finding(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    result = run(
        tmp_path,
        pypi.url,
        npm.url,
        {},
        {
            "pyproject.toml": "[project\nname = 'x'\n",
            "package.json": "{not json\n",
            "requirements.txt": "valid-ghost\n!!! not a requirement\n",
        },
    )
    unread = {f.location.path: f for f in result.findings if f.rule == "could-not-analyse" and f.location}
    assert sorted(unread) == ["package.json", "pyproject.toml", "requirements.txt"]
    # An installer reads each of them: a manifest the gate cannot read is no pass.
    assert all(
        f.severity is Severity.HIGH and f.title.startswith("could not analyse: ") for f in unread.values()
    )
    assert "invalid JSON" in unread["package.json"].title and "invalid TOML" in unread["pyproject.toml"].title
    assert "requirements.txt:2" in unread["requirements.txt"].title
    assert "Package 'valid-ghost' does not exist on PyPI" in {f.title for f in result.findings}


def test_registry_unreachable_skips_and_never_says_absent(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    result = run(tmp_path, refused_url(), refused_url(), {}, {"requirements.txt": "ghost-pkg\n"})
    assert not result.ran
    assert result.skipped_reason is not None and result.skipped_reason.startswith("registry unreachable")
    assert not [f for f in result.findings if f.rule == "absent-package"]


def test_server_errors_are_retried_then_count_as_unreachable(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.fail(500)
    result = run(tmp_path, pypi.url, npm.url, {}, {"requirements.txt": "ghost-pkg\n"})
    assert not result.ran and result.findings == ()
    assert result.skipped_reason is not None and "HTTP 500" in result.skipped_reason
    assert pypi.requests["ghost-pkg"] == 3


def test_a_transient_error_is_retried_to_an_answer(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.fail(503, times=1)
    result = run(tmp_path, pypi.url, npm.url, {}, {"requirements.txt": "ghost-pkg\n"})
    assert result.ran and [f.rule for f in result.findings] == ["absent-package"]
    assert pypi.requests["ghost-pkg"] == 2


def test_one_registry_down_reports_the_other_and_says_so(tmp_path: Path, pypi: FakePyPI):
    result = run(
        tmp_path,
        pypi.url,
        refused_url(),
        {},
        {"requirements.txt": "ghost-pkg\n", "package.json": '{"dependencies": {"x-ghost": "1"}}\n'},
    )
    assert result.ran and [f.title for f in result.findings] == ["Package 'ghost-pkg' does not exist on PyPI"]
    assert result.skipped_reason is not None and "1 of 2" in result.skipped_reason


def test_a_slow_registry_times_out_as_unreachable(pypi: FakePyPI):
    pypi.delay = 0.5
    [lookup] = lookup_all(
        [(Ecosystem.PYPI, "slow-pkg")], {Ecosystem.PYPI: pypi.url}, wait_base=0.01, timeout=httpx.Timeout(0.2)
    )
    assert lookup.status is Status.UNREACHABLE and "Timeout" in lookup.error
    assert pypi.requests["slow-pkg"] == ATTEMPTS


def test_at_most_16_lookups_run_at_once(pypi: FakePyPI):
    pypi.delay = 0.5
    names = [(Ecosystem.PYPI, f"pkg-{i}") for i in range(MAX_CONCURRENT * 2)]
    lookups = lookup_all(names, {Ecosystem.PYPI: pypi.url})
    assert [r.status for r in lookups] == [Status.ABSENT] * len(names)
    # Waves of 16: never more at once, and not one after the other.
    assert pypi.peak_in_flight == MAX_CONCURRENT


def test_offline_skips_and_asks_nothing(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    result = run(tmp_path, pypi.url, npm.url, {}, {"requirements.txt": "ghost-pkg\n"}, offline=True)
    assert not result.ran and result.skipped_reason is not None and "offline" in result.skipped_reason
    assert not pypi.requests


def test_patch_input_reads_the_diff_lines_and_says_so(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("requests")
    before: Files = {
        "requirements.txt": "requests\n",
        "package.json": '{\n  "dependencies": {\n    "react": "1"\n  }\n}\n',
    }
    after: Files = {
        "requirements.txt": "requests\nghost-from-patch\n",
        "package.json": (
            '{\n  "dependencies": {\n    "react": "1",\n    "ghost-npm-patch": "^2.0.0"\n  }\n}\n'
        ),
        "tool.py": "import requests\nimport ghost_import_patch\n",
    }
    result = run(tmp_path, pypi.url, npm.url, before, after, patch_only=True)
    titles = {f.title: f for f in result.findings}
    assert set(titles) == {
        "Package 'ghost-from-patch' does not exist on PyPI",
        "Package 'ghost-npm-patch' does not exist on npm",
        "Package 'ghost-import-patch' does not exist on PyPI",
    }
    # Without the file list an unknown import may be a module the patch does not show: not a blocker.
    assert titles["Package 'ghost-import-patch' does not exist on PyPI"].severity is Severity.MEDIUM
    assert any("patch input" in note for note in result.details["notes"])


def test_binary_and_huge_files_are_skipped_with_a_note(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    huge = "import ghost_in_huge_file\n" + "x = 1\n" * 200_000
    result = run(tmp_path, pypi.url, npm.url, {}, {"blob.py": b"\x00\x01binary", "big.py": huge})
    # The huge file is not parsed whole, but its added import lines are still read and looked up.
    assert [f.title for f in result.findings] == ["Package 'ghost-in-huge-file' does not exist on PyPI"]
    notes = " ".join(result.details["skipped_files"])
    assert "blob.py: skipped (binary file)" in notes and "big.py: skipped" in notes
    # The same files, typed, for the coverage: the path and the reason, as the note says them.
    skipped = {s.path: s.why for s in result.skipped_files}
    assert skipped.keys() == {"blob.py", "big.py"} and skipped["blob.py"] == "binary file"
    assert all(f"{path}: skipped ({why})" in notes for path, why in skipped.items())
    assert result.read_as_code == ()


def test_js_path_aliases_are_not_packages(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    before: Files = {
        "tsconfig.json": (
            '{\n  // comments are allowed here\n  "compilerOptions": {"paths": {"@app/*": ["src/*"]}},\n}\n'
        ),
        "vite.config.ts": "export default { resolve: { alias: { 'shared-ui': path.resolve('ui') } } }\n",
    }
    after: Files = {
        "src/main.ts": (
            "import x from '@app/utils/strings'\nimport ui from 'shared-ui'\nimport g from 'ghost-ui-kit'\n"
        )
    }
    result = run(tmp_path, pypi.url, npm.url, before, after)
    assert [f.title for f in result.findings] == ["Package 'ghost-ui-kit' does not exist on npm"]
    assert set(npm.requests) == {"ghost-ui-kit"}


def test_lookups_work_from_inside_an_event_loop(pypi: FakePyPI):
    import asyncio

    pypi.add("requests")

    async def host() -> list[Status]:
        return [r.status for r in lookup_all([(Ecosystem.PYPI, "requests")], {Ecosystem.PYPI: pypi.url})]

    assert asyncio.run(host()) == [Status.EXISTS]


@pytest.mark.online
def test_the_real_registries_answer_as_the_fakes_do():
    names = [
        (Ecosystem.PYPI, "PyYAML"),
        (Ecosystem.PYPI, "no-such-package-zq-7x"),
        (Ecosystem.NPM, "@types/node"),
        (Ecosystem.NPM, "no-such-package-zq-7x"),
    ]
    registries = {Ecosystem.PYPI: "https://pypi.org", Ecosystem.NPM: "https://registry.npmjs.org"}
    lookups = lookup_all(names, registries)
    assert [r.status for r in lookups] == [Status.EXISTS, Status.ABSENT, Status.EXISTS, Status.ABSENT]
    assert lookups[0].first_release is not None and lookups[2].first_release is not None


def test_private_indexes_and_scoped_registries(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    before: Files = {
        ".npmrc": "@acme:registry=https://npm.acme.example/\nalways-auth=true\n",
        "requirements.txt": "--extra-index-url https://pypi.acme.example/simple\n",
    }
    after: Files = {
        "requirements.txt": "--extra-index-url https://pypi.acme.example/simple\nacme-internal-tools\n",
        "package.json": '{"dependencies": {"@acme/design-system": "^3"}}\n',
        "web/app.ts": "import { Button } from '@acme/widgets'\n",
    }
    result = run(tmp_path, pypi.url, npm.url, before, after)
    [finding] = result.findings
    assert finding.title == "Package 'acme-internal-tools' does not exist on PyPI"
    assert finding.severity is Severity.MEDIUM and "dependency confusion" in finding.body
    assert not npm.requests  # the @acme scope has its own registry


def test_patch_input_reads_pyproject_fragments(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("httpx")
    pypi.add("rich")
    filler = "".join(f"# line {i}\n" for i in range(12))  # keeps the tables apart, in separate hunks
    before: Files = {
        "pyproject.toml": (
            '[project]\nname = "x"\ndependencies = [\n    "httpx>=0.27",\n]\n'
            + filler
            + '[tool.poetry.dependencies]\npython = "^3.11"\nrich = "^13"\n'
        )
    }
    after: Files = {
        "pyproject.toml": (
            '[project]\nname = "x"\ndependencies = [\n    "httpx>=0.28",\n    "ghost-frag-pkg>=1",\n]\n'
            + filler
            + '[tool.poetry.dependencies]\npython = "^3.11"\nrich = "^13"\nghost-poetry-frag = "^1"\n'
        )
    }
    result = run(tmp_path, pypi.url, npm.url, before, after, patch_only=True)
    assert sorted(f.title for f in result.findings) == [
        "Package 'ghost-frag-pkg' does not exist on PyPI",
        "Package 'ghost-poetry-frag' does not exist on PyPI",
    ]
    assert "httpx" not in pypi.requests  # a version bump is not a new package
