"""Trailers are read as git reads them: the reader agrees with `git interpret-trailers --parse` on
messages git reads whole, and reads each squashed commit's trailers in a squash merge's body."""

from __future__ import annotations

import json
import subprocess

import pytest

from gate.cli import main
from gate.provenance.trailers import read_trailers
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
CURSOR = "Co-authored-by: Cursor Agent <cursoragent@cursor.com>"
AI_WORK = "Add helpers\n\nAdds thirty helpers.\n\n" + CURSOR
MESSAGES = {
    "a trailer block": f"Fix\n\nBody.\n\n{CLAUDE}\nSigned-off-by: D <d@e>",
    "key case and spacing": "Fix\n\nco-authored-by :   Claude Sonnet 4.6   <noreply@anthropic.com>",
    "blank lines after the block": "Fix\n\nAssisted-by: Claude:claude-3-opus\n\n\n",
    "a comment after the block": "Fix\n\nMade-with: Cursor\n# a comment\n",
    "carriage returns": "Fix\r\n\r\nMade-with: Cursor\r\n",
    "only a title": "Co-authored-by: Claude <noreply@anthropic.com>",
    "a title of two lines": "Fix\nCo-authored-by: Claude <noreply@anthropic.com>",
    "a quote in prose": f"Fix\n\nWe appended:\n\n    {CLAUDE}\n\nNo more.",
    "a folded trailer": "Fix\n\nBody.\n\nCo-authored-by: Cursor Agent\n <cursoragent@cursor.com>\n",
    "bullets and a signed-off-by": f"Fix\n\n* handle empty\n* handle CRLF\nSigned-off-by: P <p@e>\n{CURSOR}",
    "a rule and a signed-off-by": f"Fix\n\nBody.\n\n---\nSigned-off-by: P <p@e>\n{CURSOR}",
    "a bullet": "Fix\n\n- Made-with: Cursor is no longer required\n",
    "prose and a trailer": "Fix\n\nThanks to the bot\nCo-authored-by: Claude <noreply@anthropic.com>",
    "prose, trailer, signed-off-by": "mm: fix\n\nSeen.\nAssisted-by: Claude:opus\nSigned-off-by: D <d@e>",
    "too much prose for signed-off-by": "Fix\n\na\nb\nc\nd\ne\nSigned-off-by: D <d@e>",
    "a key with a blank inside": "Fix\n\nCo authored by: Claude <noreply@anthropic.com>",
    # Blank to git is its own blanks only: a no-break space or a form feed is a line of text.
    "a no-break space in a block": f"Fix\n\nSigned-off-by: A <a@e>\n{CLAUDE}\nPaired.\n\u00a0\nSee #42.",
    "a form feed in a block": f"Fix\n\nSigned-off-by: A <a@e>\n{CLAUDE}\nPaired.\n\f\nSee #42.",
    "a squash line with no log": f"Fix\n\nSquashed commit of the following:\n\nBody.\n\n{CLAUDE}",
}


def _git_parse(message: str) -> list[str]:
    out = subprocess.run(
        ["git", "-c", "core.commentChar=#", "interpret-trailers", "--parse", "--no-divider"],
        input=message,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.splitlines()


@pytest.mark.parametrize("message", MESSAGES.values(), ids=MESSAGES.keys())
def test_the_reader_agrees_with_git(message: str) -> None:
    assert [f"{t.key}: {t.value}" for t in read_trailers(message)] == _git_parse(message)


def test_each_squashed_commit_keeps_its_trailers() -> None:
    message = (
        "Pin the protocol (#12)\n\n* fix: calls\n\n- Fix one\n- Fix two\n\n"
        "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>\n\n"
        "* fix: pin the upper bound\n\nPrevent breakage.\n\n"
        "Made-with: Cursor\n\n---------\n\nCo-authored-by: Dana <dana@example.org>"
    )
    assert [t.line for t in read_trailers(message)] == [
        "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>",
        "Made-with: Cursor",
        "Co-authored-by: Dana <dana@example.org>",
    ]


def _message(repo: GitRepo, rev: str = "HEAD") -> str:
    return repo.git("log", "-1", "--format=%B", rev)


def _ai_branch(repo: GitRepo, name: str) -> None:
    """`main` with one commit, and a branch `name` on it with Cursor's commit and a person's fix."""
    repo.write("app.py", "def base():\n    return 1\n")
    repo.commit("base")
    repo.branch(name)
    repo.write("app.py", "def base():\n    return 2\n")
    repo.commit(AI_WORK)
    repo.write("app.py", "def base():\n    return 3\n")
    repo.commit("fix typo")


def test_a_rebase_squash_keeps_the_first_commits_trailers(repo: GitRepo) -> None:
    _ai_branch(repo, "feature")
    squash = {"GIT_SEQUENCE_EDITOR": "sed -i 2s/^pick/squash/", "GIT_EDITOR": "true"}
    repo.git("rebase", "-q", "-i", "main", env=squash)
    message = _message(repo)
    assert _git_parse(message) == []  # the block is in the middle, where git does not look
    assert [t.line for t in read_trailers(message)] == [CURSOR]


def test_a_paragraph_of_trailers_is_read_anywhere_but_prose_and_quotes_are_not() -> None:
    message = (
        f"Fix\n\n{CLAUDE}\nSigned-off-by: D <d@e>\n\nWe appended:\n\n    {CURSOR}\n\n"
        f"Thanks to the bot\n{CURSOR}\n\n- {CURSOR}\n\nNo more."
    )
    assert [t.line for t in read_trailers(message)] == [CLAUDE, "Signed-off-by: D <d@e>"]


def test_a_merge_squash_log_is_read_commit_by_commit(repo: GitRepo) -> None:
    _ai_branch(repo, "ai-work")
    repo.checkout("main")
    repo.git("merge", "-q", "--squash", "ai-work")
    repo.git("commit", "-q", env={"GIT_EDITOR": "true"})
    message = _message(repo)
    assert "\n    " + CURSOR in message  # indented, as `git log` prints it
    assert [t.line for t in read_trailers(message)] == [CURSOR]


def test_a_trailer_added_below_bullets_and_a_signed_off_by_is_read_as_git_reads_it(repo: GitRepo) -> None:
    repo.write("app.py", "x = 1\n")
    body = "Fix parser\n\n* handle empty input\n* handle CRLF\nSigned-off-by: Pat <pat@example.com>"
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", body, "--trailer", CURSOR)
    message = _message(repo)
    assert [f"{t.key}: {t.value}" for t in read_trailers(message)] == _git_parse(message)
    assert CURSOR in _git_parse(message)


def test_a_folded_trailer_is_joined_as_git_joins_it() -> None:
    (trailer,) = read_trailers("Fix\n\nCo-authored-by: Cursor Agent\n\t<cursoragent@cursor.com>\n")
    assert trailer.value == "Cursor Agent <cursoragent@cursor.com>"
    assert trailer.line == CURSOR


def test_a_rebase_squashed_ai_commit_counts_in_the_report(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app.py", "def base():\n    return 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "app.py", "".join(f"def helper_{i}(a, b):\n    return combine(a, b, {i})\n" for i in range(20))
    )
    repo.commit(AI_WORK)
    repo.write(
        "app.py", "".join(f"def helper_{i}(a, b):\n    return combine(a, b, {i})\n" for i in range(21))
    )
    repo.commit("fix typo")
    repo.git(
        "rebase",
        "-q",
        "-i",
        "main",
        env={"GIT_SEQUENCE_EDITOR": "sed -i 2s/^pick/squash/", "GIT_EDITOR": "true"},
    )
    main(
        [
            "check",
            "--repo",
            str(repo.root),
            "--base",
            "main",
            "--head",
            "feature",
            "--offline",
            "--format=json",
        ]
    )
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert [(c["ai"], c["tool"]) for c in provenance["commits"]] == [(True, "cursor")]
    assert provenance["ai_lines"] == provenance["added_lines"] > 0
