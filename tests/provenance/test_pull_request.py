"""PR-level signals and how they combine with commit evidence (rules in gate/provenance/pull_request.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from gate.config.models import AIIdentity, Provenance
from gate.context.model import ChangeSet, Commit, Person, PullRequestInfo
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.provenance.estimate import estimate
from gate.provenance.pull_request import by_pr_author, pr_signals
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import github, pull_from_git, runner_env  # noqa: F401
from tests.gitrepo import GitRepo

ALICE = Person("Alice Doe", "alice@example.com")
COPILOT = Person("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")


def _sha(n: int) -> str:
    return f"{n:040x}"


def _file(path: str, n: int) -> FileChange:
    lines = tuple(DiffLine(LineKind.ADDED, None, i, f"{path} {i}") for i in range(1, n + 1))
    return FileChange(path, None, FileStatus.ADDED, (Hunk(0, 0, 1, n, "", lines),))


def _modified(path: str, n: int) -> FileChange:
    """A modified file: n added lines in runs of 25, each after 3 context lines and 2 removed ones."""
    rows: list[DiffLine] = []
    old = new = 1
    for _ in range(n // 25):
        for _ in range(3):
            rows.append(DiffLine(LineKind.CONTEXT, old, new, "ctx"))
            old, new = old + 1, new + 1
        rows += [
            DiffLine(LineKind.REMOVED, old, None, "old"),
            DiffLine(LineKind.REMOVED, old + 1, None, "old"),
        ]
        old += 2
        for _ in range(25):
            rows.append(DiffLine(LineKind.ADDED, None, new, "new"))
            new += 1
    return FileChange(path, path, FileStatus.MODIFIED, (Hunk(1, old - 1, 1, new - 1, "", tuple(rows)),))


def _changeset(commits: list[Commit], sizes: list[int], pr: PullRequestInfo | None) -> ChangeSet:
    """Commit i adds `sizes[i]` lines to its own file f<i>.py."""
    files = tuple(_file(f"f{i}.py", n) for i, n in enumerate(sizes))
    origins = {f"f{i}.py": dict.fromkeys(range(1, n + 1), commits[i].sha) for i, n in enumerate(sizes) if n}
    return ChangeSet("github", Diff(files), tuple(commits), origins, pr=pr)


def test_body_marker_attributes_the_pr_authors_unmarked_commits() -> None:
    mine = Commit(_sha(1), ALICE, None, "Implement the task")
    theirs = Commit(_sha(2), Person("Bob", "bob@example.com"), None, "Review fix")
    pr = PullRequestInfo(
        number=3,
        author_login="alice",
        body="Adds X.\n\n[Codex Task](https://chatgpt.com/codex/tasks/task_e_68a1)",
        commit_logins={_sha(1): "alice", _sha(2): "bob"},
    )
    result = estimate(_changeset([mine, theirs], [10, 4], pr), Provenance())
    assert (result.ai_lines, result.added_lines, result.tools) == (10, 14, {"codex": 10})
    rows = {c.sha: c for c in result.commits}
    assert (rows[_sha(1)].tool, [str(e) for e in rows[_sha(1)].evidence]) == (
        "codex",
        ["PR body: [Codex Task](https://chatgpt.com/codex/tasks/task_e_68a1)"],
    )
    assert not rows[_sha(2)].ai
    assert "PR-level marks" in result.basis
    assert any("attributed to codex by the PR-level marks" in n for n in result.notes)


def test_pr_author_is_read_from_noreply_addresses_when_logins_are_missing() -> None:
    pr = PullRequestInfo(author_login="Copilot")
    assert by_pr_author(Commit(_sha(1), COPILOT, None, "x"), pr) is True
    assert (
        by_pr_author(Commit(_sha(2), Person("B", "1+bob@users.noreply.github.com"), None, "x"), pr) is False
    )
    assert by_pr_author(Commit(_sha(3), ALICE, None, "x"), pr) is None
    assert by_pr_author(Commit(_sha(3), ALICE, None, "x"), None) is None


def test_commit_whose_author_cannot_be_told_stays_human_and_is_said() -> None:
    pr = PullRequestInfo(author_login="alice", head_branch="devin/1718000000-fix-login")
    result = estimate(_changeset([Commit(_sha(1), ALICE, None, "Fix login")], [5], pr), Provenance())
    assert result.ai_lines == 0
    assert [str(e) for e in result.pr_evidence] == ["PR branch: devin/1718000000-fix-login"]
    assert any("could not be matched to the PR author" in n for n in result.notes)


def test_copilot_plan_commit_marks_the_pr_but_adds_nothing() -> None:
    plan = Commit(_sha(1), COPILOT, None, "Initial plan")
    work = Commit(
        _sha(2), COPILOT, None, "Add the endpoint\n\nCo-authored-by: alice <1+alice@users.noreply.github.com>"
    )
    fix = Commit(_sha(3), ALICE, None, "Fix a test by hand")
    pr = PullRequestInfo(
        author_login="Copilot", commit_logins={_sha(1): "Copilot", _sha(2): "Copilot", _sha(3): "alice"}
    )
    result = estimate(_changeset([plan, work, fix], [0, 20, 3], pr), Provenance())
    assert (result.ai_lines, result.added_lines) == (20, 23)
    rows = {c.sha: c for c in result.commits}
    assert (rows[_sha(1)].ai, rows[_sha(1)].added_lines) == (True, 0)
    assert not rows[_sha(3)].ai
    assert [e.kind for e in result.pr_evidence] == ["PR author", "plan commit"]
    assert any("planning commit" in n for n in result.notes)


def test_plan_commit_alone_is_a_pr_mark() -> None:
    signals = pr_signals(None, Provenance(), [])
    assert signals.tool is None
    plan = Commit(_sha(1), COPILOT, None, "Initial plan")
    result = estimate(_changeset([plan], [0], None), Provenance())
    assert [e.kind for e in result.pr_evidence] == ["plan commit"]


def test_each_pr_body_marker_names_its_tool() -> None:
    bodies = {
        "devin": "Link to Devin run: https://app.devin.ai/sessions/0a1b2c",
        "jules": "PR created automatically by Jules for task [123](https://jules.google.com/task/123)",
        "copilot": "Fixes #4\n\n<!-- START COPILOT CODING AGENT SUFFIX -->\nhidden",
        "cursor": "[Open in Cursor](https://cursor.com/background-agent?bcId=bc-1234-abcd)",
        "claude-code": "Summary\n\n🤖 Generated with [Claude Code](https://claude.ai/code)",
        "codex": "[Codex Task](https://chatgpt.com/codex/tasks/task_e_1)",
    }
    for tool, body in bodies.items():
        signals = pr_signals(PullRequestInfo(body=body), Provenance())
        assert signals.tool == tool, body
        assert signals.evidence[0].kind == "PR body"


def test_look_alikes_are_not_pr_marks() -> None:
    pr = PullRequestInfo(author_login="coderabbitai[bot]", head_branch="codex/fix-typo", labels=("bug",))
    signals = pr_signals(pr, Provenance())
    assert (signals.tool, signals.evidence, signals.whole_pr) == (None, (), None)
    assert len(signals.notes) == 2


def test_a_pr_body_that_speaks_of_the_claude_footer_is_no_mark() -> None:
    body = "Drops the 'Generated with Claude Code' footer our release tool copied into the changelog."
    assert pr_signals(PullRequestInfo(body=body), Provenance()).evidence == ()


def test_marks_are_ordered_strongest_first_and_configured_logins_win() -> None:
    pr = PullRequestInfo(author_login="devin-ai-integration[bot]", head_branch="cursor/x-1a2b")
    assert [e.tool for e in pr_signals(pr, Provenance()).evidence] == ["devin", "cursor"]
    config = Provenance(ai_identities=(AIIdentity(login="Devin-AI-Integration[bot]", tool="windsurf"),))
    assert pr_signals(pr, config).tool == "windsurf"
    q = PullRequestInfo(labels=("Amazon Q development agent",))
    assert pr_signals(q, Provenance()).tool == "amazon-q"


def test_label_makes_lines_with_no_commit_ai_with_the_prs_tool() -> None:
    pr = PullRequestInfo(author_login="google-labs-jules[bot]", labels=("ai-generated",))
    cs = ChangeSet("diff", Diff((_file("x.py", 7),)), pr=pr)
    result = estimate(cs, Provenance())
    assert (result.ai_lines, result.tools) == (7, {"jules": 7})
    assert [str(e) for e in result.pr_evidence] == [
        "PR label: ai-generated",
        "PR author: google-labs-jules[bot]",
    ]
    assert estimate(cs, Provenance(ai_labels=())).ai_lines == 0


def test_lines_with_no_origin_go_to_the_last_commit_that_touched_the_file() -> None:
    early = Commit(_sha(1), ALICE, None, "start\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
    late = Commit(_sha(2), ALICE, None, "finish by hand")
    diff = Diff((_file("a.py", 6), _file("b.py", 2)))
    origins = {"a.py": {1: _sha(2), 2: _sha(1)}}  # lines 3-6 and all of b.py have no origin
    result = estimate(ChangeSet("git", diff, (early, late), origins), Provenance())
    assert result.ai_line_map == {"a.py": frozenset({2})}
    rows = {c.sha: c for c in result.commits}
    assert (rows[_sha(2)].added_lines, rows[_sha(1)].added_lines) == (5, 1)
    assert any("2 added lines could not be tied" in n for n in result.notes)


def test_plain_diff_has_no_commit_evidence() -> None:
    result = estimate(ChangeSet("diff", Diff((_file("a.py", 3),))), Provenance())
    assert (result.ai_share, result.added_lines) == (0.0, 3)
    assert result.basis == ("no commit metadata (plain diff)",)
    empty = estimate(ChangeSet("diff", Diff(())), Provenance())
    assert (empty.ai_share, empty.added_lines) == (0.0, 0)


def test_estimate_is_fast_on_a_large_series() -> None:
    """200,000 added lines in 2,000 files (half new, half modified), 300 commits, a third with a trailer."""
    commits = [
        Commit(
            _sha(i),
            ALICE,
            None,
            f"c{i}\n\n" + ("Co-authored-by: Cursor Agent <cursoragent@cursor.com>" if i % 3 == 0 else ""),
        )
        for i in range(300)
    ]
    files = tuple((_file if f % 2 else _modified)(f"src/m{f}.py", 100) for f in range(2000))
    origins = {
        change.path: {
            ln.new_no: commits[(f + i // 10) % 300].sha for i, ln in enumerate(change.added_lines())
        }
        for f, change in enumerate(files)
    }
    cs = ChangeSet("git", Diff(files), tuple(commits), origins)
    result = estimate(cs, Provenance())
    assert result.added_lines == 200_000
    assert 0.30 < result.ai_share < 0.37


@pytest.mark.parametrize(
    ("branch", "tool"),
    [
        ("claude/polymarket-copy-bot-xcdOo", "claude-code"),
        ("claude/ecstatic-wozniak-9aihy8", "claude-code"),
        ("claude/fix-telegram-service-import-015zTw5FAomJkH5A4vPssX23", "claude-code"),
        ("cursor/dominant-lesion-card-0681", "cursor"),
        ("cursor/fix-native-localhost-oauth-bacf", "cursor"),
        ("devin/1760968012-lotto-v2-usdt", "devin"),
        ("copilot/fix-1234", "copilot"),
        ("openhands/fix-issue-12", "openhands"),
        ("claude/issue-11-20251026-1529", "claude-code"),
        ("claude/pr-42-20251026-1529", "claude-code"),
        ("claude/issue-3-20250530_123456", "claude-code"),
        ("openhands-fix-issue-5", "openhands"),
        ("openhands-fix-issue-5-try2", "openhands"),
        ("claude/issue-11-login", None),
        ("openhands-fix-issue-5-login", None),
        ("claude/retry-backoff", None),
        ("claude/add-tests", None),
        ("claude/fix-cache", None),
        ("cursor/blink-rate", None),
        # people's issue numbers, ticket keys, versions and hex-spelled words are not an agent's suffix
        ("claude/fix-login-10432", None),
        ("claude/JIRA-12345", None),
        ("claude/bump-deps-v2024", None),
        ("cursor/fix-issue-1234", None),
        ("cursor/bug-4711", None),
        ("cursor/PROJ-1234", None),
        ("cursor/blink-fade", None),
        ("cursor/menu-cafe", None),
        ("cursor/fix-issue-1234-a3f9", "cursor"),
        ("devin/retry-backoff", None),
        ("devin/1760968012", None),
    ],
)
def test_a_branch_counts_only_in_the_shape_its_agent_gives_it(branch: str, tool: str | None) -> None:
    signals = pr_signals(PullRequestInfo(author_login="someone", head_branch=branch), Provenance())
    assert signals.tool == tool
    if tool is None:
        assert signals.evidence == ()
        assert [n.split(":")[0] for n in signals.notes] == [f"branch {branch}"]
        assert "not in the shape" in signals.notes[0]


@pytest.mark.parametrize(
    ("branch", "login", "author"),
    [
        ("devin/retry-backoff", "devin-okafor", ("Devin Okafor", "devin.okafor@example.com")),
        ("claude/retry-backoff", "claude-martin", ("Claude Martin", "claude.martin@example.com")),
        ("cursor/blink-rate", "mhughes", ("Maya Hughes", "maya@example.com")),
    ],
)
def test_a_persons_name_slash_topic_branch_leaves_their_pr_human(
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    branch: str,
    login: str,
    author: tuple[str, str],
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "# retry\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write(
        "src/retry.py", "".join(f"def backoff_{i}(n, d):\n    return min(d * 2**n, {i})\n" for i in range(40))
    )
    head = repo.commit("Add retry backoff helpers", author=author)
    pull_from_git(github, repo, base, head, number=7, head_ref=branch, user=login, logins={head: login})
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for key, value in runner_env(github, tmp_path, 7, workspace=workspace).items():
        if key not in ("PATH", "HOME"):
            monkeypatch.setenv(key, value)
    assert main(["github"]) == 0
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    provenance = report["provenance"]
    assert (provenance["ai_lines"], provenance["added_lines"]) == (0, 80)
    assert provenance["pr_evidence"] == []
    assert any(n.startswith(f"branch {branch}: not in the shape") for n in provenance["notes"])
    assert report["stages"]["regen"]["ran"] is False
