"""AI lines a commit with no AI marks only lightly edited, in place or elsewhere, stay the AI commit's.

Blame and the patch replay give a line to the commit that last changed it. A commit with no AI marks
that appends a comment to every AI line (`  # reviewed`), renames a parameter throughout or changes a
token here and there would then own every line it touched, and the AI share would fall below the
thresholds; so would one that deletes the AI code and writes it back so edited, later or in another
file. The carry (carry.py) gives back lines whose text an AI commit wrote, formatting aside; this gives
back the lines such a commit wrote in place of AI lines, or after them elsewhere, that stay close to
them (light_edits.py says how close).

The commits' own diffs are read in order, renames followed, a merge's against each of its parents with
only the lines it wrote itself as added. Where a commit with no AI marks replaces a run of lines of a
file, and some replaced line is an AI line of that file (an AI commit of the range added its text
there, whitespace aside, or it is itself an edit of one), each line the commit wrote in the run is
paired, in order, with the first of the next PAIR_WINDOW replaced AI lines that it lightly edits, the
names the commit renames throughout the file aside (renames.py, learnt from the commit's lines of the
file first: several identifiers renamed at once leave a line few words as they were); the
replaced lines that are not AI lines do not count, as a person may drop comments or code of their own
next to the AI lines they edit. Past those, a line that keeps an AI line's code but for a comment,
formatting aside as the carry reads a line (formatting.py), pairs with it still: the AI lines a commit
deletes do not hide those it edits after them. The lines left of the run that a formatter spread one
AI line over, joined up with their comments set aside, pair with it when they lightly edit it (a
comment on the opening line, a name renamed), one run for one AI line (`_rewrapped`). pairing.py holds
these rules, the same for the lines gone (gone_lines.py) but where each says otherwise.

What is left on both sides goes on. The AI lines any commit removed and no line edited in place (a
file deleted, a run cut out, the lines a shim replaced) are held, in the order they went, and once the
whole range is read the runs of lines commits with no AI marks wrote and paired with none in place (an
added file, lines added where none were removed, the rest of a replaced run) are walked over them in
order, the latest commit's first, where some line of the run is still its commit's at head
(gone_lines.py): a file deleted and written back lightly edited, code moved to another file with a
rename, in one commit or several, in either order, stays AI. There an edit counts only beside another,
as moved code keeps its lines together. Before the walk, the runs of such lines a formatter spread an
AI line gone over, with comments added, go back whole when their code joined up is that line's
(`_rewrapped_gone`). Each AI line vouches for one line at most, in place or elsewhere.

A commit's diff of a file that stays binary (git printed no lines of it: a side in UTF-16, or past the
size the commits are read as text under) hides which lines it changed. Once a commit with no AI marks
so changed a file that held AI lines, or after AI lines went, the lines that commit and the later ones
with no AI marks own there at head are of unknown origin (`Edited.unread`): counted as possibly AI,
never as a person's. So are those of the commits with no AI marks that change a file after an AI
commit so changed it: which AI lines it added there no diff told, so any of their lines may edit one.

A merge of more than two parents is read against its first parent only, so the lines it wrote, those
no commit read before it added to their file, may be AI lines it edited while merging: they are held
as its AI lines, and a later line that lightly edits one goes to the merge, counted as possibly AI as
the merge's own lines are (`gate.provenance.estimate`), not to the person who commented it.

A line is compared with the line the AI commit wrote, not with an edit of it in between, so that many
small edits cannot walk a line away from the AI's. Each edit vouches for one head line of its commit
with its text. A person's own lines, those that lightly edit no AI line of the range (a different
statement), stay theirs.

Cost: nothing is read when every text the AI commits added, formatting aside, is still held at head by
an AI commit as often as they added it, as when a person's commits only add code of their own;
otherwise the commits' diffs are read once, and each line a commit with no AI marks wrote costs at most
PAIR_WINDOW comparisons in place (and as many of forms, to learn the renames) and PAIR_WINDOW +
FORM_CANDIDATES against the lines gone, of MAX_COMPARED_CHARS at most, and a few look-ups.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from itertools import groupby
from operator import itemgetter

from gate.context.model import MERGE_PARENTS_READ, ChangeSet
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, LineKind
from gate.provenance.formatting import unformatted
from gate.provenance.gone_lines import GoneLines
from gate.provenance.light_edits import (
    Renames,
    clear_caches,
    comment_marker,
    form,
    lightly_edited,
    shape,
    squeezed,
)
from gate.provenance.line_marks import Owned
from gate.provenance.pairing import PAIR_WINDOW, first_edited, form_pairs
from gate.provenance.renames import learn_renames

__all__ = ["PAIR_WINDOW", "Edited", "edited_ai_lines"]

# The most lines a re-wrapped AI line is looked for over, as the carry looks (carry.py).
MAX_WRAPPED_LINES = 12
# The fewest characters of an AI line's code, formatting aside, that a run re-wrapping it with comments
# added is looked for among the lines gone by: as many as the carry asks of a line a formatter wraps.
_WRAPPED_MIN = 32
# A comma before a closing bracket, which a formatter adds when it spreads the brackets over lines.
_TRAILING_COMMA = re.compile(r",\s*(?=[)\]}])")


@dataclass(frozen=True)
class Edited:
    """The owners after the AI lines lightly edited went back, and which lines did: for each file where
    some did, a flag per added line."""

    owners: dict[str, Owned]
    given: dict[str, list[bool]] = field(default_factory=dict)
    # For each file a commit with no AI marks changed unseen (its diff binary) after AI lines: the
    # commits with no AI marks whose lines there are of unknown origin.
    unread: dict[str, frozenset[str]] = field(default_factory=dict)
    to_merges: int = 0  # of the lines given, those given to an unread merge (`_unread_merges`)

    @property
    def lines(self) -> int:
        """The lines given to AI commits."""
        return sum(map(sum, self.given.values())) - self.to_merges


@dataclass
class _FileLines:
    """What the commits read so far left in one file: its AI lines, and its lines that edit them."""

    # Each AI line's text whitespace aside -> (the AI commit, the line as it wrote it).
    ai: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (commit with no AI marks, its line whitespace aside) -> the AI commit of each such edit.
    edited: defaultdict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    # The commits with no AI marks that changed the file since one changed it unseen (its diff binary).
    unread: set[str] = field(default_factory=set)
    # Whether an AI commit changed the file unseen: it may hold AI lines no diff showed.
    hidden: bool = False
    # The texts, whitespace aside, the commits read so far added to the file; kept only while some
    # merge read against its first parent is to come, to tell the lines it wrote from those it took.
    seen: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Written:
    """Lines a commit with no AI marks wrote in one run of a file and paired with no AI line in place."""

    sha: str
    state: _FileLines
    marker: str | None
    lines: list[DiffLine]


def edited_ai_lines(
    changeset: ChangeSet,
    owners: dict[str, Owned],
    ai: Collection[str],
    ai_texts: Iterable[tuple[str, str]],
    *,
    all_held: bool = False,
) -> Edited:
    """Give back to their AI commits the lines others own that lightly edit lines the AI commits wrote.
    `ai_texts` are the lines each AI commit added in its own diff, as (commit, text); `all_held`, that
    the caller found the AI lines of `owners` hold every one of them as written (then none is not held)."""
    reader = changeset.commit_lines
    if reader is None:
        return Edited(owners)
    # An AI commit whose diff of a file stays binary added lines no text tells: the later commits with
    # no AI marks that change that file are read all the same (`_FileLines.hidden`).
    binary = reader.binary_changes(ai)
    if all_held and not binary:
        return Edited(owners)
    texts = {path: {line.new_no: line.text for line in changeset.diff.by_path[path].added} for path in owners}
    not_held = Counter() if all_held else _texts_not_held(ai_texts, owners, texts, ai)
    if not not_held and not binary:
        return Edited(owners)
    others = {
        (sha, squeezed(texts[path].get(n, "")))
        for path, (added, owner) in owners.items()
        for n, sha in zip(added, owner, strict=True)
        if sha is not None and sha not in ai
    }
    unread = _unread_merges(changeset, ai)
    try:
        files = _replay(reader.diffs([c.sha for c in changeset.commits]), ai, others, unread, not_held)
    finally:
        clear_caches()
    out = dict(owners)
    given: dict[str, list[bool]] = {}
    unseen = {path: frozenset(state.unread) for path, state in files.items() if state.unread}
    to_merges = 0
    for path, (added, owner) in owners.items():
        state = files.get(path)
        if state is None or not state.edited:
            continue
        text_at = texts[path]
        new_owner = list(owner)
        flags = [False] * len(added)
        for i, (n, sha) in enumerate(zip(added, owner, strict=True)):
            if sha is None or sha in ai:
                continue
            shas = state.edited.get((sha, squeezed(text_at.get(n, ""))))
            if shas:
                new_owner[i] = shas.pop()
                flags[i] = True
                to_merges += new_owner[i] in unread
        if any(flags):
            out[path] = (added, new_owner)
            given[path] = flags
    return Edited(out, given, unseen, to_merges)


def _unread_merges(changeset: ChangeSet, ai: Collection[str]) -> set[str]:
    """The merges of more than `MERGE_PARENTS_READ` parents with no AI marks: their diffs are read
    against their first parent only, so the lines they wrote may be AI lines they edited while merging,
    and count as possibly AI (`gate.provenance.estimate`). A line a person lightly edits from one of
    them stays that merge's, as an edit of an AI line stays the AI commit's."""
    return {c.sha for c in changeset.commits if len(c.parents) > MERGE_PARENTS_READ and c.sha not in ai}


def _texts_not_held(
    ai_texts: Iterable[tuple[str, str]],
    owners: dict[str, Owned],
    texts: dict[str, dict[int | None, str]],
    ai: Collection[str],
) -> Counter[str]:
    """The texts the AI commits added, formatting aside, that AI commits hold at head fewer times than
    they added them, and how many times fewer: only if there is one can another commit have written over
    one of their lines. The texts decide, not how many lines each commit holds: a line re-wrapped over
    several (carry.py) gives its AI commit more head lines than it wrote, and would hide as many lines
    written over."""
    added = Counter(text for _, text in ai_texts)
    held = Counter(
        texts[path].get(n, "")
        for path, (lines, owner) in owners.items()
        for n, sha in zip(lines, owner, strict=True)
        if sha is not None and sha in ai
    )
    # A text held as often as it was added, as written, is so formatting aside too: only the texts left
    # over on either side need their formatting set aside (most lines are held as the AI wrote them).
    for text in added.keys() & held.keys():
        both = min(added[text], held[text])
        added[text] -= both
        held[text] -= both
    wanted: Counter[str] = Counter()
    for text, n in added.items():
        if n:
            wanted[unformatted(text)] += n
    for text, n in held.items():
        if n:
            wanted[unformatted(text)] -= n
    wanted.pop("", None)
    return +wanted


def _replay(
    diffs: Iterable[tuple[str, Diff]],
    ai: Collection[str],
    at_head: Collection[tuple[str, str]],
    unread: Collection[str] = frozenset(),
    not_held: Counter[str] | None = None,
) -> dict[str, _FileLines]:
    """Read the commits' diffs in order (a merge's one after the other): the AI lines of each file,
    the edits of them in place, then the edits of the AI lines gone by the lines still `at_head`
    (commit, text whitespace aside): one a later commit wrote over vouches for nothing there. The lines
    an `unread` merge wrote, those no commit read before it added to the file and that edit no AI line,
    are held as AI lines of that merge: a later light edit of one is not a person's own line. A line that
    repeats one gone pairs only while its text is `not_held` (`GoneLines`)."""
    files: dict[str, _FileLines] = {}
    to_come = set(unread)
    gone = GoneLines(not_held=not_held or Counter())
    left: list[_Written] = []
    for sha, commit in groupby(diffs, key=itemgetter(0)):
        to_come.discard(sha)
        # A merge's own lines are added lines of its diff against each parent: each is paired once.
        paired: set[tuple[str, int | None]] = set()
        unpaired: list[tuple[str, _Written]] = []
        unseen: list[_FileLines] = []  # the files the commit changed unseen, its diff of them binary
        for _, diff in commit:
            for change in diff.files:
                state = _follow(files, change)
                if sha in ai:
                    state.hidden |= change.is_binary
                elif state.unread or state.hidden:
                    state.unread.add(sha)
                elif change.is_binary:
                    unseen.append(state)
                marker = comment_marker(change.path)
                runs = list(_runs(change))
                renames = cache(partial(_file_renames, runs, state, marker))
                for removed, written in runs:
                    if to_come:
                        state.seen.update(squeezed(line.text) for line in written)
                    if sha in ai:
                        _ai_run(sha, state, removed, written, gone, marker)
                        continue
                    lines = [w for w in written if (change.path, w.new_no) not in paired]
                    run = _Written(sha, state, marker, lines)
                    done, rest = _edited_in_place(run, removed, gone, renames)
                    paired.update((change.path, w.new_no) for w in done)
                    unpaired.append((change.path, rest))
                    if sha in unread:
                        _merge_lines(sha, state, rest.lines, gone)
        for path, run in unpaired:
            lines = [w for w in run.lines if (path, w.new_no) not in paired]
            paired.update((path, w.new_no) for w in lines)
            if lines:
                left.append(_Written(run.sha, run.state, run.marker, lines))
        for state in unseen:  # AI lines the commit removed elsewhere may be what it wrote there
            if state.ai or gone:
                state.unread.add(sha)
    if gone:
        for run in reversed(left):  # the latest lines first: a later line stands where an earlier was
            texts = [w.text for w in run.lines]
            wanted = [(run.sha, squeezed(text)) in at_head for text in texts]
            if any(wanted):
                wrapped = _rewrapped_gone(run, wanted, gone)
                kept = [n for n in range(len(texts)) if n not in wrapped]
                pairs = gone.walk([texts[n] for n in kept], run.marker, [wanted[n] for n in kept])
                _record(run.sha, [(texts[kept[n]], ai_line) for n, ai_line in pairs], run.state)
    return files


def _rewrapped_gone(run: _Written, wanted: list[bool], gone: GoneLines) -> set[int]:
    """The lines of the run that a formatter spread an AI line gone over, with comments at their ends
    added (code moved, re-wrapped and commented): each run of `wanted` lines whose brackets close on its
    last line whose code, joined up and formatting aside, is a held AI line's code, distinctive enough
    to stand alone as a re-wrapped run does in the carry. Each vouches for one head line of the run."""
    out: set[int] = set()
    lines, marker = run.lines, run.marker
    n = 0
    while n < len(lines) - 1:
        end = _wrap_end(lines, n, (), marker)
        if end is None or not all(wanted[n:end]):
            n += 1
            continue
        code = unformatted(" ".join(shape(w.text, marker)[0] for w in lines[n:end]))
        if len(code) < _WRAPPED_MIN or (ai_line := gone.take_code(code)) is None:
            n += 1
            continue
        for k in range(n, end):
            run.state.edited[(run.sha, squeezed(lines[k].text))].append(ai_line[0])
            out.add(k)
        n = end
    return out


def _ai_run(
    sha: str,
    state: _FileLines,
    removed: list[str],
    written: list[DiffLine],
    gone: GoneLines,
    marker: str | None,
) -> None:
    """An AI commit's run: the AI lines it removed are gone, the lines it added are AI lines."""
    for text in removed:
        if (ai_line := state.ai.get(squeezed(text))) is not None:
            gone.add(text, ai_line, marker)
    for line in written:
        if key := squeezed(line.text):
            state.ai.setdefault(key, (sha, line.text))
            gone.times_written[(sha, key)] += 1


def _merge_lines(sha: str, state: _FileLines, lines: list[DiffLine], gone: GoneLines) -> None:
    """An unread merge's lines that edit no AI line in place: those it wrote, not took from a parent
    (no commit read before it added them to the file), are held as its AI lines."""
    for line in lines:
        if (key := squeezed(line.text)) and key not in state.seen and key not in state.ai:
            state.ai[key] = (sha, line.text)
            gone.times_written[(sha, key)] += 1


def _file_renames(
    runs: list[tuple[list[str], list[DiffLine]]], state: _FileLines, marker: str | None
) -> dict[str, str]:
    """The names a commit renames throughout a file (renames.py), learnt from each line it wrote in place
    of AI lines beside the first of the next PAIR_WINDOW AI lines it replaced that has the line's form."""
    pairs: list[tuple[str, str]] = []
    for removed, written in runs:
        replaced = _Removed.of(removed, state, marker) if written else None
        if replaced is not None:
            pairs += form_pairs((line.text for line in written), marker, replaced)
    return learn_renames(pairs, marker) if pairs else {}


def _edited_in_place(
    run: _Written, removed: list[str], gone: GoneLines, renames: Renames
) -> tuple[list[DiffLine], _Written]:
    """Pair the lines of a run with the lines they replaced and record the edits of AI lines, names
    the commit renames throughout the file aside; the AI lines left are gone. Returns the lines paired,
    and the run of those left."""
    replaced = _Removed.of(removed, run.state, run.marker)
    if replaced is None:
        return [], run
    texts = [w.text for w in run.lines]
    matches = replaced.matches(texts, renames) if texts else []
    edits = []
    for n, r in matches:
        if (ai_line := replaced.ai_lines[r]) is not None and _is_edit(texts[n], ai_line):
            edits.append((texts[n], ai_line))
    used = {r for _, r in matches}
    _record(run.sha, edits, run.state)
    for lines, r in _rewrapped(run.lines, {n for n, _ in matches}, replaced, used, renames):
        ai_line = replaced.ai_lines[r]
        assert ai_line is not None  # the positions rewrapped pairs with are the AI lines'
        # The AI's own text re-wrapped is the carry's to give back, with its guards. Each line of an
        # edited run vouches for one head line; none is the AI line's text alone.
        if not _rewraps(texts[lines.start : lines.stop], ai_line[1]):
            for n in lines:
                run.state.edited[(run.sha, squeezed(texts[n]))].append(ai_line[0])
        matches += [(n, r) for n in lines]
        used.add(r)
    for r in replaced.ai_at:
        if r not in used and (ai_line := replaced.ai_lines[r]) is not None:
            gone.add(removed[r], ai_line, run.marker)
    done = {n for n, _ in matches}
    rest = [w for n, w in enumerate(run.lines) if n not in done]
    return [run.lines[n] for n in sorted(done)], _Written(run.sha, run.state, run.marker, rest)


def _rewrapped(
    lines: list[DiffLine], done: Collection[int], replaced: _Removed, used: Collection[int], renames: Renames
) -> Iterator[tuple[range, int]]:
    """The runs of consecutive lines left (not `done`) that are one AI line left (not `used`) re-wrapped
    and lightly edited, each with that AI line's position, in order: a run whose brackets close on its
    last line, of MAX_WRAPPED_LINES lines at most, joined up with the comments at their ends set aside,
    lightly edits one of the next PAIR_WINDOW AI lines from where the pairing stands. A formatter that
    spreads a call over lines leaves no line like the AI's, and a comment or a renaming keeps the carry
    from matching the run by its text (carry.py); one AI line vouches for one run."""
    marker = replaced.marker
    left = [r for r in replaced.ai_at if r not in used]
    at = 0
    n = 0
    while n < len(lines) - 1 and at < len(left):
        end = _wrap_end(lines, n, done, marker)
        if end is not None:
            joined = _TRAILING_COMMA.sub("", " ".join(shape(w.text, marker)[0].strip() for w in lines[n:end]))
            for k in range(at, min(at + PAIR_WINDOW, len(left))):
                r = left[k]
                ai_code = _TRAILING_COMMA.sub("", shape(replaced.text(r), marker)[0])
                if lightly_edited(ai_code, joined, None, renames):
                    yield range(n, end), r
                    at = k + 1
                    n = end
                    break
            else:
                n += 1
        else:
            n += 1


def _rewraps(texts: list[str], ai_text: str) -> bool:
    """Whether the lines joined up are the AI line, formatting aside, as the carry reads a run: also
    without the parentheses black puts around a value it splits (`x = (` ... `)`)."""
    key = unformatted(ai_text)
    if unformatted("".join(texts)) == key:
        return True
    head = texts[0].rstrip()
    parenthesised = head.endswith(("= (", "=(", "return (")) and texts[-1].strip() == ")"
    return parenthesised and unformatted(head[:-1] + "".join(texts[1:-1])) == key


def _wrap_end(lines: list[DiffLine], first: int, done: Collection[int], marker: str | None) -> int | None:
    """Where a run from `first` that opens brackets ends, past the line that closes them: None when
    the first line opens none, or they do not close within MAX_WRAPPED_LINES consecutive lines left."""
    depth = 0
    for n in range(first, min(len(lines), first + MAX_WRAPPED_LINES)):
        line = lines[n]
        if n in done or (n > first and line.new_no != (lines[n - 1].new_no or 0) + 1):
            return None
        depth += _depth(shape(line.text, marker)[0])
        if depth <= 0:
            return n + 1 if depth == 0 and n > first else None
    return None


def _depth(code: str) -> int:
    """How many brackets the code opens, less those it closes."""
    count = code.count
    return count("(") + count("[") + count("{") - count(")") - count("]") - count("}")


def _is_edit(text: str, ai_line: tuple[str, str]) -> bool:
    """Whether a line paired with an AI line differs from it, whitespace aside: the AI's own text is the
    carry's to give back, with its guards for short lines."""
    return squeezed(ai_line[1]) != squeezed(text)


def _follow(files: dict[str, _FileLines], change: FileChange) -> _FileLines:
    """The file's lines before the change, under the path it has after it (a rename moves them; a
    deleted file's are no longer the path's)."""
    if change.status is FileStatus.DELETED:
        return files.pop(change.path, None) or _FileLines()
    moved = None
    if change.old_path and change.old_path != change.path:
        moved = files.pop(change.old_path, None)
    kept = files.get(change.path)
    if kept is None:
        kept = files[change.path] = moved or _FileLines()
    elif moved is not None:
        kept.unread |= moved.unread
        kept.hidden |= moved.hidden
        for text, ai_line in moved.ai.items():
            kept.ai.setdefault(text, ai_line)
        for edit, shas in moved.edited.items():
            kept.edited[edit].extend(shas)
        kept.seen |= moved.seen
    return kept


def _record(sha: str, pairs: list[tuple[str, tuple[str, str]]], state: _FileLines) -> None:
    for text, ai_line in pairs:
        key = squeezed(text)
        state.edited[(sha, key)].append(ai_line[0])
        state.ai.setdefault(key, ai_line)  # a later edit of this line is an edit of the AI line


def _runs(change: FileChange) -> Iterator[tuple[list[str], list[DiffLine]]]:
    """Each run of changed lines with no unchanged line amid them: (the removed texts, the added lines)."""
    for hunk in change.hunks:
        removed: list[str] = []
        added: list[DiffLine] = []
        for line in (*hunk.lines, None):
            if line is None or line.kind is LineKind.CONTEXT:
                if removed or added:
                    yield removed, added
                removed, added = [], []
            elif line.kind is LineKind.REMOVED:
                removed.append(line.text)
            else:
                added.append(line)


@dataclass(frozen=True)
class _Removed:
    """Lines a commit removed from a file, some of them AI lines, ready to pair with those it wrote: the
    AI lines among them as pairing.py reads them (`AiLines`), at their positions among the lines."""

    ai_lines: list[tuple[str, str] | None]  # each line's AI line (commit, text), None when not one
    where: dict[str, list[int]]  # each text, whitespace aside -> its positions, ascending
    ai_at: list[int]  # the positions of the AI lines, ascending
    marker: str | None  # the file's comment marker

    @classmethod
    def of(cls, texts: list[str], state: _FileLines, marker: str | None) -> _Removed | None:
        """None when none of the lines is an AI line of the file."""
        keys = [squeezed(text) for text in texts]
        ai_lines = [state.ai.get(key) for key in keys]
        ai_at = [i for i, ai_line in enumerate(ai_lines) if ai_line is not None]
        if not ai_at:
            return None
        where: defaultdict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            where[key].append(i)
        return cls(ai_lines, where, ai_at, marker)

    def matches(self, written: list[str], renames: Renames) -> list[tuple[int, int]]:
        """The written lines that repeat or lightly edit a removed line, each with the removed line's
        position, paired in order. A written line equal to a removed one, whitespace aside, pairs with it
        wherever it is further on (a move keeps most lines as they were), and the pairing goes on from
        there; it is an edit only when the removed line was: the AI's own text is the carry's to match,
        with its guards for short lines."""
        out: list[tuple[int, int]] = []
        at = 0
        for n, text in enumerate(written):
            same = self.where.get(squeezed(text))
            if same and (k := bisect_left(same, at)) < len(same):
                found: int | None = same[k]
            else:
                found = first_edited(self, text, at, self.marker, renames)
            if found is not None:
                out.append((n, found))
                at = found + 1
        return out

    def after(self, at: int, limit: int) -> list[int]:
        k = bisect_left(self.ai_at, at)
        return self.ai_at[k : k + limit]

    def text(self, position: int) -> str:
        ai_line = self.ai_lines[position]
        assert ai_line is not None  # the positions given out are the AI lines'
        return ai_line[1]

    def measure(self, position: int) -> tuple[str | None, tuple[int, str]]:
        text = self.text(position)
        return self.marker, (len(shape(text, self.marker)[1]), form(text, self.marker))

    def same_code(self, text: str, marker: str | None, at: int) -> int | None:
        """Code compared formatting aside, as among the lines gone: a formatter run over the file as the
        comments went in leaves the code the AI's."""
        same_code = self._by_code.get(unformatted(shape(text, marker)[0]))
        if same_code and (k := bisect_left(same_code, at)) < len(same_code):
            return same_code[k]
        return None

    def same_form(self, text_form: str, at: int) -> list[int]:
        """None: in place a line pairs within PAIR_WINDOW or by its code, as no neighbour vouches for it."""
        return []

    @cached_property
    def _by_code(self) -> dict[str, list[int]]:
        """Each AI line's code, comment and formatting aside -> its positions, ascending."""
        by_code: defaultdict[str, list[int]] = defaultdict(list)
        for i in self.ai_at:
            ai_line = self.ai_lines[i]
            if ai_line is not None and (code := unformatted(shape(ai_line[1], self.marker)[0])):
                by_code[code].append(i)
        return by_code
