"""Go modules and Rust crates: go.mod and Cargo.toml in real repositories, looked up in loopback
registries that follow the Go module proxy protocol and the Cargo sparse index protocol."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.analyzers.dependencies.cargo import CargoParser
from gate.analyzers.dependencies.gomod import GoModParser
from gate.analyzers.dependencies.model import Ecosystem, Status
from gate.analyzers.dependencies.protocols import ATTEMPTS, crate_index_path, escape_path, version_key
from gate.analyzers.dependencies.registry import lookup_all
from gate.config.models import Config
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context
from tests.fakes.module_registries import FakeCratesIndex, FakeGoProxy, crate_path
from tests.fakes.registries import days_ago, refused_url
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]

GO_MOD_BASE = """module example.com/shop

go 1.22

require github.com/pkg/errors v0.9.1
"""

CARGO_BASE = """[package]
name = "shop"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = "1"
"""


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


def config(go: str, crates_url: str, min_age_days: int = 30) -> Config:
    # PyPI and npm point where nothing listens: no Python or JS is in these changes.
    registries = {"pypi": refused_url(), "npm": refused_url(), "go": go, "crates": crates_url}
    return Config.model_validate({"dependencies": {"registries": registries, "min_age_days": min_age_days}})


def run(
    tmp_path: Path, go: str, crates_url: str, before: Files, after: Files, *, patch_only: bool = False
) -> StageResult:
    changeset = change(tmp_path, before, after, patch_only=patch_only)
    return DependenciesAnalyzer().run(context(changeset, config=config(go, crates_url)))


def titles(result: StageResult) -> set[str]:
    return {f.title for f in result.findings}


# --- through the CLI, as a user runs it -----------------------------------------------------------


def ai_gate(repo: Path) -> tuple[int, dict[str, object], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--format", "json", "--repo", str(repo), "--base", "main"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        timeout=120,
    )
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    return proc.returncode, report, proc.stderr


def go_rust_repo(tmp_path: Path, go: str, crates_url: str, go_mod: str, cargo: str) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("go.mod", GO_MOD_BASE)
    repo.write("Cargo.toml", CARGO_BASE)
    repo.write(
        ".github/ai-gate.yml",
        "version: 1\ndependencies:\n  registries:\n"
        f"    pypi: '{refused_url()}'\n    npm: '{refused_url()}'\n"
        f"    go: '{go}'\n    crates: '{crates_url}'\n",
    )
    repo.commit("base")
    repo.branch("feature")
    repo.write("go.mod", go_mod)
    repo.write("Cargo.toml", cargo)
    repo.commit("feature")
    return repo


GO_MOD_CHANGED = """module example.com/shop

go 1.22

require (
\tgithub.com/pkg/errors v0.9.1
\tgithub.com/BurntSushi/toml v1.3.2
\tgolang.org/x/text v0.14.0 // indirect
\tgithub.com/acme/fastjson-validator-go v1.2.0
\tgithub.com/shop/internal-billing v0.0.0
\tgithub.com/fork/patched v1.0.0
)

replace github.com/shop/internal-billing => ./billing

replace github.com/fork/patched v1.0.0 => github.com/other/patched v1.0.1

exclude github.com/never/mind v0.1.0
"""

CARGO_CHANGED = """[package]
name = "shop"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = "1"
tokio = { version = "1", features = ["full"] }
fast-json-validatorx = "0.3"
json = { package = "serde_json", version = "1" }
billing = { path = "../billing" }
shared.workspace = true
forked = { git = "https://example.com/forked.git" }

[dev-dependencies]
proptest = "1"

[build-dependencies]
cc = "1"

[target.'cfg(windows)'.dependencies]
winapi-ghost-helpers = "0.1"
"""


def test_hallucinated_go_module_and_crate_are_flagged_real_ones_are_not(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    for module in ("github.com/pkg/errors", "github.com/BurntSushi/toml", "golang.org/x/text"):
        goproxy.add(module)
    goproxy.add("github.com/other/patched")
    for name in ("serde", "tokio", "serde_json", "proptest", "cc"):
        crates.add(name)
    repo = go_rust_repo(tmp_path, goproxy.url, crates.url, GO_MOD_CHANGED, CARGO_CHANGED)
    code, report, stderr = ai_gate(repo.root)
    assert code == 1, stderr
    assert report["verdict"] == "fail"
    deps = report["stages"]["dependencies"]  # type: ignore[index]
    assert deps["ran"] is True and deps["skipped_reason"] is None
    found = {f["title"]: f for f in report["findings"] if f["stage"] == "dependencies"}  # type: ignore[union-attr]
    assert set(found) == {
        "Package 'github.com/acme/fastjson-validator-go' does not exist on the Go module proxy",
        "Package 'fast-json-validatorx' does not exist on crates.io",
        "Package 'winapi-ghost-helpers' does not exist on crates.io",
    }
    go_absent = found["Package 'github.com/acme/fastjson-validator-go' does not exist on the Go module proxy"]
    assert go_absent["blocking"] is True and go_absent["severity"] == "high"
    assert (go_absent["path"], go_absent["start_line"]) == ("go.mod", 9)
    crate_absent = found["Package 'fast-json-validatorx' does not exist on crates.io"]
    assert (crate_absent["path"], crate_absent["start_line"]) == ("Cargo.toml", 9)
    # Only new names, each once; replaced, path, workspace and git dependencies are never asked for
    # (a module replaced by another is asked for as that one); the renamed dependency is asked for by
    # its crate name; capitals arrive case-escaped.
    assert set(goproxy.requests) == {
        "github.com/BurntSushi/toml",
        "golang.org/x/text",
        "github.com/acme/fastjson-validator-go",
        "github.com/other/patched",
    }
    assert set(crates.requests) == {
        "tokio",
        "fast-json-validatorx",
        "serde_json",
        "proptest",
        "cc",
        "winapi-ghost-helpers",
    }


def test_an_unreachable_go_proxy_is_said_and_crates_are_still_checked(
    tmp_path: Path, crates: FakeCratesIndex
):
    go_mod = GO_MOD_BASE + "require github.com/acme/ghost-module v1.0.0\n"
    repo = go_rust_repo(tmp_path, refused_url(), crates.url, go_mod, CARGO_BASE + 'ghost-crate-xyz = "1"\n')
    code, report, stderr = ai_gate(repo.root)
    assert code == 1, stderr
    deps = report["stages"]["dependencies"]  # type: ignore[index]
    assert deps["ran"] is True
    reason = deps["skipped_reason"]
    assert reason.startswith("registry unreachable for 1 of 2 names") and "the Go module proxy" in reason
    found = {f["title"] for f in report["findings"] if f["stage"] == "dependencies"}  # type: ignore[union-attr]
    assert found == {"Package 'ghost-crate-xyz' does not exist on crates.io"}


def test_an_unreachable_registry_alone_is_neutral_never_a_pass(tmp_path: Path, crates: FakeCratesIndex):
    repo = go_rust_repo(
        tmp_path, refused_url(), crates.url, GO_MOD_BASE + "require github.com/a/b v1.0.0\n", CARGO_BASE
    )
    code, report, _ = ai_gate(repo.root)
    deps = report["stages"]["dependencies"]  # type: ignore[index]
    assert deps["ran"] is False and "the Go module proxy" in deps["skipped_reason"]
    # Exit 0 as any neutral verdict, but never a pass: the reason names what was not checked.
    assert code == 0 and report["verdict"] == "neutral"
    assert report["reasons"] == [
        "not checked: dependencies: the Go module proxy (unreachable); the verdict is neutral"
    ]
    assert not [f for f in report["findings"] if f["stage"] == "dependencies"]  # type: ignore[union-attr]


# --- the stage against the fakes --------------------------------------------------------------------


def test_a_registry_that_cannot_be_reached_is_asked_once_not_for_every_name(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    goproxy.fail(503)
    modules = [f"github.com/acme/mod{i}" for i in range(20)]
    go_mod = GO_MOD_BASE + "".join(f"require {m} v1.0.0\n" for m in modules)
    result = run(tmp_path, goproxy.url, crates.url, {"go.mod": GO_MOD_BASE}, {"go.mod": go_mod})
    assert not result.ran and result.findings == ()
    assert result.skipped_reason is not None and "the Go module proxy" in result.skipped_reason
    assert "names were not checked" in result.skipped_reason
    # The first module took the retries; the other 19 were not asked.
    assert sum(goproxy.requests.values()) == ATTEMPTS
    looked_up = result.details["looked_up"]
    assert isinstance(looked_up, dict) and set(looked_up.values()) == {"unreachable"}


def test_a_go_proxy_that_answers_410_gone_means_absent(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    goproxy.gone = True
    result = run(
        tmp_path,
        goproxy.url,
        crates.url,
        {"go.mod": GO_MOD_BASE},
        {"go.mod": GO_MOD_BASE + "require github.com/acme/ghost v1.0.0\n"},
    )
    assert titles(result) == {"Package 'github.com/acme/ghost' does not exist on the Go module proxy"}


def test_young_module_and_crate_are_warned_by_their_first_version(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    goproxy.add("github.com/acme/fresh", first=days_ago(3), versions=("v0.1.0", "v0.2.0", "v1.0.0"))
    goproxy.add("github.com/acme/old", first=days_ago(900))
    goproxy.add_untagged("github.com/acme/untagged")
    crates.add("fresh-crate", published=days_ago(2))
    crates.add("old-crate")
    after = {
        "go.mod": GO_MOD_BASE
        + "require (\n\tgithub.com/acme/fresh v1.0.0\n\tgithub.com/acme/old v1.1.0\n"
        + "\tgithub.com/acme/untagged v0.0.0-20240101000000-abcdefabcdef\n)\n",
        "Cargo.toml": CARGO_BASE + 'fresh-crate = "0.1"\nold-crate = "0.1"\n',
    }
    result = run(tmp_path, goproxy.url, crates.url, {"go.mod": GO_MOD_BASE, "Cargo.toml": CARGO_BASE}, after)
    assert titles(result) == {
        "Package 'github.com/acme/fresh' was first published 3 days ago on the Go module proxy",
        "Package 'fresh-crate' was first published 2 days ago on crates.io",
    }
    assert all(f.severity is Severity.MEDIUM for f in result.findings)
    # The earliest version's .info was asked (list, then .info), the untagged module's @latest.
    assert goproxy.requests["github.com/acme/fresh"] == 2
    assert goproxy.requests["github.com/acme/untagged"] == 2


def test_crates_without_publication_times_have_no_age(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    crates.with_pubtime = False
    crates.add("fresh-crate", published=days_ago(2))
    result = run(
        tmp_path,
        goproxy.url,
        crates.url,
        {"Cargo.toml": CARGO_BASE},
        {"Cargo.toml": CARGO_BASE + 'fresh-crate = "0.1"\n'},
    )
    assert result.ran and result.findings == ()


def test_a_workspace_root_declares_crates_for_its_members(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    crates.add("anyhow")
    before = {"Cargo.toml": '[workspace]\nmembers = ["app"]\n', "app/Cargo.toml": CARGO_BASE}
    after = {
        "Cargo.toml": '[workspace]\nmembers = ["app"]\n\n[workspace.dependencies]\n'
        'anyhow = "1"\nghost-workspace-crate = "1"\n',
        "app/Cargo.toml": CARGO_BASE
        + "anyhow.workspace = true\nghost-workspace-crate = { workspace = true }\n",
    }
    result = run(tmp_path, goproxy.url, crates.url, before, after)
    [finding] = result.findings
    assert finding.title == "Package 'ghost-workspace-crate' does not exist on crates.io"
    assert finding.location is not None and finding.location.path == "Cargo.toml"
    assert dict(crates.requests) == {"anyhow": 1, "ghost-workspace-crate": 1}


def test_patched_crates_are_not_looked_up(tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex):
    after = CARGO_BASE + 'private-fork = "1"\n\n[patch.crates-io]\nprivate-fork = { path = "../fork" }\n'
    result = run(tmp_path, goproxy.url, crates.url, {"Cargo.toml": CARGO_BASE}, {"Cargo.toml": after})
    assert result.ran and result.findings == () and not crates.requests


def test_a_replacement_module_is_looked_up(tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex):
    goproxy.add("github.com/pkg/errors")
    goproxy.add("github.com/real/fork")
    after = (
        GO_MOD_BASE
        + "\nreplace github.com/pkg/errors => github.com/pkg-errors/errors-hallucinated v0.9.2\n"
        + "replace (\n\tgithub.com/some/dep v1.0.0 => github.com/real/fork v1.0.1\n"
        + "\tgithub.com/other/dep => ../other\n)\n"
    )
    result = run(tmp_path, goproxy.url, crates.url, {"go.mod": GO_MOD_BASE}, {"go.mod": after})
    [finding] = result.findings
    assert finding.title == (
        "Package 'github.com/pkg-errors/errors-hallucinated' does not exist on the Go module proxy"
    )
    assert finding.severity is Severity.HIGH
    assert finding.location is not None and finding.location.start_line == 7
    # The replaced module comes from its replacement; a local directory is no module to ask for.
    assert set(goproxy.requests) == {"github.com/pkg-errors/errors-hallucinated", "github.com/real/fork"}


@pytest.mark.parametrize(
    ("replaced", "looked_up"),
    [
        ("github.com/evil/hallucinated-x v1.0.0", True),  # another version than the one required
        ("github.com/evil/hallucinated-x v1.2.0", False),
        ("github.com/evil/hallucinated-x", False),  # every version
    ],
)
def test_a_versioned_replacement_takes_only_its_version_elsewhere(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex, replaced: str, looked_up: bool
):
    after = GO_MOD_BASE + f"require github.com/evil/hallucinated-x v1.2.0\n\nreplace {replaced} => ./local\n"
    result = run(tmp_path, goproxy.url, crates.url, {"go.mod": GO_MOD_BASE}, {"go.mod": after})
    expected = {"Package 'github.com/evil/hallucinated-x' does not exist on the Go module proxy"}
    assert titles(result) == (expected if looked_up else set())
    assert set(goproxy.requests) == ({"github.com/evil/hallucinated-x"} if looked_up else set())


@pytest.mark.parametrize(
    "source",
    ['"https://github.com/example/unused"', "my-registry", '"sparse+https://other.example/index/"'],
)
def test_a_patch_of_another_source_leaves_crates_io_dependencies_looked_up(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex, source: str
):
    after = (
        CARGO_BASE + f'serde-json-fastx = "1"\n\n[patch.{source}]\nserde-json-fastx = {{ path = "../x" }}\n'
    )
    result = run(tmp_path, goproxy.url, crates.url, {"Cargo.toml": CARGO_BASE}, {"Cargo.toml": after})
    assert titles(result) == {"Package 'serde-json-fastx' does not exist on crates.io"}


@pytest.mark.parametrize(
    "source",
    ["crates-io", '"https://github.com/rust-lang/crates.io-index"', '"sparse+https://index.crates.io/"'],
)
def test_a_patch_of_crates_io_takes_its_crates_elsewhere(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex, source: str
):
    after = (
        CARGO_BASE + f'serde-json-fastx = "1"\n\n[patch.{source}]\nserde-json-fastx = {{ path = "../x" }}\n'
    )
    result = run(tmp_path, goproxy.url, crates.url, {"Cargo.toml": CARGO_BASE}, {"Cargo.toml": after})
    assert result.ran and result.findings == () and not crates.requests


def test_patch_input_reads_the_diff_lines(tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex):
    crates.add("serde_json")
    base_go = GO_MOD_BASE + "\nrequire (\n\tgolang.org/x/sys v0.1.0\n)\n"
    base_cargo = CARGO_BASE + '\n[dev-dependencies]\nproptest = "1"\n'
    after = {
        # A requirement added inside a block whose header the hunk may not show.
        "go.mod": base_go.replace(
            "\tgolang.org/x/sys v0.1.0\n", "\tgolang.org/x/sys v0.1.0\n\tgithub.com/acme/ghost v1.0.0\n"
        ),
        "Cargo.toml": base_cargo + 'ghost-dev-crate = "1"\njson = { package = "serde_json", version = "1" }\n'
        'local.path = "../local"\n',
    }
    result = run(
        tmp_path,
        goproxy.url,
        crates.url,
        {"go.mod": base_go, "Cargo.toml": base_cargo},
        after,
        patch_only=True,
    )
    assert titles(result) == {
        "Package 'github.com/acme/ghost' does not exist on the Go module proxy",
        "Package 'ghost-dev-crate' does not exist on crates.io",
    }
    assert "local" not in crates.requests and crates.requests["serde_json"] == 1


def test_manifests_that_do_not_parse_are_could_not_analyse(
    tmp_path: Path, goproxy: FakeGoProxy, crates: FakeCratesIndex
):
    after = {
        "go.mod": GO_MOD_BASE + "require (\n\tgithub.com/acme/a v1.0.0\n",
        "Cargo.toml": "[dependencies\nserde = 1\n",
        "sub/Cargo.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    }
    result = run(tmp_path, goproxy.url, crates.url, {"go.mod": GO_MOD_BASE}, after)
    unread = {f.location.path: f for f in result.findings if f.rule == "could-not-analyse" and f.location}
    assert sorted(unread) == ["Cargo.toml", "go.mod", "sub/Cargo.toml"]
    assert all(f.severity is Severity.HIGH for f in unread.values())  # a manifest read by go / cargo
    assert all(f.title.startswith("could not analyse: ") for f in unread.values())
    assert "never closed" in unread["go.mod"].title


# --- the protocols -----------------------------------------------------------------------------------


def test_module_paths_are_case_escaped_as_the_protocol_says():
    assert escape_path("github.com/BurntSushi/toml") == "github.com/!burnt!sushi/toml"
    assert escape_path("github.com/Azure/azure-sdk-for-go") == "github.com/!azure/azure-sdk-for-go"
    assert escape_path("v1.0.0-RC1") == "v1.0.0-!r!c1"


def test_crate_index_paths_follow_cargo_layout():
    assert [crate_index_path(n) for n in ("a", "cc", "syn", "Serde", "serde_json")] == [
        "1/a",
        "2/cc",
        "3/s/syn",
        "se/rd/serde",
        "se/rd/serde_json",
    ]
    # The fake's layout is written apart from the gate's, from the same documentation.
    assert all(crate_index_path(n) == crate_path(n) for n in ("a", "cc", "syn", "serde", "tokio-util"))


def test_the_earliest_go_version_is_found_among_prereleases_and_majors():
    versions = ["v1.10.0", "v1.2.0", "v0.9.0-rc.1", "v0.9.0", "v2.0.0+incompatible"]
    assert min(versions, key=version_key) == "v0.9.0-rc.1"


def test_lookups_of_both_protocols_in_one_call(goproxy: FakeGoProxy, crates: FakeCratesIndex):
    goproxy.add("github.com/BurntSushi/toml", first=datetime(2013, 2, 1, tzinfo=UTC))
    crates.add("serde", published=datetime(2014, 12, 5, tzinfo=UTC))
    registries = {Ecosystem.GO: goproxy.url, Ecosystem.CRATES: crates.url}
    names = [
        (Ecosystem.GO, "github.com/BurntSushi/toml"),
        (Ecosystem.GO, "github.com/burntsushi/toml"),  # another module: paths are case-sensitive
        (Ecosystem.CRATES, "Serde"),
        (Ecosystem.CRATES, "serde"),  # the same crate: names are not
    ]
    lookups = {(r.ecosystem, r.name): r for r in lookup_all(names, registries, wait_base=0.01)}
    assert len(lookups) == 3
    toml = lookups[(Ecosystem.GO, "github.com/BurntSushi/toml")]
    assert toml.status is Status.EXISTS and toml.first_release == datetime(2013, 2, 1, tzinfo=UTC)
    assert lookups[(Ecosystem.GO, "github.com/burntsushi/toml")].status is Status.ABSENT
    serde = lookups[(Ecosystem.CRATES, "serde")]
    assert serde.status is Status.EXISTS and serde.first_release == datetime(2014, 12, 5, tzinfo=UTC)
    assert crates.requests["serde"] == 1


def test_a_transient_5xx_is_retried_not_taken_for_absent(goproxy: FakeGoProxy, crates: FakeCratesIndex):
    goproxy.add("github.com/acme/real")
    goproxy.fail(502, times=1)
    crates.add("real-crate")
    crates.fail(429, times=1)
    registries = {Ecosystem.GO: goproxy.url, Ecosystem.CRATES: crates.url}
    names = [(Ecosystem.GO, "github.com/acme/real"), (Ecosystem.CRATES, "real-crate")]
    assert {r.status for r in lookup_all(names, registries, wait_base=0.01)} == {Status.EXISTS}


# --- the parsers ------------------------------------------------------------------------------------


def test_go_mod_grammar():
    text = (
        "module example.com/m // the module\n\ngo 1.22\ntoolchain go1.22.1\n\n"
        "require (\n"
        '\t"github.com/quoted/path" v1.0.0\n'
        "\tgithub.com/ind/irect v1.0.0 // indirect\n"
        "\tgithub.com/ind/irect2 v1.0.0 // indirect; keeps the build\n"
        ")\n"
        "require github.com/single/line v2.0.0+incompatible\n"
        "replace (\n\tgithub.com/single/line => github.com/elsewhere/line v2.0.1\n)\n"
        "exclude (\n\tgithub.com/ex/cluded v0.1.0\n)\n"
        "retract [v1.0.0, v1.0.5] // broken\n"
        "tool golang.org/x/tools/cmd/stringer\n"
    )
    parsed = GoModParser().parse(text, "go.mod", lambda p: None)
    assert parsed.problems == ()
    got = {(d.name, d.kind, d.from_registry) for d in parsed.declared}
    assert got == {
        ("github.com/quoted/path", "require", True),
        ("github.com/ind/irect", "require (indirect)", True),
        ("github.com/ind/irect2", "require (indirect)", True),
        ("github.com/single/line", "require", False),
        ("github.com/elsewhere/line", "replace", True),
    }


def test_go_mod_bad_lines_are_problems_and_the_rest_is_read():
    text = (
        'require (\n\tgithub.com/a/b v1.0.0\n\t"github.com/unterminated v1\n\tonly-one-token\n)\n'
        "require github.com/c/d v1\n"
    )
    parsed = GoModParser().parse(text, "go.mod", lambda p: None)
    assert [d.name for d in parsed.declared] == ["github.com/a/b", "github.com/c/d"]
    assert len(parsed.problems) == 2 and parsed.problems[0].startswith("go.mod:3:")


def test_cargo_renamed_target_and_table_forms():
    text = (
        '[dependencies]\nrand = { version = "0.8", package = "rand_core" }\n'
        '[dependencies.long-form]\nversion = "1"\npackage = "real-long-form"\n'
        "[target.'cfg(unix)'.dev-dependencies]\nnix = \"0.27\"\n"
        '[target.x86_64-pc-windows-msvc.build-dependencies]\nwinres = "0.1"\n'
        '[dev_dependencies]\nlegacy = "1"\n'
        '[dependencies.private]\nversion = "1"\nregistry = "my-corp"\n'
        '[[bin]]\nname = "tool"\n'
    )
    parsed = CargoParser().parse(text, "Cargo.toml", lambda p: None)
    got = {(d.name, d.kind, d.from_registry) for d in parsed.declared}
    assert got == {
        ("rand_core", "dependencies", True),
        ("real-long-form", "dependencies", True),
        ("private", "dependencies", False),
        ("nix", "target.cfg(unix).dev-dependencies", True),
        ("winres", "target.x86_64-pc-windows-msvc.build-dependencies", True),
        ("legacy", "dev_dependencies", True),
    }
    bad = CargoParser().parse('[dependencies]\n"bad name!" = "1"\nnum = 3\n', "Cargo.toml", lambda p: None)
    assert bad.declared == () and len(bad.problems) == 2


def _best_time(parse: object, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        parse(text)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return max(best, 0.002)  # a floor for times too small to compare


def _repeat(unit: str) -> object:
    return lambda size: unit * (size // len(unit))


def _cargo(size: int) -> str:
    lines = ["[dependencies]"]
    lines += [f'crate{i} = {{ version = "1", features = ["x", "y"] }}' for i in range(size // 50)]
    return "\n".join(lines) + "\n"


def _go(size: int) -> str:
    return (
        "require (\n"
        + "".join(f"\tgithub.com/acme/mod{i} v1.0.0 // indirect\n" for i in range(size // 40))
        + ")\n"
    )


@pytest.mark.growth
@pytest.mark.parametrize(
    ("parser", "make"),
    [
        (GoModParser(), _go),
        (GoModParser(), _repeat('require (\n\t"github.com/a/b v1 \\" // "x\n')),  # stray quotes, comments
        (GoModParser(), _repeat("`" * 50 + ' "' * 50)),  # one line of a megabyte of quotes
        (GoModParser(), _repeat("github.com/x/" * 20 + " ")),  # one long line of path
        (CargoParser(), _cargo),
        (CargoParser(), _repeat('[dependencies]\na = { version = "1" ')),  # unterminated tables
    ],
)
def test_parsers_take_linear_time(parser: GoModParser | CargoParser, make: object):
    def parse(text: str) -> None:
        with contextlib.suppress(ValueError):
            parser.parse(text, "f", lambda p: None)
        parser.parse_fragment(text.splitlines(), "f")

    small, large = (_best_time(parse, make(size)) for size in (100_000, 1_000_000))  # type: ignore[operator]
    assert large / small < 30, (small, large)
