"""Trailers are read as git reads them: the reader agrees with `git interpret-trailers --parse` on
messages git reads whole, and reads each squashed commit's trailers in a squash merge's body."""

from __future__ import annotations

import subprocess

import pytest

from gate.provenance.trailers import read_trailers

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
MESSAGES = {
    "a trailer block": f"Fix\n\nBody.\n\n{CLAUDE}\nSigned-off-by: D <d@e>",
    "key case and spacing": "Fix\n\nco-authored-by :   Claude Sonnet 4.6   <noreply@anthropic.com>",
    "blank lines after the block": "Fix\n\nAssisted-by: Claude:claude-3-opus\n\n\n",
    "a comment after the block": "Fix\n\nMade-with: Cursor\n# a comment\n",
    "carriage returns": "Fix\r\n\r\nMade-with: Cursor\r\n",
    "only a title": "Co-authored-by: Claude <noreply@anthropic.com>",
    "a title of two lines": "Fix\nCo-authored-by: Claude <noreply@anthropic.com>",
    "a quote in prose": f"Fix\n\nWe appended:\n\n    {CLAUDE}\n\nNo more.",
    "a block above prose": "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n\nNo more.",
    "a bullet": "Fix\n\n- Made-with: Cursor is no longer required\n",
    "prose and a trailer": "Fix\n\nThanks to the bot\nCo-authored-by: Claude <noreply@anthropic.com>",
    "prose, trailer, signed-off-by": "mm: fix\n\nSeen.\nAssisted-by: Claude:opus\nSigned-off-by: D <d@e>",
    "too much prose for signed-off-by": "Fix\n\na\nb\nc\nd\ne\nSigned-off-by: D <d@e>",
    "a key with a blank inside": "Fix\n\nCo authored by: Claude <noreply@anthropic.com>",
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
