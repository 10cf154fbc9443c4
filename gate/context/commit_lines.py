"""The lines commits of a local range added, and their own diffs, read from git on demand (a
CommitLineReader).

Provenance asks only for the AI commits of a change, and only when a commit with no AI marks owns some
of its lines, so most runs never start this git process. The patches are read with no context lines,
and each hunk's lines are counted from its header: a hunk line that looks like a file header (an
added `++ x` prints as `+++ x`) or a commit separator is still read as the hunk line it is. The whole
diffs (`diffs`) are asked for only when some line an AI commit added is no longer its own at head; they
follow renames, as `git format-patch` does, so that both sources pair the same lines. A merge's is read
against each of its parents, with only its own lines as added (`_merge_diffs`); a merge of more than
two parents against its first parent only (`_OCTOPUS_OPTIONS`).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import groupby
from operator import itemgetter

from gate.context.git import Git
from gate.context.model import MERGE_PARENTS_READ
from gate.diff.model import Diff, DiffLine, FileChange, LineKind
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


# A merge's own diff is read against each of its parents: a person who edits lines while merging (`git
# merge --no-commit`) owns those lines at head, as with any commit, and the lines they edited may have
# come from either side. Each commit opens with its sha and its parents', once for each parent diff.
_DIFF_OPTIONS = (
    *(o for o in _LOG_OPTIONS if o not in {"--no-renames", "--diff-merges=off", "--format=%x00%H"}),
    "--format=%x00%H %P",
    "--diff-merges=separate",
    "-M",
)
# A merge of more than two parents (an octopus) is read against its first parent only. Against each,
# its diff repeats a file one side added once for every other parent: a hundred parents and one file of
# 20,000 lines were 13 MB of output. Against the first, the lines it has that the first parent has not
# are all its own, as a commit's; which of them it took from its other parents and which it wrote is not
# told, so the lines it owns at head that no AI mark claims are of unknown origin (`gate.provenance.
# estimate`): counted as possibly AI, never as a person's.
_OCTOPUS_OPTIONS = (
    *(o for o in _DIFF_OPTIONS if o != "--diff-merges=separate"),
    "--diff-merges=first-parent",
)
_PARENTS_OPTIONS = ("log", "--no-walk=unsorted", "--stdin", "--format=%H %P")


_COMMIT_START = re.compile(r"(?:\A|\n)\0")


class GitCommitLines:
    def __init__(self, git: Git, parents: Mapping[str, Sequence[str]] | None = None) -> None:
        """`parents`: each commit's parents, when the caller has read them already (a range's commits);
        git is asked only for those of a commit not among them."""
        self._git = git
        self._parents = dict(parents or {})

    def added_texts(self, shas: Collection[str]) -> Iterator[tuple[str, str]]:
        if not shas:
            return
        out = self._git.run(*_LOG_OPTIONS, input="".join(f"{sha}\n" for sha in shas).encode())
        yield from added_lines_of_log(decode_patch(out)[0])

    def diffs(self, shas: Sequence[str]) -> Iterator[tuple[str, Diff]]:
        shas = list(dict.fromkeys(shas))
        if not shas:
            return
        octopus = self._octopus_merges(shas)
        order = {sha: i for i, sha in enumerate(shas)}
        # Both reads follow the order given: merged by it, the commits come in that order.
        reads = (
            self._read([sha for sha in shas if sha not in octopus], _DIFF_OPTIONS),
            self._read([sha for sha in shas if sha in octopus], _OCTOPUS_OPTIONS),
        )
        for sha, diffs in heapq.merge(*reads, key=lambda read: order.get(read[0], len(order))):
            for diff in diffs:
                yield sha, diff

    def _octopus_merges(self, shas: Sequence[str]) -> set[str]:
        """The merges of more than `MERGE_PARENTS_READ` parents among `shas`."""
        counts = {sha: len(self._parents[sha]) for sha in shas if sha in self._parents}
        unknown = [sha for sha in shas if sha not in counts]
        if unknown:
            out = self._git.run(*_PARENTS_OPTIONS, input="".join(f"{sha}\n" for sha in unknown).encode())
            counts.update((sha, len(parents)) for sha, *parents in map(str.split, out.decode().splitlines()))
        return {sha for sha, count in counts.items() if count > MERGE_PARENTS_READ}

    def _read(self, shas: Sequence[str], options: Sequence[str]) -> Iterator[tuple[str, list[Diff]]]:
        """(sha, its diffs) for each commit, in the order given."""
        if not shas:
            return
        out = self._git.run(*options, input="".join(f"{sha}\n" for sha in shas).encode())
        # Each commit opens with a NUL at a line's start, its sha and its parents'. A text patch's line
        # starts with its kind (` `, `+`, `-`, `\`) or a header word, never a NUL, though it may hold one
        # past the 8,000 bytes git reads to call a file binary.
        parts = (part.partition("\n") for part in _COMMIT_START.split(decode_patch(out)[0])[1:])
        for head, commit in groupby(parts, key=itemgetter(0)):
            sha, *parents = head.split()
            diffs = [
                parse_diff(patch, source=f"commit {sha[:12]}") for _, _, patch in commit if patch.strip()
            ]
            if 1 < len(parents) <= MERGE_PARENTS_READ:
                diffs = _merge_diffs(diffs, len(parents))
            yield sha, diffs


def _merge_diffs(diffs: Sequence[Diff], parents: int) -> list[Diff]:
    """A merge's diffs against its parents (git prints none against a parent whose tree it is), with
    only the lines the merge wrote itself, those that none of its parents has, as added lines: the
    others, taken from one side, are unchanged lines there."""
    own: set[tuple[str, int | None]] = set()
    if len(diffs) == parents:
        own = set.intersection(*({(f.path, line.new_no) for f in d.files for line in f.added} for d in diffs))
    return [Diff(files=tuple(_own_lines(change, own) for change in diff.files)) for diff in diffs]


def _own_lines(change: FileChange, own: Collection[tuple[str, int | None]]) -> FileChange:
    hunks = []
    for hunk in change.hunks:
        lines = tuple(
            line
            if line.kind is not LineKind.ADDED or (change.path, line.new_no) in own
            else DiffLine(LineKind.CONTEXT, None, line.new_no, line.text)
            for line in hunk.lines
        )
        hunks.append(replace(hunk, lines=lines))
    return replace(change, hunks=tuple(hunks))


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
