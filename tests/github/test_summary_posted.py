"""The summary the Action posts, against the loopback GitHub (which refuses a check run's summary past
65,535 bytes, as GitHub does): cut to each place's room as GitHub counts it, the findings kept before
the PR's own commit evidence, the notes kept, and no `<details>` left open; a file name shown whole as
code, whatever it holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from gate.github import limits
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

CUT = "…the summary was cut to fit GitHub's limit; see [the full report]"


def many_ai_commits(repo: GitRepo, name: str) -> None:
    """50 commits, each with five `Co-authored-by` trailers of a long name: the PR's author writes them."""
    body = "x = 0\n"
    for i in range(50):
        body += f"v{i} = {i}\n"
        repo.write("src/app.py", body)
        trailers = "\n".join(
            f"Co-authored-by: Claude {name} {i}-{k} <noreply@anthropic.com>" for k in range(5)
        )
        repo.commit(f"Step {i} {name[:60]}\n\n{trailers}")


def gate_pr(tmp_path: Path, github: FakeGitHub, repo: GitRepo, base: str, head: str) -> str:
    """Run the Action on the PR, posting the check run and the summary comment; its stderr."""
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace, post="check,comment"), workspace)
    assert proc.returncode == 1, proc.stderr
    return proc.stderr


def test_a_summary_past_65535_bytes_still_makes_the_check_run(tmp_path: Path, github: FakeGitHub) -> None:
    """Commit evidence in CJK takes three bytes a character: fewer than 65,535 characters are more bytes
    than a check run's summary takes. The check run's summary is cut by bytes; the comment, counted in
    characters, is whole."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "x = 0\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    many_ai_commits(repo, "開発支援エージェント" * 16)
    for i in range(30):
        repo.write(
            f"設定/{'環境設定' * 8}/{i}.py", f'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8P{i:04d}"\n'
        )
    head = repo.commit("Add settings")
    gate_pr(tmp_path, github, repo, base, head)
    (run,) = github.check_runs.values()
    summary = run["output"]["summary"]
    assert len(summary.encode("utf-8")) <= limits.CHECK_SUMMARY_MAX_BYTES
    assert CUT in summary and "| 🚫 | high | secrets |" in summary
    (comment,) = github.issue_comments[7]
    assert CUT not in comment["body"] and comment["body"].count("<details><summary><code>") == 50
    assert len(comment["body"].encode("utf-8")) > limits.CHECK_SUMMARY_MAX_BYTES


def test_a_cut_comment_keeps_the_findings_the_notes_and_no_details_open(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """A hundred findings and fifty commits of long evidence: the comment is cut in the commits, closes
    the block it cuts, and still says the check run could not be posted."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "x = 0\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    many_ai_commits(repo, "pad" * 80)
    folder = "src/" + "/".join(["configuration"] * 8)
    for i in range(100):
        repo.write(
            f"{folder}/settings_{i:03d}.py", f'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8P{i:04d}"\n'
        )
    head = repo.commit("Add settings")
    github.fail("POST", r"/check-runs$", 422, message="Validation Failed")
    stderr = gate_pr(tmp_path, github, repo, base, head)
    assert "could not post the check" in stderr and not github.check_runs
    (comment,) = github.issue_comments[7]
    body = comment["body"]
    assert len(body) <= limits.COMMENT_BODY_MAX_CHARS and CUT in body
    assert body.count("| 🚫 | high | secrets |") == 100
    assert 0 < body.count("<details><summary><code>") < 50  # the commits are what was cut
    notes = body[body.index("<details><summary>Notes</summary>") :]
    assert "could not post the check: cannot create the check run: HTTP 422" in notes
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    assert html.count("<details>") == html.count("</details>")


def test_a_backtick_in_a_file_name_stays_inside_its_link(tmp_path: Path, github: FakeGitHub) -> None:
    """A file name may hold a backtick: it must not end the code span of the file's link in the Findings
    table, which would make the rest of the name a link and bold text of the PR's choosing."""
    name = "x`](/attacker/repo/pull/1) **✅ verified safe by the security team** `.py"
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "x = 0\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write(name, 'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"\n')
    head = repo.commit("Add settings")
    gate_pr(tmp_path, github, repo, base, head)
    (comment,) = github.issue_comments[7]
    html = cmarkgfm.github_flavored_markdown_to_html(comment["body"], options=Options.CMARK_OPT_UNSAFE)
    assert '<a href="/attacker/repo/pull/1">' not in html
    assert "<strong>✅ verified safe by the security team</strong>" not in html
    assert f"<code>{name.replace('&', '&amp;')}:1</code></a>" in html
    (run,) = github.check_runs.values()
    assert '<a href="/attacker/repo/pull/1">' not in run["output"]["summary"]
