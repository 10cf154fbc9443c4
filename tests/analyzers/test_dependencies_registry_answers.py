"""What a registry's answer means: a page that lists nothing to install is no package, an untagged Go
module is dated by its newest commit, and a package with no date says its age went unchecked. Real
git repositories, the project's loopback registries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.cli import main
from gate.config.models import Config
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.module_registries import FakeCratesIndex, FakeGoProxy
from tests.fakes.registries import FakeNpm, FakePyPI, days_ago
from tests.gitrepo import GitRepo

GO_MOD_BASE = "module example.com/shop\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n"
CARGO_BASE = '[package]\nname = "shop"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1"\n'


@pytest.fixture
def goproxy() -> Iterator[FakeGoProxy]:
    proxy = FakeGoProxy()
    with proxy.running():
        yield proxy


@pytest.fixture
def crates() -> Iterator[FakeCratesIndex]:
    index = FakeCratesIndex()
    with index.running():
        yield index


def run(tmp_path: Path, config: Config, before: Files, after: Files) -> StageResult:
    return DependenciesAnalyzer().run(context(change(tmp_path, before, after), config=config))


def every_registry(pypi: FakePyPI, npm: FakeNpm, go: FakeGoProxy, crates: FakeCratesIndex) -> Config:
    registries = {"pypi": pypi.url, "npm": npm.url, "go": go.url, "crates": crates.url}
    return Config.model_validate({"dependencies": {"registries": registries, "min_age_days": 30}})


def test_an_unpublished_npm_package_does_not_exist(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    npm.add("lodash")
    npm.add_unpublished("hallucinated-unpub")
    npm.add_without_versions("hallucinated-reserved")
    before = {"package.json": '{"name": "shop", "dependencies": {"lodash": "^4"}}\n'}
    after = {
        "package.json": (
            '{"name": "shop", "dependencies": {"lodash": "^4", "hallucinated-unpub": "^1",\n'
            '  "hallucinated-reserved": "^1"}}\n'
        )
    }
    result = run(tmp_path, registry_config(pypi.url, npm.url), before, after)
    found = {f.title: f for f in result.findings}
    assert set(found) == {
        "Package 'hallucinated-unpub' does not exist on npm",
        "Package 'hallucinated-reserved' does not exist on npm",
    }
    assert all(f.severity is Severity.HIGH for f in found.values())
    assert "unpublished" in found["Package 'hallucinated-unpub' does not exist on npm"].body
    assert result.details["looked_up"] == {
        "npm:hallucinated-unpub": "absent",
        "npm:hallucinated-reserved": "absent",
    }


def test_a_pypi_project_without_release_files_does_not_exist(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    pypi.add("requests")
    pypi.add_without_files("hallucinated-emptied")
    result = run(
        tmp_path,
        registry_config(pypi.url, npm.url),
        {"requirements.txt": "requests\n"},
        {"requirements.txt": "requests\nhallucinated-emptied==1.0\n"},
    )
    [finding] = result.findings
    assert finding.title == "Package 'hallucinated-emptied' does not exist on PyPI"
    assert finding.severity is Severity.HIGH
    assert "no release file" in finding.body


def test_an_untagged_go_module_is_dated_by_its_newest_commit(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    goproxy.add("github.com/pkg/errors")
    goproxy.add_untagged("github.com/evil/hallucinated-sdk", newest=days_ago(1))
    goproxy.add_untagged("github.com/acme/settled", newest=days_ago(400))
    after = {
        "go.mod": GO_MOD_BASE + "require (\n"
        "\tgithub.com/evil/hallucinated-sdk v0.0.0-20261205000000-abcdef123456\n"
        "\tgithub.com/acme/settled v0.0.0-20241205000000-abcdef123456\n)\n"
    }
    result = run(tmp_path, every_registry(pypi, npm, goproxy, crates), {"go.mod": GO_MOD_BASE}, after)
    [finding] = result.findings
    assert finding.rule == "young-package"
    assert finding.severity is Severity.MEDIUM
    assert finding.title == (
        "Package 'github.com/evil/hallucinated-sdk' was first published 1 days ago on the Go module proxy"
    )
    assert "no tagged version" in finding.body


def test_a_package_without_a_date_says_its_age_was_not_checked(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    crates.with_pubtime = False
    crates.add("serde")
    crates.add("fresh-crate", published=days_ago(2))
    npm.with_time = False
    npm.add("undated-npm-thing", created=days_ago(2))
    after = {
        "Cargo.toml": CARGO_BASE + 'fresh-crate = "0.1"\n',
        "package.json": '{"dependencies": {"undated-npm-thing": "1"}}\n',
    }
    result = run(tmp_path, every_registry(pypi, npm, goproxy, crates), {"Cargo.toml": CARGO_BASE}, after)
    assert result.ran and result.findings == ()
    notes = result.details["notes"]
    assert "crates.io gives no publication date for 'fresh-crate': its age was not checked" in notes
    assert "npm gives no publication date for 'undated-npm-thing': its age was not checked" in notes


def test_an_offline_pass_says_the_packages_were_not_looked_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    repo = GitRepo(tmp_path / "repo")
    repo.write("requirements.txt", "requests==2.31.0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("requirements.txt", "requests==2.31.0\nghost-pkg-offline==1.0\n")
    repo.commit("feature")
    code = main(["check", "--repo", str(repo.root), "--base", "main", "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    # SPEC: no network = the stage is skipped, and said; the verdict rules stay as they are.
    assert code == 0 and report["verdict"] == "pass"
    assert report["reasons"] == [
        "no confirmed finding at or above 'high'",
        "not run: dependencies (offline: registry lookups need the network); its checks are not part "
        "of this pass",
    ]
