"""Files GitHub shows no patch for, read through the API (the documented fork setup): binary by the PR's
own `.gitattributes` (`*.py -diff`) or by a NUL byte, or a diff too large to show. Their lines are read
from their contents; a real binary stays a gap in the coverage, and so does a file past the size bound.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.context.git_diff import MAX_TEXT_BINARY_BYTES
from gate.github.client import DIFF_MEDIA_TYPE, GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from gate.github.unshown import MAX_DIFFED_LINES, MAX_UNSHOWN_READS
from gate.replay import replay_trace
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"
# A real image: the PNG signature's first byte (0x89) cannot start a UTF-8 character.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(range(256))
DIFF_TOO_LARGE = "Sorry, the diff exceeded the maximum number of lines (20000)."


def hidden_pr(tmp_path: Path, github: FakeGitHub) -> None:
    """A PR that makes every Python file one GitHub shows no patch for, in two commits."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write(".gitattributes", "*.py -diff\n")
    repo.write("logo.png", PNG)
    repo.commit("Add a logo")
    # A NUL byte (legal in a Python string) too: git and GitHub call the file binary for it alone.
    repo.write("src/settings.py", f'REGION = "eu"\nSEPARATOR = "\x00"\nGITHUB_TOKEN = "{TOKEN}"\n')
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n\n\ndef mean(items):\n    return 0\n")
    head = repo.commit("Add settings")
    pull_from_git(github, repo, base, head, number=7)


@pytest.mark.parametrize("listing", ["diff", "files list"])
def test_files_the_pr_hides_from_github_s_diff_are_read_from_their_contents(
    tmp_path: Path, github: FakeGitHub, listing: str
) -> None:
    hidden_pr(tmp_path, github)
    # GitHub shows none of these files' lines, in the diff or the files lists.
    unshown = {f["filename"] for f in github.pulls[7].files if "patch" not in f}
    assert unshown == {"src/app.py", "src/settings.py", "logo.png"}
    assert "Binary files a/src/app.py and b/src/app.py differ" in github.pulls[7].diff
    if listing == "files list":
        github.fail("GET", r"/pulls/7$", 406, message=DIFF_TOO_LARGE, accept=DIFF_MEDIA_TYPE)
    workspace = tmp_path / "ws"  # pull_request_target, no checkout: the API only
    workspace.mkdir()
    proc = run_gate(
        runner_env(github, tmp_path, 7, workspace=workspace, event="pull_request_target"), workspace
    )
    assert proc.returncode == 1, proc.stderr
    report: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert report["verdict"] == "fail"
    found = {(f["stage"], f["path"]) for f in report["findings"]}
    assert ("secrets", "src/settings.py") in found
    assert ("injection-text", "src/settings.py") in found  # the NUL byte
    assert report["source"]["added_lines"] == 3 + 4 + 1  # settings.py, app.py, .gitattributes
    gaps = {g["path"]: g["kind"] for g in report["coverage"]["gaps"] if g.get("path")}
    assert gaps["logo.png"] == "binary"  # a real image stays a gap
    assert "src/app.py" not in gaps  # (the parsers leave out a file with a NUL byte, as from git)
    assert any("showed no patch: src/app.py, src/settings.py" in n for n in report["notes"])
    assert any(
        n.startswith("logo.png: ") and "is binary (its content is not text)" in n for n in report["notes"]
    )
    # GitHub's diff shows none of these lines: no review comment is placed on one (GitHub answers 422).
    assert not [r for r in github.requests if r.status == 422]


def changeset_of(github: FakeGitHub, number: int = 7) -> Any:
    event = read_event("pull_request", github.payload(number))
    assert isinstance(event, PullRequestEvent)
    return load_pull_changeset(GitHubClient(github.url, "t", github.repo), event, None, ())


def test_a_file_whose_diff_is_too_large_to_show_is_read_from_its_blob(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README", "base\n")
    base = repo.commit("Initial")
    padding = "".join(f"ROW_{i:05d} = {'x' * 48!r}\n" for i in range(20_000))
    repo.write("src/table.py", padding + f'KEY = "{TOKEN}"\n')
    head = repo.commit("Add a table")
    pull_from_git(github, repo, base, head, number=7)
    assert "patch" not in github.pulls[7].files[0]  # past 20,000 lines and 1 MB: GitHub shows none

    cs = changeset_of(github)
    change = cs.diff.by_path["src/table.py"]
    assert not change.is_binary and change.added_count == 20_001
    assert change.added[-1].text == f'KEY = "{TOKEN}"'
    # Past 1 MB the contents API gives no content: the file was read through its blob.
    assert github.requests_to("GET", r"/git/blobs/[0-9a-f]{40}$")
    assert set(cs.line_origins["src/table.py"]) == set(range(1, 20_002))


def test_a_file_past_the_bound_stays_a_gap_and_says_why(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README", "base\n")
    base = repo.commit("Initial")
    repo.write(".gitattributes", "*.py -diff\n")
    repo.write("src/huge.py", "# pad\n" * (MAX_TEXT_BINARY_BYTES // 6 + 1))
    head = repo.commit("Add a huge file")
    pull_from_git(github, repo, base, head, number=7)

    cs = changeset_of(github)
    change = cs.diff.by_path["src/huge.py"]
    assert change.is_binary and not change.hunks
    assert any(n.startswith("src/huge.py: ") and "past the 10,000,000-byte limit" in n for n in cs.diff.notes)
    assert not github.requests_to("GET", r"/git/blobs/")  # its size was enough to know


def test_each_commit_s_unshown_files_are_read_for_line_attribution(
    tmp_path: Path, github: FakeGitHub
) -> None:
    hidden_pr(tmp_path, github)
    head = github.pulls[7].head_sha
    cs = changeset_of(github)
    assert cs.line_origins["src/settings.py"] == dict.fromkeys((1, 2, 3), head)
    assert set(cs.line_origins["src/app.py"].values()) == {head}
    assert cs.diff.by_path["logo.png"].is_binary
    # Read at the commit that changed them (and its parent), as each commit's files list shows no patch.
    assert github.requests_to("GET", r"/contents/src/settings\.py$")


def test_a_file_too_long_to_compare_is_taken_as_added_whole(tmp_path: Path, github: FakeGitHub) -> None:
    """difflib's matching grows with the square of the lines where the same lines repeat in another order
    (10,000 such lines took 13 s), and the PR chooses them: past the bound, every head line is added."""
    repo = GitRepo(tmp_path / "origin")
    repo.write(".gitattributes", "*.py -diff\n")
    lines = MAX_DIFFED_LINES * 5
    repo.write("src/rows.py", "".join(f"x{i % 100} = 0\n" for i in range(lines)))
    base = repo.commit("Initial")
    repo.write("src/rows.py", "".join(f"x{i * 7 % 100} = 0\n" for i in range(lines)) + f'KEY = "{TOKEN}"\n')
    head = repo.commit("Shuffle the rows")
    pull_from_git(github, repo, base, head, number=7)

    cs = changeset_of(github)
    change = cs.diff.by_path["src/rows.py"]
    assert change.added_count == lines + 1 and change.added[-1].text == f'KEY = "{TOKEN}"'
    assert any("too many lines to compare" in note for note in change.notes)


def test_a_file_hidden_in_many_commits_is_read_once_a_version(tmp_path: Path, github: FakeGitHub) -> None:
    """Each commit's files list shows the file with no patch, and each commit is read for line
    attribution: its versions are asked for once each in the run, not twice a commit."""
    repo = GitRepo(tmp_path / "origin")
    repo.write(".gitattributes", "*.py -diff\n")
    repo.write("src/gen.py", "VERSION = 0\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    versions = ("VERSION = 1\n", f'VERSION = 2\nKEY = "{TOKEN}"\n')
    commits = 8
    for i in range(commits):
        repo.write("src/gen.py", versions[i % 2])
        repo.commit(f"Regenerate {i}")
    head = repo.head()
    pull_from_git(github, repo, base, head, number=7)
    assert all("patch" not in f for files in github.commit_files.values() for f in files)

    cs = changeset_of(github)

    change = cs.diff.by_path["src/gen.py"]
    assert [line.text for line in change.added] == ["VERSION = 2", f'KEY = "{TOKEN}"']
    assert cs.line_origins["src/gen.py"] == {1: head, 2: head}
    # Three versions (the base's and the two the commits alternate between), each read once: not
    # 2 + 2 x 8 requests, one for each side of the PR and of each commit.
    reads = github.requests_to("GET", r"/contents/src/gen\.py$")
    assert len(reads) == 3 and len({r.query["ref"] for r in reads}) == 3


def test_past_the_run_s_reads_a_file_is_not_read_and_says_so(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README", "base\n")
    base = repo.commit("Initial")
    repo.write(".gitattributes", "*.py -diff\n")
    for i in range(MAX_UNSHOWN_READS):
        repo.write(f"src/gen/m{i:04d}.py", f"VALUE = {i}\n")
    repo.write("src/z_last.py", f'KEY = "{TOKEN}"\n')  # listed last: past the bound
    head = repo.commit("Add generated modules")
    pull_from_git(github, repo, base, head, number=7)

    cs = changeset_of(github)

    assert len(github.requests_to("GET", r"/contents/")) == MAX_UNSHOWN_READS
    assert not cs.diff.by_path["src/gen/m0000.py"].is_binary
    last = cs.diff.by_path["src/z_last.py"]
    assert last.is_binary and not last.hunks  # a gap in the coverage, never a file read and passed
    assert any(
        n.startswith("src/z_last.py: ") and f"the run reads at most {MAX_UNSHOWN_READS:,}" in n
        for n in cs.diff.notes
    )
    assert any("were not read, past the run's bounds" in n for n in cs.notes)
    # The report lists it among what the run did not cover, with why.
    workspace = tmp_path / "ws"
    workspace.mkdir()
    run_gate(runner_env(github, tmp_path, 7, workspace=workspace, event="pull_request_target"), workspace)
    report: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    gaps = {g["path"]: g["reason"] for g in report["coverage"]["gaps"] if g.get("path")}
    assert list(gaps) == ["src/z_last.py"]
    assert any(n.startswith("src/z_last.py: ") and "was not read" in n for n in report["notes"])
    # What was not read may hold anything: the run is no pass, and says why.
    assert report["verdict"] == "neutral"
    assert any(r.startswith("not read: 1 file GitHub showed no patch for") for r in report["reasons"])
    assert " ".join(report["reasons"]).count("src/z_last.py") == 1  # named once, not again as not text
    # A replay of the run's trace reaches the same verdict for the same reason.
    replayed = replay_trace(workspace / ".ai-gate" / "trace.jsonl")
    assert replayed.verdict == "neutral" and replayed.reasons == tuple(report["reasons"])


def test_a_utf_16_file_is_read_from_its_contents(tmp_path: Path, github: FakeGitHub) -> None:
    """PowerShell writes UTF-16: to GitHub every other byte is a NUL, so it shows the file as binary."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("deploy.ps1", f'$token = "{TOKEN}"\nWrite-Host done\n'.encode("utf-16"))
    head = repo.commit("Add the deploy script")
    pull_from_git(github, repo, base, head, number=7)

    change = changeset_of(github).diff.by_path["deploy.ps1"]

    assert not change.is_binary
    assert [line.text for line in change.added] == [f'$token = "{TOKEN}"', "Write-Host done"]


def test_a_binary_file_that_may_be_text_is_named_and_an_image_is_not(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """Bytes of no binary format the gate knows may be text a tool reads (`Diff.maybe_text`, which
    leaves the verdict neutral); a real image is only a gap."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("README", "base\n")
    base = repo.commit("Initial")
    repo.write("logo.png", PNG)
    repo.write("docs/notes.dat", bytes(range(256)) * 4)
    head = repo.commit("Add a logo and notes")
    pull_from_git(github, repo, base, head, number=7)

    cs = changeset_of(github)

    assert cs.diff.by_path["logo.png"].is_binary and cs.diff.by_path["docs/notes.dat"].is_binary
    assert cs.diff.maybe_text == ("docs/notes.dat",)
