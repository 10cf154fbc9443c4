"""The lines commits of a local range added, and their own diffs, read from git on demand (a
CommitLineReader).

Provenance asks only for the AI commits of a change, and only when a commit with no AI marks owns some
of its lines, so most runs never start this git process. The patches are read with no context lines,
and each hunk's lines are counted from its header: a hunk line that looks like a file header (an
added `++ x` prints as `+++ x`) or a commit separator is still read as the hunk line it is. The whole
diffs (`diffs`) are asked for only when some line an AI commit added is no longer its own at head; they
follow renames, as `git format-patch` does, so that both sources pair the same lines, and a merge's is
read against its first parent.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence

from gate.context.git import Git
from gate.diff.model import Diff
from gate.diff.parser import decode_patch, parse_diff

_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
# Each commit's patch opens with a line of its sha after a NUL, a byte no text patch line holds.
_LOG_OPTIONS = (
    "log",
    "--no-walk=unsorted",
    "--stdin",
    "--format=%x00%H",
    "--patch",
    "--unified=0",
    "--diff-merges=off",
    "--no-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
)


# A merge's own diff is read against its first parent, the line of work it merges into: a person who
# edits lines while merging (`git merge --no-commit`) owns those lines at head, as with any commit.
_DIFF_OPTIONS = (
    *(o for o in _LOG_OPTIONS if o not in {"--no-renames", "--diff-merges=off"}),
    "--diff-merges=first-parent",
    "-M",
)


class GitCommitLines:
    def __init__(self, git: Git) -> None:
        self._git = git

    def added_texts(self, shas: Collection[str]) -> Iterator[tuple[str, str]]:
        if not shas:
            return
        out = self._git.run(*_LOG_OPTIONS, input="".join(f"{sha}\n" for sha in shas).encode())
        yield from added_lines_of_log(decode_patch(out)[0])

    def diffs(self, shas: Sequence[str]) -> Iterator[tuple[str, Diff]]:
        if not shas:
            return
        out = self._git.run(*_DIFF_OPTIONS, input="".join(f"{sha}\n" for sha in shas).encode())
        # Each commit opens with a NUL and its sha; no line of a text patch holds a NUL.
        for part in decode_patch(out)[0].split("\0")[1:]:
            sha, _, patch = part.partition("\n")
            if patch.strip():
                yield sha, parse_diff(patch, source=f"commit {sha[:12]}")


def added_lines_of_log(text: str) -> Iterator[tuple[str, str]]:
    """(sha, text) for each added line of `git log --format=%x00%H --patch --unified=0` output."""
    sha = ""
    left = 0  # hunk lines still to read: removed and added lines as the header counts them
    for line in text.split("\n"):
        if left:
            if line.startswith("\\"):
                continue  # "\ No newline at end of file" follows a hunk line and is not counted
            left -= 1
            if line.startswith("+"):
                yield sha, line[1:]
        elif line.startswith("\0"):
            sha = line[1:]
        elif line.startswith("@@ ") and (m := _HUNK.match(line)):
            left = int(m.group(1) or 1) + int(m.group(2) or 1)
