"""Lines an AI commit of the range wrote keep that commit when a later commit only carries them on.

Blame and the patch replay name the commit that last introduced a line. A commit with no AI marks that
re-indents AI-written code, runs a formatter over it, moves it into new files or reverts and reapplies
it would then own every line, and the AI share would fall below the thresholds. So, once the line
origins are known, an added line a commit with no AI marks owns is given back to an AI commit when the
AI commits of the range added the same text, formatting aside, at any point of the range. Formatting is
what black, prettier and their kind change without changing the code (formatting.py's `unformatted`):
whitespace, the kind of quotes, a `u` string prefix, a trailing comma before a closing bracket or at
the end of a line, a semicolon at the end of a line. A formatter also re-wraps: a run of consecutive
added lines that joined up is such a text (`_wrapped_runs`), or is one but for the parentheses black
puts around a value it splits (`x = (` ... `)`), goes back as a whole, one AI line vouching for the run;
and the other way, a line that is such a text of a run of consecutive lines an AI commit added joined
up (a call it spread over lines, joined at a longer line length) goes back, the run vouching for it.

Guards against attributing a person's own lines:
- Only distinctive lines match by their text: at least MIN_MATCHED_CHARS characters besides whitespace
  and MIN_MATCHED_WORDS words (names, keywords, numbers), and not an import. A line of fewer words is a
  keyword with one name or value at most (`return x`, `return None`, `return []`, `else:`, `pass`,
  `}`), and an import names a module anyone would: both are written alike by anyone. `def f1(x):` and
  `return x + 1` have three words and match.
- Each line the AI commits added vouches for one head line at most, and the AI lines still owned by
  their commit use up theirs first: a common line (`if err != nil {`) an AI commit wrote and a person
  writes again elsewhere stays the person's.
- In a file with no AI line at head (a new file, or one whose AI lines all went), a line goes back by
  its text only beside another that does, at most PAIR_WINDOW lines away and after it among the AI
  lines too (`_AiOrder`): code moved keeps its lines together, while a person who reverts AI code and
  writes their own shares a lone idiom with it (`logger = logging.getLogger(__name__)`). Amid lines
  edited as they moved, such a line goes back with them (gone_lines.py).
- A re-wrapped run goes back only whole, for one AI line, when its lines joined up are a distinctive
  line (an import spread over lines is not) and none of them was given back on its own. A joined line
  goes back only when no AI line has its text, for a run whose brackets balance, of MAX_WRAPPED_LINES
  lines at most; the AI runs still at head, owned by their commit, use up theirs first.
- A short line or an import goes along only with its context: within a block of consecutive added
  lines, when the nearest distinctive lines on both sides were given to the same AI commit (the
  block's edge counts as agreeing, one side must be such a line). The blank lines and closing brackets
  of moved code go with it; a person's `}` amid their own code does not.

The lines left to commits with no AI marks then go to edits.py, which gives back those that only lightly
edit AI lines (a comment appended, a name renamed, a token changed), written in their place or, once
the AI lines are gone, elsewhere.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate, islice, pairwise

from gate.context.model import ChangeSet
from gate.provenance.edits import edited_ai_lines
from gate.provenance.formatting import unformatted
from gate.provenance.line_marks import Owned
from gate.provenance.pairing import PAIR_WINDOW

MIN_MATCHED_CHARS = 8
MIN_MATCHED_WORDS = 3
# The most lines a re-wrapped line is looked for over: a formatter spreads a call over a few lines, and
# the bound keeps the search linear in the size of the change.
MAX_WRAPPED_LINES = 12
# Where a formatter may break a line: after an opening bracket, a comma, an operator or a backslash, or
# before a closing bracket or an operator.
_BREAK_AFTER = frozenset("([{,\\+-*/%&|^=<>.")
_BREAK_BEFORE = frozenset(")]}+-*/%&|^=<>.")
_BREAK_WORDS_AFTER = (" and", " or")
_BREAK_WORDS_BEFORE = ("and ", "or ")
_WORD = re.compile(r"\w+")
_IMPORT = re.compile(r"(?:import|from|#include|#import|using|use|require|package)\b")
_CLOSING = frozenset(")]}")
_EDGE = "edge"  # the start or end of a block of consecutive added lines, in the context pass


@dataclass(frozen=True)
class Carried:
    """The owners after the carry, and how many lines it gave to AI commits."""

    owners: dict[str, Owned]
    by_text: int = 0  # distinctive lines matched by their text
    by_context: int = 0  # short lines and imports that went with them
    by_wrap: int = 0  # lines of runs that re-wrap a longer line
    by_join: int = 0  # lines that join up a run of AI lines
    by_edit: int = 0  # lines a commit with no AI marks wrote in place of AI lines, lightly edited
    by_edit_context: int = 0  # short lines that went with them
    # For each file where the text gave some back, a flag per added line: whether it did.
    given: dict[str, list[bool]] = field(default_factory=dict)
    # For each file a commit with no AI marks changed unseen after AI lines, the commits with no AI marks
    # whose lines there are of unknown origin (`Edited.unread`).
    unread: dict[str, frozenset[str]] = field(default_factory=dict)

    def notes(self) -> list[str]:
        notes = []
        if self.by_text or self.by_wrap or self.by_join:
            notes.append(self._carried_note())
        if self.by_edit:
            note = (
                f"{_lines(self.by_edit)} last written by commits with no AI marks are AI lines of the "
                "range a person lightly edited, in place or where they moved them (a comment added, "
                "names renamed, a token changed): counted as the AI commit's"
            )
            if self.by_edit_context:
                note += f", with {_lines(self.by_edit_context, 'blank or short line')} amid them"
            notes.append(note)
        return notes

    def _carried_note(self) -> str:
        note = (
            f"{_lines(self.by_text + self.by_wrap + self.by_join)} last written by commits with no AI marks "
            "repeat, but for "
            "formatting, lines an AI commit of the range added (reformatted, moved or reapplied): "
            "counted as that commit's"
        )
        if self.by_wrap:
            note += f" ({self.by_wrap} of them re-wrap longer lines)"
        if self.by_join:
            note += f" ({self.by_join} of them join up lines an AI commit wrapped)"
        if self.by_context:
            note += f", with {_lines(self.by_context, 'blank or short line')} amid them"
        return note


def _lines(n: int, what: str = "added line") -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def carry_ai_lines(changeset: ChangeSet, owners: dict[str, Owned], ai_commits: Sequence[str]) -> Carried:
    """Give back to the AI commits (`ai_commits`, oldest first) the lines others only carried on.

    Most changes repeat no text of their AI commits in lines others own, or only texts the AI lines at
    head account for: the texts are compared formatting aside first, and a line is weighed as a key
    (`_key`) only where its text is found on both sides."""
    ai = set(ai_commits)
    others = [path for path, (_, owner) in owners.items() if any(s not in ai for s in owner)]
    if changeset.commit_lines is None or not ai or not others:
        return Carried(owners)
    ai_texts = list(changeset.commit_lines.added_texts(ai_commits))
    texts = {path: _texts(changeset, path, added) for path, (added, _) in owners.items()}
    all_held = _all_held(ai_texts, owners, texts, ai)
    try:
        carried = Carried(owners) if all_held else _carried(owners, ai_commits, ai, others, ai_texts, texts)
        # What the text did not give back may still be AI lines a person only lightly edited; the blank
        # and short lines amid them, or between them and lines the text gave back, go with them, as
        # with moved lines.
        edited = edited_ai_lines(changeset, carried.owners, ai, ai_texts, all_held=all_held)
        amid = 0
        for path, given in edited.given.items():
            added, owner = edited.owners[path]
            keys = [_key(text) for text in texts[path]]
            if by_text := carried.given.get(path):
                given = [a or b for a, b in zip(given, by_text, strict=True)]
            amid += _carry_context(added, keys, owner, given, ai)
    finally:  # a line's key is worked out once a run, however many times it is asked for
        unformatted.cache_clear()
        _key.cache_clear()
    return replace(
        carried, owners=edited.owners, by_edit=edited.lines, by_edit_context=amid, unread=edited.unread
    )


def _all_held(
    ai_texts: Sequence[tuple[str, str]], owners: dict[str, Owned], texts: dict[str, list[str]], ai: set[str]
) -> bool:
    """Whether the AI lines at head hold every text the AI commits added, as written and as many times:
    then no line another commit owns can be one of theirs carried on (most changes, where no one
    rewrote what the AI wrote), and the search below is not needed."""
    held = Counter(
        text
        for path, (_, owner) in owners.items()
        for text, sha in zip(texts[path], owner, strict=True)
        if sha in ai
    )
    return all(held[text] >= n for text, n in Counter(text for _, text in ai_texts).items())


def _carried(
    owners: dict[str, Owned],
    ai_commits: Sequence[str],
    ai: set[str],
    others: list[str],
    ai_texts: Sequence[tuple[str, str]],
    texts: dict[str, list[str]],
) -> Carried:
    # How the AI lines a run could join into begin: a run that begins otherwise is not walked.
    ai_keys = (unformatted(text) for _, text in ai_texts)
    starts = {key[:_RUN_START] for key in ai_keys if len(key) >= _WRAPPED_MIN}
    runs = {
        path: _wrapped_runs(texts[path], owners[path][0], [sha not in ai for sha in owners[path][1]], starts)
        for path in others
    }
    theirs = {
        unformatted(text)
        for path in others
        for text, sha in zip(texts[path], owners[path][1], strict=True)
        if sha not in ai
    }
    theirs.update(key for path in others for _, _, keys in runs[path] for key in keys)
    written = _ai_written(ai_texts, ai_commits, theirs)
    # Only a line no AI line has the text of, ending as a call or a literal does, may join up AI lines;
    # and only where AI lines are gone: a run still at head and the AI's vouches for no joined copy.
    ai_at_head = sum(sha in ai for _, owner in owners.values() for sha in owner)
    closing = (
        {key for key in theirs if key[-1:] in _CLOSING and key not in written}
        if ai_at_head < len(ai_texts)
        else set()
    )
    joined = _ai_joined(ai_texts, ai_commits, closing) if closing else {}
    if not written and not joined:
        return Carried(owners)
    joined_starts = _starts(joined)
    for path, (added, owner) in owners.items():
        # The AI lines still owned by their commit account for their own copies first.
        lines = texts[path]
        for sha, text in zip(owner, lines, strict=True):
            if sha in ai and (shas := written.get(squeezed := unformatted(text))) and _key(text) == squeezed:
                shas.pop()
        if joined:
            for _, _, run_keys in _wrapped_runs(lines, added, [sha in ai for sha in owner], *joined_starts):
                if shas := next((found for key in run_keys if (found := joined.get(key))), None):
                    shas.pop()
    if not any(written.values()) and not any(joined.values()):
        return Carried(owners)
    out = dict(owners)
    given: dict[str, list[bool]] = {}
    by_text = by_context = by_wrap = by_join = 0
    ai_order = _AiOrder(ai_texts)
    for path in others:
        added, owner = owners[path]
        new_owner = list(owner)
        carried = [False] * len(added)
        # In a file with no AI line at head, a text repeated must have a neighbour repeated too.
        alone = None if any(sha in ai for sha in owner) else ai_order.beside(texts[path], added, written)
        for i, text in enumerate(texts[path]):
            if new_owner[i] in ai:
                continue
            squeezed = unformatted(text)
            shas = written.get(squeezed) or joined.get(squeezed)
            if alone is not None and squeezed in written and i not in alone:
                continue
            if shas and _key(text) == squeezed:
                new_owner[i] = shas.pop()
                carried[i] = True
                if squeezed in written:
                    by_text += 1
                else:
                    by_join += 1
        for first, end, run_keys in runs[path]:
            shas = next((found for key in run_keys if (found := written.get(key))), None)
            if shas and not any(carried[first:end]):
                new_owner[first:end] = [shas.pop()] * (end - first)
                carried[first:end] = [True] * (end - first)
                by_wrap += end - first
        if any(carried):
            keys = [_key(text) for text in texts[path]]
            by_context += _carry_context(added, keys, new_owner, carried, ai)
            out[path] = (added, new_owner)
            given[path] = carried
    return Carried(out, by_text, by_context, by_wrap, by_join, given=given)


class _AiOrder:
    """Where each text the AI commits added stands among their lines, for the neighbour a text repeated
    in a file with no AI line at head needs: as code moved keeps its lines together, a line repeated
    with another repeated at most PAIR_WINDOW lines away, after it among the AI lines as it is among the
    file's, is a move; a line repeated alone (`logger = logging.getLogger(__name__)`) is an idiom anyone
    writes, so a person who reverts AI code and writes their own keeps the lines they share with it. The
    lines gone pair by the same rule (gone_lines.py)."""

    def __init__(self, ai_texts: Sequence[tuple[str, str]]) -> None:
        self._ai_texts = ai_texts
        self._positions: dict[str, list[int]] | None = None
        self._known: dict[tuple[str, str], bool] = {}

    def beside(self, texts: Sequence[str], added: Sequence[int], written: Collection[str]) -> set[int]:
        """The indices of `texts` repeating a `written` text that have such a neighbour."""
        found = [(i, key) for i, text in enumerate(texts) if (key := unformatted(text)) in written]
        out: set[int] = set()
        for (i, key), (j, next_key) in pairwise(found):
            if added[j] - added[i] <= PAIR_WINDOW and self._follows(key, next_key):
                out.update((i, j))
        return out

    def _follows(self, key: str, next_key: str) -> bool:
        """Whether the AI commits added `next_key` at most PAIR_WINDOW lines after some `key`."""
        if self._positions is None:
            self._positions = {}
            for n, (_, text) in enumerate(self._ai_texts):
                self._positions.setdefault(unformatted(text), []).append(n)
        known = self._known.get((key, next_key))
        if known is None:
            known = self._known[key, next_key] = self._near(key, next_key)
        return known

    def _near(self, key: str, next_key: str) -> bool:
        """`_follows`, walking the fewer of the two texts' places and looking each up among the other's:
        a text the AI commits repeated thousands of times is not walked for each of its neighbours."""
        before = self._positions.get(key, []) if self._positions is not None else []
        after = self._positions.get(next_key, []) if self._positions is not None else []
        if len(before) <= len(after):
            for n in before:
                k = bisect_right(after, n)
                if k < len(after) and after[k] - n <= PAIR_WINDOW:
                    return True
            return False
        for m in after:
            k = bisect_left(before, m) - 1
            if k >= 0 and m - before[k] <= PAIR_WINDOW:
                return True
        return False


@cache  # emptied when the carry ends
def _key(text: str) -> str | None:
    """The text formatting aside, when the line is distinctive enough to match by content."""
    key = unformatted(text)
    if len(key) < MIN_MATCHED_CHARS or _IMPORT.match(text.lstrip()):
        return None
    if len(list(islice(_WORD.finditer(text), MIN_MATCHED_WORDS))) < MIN_MATCHED_WORDS:
        return None
    return key


def _ai_written(
    ai_texts: Sequence[tuple[str, str]], ai_commits: Sequence[str], wanted: Collection[str]
) -> dict[str, list[str]]:
    """For each distinctive text the AI commits added that is `wanted` (formatting aside), one entry per
    time they added it: the commit that did, the latest last so that it is taken first."""
    order = {sha: i for i, sha in enumerate(ai_commits)}
    written: dict[str, list[str]] = {}
    for sha, text in ai_texts:
        squeezed = unformatted(text)
        if squeezed in wanted and _key(text) == squeezed:
            written.setdefault(squeezed, []).append(sha)
    for shas in written.values():
        shas.sort(key=order.__getitem__)
    return written


def _ai_joined(
    ai_texts: Sequence[tuple[str, str]], ai_commits: Sequence[str], wanted: Collection[str]
) -> dict[str, list[str]]:
    """For each text `wanted` that a run of consecutive lines the AI commits added joins up into, one
    entry per such run: the commit that added it, the latest last so that it is taken first."""
    if not wanted:
        return {}
    shas = [sha for sha, _ in ai_texts]
    # A commit's lines follow on from each other in its diff; the next commit's do not follow them.
    numbers = list(accumulate(2 if i and sha != shas[i - 1] else 1 for i, sha in enumerate(shas)))
    starts = _starts(wanted)
    texts = [text for _, text in ai_texts]
    joined: dict[str, list[str]] = {}
    for first, _, keys in _wrapped_runs(texts, numbers, [True] * len(texts), *starts):
        if key := next((key for key in keys if key in wanted), None):
            joined.setdefault(key, []).append(shas[first])
    order = {sha: i for i, sha in enumerate(ai_commits)}
    for run_shas in joined.values():
        run_shas.sort(key=order.__getitem__)
    return joined


def _starts(keys: Collection[str]) -> tuple[set[str], set[str]]:
    """How the lines a run joins into begin, for `_wrapped_runs`: their first _RUN_START characters, and
    each of their beginnings a short first line of a run may be."""
    short = {key[:n] for key in keys for n in range(1, _RUN_START + 2)}
    return {key[:_RUN_START] for key in keys}, short


def _wrapped_runs(
    texts: Sequence[str],
    added: Sequence[int],
    walked: Sequence[bool],
    starts: Collection[str],
    short_starts: Collection[str] | None = None,
) -> list[tuple[int, int, tuple[str, ...]]]:
    """The runs of consecutive added lines that are `walked` and may be one line re-wrapped, as (first,
    end, keys of the lines joined). A run starts where a formatter may break a line and ends at the first
    line that closes the brackets it opened and does not break again: one run at most from each line, of
    MAX_WRAPPED_LINES lines at most."""
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    last = len(texts) - 1
    depths: dict[int, int] = {}  # each line's once: up to MAX_WRAPPED_LINES runs walk over it
    for i in range(last):
        if not walked[i] or added[i + 1] != added[i] + 1:
            continue
        first = unformatted(texts[i])
        if len(first) > _RUN_START + 1:
            if first[:_RUN_START] not in starts:
                continue  # joined, the run would begin as no line looked for does
        elif short_starts is not None and first not in short_starts and first[:-1] not in short_starts:
            continue  # the same, for a short first line (less the `(` black puts around a value)
        if not _breaks_after(texts[i]) and not _breaks_before(texts[i + 1]):
            continue
        depth = _depth(texts[i])
        for j in range(i + 1, min(last, i + MAX_WRAPPED_LINES - 1) + 1):
            if not walked[j] or added[j] != added[j - 1] + 1:
                break
            if j not in depths:
                depths[j] = _depth(texts[j])
            depth += depths[j]
            if depth < 0:
                break
            if depth == 0 and not _breaks_after(texts[j]):
                if keys := _run_keys(texts[i : j + 1]):
                    runs.append((i, j + 1, keys))
                break
    return runs


# Characters of a line's key that a run joined up must begin with, as some line looked for does, to be
# walked; and the fewest characters of an AI line's key that a formatter would have wrapped (a line of
# 40 columns, a narrow setting, holds some 32 besides its spaces).
_RUN_START = 16
_WRAPPED_MIN = 32


def _run_keys(lines: Sequence[str]) -> tuple[str, ...]:
    """The keys the lines joined up may match: as they are and, when black parenthesised the value it
    split (`x = (`, `return (` ... `)`), without those parentheses."""
    joined = "\n".join(lines)
    keys = [key] if (key := _key(joined)) else []
    head = lines[0].rstrip()
    parenthesised = head.endswith(("= (", "=(", "return (")) and lines[-1].strip() == ")"
    if parenthesised and (bare := _key(head[:-1] + "\n".join(lines[1:-1]))):
        keys.append(bare)
    return tuple(keys)


def _breaks_before(text: str) -> bool:
    start = text.lstrip()
    return start[:1] in _BREAK_BEFORE or start.startswith(_BREAK_WORDS_BEFORE)


def _breaks_after(text: str) -> bool:
    end = text.rstrip()
    return end[-1:] in _BREAK_AFTER or end.endswith(_BREAK_WORDS_AFTER)


def _depth(text: str) -> int:
    """How many brackets the line opens, less those it closes."""
    count = text.count
    return count("(") + count("[") + count("{") - count(")") - count("]") - count("}")


def _texts(changeset: ChangeSet, path: str, added: Sequence[int]) -> list[str]:
    """The text of each added line of the file, in the order of `added`."""
    text_at = {line.new_no: line.text for line in changeset.diff.by_path[path].added}
    return [text_at.get(n, "") for n in added]


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
