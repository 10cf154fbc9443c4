"""Lines an AI commit of the range wrote keep that commit when a later commit only carries them on.

Blame and the patch replay name the commit that last introduced a line. A commit with no AI marks that
re-indents AI-written code, runs a formatter over it, moves it into new files or reverts and reapplies
it would then own every line, and the AI share would fall below the thresholds. So, once the line
origins are known, an added line a commit with no AI marks owns is given back to an AI commit when the
AI commits of the range added the same text, whitespace aside, at any point of the range.

Guards against attributing a person's own lines:
- Only distinctive lines match by their text: at least MIN_MATCHED_CHARS characters besides whitespace
  and MIN_MATCHED_WORDS words (names, keywords, numbers), and not an import. A line of fewer words is a
  keyword with one name or value at most (`return x`, `return None`, `return []`, `else:`, `pass`,
  `}`), and an import names a module anyone would: both are written alike by anyone. `def f1(x):` and
  `return x + 1` have three words and match.
- Each line the AI commits added vouches for one head line at most, and the AI lines still owned by
  their commit use up theirs first: a common line (`if err != nil {`) an AI commit wrote and a person
  writes again elsewhere stays the person's.
- A short line or an import goes along only with its context: within a block of consecutive added
  lines, when the nearest distinctive lines on both sides were given to the same AI commit (the
  block's edge counts as agreeing, one side must be such a line). The blank lines and closing brackets
  of moved code go with it; a person's `}` amid their own code does not.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import islice

from gate.context.model import ChangeSet
from gate.provenance.line_marks import Owned

MIN_MATCHED_CHARS = 8
MIN_MATCHED_WORDS = 3
_WORD = re.compile(r"\w+")
_IMPORT = re.compile(r"(?:import|from|#include|#import|using|use|require|package)\b")
_EDGE = "edge"  # the start or end of a block of consecutive added lines, in the context pass


@dataclass(frozen=True)
class Carried:
    """The owners after the carry, and how many lines it gave to AI commits."""

    owners: dict[str, Owned]
    by_text: int = 0  # distinctive lines matched by their text
    by_context: int = 0  # short lines and imports that went with them

    def notes(self) -> list[str]:
        if not self.by_text:
            return []
        note = (
            f"{_lines(self.by_text)} last written by commits with no AI marks repeat, but for "
            "whitespace, lines an AI commit of the range added (reformatted, moved or reapplied): "
            "counted as that commit's"
        )
        if self.by_context:
            note += f", with {_lines(self.by_context, 'blank or short line')} amid them"
        return [note]


def _lines(n: int, what: str = "added line") -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def carry_ai_lines(changeset: ChangeSet, owners: dict[str, Owned], ai_commits: Sequence[str]) -> Carried:
    """Give back to the AI commits (`ai_commits`, oldest first) the lines others only carried on."""
    ai = set(ai_commits)
    others = [path for path, (_, owner) in owners.items() if any(s not in ai for s in owner)]
    if changeset.commit_lines is None or not ai or not others:
        return Carried(owners)
    written = _ai_written(changeset, ai_commits)
    keys = {path: _keys(changeset, path, owned[0]) for path, owned in owners.items()}
    for path, (_, owner) in owners.items():
        # The AI lines still owned by their commit account for their own copies first.
        for sha, key in zip(owner, keys[path], strict=True):
            if sha in ai and key and written.get(key):
                written[key].pop()
    out = dict(owners)
    by_text = by_context = 0
    for path in others:
        added, owner = owners[path]
        new_owner = list(owner)
        carried = [False] * len(added)
        for i, key in enumerate(keys[path]):
            if new_owner[i] not in ai and key and written.get(key):
                new_owner[i] = written[key].pop()
                carried[i] = True
                by_text += 1
        by_context += _carry_context(added, keys[path], new_owner, carried, ai)
        out[path] = (added, new_owner)
    return Carried(out, by_text, by_context)


def _key(text: str) -> str | None:
    """The text whitespace aside, when the line is distinctive enough to match by content."""
    key = "".join(text.split())
    if len(key) < MIN_MATCHED_CHARS or _IMPORT.match(text.lstrip()):
        return None
    if len(list(islice(_WORD.finditer(text), MIN_MATCHED_WORDS))) < MIN_MATCHED_WORDS:
        return None
    return key


def _ai_written(changeset: ChangeSet, ai_commits: Sequence[str]) -> dict[str, list[str]]:
    """For each distinctive text the AI commits added, one entry per time they added it: the commit
    that did, the latest last so that it is taken first."""
    assert changeset.commit_lines is not None
    order = {sha: i for i, sha in enumerate(ai_commits)}
    written: dict[str, list[str]] = {}
    for sha, text in changeset.commit_lines.added_texts(ai_commits):
        key = _key(text)
        if key:
            written.setdefault(key, []).append(sha)
    for shas in written.values():
        shas.sort(key=order.__getitem__)
    return written


def _keys(changeset: ChangeSet, path: str, added: Sequence[int]) -> list[str | None]:
    """The match key of each added line of the file, in the order of `added`."""
    text_at = {line.new_no: line.text for line in changeset.diff.by_path[path].added}
    return [_key(text_at.get(n, "")) for n in added]


def _carry_context(
    added: Sequence[int],
    keys: Sequence[str | None],
    owner: list[str | None],
    carried: Sequence[bool],
    ai: Collection[str],
) -> int:
    """Give short lines and imports to the AI commit that both their distinctive neighbours within a
    block of consecutive added lines were given to. Returns how many lines it gave."""
    # What decides on each side of line i: the nearest distinctive line's carried commit, None when
    # that line was not carried, or _EDGE when the block starts (or ends) first.
    before: list[str | None] = []
    side: str | None = _EDGE
    for i, n in enumerate(added):
        if i and added[i - 1] != n - 1:
            side = _EDGE
        before.append(side)
        if keys[i]:
            side = owner[i] if carried[i] else None
    given = 0
    side = _EDGE
    for i in range(len(added) - 1, -1, -1):
        if i + 1 < len(added) and added[i + 1] != added[i] + 1:
            side = _EDGE
        if not keys[i] and owner[i] not in ai:
            sides = {before[i], side} - {_EDGE}
            if len(sides) == 1 and None not in sides:
                owner[i] = sides.pop()
                given += 1
        if keys[i]:
            side = owner[i] if carried[i] else None
    return given
