"""What a run did not check is said in every output, not only in the verdict's reasons.

A run whose verdict is neutral because part of the change was not read or not looked up names that
part in the coverage's gaps and in SARIF's tool notifications: code scanning and the summary must not
show it as a complete check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gate.analyzers.source import MAX_FILE_BYTES
from gate.cli import main
from tests.fakes.registries import FakePyPI
from tests.gitrepo import GitRepo

FLAKY = "flaky-package-one"


class FlakyPyPI(FakePyPI):
    """PyPI's JSON API, failing with 500 for one name every time it is asked."""

    def handle(self, path: str) -> tuple[int, dict[str, object] | dict[str, str]]:
        if FLAKY in path:
            return 500, {"message": "Internal Server Error"}
        return super().handle(path)


@pytest.fixture
def flaky_pypi() -> Iterator[FakePyPI]:
    registry = FlakyPyPI()
    registry.add("requests")
    registry.add("boto3")
    with registry.running():
        yield registry


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    where = ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    code = main(["check", *where, *extra])
    return code, capsys.readouterr().out


def test_names_a_registry_did_not_answer_for_are_coverage_gaps(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], flaky_pypi: FakePyPI
) -> None:
    repo.write("requirements.txt", "requests==2.31.0\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("requirements.txt", f"requests==2.31.0\n{FLAKY}==1.0\nboto3==1.0\n")
    repo.commit("Add dependencies")
    config = tmp_path / "ai-gate.yml"
    config.write_text(f"version: 1\ndependencies:\n  registries: {{pypi: '{flaky_pypi.url}'}}\n")

    code, out = _check(repo, capsys, "--config", str(config), "--format", "json")

    report = json.loads(out)
    assert (code, report["verdict"]) == (0, "neutral")
    gaps = [g for g in report["coverage"]["gaps"] if g["stage"] == "dependencies"]
    assert len(gaps) == 1 and gaps[0]["kind"] == "failure"
    assert gaps[0]["reason"].startswith("not checked: PyPI (unreachable): registry unreachable for 1 of ")


def test_sarif_names_a_file_left_unread(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/big.py", "TABLE = [\n" + "    7,\n" * (MAX_FILE_BYTES // 6) + "]\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app/big.py", "TABLE = [\n" + "    8,\n" * (MAX_FILE_BYTES // 6) + "]\n")
    repo.commit("Change the table")

    code, out = _check(repo, capsys, "--offline", "--format", "sarif")

    analyzers = json.loads(out)["runs"][0]
    invocation = analyzers["invocations"][0]
    assert code == 0
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("not read: " in t and "app/big.py" in t for t in texts)
