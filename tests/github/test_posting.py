"""Posting through the real PyGithub to the loopback GitHub: limits, de-duplication, fallbacks."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gate.diff.parser import parse_diff
from gate.github.client import GitHubClient, GitHubForbidden
from gate.github.commands import command, escape_property, write_annotations
from gate.github.environment import Target
from gate.github.limits import Room
from gate.github.posting import post_results
from gate.github.publish import ReportMismatch, publish_report
from gate.report.github_view import FindingView, PostContext, ReportView
from gate.report.sarif import to_sarif
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, read_outputs, runner_env
from tests.gitrepo import GitRepo

SCHEMA = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"


def finding(i: int, path: str, start: int | None, end: int | None = None, **kw: Any) -> dict[str, Any]:
    return {
        "id": f"f{i:04d}",
        "stage": "secrets",
        "rule": "secret",
        "path": path,
        "start_line": start,
        "end_line": end if end is not None else start,
        "severity": kw.pop("severity", "high"),
        "title": kw.pop("title", f"Finding {i}"),
        "body": kw.pop("body", "details"),
        "fingerprint": f"fp{i:04d}",
        "blocking": kw.pop("blocking", True),
        **kw,
    }


def report(findings: list[dict[str, Any]], verdict: str = "fail", **source: Any) -> ReportView:
    return ReportView.parse(
        {
            "schema_version": 1,
            "verdict": verdict,
            "reasons": ["because"],
            "source": source,
            "findings": findings,
        },
        "test",
    )


@pytest.fixture
def pr(tmp_path: Path, github: FakeGitHub) -> tuple[GitRepo, str, str]:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "".join(f"line {n}\n" for n in range(1, 41)))
    base = repo.commit("base")
    repo.write(
        "app.py", "".join(("changed" if n in (10, 11, 12, 30) else "line") + f" {n}\n" for n in range(1, 41))
    )
    head = repo.commit("change")
    pull_from_git(github, repo, base, head, number=3)
    return repo, base, head


def test_annotations_batched_review_deduplicated_comment_edited(
    pr: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    _, _, head = pr
    findings = [finding(500, "app.py", 10, 12, suggestion="fixed 10\nfixed 11\nfixed 12\n", title="range")]
    findings += [finding(i, "app.py", 10 + i % 3) for i in range(120)]
    findings.append(finding(501, "app.py", 20, title="@admin outside <b>the diff</b>"))  # not on a diff line
    findings.append(finding(502, "app.py", 11, 30, title="across hunks"))  # spans two hunks
    view = report(findings)
    diff = parse_diff(github.pulls[3].diff)
    client = GitHubClient(github.url, "t", github.repo)
    me = client.viewer_login()
    ctx = PostContext(view=view, number=3, head_sha=head, diff=diff, report_link="https://run", identity=me)
    for _ in range(2):
        result = post_results(client, ctx, frozenset(Target), step_summary=None)
        assert not result.failures, result.failures
    # 123 annotations: one create and two updates per run, never more than 50 in a request.
    assert all(len(b.get("output", {}).get("annotations", [])) <= 50 for b in github.check_run_requests)
    assert [len(r["output"]["annotations"]) for r in github.check_runs.values()] == [123, 123]
    # Inline: 120 line findings on 10..12 + the range, capped at 50 for the PR; each only once.
    comments = github.review_comments[3]
    keys = [c["body"].split("finding=")[1].split(" ")[0] for c in comments]
    assert len(keys) == len(set(keys))
    assert "fp0501" not in keys and "fp0502" not in keys
    ranged = next(c for c in comments if "fp0500" in c["body"])
    assert ranged["start_line"] == 10 and ranged["line"] == 12
    assert "```suggestion\nfixed 10\nfixed 11\nfixed 12\n```" in ranged["body"]
    assert len(github.issue_comments[3]) == 1
    body = github.issue_comments[3][0]["body"]
    assert "@admin" not in body and "<b>" not in body  # sanitized
    assert len(github.requests_to("PATCH", r"/issues/comments/")) == 0  # unchanged body: no edit needed
    assert all(len(s["description"]) <= 140 for s in github.statuses)
    # A third run: the cap is the PR's, not a run's; the first review filled it, and no run adds more.
    post_results(client, ctx, frozenset({Target.REVIEW}), step_summary=None)
    keys = [c["body"].split("finding=")[1].split(" ")[0] for c in github.review_comments[3]]
    assert len(keys) == len(set(keys)) == 50 and len(github.reviews) == 1


def test_annotations_stop_at_the_cap_blocking_first_and_the_check_says_how_many_more(
    pr: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    """A finding a line (a zero-width character on each of thousands of lines) must not spend the
    repository's hourly requests: 500 annotations at most, 10 requests, and the check says the rest."""
    _, _, head = pr
    minor = [finding(i, "app.py", 10, severity="low", blocking=False) for i in range(600)]
    serious = [finding(1000 + i, "app.py", 11, severity="medium", blocking=False) for i in range(100)]
    blocking = [finding(2000 + i, "app.py", 12) for i in range(30)]
    view = report([*minor, *serious, *blocking])
    ctx = PostContext(view=view, number=3, head_sha=head, diff=None, identity="me")
    client = GitHubClient(github.url, "t", github.repo)
    result = post_results(client, ctx, frozenset({Target.CHECK}), step_summary=None)
    assert not result.failures and "230 more not annotated" in result.posted[0]
    (run,) = github.check_runs.values()
    titles = [a["title"] for a in run["output"]["annotations"]]
    assert len(titles) == 500 and len(github.check_run_requests) == 10
    assert titles[:130] == [f"[high] Finding {2000 + i}" for i in range(30)] + [
        f"[medium] Finding {1000 + i}" for i in range(100)
    ]
    assert run["output"]["text"].startswith("230 more located finding(s) are not annotated")


def test_when_github_refuses_some_lines_the_comments_on_added_lines_are_posted(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """The diff GitHub holds can differ from the one the run read (a push raced it): here the run's has
    wider context, so a comment on a context line is refused (422). The retry keeps the comments on
    added lines, not every comment cut to one line."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "".join(f"line {n}\n" for n in range(1, 41)))
    base = repo.commit("base")
    repo.write(
        "app.py", "".join(("changed" if n in (10, 11, 12) else "line") + f" {n}\n" for n in range(1, 41))
    )
    head = repo.commit("change")
    pull_from_git(github, repo, base, head, number=3)  # GitHub's diff: 3 lines of context
    wide = parse_diff(repo.git("diff", "--no-color", "-U8", f"{base}...{head}"))
    findings = [
        {"id": "a", "stage": "secrets", "rule": "secret", "path": "app.py", "start_line": 10, "end_line": 11,
         "severity": "high", "title": "On added lines", "fingerprint": "fp-added", "blocking": True},
        {"id": "b", "stage": "secrets", "rule": "secret", "path": "app.py", "start_line": 18, "end_line": 18,
         "severity": "high", "title": "On a context line", "fingerprint": "fp-context", "blocking": True},
    ]  # fmt: skip
    view = ReportView.parse({"schema_version": 1, "verdict": "fail", "findings": findings}, "test")
    client = GitHubClient(github.url, "t", github.repo)
    ctx = PostContext(view=view, number=3, head_sha=head, diff=wide, identity=client.viewer_login())
    result = post_results(client, ctx, frozenset({Target.REVIEW}), step_summary=None)
    assert not result.failures, result.failures
    assert len(github.requests_to("POST", r"/pulls/3/reviews$")) == 2  # refused once, then posted
    (comment,) = github.review_comments[3]
    assert "fp-added" in comment["body"] and comment["line"] == 11 and comment.get("start_line") is None
    assert "1 left out" in result.posted[0]


def test_read_only_token_uses_workflow_commands(
    pr: tuple[GitRepo, str, str], github: FakeGitHub, tmp_path: Path
) -> None:
    github.read_only = True
    view = report([finding(1, "dir,x/a:b.py", 10, title="100% bad\nreally")])
    ctx = PostContext(view=view, number=3, head_sha=pr[2], diff=None, identity="token-owner")
    out = io.StringIO()
    summary = tmp_path / "summary.md"
    result = post_results(
        GitHubClient(github.url, "t", github.repo), ctx, frozenset(Target), step_summary=summary, stdout=out
    )
    assert result.read_only and len(result.failures) == 3  # no commentable line: no review tried
    text = out.getvalue()
    assert "::error file=dir%2Cx/a%3Ab.py,line=10,endLine=10,title=[high] 100%25 bad really::details" in text
    assert "could not write" in summary.read_text()


def test_workflow_commands_stop_at_what_the_runner_shows_and_say_so() -> None:
    blocking = [FindingView.model_validate(finding(i, "p.py", 3)) for i in range(12)]
    minor = [FindingView.model_validate(finding(100 + i, "p.py", 3, blocking=False)) for i in range(3)]
    out = io.StringIO()
    assert write_annotations([*blocking, *minor], out) == 13
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 10 + ["::warning"] * 3 + ["::notice"]
    assert "2 more finding(s)" in lines[-1]


def test_escaping_of_workflow_commands() -> None:
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    f = FindingView.model_validate(finding(1, "p.py", 3, body="x\ny%"))
    assert command(f).endswith("::x%0Ay%25")


def test_forbidden_is_not_retried(github: FakeGitHub) -> None:
    github.read_only = True
    client = GitHubClient(github.url, "t", github.repo)
    with pytest.raises(GitHubForbidden):
        client.create_status("a" * 40, {"state": "success", "context": "ai-quality-gate"})
    assert len(github.requests) == 1


def test_sarif_is_valid_2_1_0() -> None:
    view = report(
        [
            finding(1, "a.py", 3),
            finding(2, "b.py", None),
            finding(3, "c.py", 5, 9, severity="low", blocking=False),
        ]
    )
    sarif = to_sarif(view)
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error", "error", "note"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**sarif, "version": "2.0.0"}, json.loads(SCHEMA.read_text()))


def test_publish_checks_the_claimed_pr_and_head(
    pr: tuple[GitRepo, str, str], github: FakeGitHub, tmp_path: Path
) -> None:
    _, base, head = pr
    data = {
        "schema_version": 1,
        "verdict": "fail",
        "reasons": ["r"],
        "findings": [finding(1, "app.py", 10)],
        "source": {"pull_request": 3, "head_sha": head},
        "github": {"repository": github.repo},
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    env = runner_env(
        github,
        tmp_path,
        3,
        workspace=None,
        event="workflow_run",
        payload={"workflow_run": {"head_sha": head, "pull_requests": [], "html_url": "https://r"}},
    )
    assert publish_report(path, env) == 1  # the verdict
    assert len(github.check_runs) == 1 and len(github.review_comments[3]) == 1
    assert read_outputs(tmp_path / "output")["verdict"] == "fail"
    data["source"]["head_sha"] = base
    path.write_text(json.dumps(data))
    with pytest.raises(ReportMismatch):
        publish_report(path, env)
    assert len(github.check_runs) == 1


def test_summary_is_cut_to_the_limit_with_a_link_to_the_full_report() -> None:
    from gate.report.github_summary import render_summary

    view = report([finding(i, "a.py", i + 1, title="x" * 150) for i in range(100)])
    full = render_summary(view, report_link="https://run/1", room=Room(1_000_000))
    assert full.count("| 🚫 |") == 100
    cut = render_summary(view, report_link="https://run/1", room=Room(5_000))
    assert len(cut) <= 5_000
    assert cut.rstrip().endswith("see [the full report](https://run/1).")
    assert 0 < cut.count("| 🚫 |") < 100


def test_the_fake_tells_who_a_token_is_as_github_does(
    pr: tuple[GitRepo, str, str], github: FakeGitHub
) -> None:
    """An installation token (the Actions GITHUB_TOKEN) is its app's bot, a personal token its user;
    comments are written by that identity and only their author may edit them."""
    bot = GitHubClient(github.url, "ghs_" + "i" * 36, github.repo)
    github.tokens["ghp_mallory"] = "mallory"
    person = GitHubClient(github.url, "ghp_mallory", github.repo)
    assert bot.viewer_login() == "github-actions[bot]" and person.viewer_login() == "mallory"
    theirs = person.create_issue_comment(3, "<!-- ai-quality-gate -->\nforged")
    assert [c.user_login for c in bot.issue_comments(3)] == ["mallory"]
    with pytest.raises(GitHubForbidden):
        bot.edit_issue_comment(theirs, "edited")
    assert len(github.requests_to("POST", r"^/graphql$")) == 2
