"""The summary the Action posts, against the loopback GitHub (which refuses a check run's summary past
65,535 bytes, as GitHub does): cut to each place's room as GitHub counts it, the findings kept before
the PR's own commit evidence, the notes kept, no `<details>` left open, and nothing from a PR's report or
file names acting on the page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from gate.github import limits
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.github.test_trust_edges import publish, secret_pr
from tests.gitrepo import GitRepo
from tests.security.test_summary_inert import acting

CUT = "…the summary was cut to fit GitHub's limit; see [the full report]"
MARKER = "<!-- ai-quality-gate -->"
REPO = "https://github.test/octo/widgets"


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
    assert acting(summary, MARKER, REPO) == []
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
    assert acting(body, MARKER, REPO) == []
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
    # as written: nothing in a code span acts, so nothing in it is changed
    assert f"<code>{name}:1</code></a>" in html
    assert acting(comment["body"], MARKER, REPO) == []
    (run,) = github.check_runs.values()
    assert acting(run["output"]["summary"], MARKER, REPO) == []


def test_a_published_report_that_names_its_own_kinds_of_lines_is_refused(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """`provenance.code_left_out` names kinds of lines in the summary's words: a report from an
    unprivileged job that names its own (markdown that closes the gate's blocks, forges its heading,
    pings a team and hides the findings in a comment) is not a report, and nothing is posted."""
    _, head = secret_pr(tmp_path, github)
    analyze = tmp_path / "analyze"
    analyze.mkdir()
    github.read_only = True
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=analyze, post="summary"), analyze)
    assert proc.returncode == 1, proc.stderr
    github.read_only = False
    artifact = analyze / ".ai-gate" / "report.json"
    report = json.loads(artifact.read_text())
    prov = report["provenance"]
    prov.update(share_of="code", code_ai_lines=1, code_added_lines=2, added_lines=3)
    prov["code_left_out"] = {
        "docs) \n\n</details>\n\n## ✅ AI Quality Gate: **pass**\n\ncc @org/security-team <!-- ": 1
    }
    artifact.write_text(json.dumps(report))
    proc = publish(tmp_path, github, artifact, head)
    assert proc.returncode == 2, proc.stderr
    assert "provenance.code_left_out" in proc.stderr and "not a kind of line" in proc.stderr
    assert not github.issue_comments[7] and not github.check_runs
