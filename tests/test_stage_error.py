"""A stage that breaks cannot turn a PR into a pass: the verdict follows `gate.on_stage_error`.

The broken stage here is real, not patched: the dependencies stage is pointed (by the repo's own config,
as a user would) at a loopback PyPI whose answer is well-formed JSON of the wrong shape, a release whose
file list is a number. A registry, a proxy or a mirror can answer that; the stage breaks on it, and the
gate must not read the missing check as a pass.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.registries import FakePyPI
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

MALFORMED = "shapeless-releases"


class MalformedPyPI(FakePyPI):
    """PyPI's JSON API, except for one package whose `releases` map a version to a number."""

    def document(self, name: str) -> dict[str, object] | None:
        if name == MALFORMED:
            return {"info": {"name": name}, "releases": {"1.0.0": 5}}
        return super().document(name)


@pytest.fixture
def malformed_pypi() -> Iterator[FakePyPI]:
    registry = MalformedPyPI()
    with registry.running():
        yield registry


def _repo(tmp_path: Path, pypi_url: str, on_stage_error: str | None) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("requirements.txt", "requests\n")
    repo.write("app.py", "def f():\n    return 1\n")
    gate = f"gate:\n  on_stage_error: {on_stage_error}\n" if on_stage_error else ""
    repo.write(
        ".github/ai-gate.yml",
        f"version: 1\ndependencies:\n  registries: {{pypi: '{pypi_url}', npm: '{pypi_url}'}}\n{gate}",
    )
    repo.commit("base")
    repo.branch("feature")
    repo.write("requirements.txt", f"requests\n{MALFORMED}\n")
    repo.write("app.py", "def f():\n    return 2\n")
    repo.commit("feature")
    return repo


def _check(repo: GitRepo, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--repo", str(repo.root), "--base", "main", *extra)


def test_a_stage_broken_by_a_malformed_registry_answer_fails_the_gate_by_default(
    tmp_path: Path, malformed_pypi: FakePyPI
) -> None:
    malformed_pypi.add("requests")
    repo = _repo(tmp_path, malformed_pypi.url, None)
    trace = tmp_path / "trace.jsonl"
    summary = tmp_path / "summary.md"
    proc = _check(repo, tmp_path, "--format", "json", "--trace", str(trace))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "fail"
    stage = report["stages"]["dependencies"]
    assert stage["ran"] is False and stage["skipped_reason"] == "stage failed"
    assert stage["error"].startswith("TypeError: ") and "\n" not in stage["error"]
    (reason,) = report["reasons"]
    assert reason.startswith("a stage failed and its checks are missing (dependencies: TypeError: ")
    assert reason.endswith("gate.on_stage_error is 'fail'")
    assert report["stages"]["secrets"]["ran"] is True  # the other stages' work is kept
    # The trace says which stage broke and why, in one line; no traceback in any output.
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    (error,) = [r for r in records if r.get("type") == "error"]
    assert error["stage"] == "dependencies" and error["error"] == stage["error"]
    md = _check(repo, tmp_path, "--format", "markdown", "--output", str(summary))
    assert md.returncode == 1
    text = _check(repo, tmp_path, "--format", "text")
    assert text.returncode == 1
    for out in (proc.stdout, proc.stderr, trace.read_text(), summary.read_text(), text.stdout, text.stderr):
        assert "Traceback" not in out and 'File "' not in out
    assert f"dependencies | no | runs on every PR; skipped: stage failed; error: {stage['error']}" in (
        summary.read_text()
    )
    assert "gate.on_stage_error is 'fail'" in summary.read_text()
    assert "dependencies" in text.stdout and "error: TypeError" in " ".join(text.stdout.split())


def test_on_stage_error_neutral_makes_a_broken_stage_neutral(
    tmp_path: Path, malformed_pypi: FakePyPI
) -> None:
    malformed_pypi.add("requests")
    repo = _repo(tmp_path, malformed_pypi.url, "neutral")
    proc = _check(repo, tmp_path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "neutral"
    assert report["reasons"][0].endswith("gate.on_stage_error is 'neutral'")
    strict = _check(repo, tmp_path, "--format", "json", "--strict")
    assert strict.returncode != 0  # neutral is not a pass under --strict


def test_a_bad_on_stage_error_value_is_a_config_error(tmp_path: Path, malformed_pypi: FakePyPI) -> None:
    repo = _repo(tmp_path, malformed_pypi.url, "pass")
    proc = _check(repo, tmp_path, "--format", "json")
    assert proc.returncode == 2
    assert "on_stage_error" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3
