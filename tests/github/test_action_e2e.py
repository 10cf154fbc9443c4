"""`ai-gate github` as the runner starts a Docker action: a subprocess with the runner's environment,
against the loopback GitHub, run twice to check that nothing is posted twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from tests.fakes import prefork
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, read_outputs, runner_env
from tests.gitrepo import GitRepo

AI_GATE = [sys.executable, "-m", "gate"]


def make_pr(tmp_path: Path, github: FakeGitHub) -> tuple[GitRepo, str, str]:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: high\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write(
        "src/app.py",
        "def total(items):\n    return sum(items)\n\n\n"
        "def mean(items):\n    return total(items) / len(items)\n",
    )
    repo.commit("Add mean\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    repo.write("src/util.py", "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: critical\n")
    head = repo.commit("Add clamp, relax the gate")
    pull_from_git(github, repo, base, head, number=7, logins={head: "octocat"})
    return repo, base, head


def run_gate(
    env: dict[str, str], cwd: Path, first: Path | None = None, fresh: bool = False
) -> subprocess.CompletedProcess[str]:
    """The Action's process; `first`, a directory searched for modules before the project's. It is forked
    from a process that has imported the gate and litellm (`tests.fakes.prefork`), unless `first` is given
    or `fresh` asks for a new interpreter, as the runner starts."""
    path = f"{first}:{Path.cwd()}" if first is not None else str(Path.cwd())
    if first is None and not fresh:
        return prefork.run(["github"], {**env, "PYTHONPATH": path}, cwd)
    return subprocess.run(
        [*AI_GATE, "github"],
        env={**env, "PYTHONPATH": path},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_two_runs_post_once_and_edit_the_summary(tmp_path: Path, github: FakeGitHub) -> None:
    repo, _base, head = make_pr(tmp_path, github)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)

    for _ in range(2):
        proc = run_gate(env, workspace, fresh=True)
        assert proc.returncode == 0, proc.stderr

    assert len(github.issue_comments[7]) == 1, "the summary comment was duplicated"
    comment = github.issue_comments[7][0]["body"]
    assert comment.startswith("<!-- ai-quality-gate -->")
    assert "AI Quality Gate" in comment
    assert "base branch's version" in comment  # the PR changed .github/ai-gate.yml
    assert len(github.requests_to("PATCH", r"/issues/comments/\d+")) == 0
    runs = list(github.check_runs.values())
    assert [r["name"] for r in runs] == ["AI Quality Gate", "AI Quality Gate"]
    assert all(r["head_sha"] == head for r in runs)  # the PR head, not GITHUB_SHA
    # No model is reachable here, so the review the AI share calls for cannot run: neutral by
    # gate.on_model_error, posted as a neutral check run.
    assert runs[-1]["conclusion"] == "neutral"
    assert [s["context"] for s in github.statuses] == ["ai-quality-gate", "ai-quality-gate"]
    assert all(len(s["description"]) <= 140 for s in github.statuses)
    # The base branch's config (fail_on: high) was used, not the PR's relaxed one.
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert report["github"]["head_sha"] == head and report["github"]["pull_request"] == 7
    assert any("ai-gate.yml at base" in n for n in report["github"]["notes"])

    outputs = read_outputs(tmp_path / "output")
    assert outputs["verdict"] == report["verdict"] == "neutral"
    assert set(outputs) == {
        "verdict",
        "ai-share",
        "findings",
        "blocking-findings",
        "report",
        "sarif",
        "trace",
    }
    for key in ("report", "sarif", "trace"):
        assert Path(outputs[key]).is_file() and Path(outputs[key]).parent == workspace / ".ai-gate"
    assert "AI Quality Gate" in (tmp_path / "summary.md").read_text()
    assert not any(r.status >= 400 for r in github.requests)


def test_api_only_run_without_a_checkout(tmp_path: Path, github: FakeGitHub) -> None:
    _, _, _head = make_pr(tmp_path, github)
    env = runner_env(github, tmp_path, 7, workspace=tmp_path / "empty", post="check,comment")
    (tmp_path / "empty").mkdir()
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "empty" / ".ai-gate" / "report.json").read_text())
    assert report["source"]["added_lines"] == 7
    assert len(report["provenance"]["commits"]) == 2
    assert github.requests_to("GET", r"/contents/\.github/ai-gate\.yml$")  # base config via the API
    assert github.requests_to("GET", r"/commits/[0-9a-f]{40}$")  # per-commit patches for attribution
    assert not github.statuses and not github.reviews  # post= limits what is posted
    assert len(github.check_runs) == 1 and len(github.issue_comments[7]) == 1


def test_read_only_token_falls_back_to_workflow_commands(tmp_path: Path, github: FakeGitHub) -> None:
    make_pr(tmp_path, github)
    github.read_only = True
    env = runner_env(github, tmp_path, 7, workspace=None)
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0, proc.stderr  # the verdict, not the 403
    assert "::notice title=AI Quality Gate::the token could not write" in proc.stdout
    assert not github.check_runs and not github.statuses and not github.issue_comments[7]
    summary = (tmp_path / "summary.md").read_text()
    assert "could not write" in summary
    assert read_outputs(tmp_path / "output")["verdict"] == "neutral"


def test_other_events_end_neutral(tmp_path: Path, github: FakeGitHub) -> None:
    env = runner_env(github, tmp_path, 7, workspace=None, event="push", payload={"ref": "refs/heads/main"})
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "neutral" in proc.stdout and "push" in proc.stdout
    assert read_outputs(tmp_path / "output")["verdict"] == "neutral"
    assert not github.requests


def test_drafts_are_skipped(tmp_path: Path, github: FakeGitHub) -> None:
    make_pr(tmp_path, github)
    github.pulls[7].draft = True
    env = runner_env(github, tmp_path, 7, workspace=None)
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "draft" in (tmp_path / "summary.md").read_text()
    assert not github.check_runs


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, github: FakeGitHub) -> None:
    make_pr(tmp_path, github)
    env = runner_env(github, tmp_path, 7, workspace=None, post="check,tweet")
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "tweet" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_enterprise_server_api_url_and_pull_request_target(tmp_path: Path, github: FakeGitHub) -> None:
    github.path_prefix = "/api/v3"
    repo, base, _ = make_pr(tmp_path, github)
    # pull_request_target checks out the base branch: the PR's commits are not in the workspace.
    workspace = tmp_path / "base-checkout"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--no-local",
            "--single-branch",
            "--branch",
            "main",
            str(repo.root),
            str(workspace),
        ],
        check=True,
    )
    payload = github.payload(7, action="opened")
    env = runner_env(github, tmp_path, 7, workspace=workspace, event="pull_request_target", payload=payload)
    assert env["GITHUB_API_URL"].endswith("/api/v3")
    proc = run_gate(env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert len(github.check_runs) == 1
    # API-only on pull_request_target: the base config and the diff came from the API, even though the
    # workspace's git has the base commit.
    config_reads = github.requests_to("GET", r"/contents/\.github/ai-gate\.yml")
    assert [r for r in config_reads if r.query.get("ref") == base]
    assert github.requests_to("GET", r"/pulls/7$")
    assert github.requests_to("POST", r"^/api/graphql$")  # GraphQL beside /api/v3 on Enterprise Server


def test_unhandled_pull_request_actions_end_neutral(tmp_path: Path, github: FakeGitHub) -> None:
    make_pr(tmp_path, github)
    env = runner_env(github, tmp_path, 7, workspace=None, payload=github.payload(7, action="closed"))
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0 and "closed" in proc.stdout
    assert not github.requests


def test_a_blocking_finding_is_commented_once_across_runs(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write(
        "src/settings.py",
        'REGION = "eu"\nGITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"\nRETRIES = 3\n',
    )
    head = repo.commit("Add settings")
    pull_from_git(github, repo, base, head, number=7)
    env = runner_env(github, tmp_path, 7, workspace=None)
    for _ in range(2):
        proc = run_gate(env, tmp_path)
        assert proc.returncode == 1, proc.stderr  # fail: exit 1, results posted all the same
    outputs = read_outputs(tmp_path / "output")
    assert outputs["verdict"] == "fail" and int(outputs["blocking-findings"]) >= 1
    comments = github.review_comments[7]
    assert len(comments) == 1
    posted = json.dumps([r.body for r in github.requests])
    assert "ghp_R8x2" not in posted  # the secret itself is never posted anywhere
    assert len({c["body"] for c in comments}) == len(comments)
    assert all(c["path"] == "src/settings.py" and c["line"] == 2 for c in comments)
    assert len(github.reviews) == 1  # the second run found nothing new to comment
    assert len(github.issue_comments[7]) == 1
    assert [r["conclusion"] for r in github.check_runs.values()] == ["failure", "failure"]
    annotations = list(github.check_runs.values())[-1]["output"]["annotations"]
    assert any(a["path"] == "src/settings.py" and a["annotation_level"] == "failure" for a in annotations)
    assert [s["state"] for s in github.statuses] == ["failure", "failure"]
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    schema = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_the_cap_on_inline_comments_holds_for_the_pr_across_runs(tmp_path: Path, github: FakeGitHub) -> None:
    """130 findings on changed lines, and the gate run three times on one head (re-runs, or empty
    pushes): the PR gets 50 inline comments in all, not 50 more each run, and the review says truthfully
    where the other 80 are."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/names.py", "".join(f'N{i} = "na\u200bme{i}"\n' for i in range(130)))
    head = repo.commit("Add names")
    pull_from_git(github, repo, base, head, number=7)
    env = runner_env(github, tmp_path, 7, workspace=None)
    for _ in range(3):
        proc = run_gate(env, tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert len(github.review_comments[7]) == 50
    (review,) = github.reviews
    assert review["body"] == (
        "**AI Quality Gate**: 50 new findings on changed lines. 80 more are only in the check run and the "
        "summary comment: the gate leaves at most 50 inline comments on a PR."
    )


def test_a_pasted_marker_in_a_persons_comment_is_left_alone(tmp_path: Path, github: FakeGitHub) -> None:
    repo, _base, _head = make_pr(tmp_path, github)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    pasted = {"id": 999, "body": "<!-- ai-quality-gate -->\nlooks fine to me", "user": {"login": "mallory"}}
    github.issue_comments[7].append(pasted)
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace)
    assert proc.returncode == 0, proc.stderr
    assert github.issue_comments[7][0]["body"].endswith("looks fine to me")  # not edited
    ours = [c for c in github.issue_comments[7] if c["id"] != 999]
    assert len(ours) == 1 and ours[0]["body"].startswith("<!-- ai-quality-gate -->")
    assert not github.requests_to("PATCH", r"/issues/comments/999")
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert report["github"]["read_only_token"] is False, report["github"]


def test_the_action_runs_the_deterministic_stages_in_a_second_process(
    tmp_path: Path, github: FakeGitHub
) -> None:
    # A runner has two cores: the stages' process is forked there too, not only on the command line
    # (a thread left running by reading the pull request would keep the run in one process).
    repo, _base, _head = make_pr(tmp_path, github)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    hooks, forks = tmp_path / "hooks", tmp_path / "forks"
    hooks.mkdir()
    record = f"open({str(forks)!r}, 'a').write('fork\\n')"
    (hooks / "sitecustomize.py").write_text(
        f"import os\nos.register_at_fork(after_in_parent=lambda: {record})\n"
    )
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace, first=hooks)
    assert proc.returncode == 0, proc.stderr
    assert forks.read_text() == "fork\n"  # git's own processes are spawned, not forked from Python
