"""Records that arrive with a change (Agent Trace files, git-ai notes) may add AI attribution, never
remove it; padding with prose does not dilute the share the thresholds read. Real repositories,
through the command line, with the loopback model server for the review that must still run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.fixtures import model_server  # noqa: F401  (fixture)
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer
from tests.github.conftest import github, pull_from_git, read_outputs, runner_env  # noqa: F401
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
MODELS = ("openai/fake-a", "openai/fake-b")


def _code(n: int, name: str = "f") -> str:
    return "".join(f"def {name}_{i}(x):\n    return x + {i}\n\n" for i in range(n // 3)) + "\n" * (n % 3)


def _trace_claiming_human(path: str, lines: int) -> str:
    record = {
        "version": "0.1.0",
        "id": "00000000-0000-0000-0000-000000000009",
        "timestamp": "2026-11-01T00:00:00Z",
        "tool": {"name": "none", "version": "1"},
        "files": [
            {
                "path": path,
                "conversations": [
                    {"contributor": {"type": "human"}, "ranges": [{"start_line": 1, "end_line": lines}]}
                ],
            }
        ],
    }
    return json.dumps(record) + "\n"


def _pr_repo(root: Path, *, trailer: str = CLAUDE, author: tuple[str, str] | None = None) -> GitRepo:
    """A Claude Code commit adds 60 lines; a later commit adds a trace calling them human."""
    repo = GitRepo(root)
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("svc.py", _code(60))
    kwargs = {"author": author} if author else {}
    repo.commit("Add the service" + (f"\n\n{trailer}" if trailer else ""), **kwargs)
    repo.write(".agent-trace/traces.jsonl", _trace_claiming_human("svc.py", 60))
    repo.commit("Record authorship")
    return repo


def _check(
    repo: GitRepo, config: dict | None, tmp: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict]:
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--format", "json"]
    if config is not None:
        path = tmp / "ai-gate.yml"
        path.write_text(yaml.safe_dump(config))
        args += ["--config", str(path)]
    code = main([*args, *extra])
    return code, json.loads(capsys.readouterr().out)


def test_a_trace_calling_claude_lines_human_is_disregarded_and_review_runs(
    model_server: FakeModelServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    repo = _pr_repo(tmp_path / "repo")
    config = {
        "models": {"review": list(MODELS), "endpoints": model_server.endpoints(MODELS)},
        # the scripted models are not in litellm's cost map: priced here, as an unpriced model is refused
        "budget": {"unpriced_usd_per_million_tokens": 1.0},
    }
    code, report = _check(repo, config, tmp_path, capsys)
    assert code in (0, 1)
    prov = report["provenance"]
    assert prov["code_ai_share"] == 1.0 and prov["threshold_share"] == 1.0 and prov["share_of"] == "code"
    assert prov["ai_lines"] == 60 and prov["code_ai_lines"] == 60 and prov["code_added_lines"] == 60
    assert prov["ai_share"] > 0.98  # the trace file's own line is the one human line
    assert [c["tool"] for c in prov["commits"]] == ["claude-code", None]
    (why,) = prov["disregarded_records"]
    assert why.startswith("agent trace (.agent-trace/traces.jsonl) disregarded: it calls 60 lines of commit")
    assert f"AI by trailer: {CLAUDE}" in why and why in prov["notes"]
    review = report["stages"]["review"]
    assert review["threshold"]["met"] is True and review["ran"] is True
    assert model_server.count(schema="review") > 0


def test_a_trace_cannot_override_a_configured_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = ("Build Agent", "agent@corp.example")
    repo = _pr_repo(tmp_path / "repo", trailer="", author=bot)
    config = {"provenance": {"ai_identities": [{"email": bot[1], "tool": "codex"}]}}
    _, report = _check(repo, config, tmp_path, capsys, "--offline")
    prov = report["provenance"]
    assert (prov["code_ai_share"], prov["tools"]) == (1.0, {"codex": 60})
    assert "configured identity" in prov["disregarded_records"][0]
    assert report["stages"]["review"]["threshold"]["met"] is True


def test_a_trace_adds_ai_lines_a_commit_did_not_declare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _pr_repo(tmp_path / "repo", trailer="")
    trace = json.loads(_trace_claiming_human("svc.py", 60))
    trace["files"][0]["conversations"][0]["contributor"] = {"type": "ai"}
    trace["tool"]["name"] = "cursor"
    repo.write(".agent-trace/traces.jsonl", json.dumps(trace) + "\n")
    repo.commit("Record authorship again")
    _, report = _check(repo, None, tmp_path, capsys, "--offline")
    assert report["provenance"]["tools"] == {"cursor": 60}
    assert report["provenance"]["disregarded_records"] == []


def test_the_ai_generated_label_wins_over_a_trace_in_ai_gate_github(
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
) -> None:
    repo = _pr_repo(tmp_path / "origin", trailer="")  # no marks of its own: only the label says AI
    base = repo.git("rev-parse", "main").strip()
    head = repo.head()
    pull_from_git(github, repo, base, head, number=9, labels=("ai-generated",))
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 9, workspace=workspace)
    proc = run_gate(env, tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    outputs = read_outputs(tmp_path / "output")
    report = json.loads(Path(outputs["report"]).read_text())
    prov = report["provenance"]
    assert prov["code_ai_share"] == 1.0 and prov["code_ai_lines"] == 60
    assert "PR label: ai-generated" in prov["disregarded_records"][0]
    assert report["stages"]["review"]["threshold"]["met"] is True


def test_prose_padding_does_not_dilute_the_share_the_thresholds_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("svc.py", _code(60))
    repo.commit("Add the service\n\n" + CLAUDE)
    repo.write("CHANGELOG.md", "".join(f"- entry {i}\n" for i in range(160)))
    repo.commit("Write the changelog")
    _, report = _check(repo, None, tmp_path, capsys, "--offline")
    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (60, 220)
    assert prov["ai_share"] < 0.30  # below the review threshold over every line
    assert (prov["code_ai_share"], prov["threshold_share"]) == (1.0, 1.0)
    assert report["stages"]["review"]["threshold"]["met"] is True
    assert "AI share of code lines 100% >= 30%" in report["stages"]["review"]["threshold"]["why"]
    # the switch: every line counted, the padding dilutes as a team that wants it chose
    _, report = _check(repo, {"thresholds": {"share_of": "all"}}, tmp_path, capsys, "--offline")
    assert report["provenance"]["threshold_share"] == report["provenance"]["ai_share"]
    assert report["stages"]["review"]["threshold"]["met"] is False


@pytest.mark.parametrize("how", ["shebang", "executable", "shebang outside the diff"])
def test_a_script_named_like_prose_is_code(
    how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    shebang = "#!/usr/bin/env python3\n" if how != "executable" else ""
    if how == "shebang outside the diff":
        repo.write("bin/support", shebang + "\n" * 5)
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("bin/support", shebang + "\n" * 5 + _code(150))
    if how == "executable":
        (repo.root / "bin/support").chmod(0o755)
    repo.commit("Add the support tool\n\n" + CLAUDE)
    repo.write("app.py", _code(100, "view"))
    repo.commit("Add the views")
    _, report = _check(repo, None, tmp_path, capsys, "--offline")
    prov = report["provenance"]
    assert prov["code_ai_lines"] >= 150 and prov["code_ai_share"] > 0.5
    assert report["stages"]["review"]["threshold"]["met"] is True


def test_ai_lines_stay_an_independent_trigger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("docs/guide.md", "".join(f"AI prose {i}\n" for i in range(210)))
    repo.commit("Write the guide\n\n" + CLAUDE)
    repo.write("svc.py", _code(600))
    repo.commit("Add the service by hand")
    _, report = _check(repo, None, tmp_path, capsys, "--offline")
    prov = report["provenance"]
    assert prov["code_ai_share"] == 0.0 and prov["ai_lines"] == 210
    assert "AI-authored lines 210 >= 200" in report["stages"]["review"]["threshold"]["why"]


@pytest.mark.parametrize("where", ["trace", "note"])
def test_deeply_nested_records_are_disregarded_and_the_run_goes_on(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("svc.py", _code(60))
    sha = repo.commit("Add the service\n\n" + CLAUDE)
    deep = "[" * 50_000 + "]" * 50_000
    if where == "trace":
        repo.write(".agent-trace/traces.jsonl", deep + "\n" + _trace_claiming_human("svc.py", 3))
        repo.commit("Record authorship")
    else:
        repo.git("notes", "--ref=ai", "add", "-m", "svc.py\n  h_0123456789abcd 1-3\n---\n" + deep, sha)
    code, report = _check(repo, None, tmp_path, capsys, "--offline")
    assert code in (0, 1)
    notes = report["provenance"]["notes"]
    assert any("nests deeper than 32 levels: disregarded" in n for n in notes), notes
    assert report["provenance"]["code_ai_share"] == 1.0
