"""A commit's `encoding` header and a patch's MIME charsets are the author's to write.

Git stores whatever `i18n.commitEncoding` names, and `git log` shows the message as UTF-8 when iconv
does not know the name. Python knows names that are no text encoding (rot13, base64) and codecs that
raise even when asked to replace what they cannot read (idna): such a header once stopped the whole run
with an internal error. The message is now read as UTF-8, as for a name no codec knows, and the run goes
on with the commit's trailers read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gate.cli import main
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import github, pull_from_git, runner_env  # noqa: F401
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["check", *args, "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _commit_in(repo: GitRepo, encoding: str, message: bytes) -> str:
    """A commit whose header names `encoding`, its message the bytes given."""
    message_file = repo.root.parent / "message.txt"
    message_file.write_bytes(message)
    repo.git("add", "-A")
    repo.git("-c", f"i18n.commitEncoding={encoding}", "commit", "-q", "-F", str(message_file))
    return repo.head()


def _pr(repo: GitRepo, encoding: str, message: bytes = b"Add x\n\n" + CLAUDE.encode()) -> tuple[str, str]:
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    repo.branch("pr")
    repo.write("x.py", "x = 1\n")
    return base, _commit_in(repo, encoding, message)


# ibm039 is cp037 (EBCDIC) to Python and unknown to iconv: git shows the message's bytes as UTF-8, the
# trailer plain, and reading them as EBCDIC made the trailer mojibake (an AI commit read as a person's).
@pytest.mark.parametrize(
    "encoding", ["rot13", "idna", "base64", "undefined", "ibm039", "cp037", "utf-16", "utf-7"]
)
def test_a_commit_in_an_encoding_that_cannot_read_ascii_as_text_is_read_as_utf8(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    _pr(repo, encoding)
    assert f"encoding {encoding}" in repo.git("cat-file", "commit", "pr")

    code, report = _check(["--repo", str(repo.root), "--base", "main", "--head", "pr"], capsys)

    assert code == 0
    (commit,) = report["provenance"]["commits"]
    assert (commit["subject"], commit["tool"]) == ("Add x", "claude-code")
    assert report["provenance"]["ai_lines"] == report["provenance"]["added_lines"] == 1


def test_a_commit_in_a_text_encoding_is_decoded_from_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _pr(repo, "ISO-8859-1", "Caf\u00e9 x\n\n".encode("latin-1") + CLAUDE.encode())

    code, report = _check(["--repo", str(repo.root), "--base", "main", "--head", "pr"], capsys)

    assert code == 0
    (commit,) = report["provenance"]["commits"]
    assert (commit["subject"], commit["tool"]) == ("Caf\u00e9 x", "claude-code")


def test_the_github_reader_reads_such_a_commit_from_the_workspace(
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
) -> None:
    repo = GitRepo(tmp_path / "origin")
    base, head = _pr(repo, "rot13")
    pull_from_git(github, repo, base, head, number=5)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo.root), str(workspace)], check=True)

    proc = run_gate(runner_env(github, tmp_path, 5, workspace=workspace), workspace)

    assert proc.returncode == 0, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert "read the change from the workspace checkout's git" in report["notes"]
    assert [c["tool"] for c in report["provenance"]["commits"]] == ["claude-code"]


def test_a_subject_whose_encoded_word_holds_no_whole_byte_is_read_empty_as_git_mailinfo_reads_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pr(repo, "UTF-8")
    mbox = repo.format_patch("main..pr").decode()
    patch = tmp_path / "series.mbox"
    patch.write_text(mbox.replace("Subject: [PATCH] Add x", "Subject: =?utf-8?B?a?=", 1))

    code, report = _check(["--diff", str(patch)], capsys)

    assert code == 0
    (commit,) = report["provenance"]["commits"]
    assert (commit["subject"], commit["tool"]) == ("", "claude-code")


@pytest.mark.parametrize(
    "subject", ["=?rot13?B?=FF=FE?=", "=?x-unknown?Q?Add_x?=", "=?punycode?q?a-99999999999?=", "=?idna?q?x?="]
)
def test_a_subject_in_a_charset_git_cannot_read_is_an_input_error_as_git_am_refuses_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], subject: str
) -> None:
    _pr(repo, "UTF-8")
    mbox = repo.format_patch("main..pr").decode()
    patch = tmp_path / "series.mbox"
    patch.write_text(mbox.replace("Subject: [PATCH] Add x", f"Subject: {subject}", 1))
    refused = subprocess.run(
        ["git", "mailinfo", "msg", "patch"], input=patch.read_bytes(), capture_output=True, cwd=tmp_path
    )
    assert refused.returncode != 0

    code = main(["check", "--offline", "--format", "json", "--diff", str(patch)])

    assert code == 2
    assert "encoded word does not decode" in capsys.readouterr().err
