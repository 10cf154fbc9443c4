"""A file past the analyzers' size limit is no pass: what it holds was not read.

The limit keeps the parsers' time and memory bounded, so a file whose added text (or head) is over it is
not parsed whole. A pull request can pad a file with comments to get there, and hide a missing import,
a made-up package or a weakened test inside it. Such a file makes the verdict neutral, with a reason that
names it, as any part of a change the gate could not read does; and the rules that read the diff's lines
one by one still read its added and removed lines. A file left out by paths.ignore is the user's choice,
not a file the gate failed to read, and a large file no analyzer reads whole (data) stays a pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.analyzers.source import MAX_FILE_BYTES
from gate.cli import main
from tests.fakes.registries import FakeNpm, FakePyPI
from tests.gitrepo import GitRepo

# Comment lines enough to take a file past the size limit.
PADDING = "".join(f"# filler line {i:08d} " + "x" * 60 + "\n" for i in range(MAX_FILE_BYTES // 80 + 500))
CORE = "def price(x):\n    return x * 2\n"
TEST = (
    "from app.core import price\n\n\ndef test_price():\n    assert price(2) == 4\n    assert price(0) == 0\n"
)


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--format", "json"]
    main([*args, *(extra or ("--offline",))])
    return json.loads(capsys.readouterr().out)


def _check_patch(repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    patch = tmp_path / "change.patch"
    patch.write_bytes(repo.format_patch("main..pr"))
    main(["check", "--diff", str(patch), "--offline", "--format", "json"])
    return json.loads(capsys.readouterr().out)


def _base(repo: GitRepo, files: dict[str, str] | None = None) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", CORE)
    for path, text in (files or {}).items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("pr")


def _rules(report: dict) -> list[tuple[str, str, str]]:
    return [(f["stage"], f["rule"], f["path"]) for f in report["findings"]]


@pytest.mark.parametrize("source", ["git", "patch"])
def test_a_module_padded_past_the_limit_makes_the_verdict_neutral_and_names_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    _base(repo)
    repo.write("app/big.py", "from app.core import price\n\n\ndef go():\n    return price(1)\n" + PADDING)
    repo.commit("big module")

    report = _check(repo, capsys) if source == "git" else _check_patch(repo, tmp_path, capsys)

    assert report["verdict"] == "neutral"
    assert (
        "not read: 1 file over the analyzers' size limit (app/big.py); the verdict is neutral"
        in (report["reasons"])
    )
    gaps = [g for g in report["coverage"]["gaps"] if g["path"] == "app/big.py"]
    assert [g["kind"] for g in gaps] == ["size"]
    assert report["coverage"]["analysed"] == 0


def test_an_import_of_a_missing_module_hidden_by_padding_is_still_reported(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/big.py", "from app.ghost import helper\n\n\ndef go():\n    return helper()\n" + PADDING)
    repo.commit("big module")

    report = _check(repo, capsys)

    assert report["verdict"] == "fail"
    assert _rules(report) == [("phantom-symbols", "missing-module", "app/big.py")]


def test_a_package_that_does_not_exist_hidden_by_padding_is_still_looked_up(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: FakePyPI, npm: FakeNpm
) -> None:
    config = tmp_path / "gate.yml"
    config.write_text(
        f"version: 1\ndependencies:\n  registries: {{pypi: '{pypi.url}', npm: '{npm.url}'}}\n"
        "thresholds:\n  review: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"
        "  spec: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"
    )
    _base(repo)
    repo.write(
        "app/big.py", "import reqeusts_turbo\n\n\ndef go():\n    return reqeusts_turbo.get('x')\n" + PADDING
    )
    repo.commit("big module")

    report = _check(repo, capsys, "--config", str(config))

    assert report["verdict"] == "fail"
    assert ("dependencies", "absent-package", "app/big.py") in _rules(report)
    assert pypi.requests["reqeusts-turbo"] == 1


def test_assertions_removed_from_a_test_file_padded_past_the_limit_are_still_reported(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo, {"tests/test_core.py": TEST})
    repo.write("app/core.py", CORE.replace("* 2", "* 3"))
    repo.write(
        "tests/test_core.py", "from app.core import price\n\n\ndef test_price():\n    pass\n" + PADDING
    )
    repo.commit("change price; trim the test")

    report = _check(repo, capsys)

    assert report["verdict"] == "neutral"
    assert any("(tests/test_core.py)" in reason for reason in report["reasons"])
    removed = [f["title"] for f in report["findings"] if f["rule"] == "assertion-removed"]
    assert sorted(removed) == [
        "Assertion removed from tests/test_core.py: assert price(0) == 0",
        "Assertion removed from tests/test_core.py: assert price(2) == 4",
    ]


def test_an_edit_to_a_test_file_already_past_the_limit_is_no_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = "".join(f"    ({i}, {2 * i}),\n" for i in range(MAX_FILE_BYTES // 14))
    test = f"from app.core import price\n\nCASES = [\n{cases}]\n\n\ndef test_price():\n"
    _base(repo, {"tests/test_core.py": test + "    for x, y in CASES:\n        assert price(x) == y\n"})
    repo.write("app/core.py", CORE.replace("* 2", "* 3"))
    repo.write(
        "tests/test_core.py", test + "    return\n    for x, y in CASES:\n        assert price(x) == y\n"
    )
    repo.commit("change price; return early")

    report = _check(repo, capsys)

    assert report["verdict"] == "neutral"
    assert (
        "not read: 1 file over the analyzers' size limit (tests/test_core.py); the verdict is neutral"
        in (report["reasons"])
    )


def test_a_large_file_under_paths_ignore_stays_a_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("dist/bundle.py", "from app.core import price\n" + PADDING)  # dist/ is ignored by default
    repo.write("app/core.py", CORE + "\n\ndef half(x):\n    return x / 2\n")
    repo.commit("bundle")

    report = _check(repo, capsys)

    assert report["verdict"] == "pass"
    assert report["coverage"]["ignored"] == ["dist/bundle.py"]
    assert report["coverage"]["analysed"] == 1
    assert not [g for g in report["coverage"]["gaps"] if g["path"]]


def test_a_large_data_file_no_analyzer_reads_whole_stays_a_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("data/prices.csv", "".join(f"{i},{2 * i}\n" for i in range(MAX_FILE_BYTES // 8)))
    repo.write("app/core.py", CORE + "\n\ndef half(x):\n    return x / 2\n")
    repo.commit("prices")
    # A million changed lines call for the review, which an offline run does not pass: set it aside.
    config = repo.root.parent / "ai-gate.yml"
    config.write_text(
        "version: 1\nthresholds:\n  review: {changed_lines: 100000000}\n  spec: {changed_lines: 100000000}\n"
    )

    report = _check(repo, capsys, "--offline", "--config", str(config))

    assert report["verdict"] == "pass"
    # The secrets and injection scans read it line by line, whatever its size: it was analysed.
    assert report["coverage"]["analysed"] == 2
    assert not [g for g in report["coverage"]["gaps"] if g["path"]]


@pytest.mark.parametrize(
    "size",
    [MAX_FILE_BYTES + 500_000, 2_500_000],
    ids=["over the analyzers' limit", "over the limit of a file read"],
)
def test_an_import_from_a_module_past_the_limit_the_change_does_not_touch_is_no_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], size: int
) -> None:
    # A generated module of the base, untouched: what it defines is unknown, so a name imported from
    # it that it may lack is not checked, and the verdict must say so rather than pass.
    generated = "".join(f"MESSAGE_{i:08d} = {i}\n" for i in range(size // 22 + 1))
    _base(repo, {"app/api_pb2.py": "class Present:\n    pass\n\n\n" + generated})
    repo.write("app/client.py", "from app.api_pb2 import Missing\n\n\ndef go():\n    return Missing()\n")
    repo.commit("client")

    report = _check(repo, capsys)

    assert report["verdict"] == "neutral"
    assert (
        "not read: 1 file read by the change but over the size limit (app/api_pb2.py); "
        "the verdict is neutral" in report["reasons"]
    )


def test_a_script_past_the_limit_of_a_file_read_whose_diff_hides_its_first_line_is_no_pass(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Whether `bin/tool` is Python is said by its first line, which the diff does not show and git's
    # reader would not give: not known to be Python, it is no file known not to be, and no pass.
    body = "".join(f"STEP_{i:08d} = {i}\n" for i in range(2_500_000 // 19))
    _base(repo, {"bin/tool": "#!/usr/bin/env python3\n" + body})
    repo.write("bin/tool", "#!/usr/bin/env python3\n" + body + "from app.ghost import helper\nhelper()\n")
    repo.commit("tool")

    report = _check(repo, capsys)

    assert report["verdict"] == "neutral"
    assert (
        "not read: 1 file over the analyzers' size limit (bin/tool); the verdict is neutral"
        in report["reasons"]
    )
