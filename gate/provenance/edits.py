"""AI lines a commit with no AI marks only lightly edited in place stay the AI commit's.

Blame and the patch replay give a line to the commit that last changed it. A commit with no AI marks
that appends a comment to every AI line (`  # reviewed`), renames a parameter throughout or changes a
token here and there would then own every line it touched, and the AI share would fall below the
thresholds. The carry (carry.py) gives back lines whose text an AI commit wrote, formatting aside; this
gives back the lines such a commit wrote in place of AI lines and that stay close to them.

The commits' own diffs are read in order, renames followed. Where a commit with no AI marks replaces a
run of lines of a file, and some replaced line is an AI line of that file (an AI commit of the range
added its text there, whitespace aside, or it is itself an edit of one), each line the commit wrote in
the run is paired, in order, with the first of the next PAIR_WINDOW replaced AI lines that it lightly
edits (`lightly_edited`); the replaced lines that are not AI lines do not count, as a person may drop
comments or code of their own next to the AI lines they edit:
- its code is the AI line's but for a comment at its end (`x = f(a)  # reviewed`), whitespace aside;
- its tokens are the AI line's but for names renamed one to one (`value` -> `val`), with at least
  MIN_KEPT_WORDS words (names, keywords, numbers) kept and more kept than renamed; or
- both are at least MIN_COMPARED_CHARS characters besides whitespace and at least MIN_SIMILARITY % alike
  (rapidfuzz's ratio, whitespace aside): a token changed, a type hint added.
Past those, a line that keeps an AI line's code but for a comment pairs with it still: the AI lines a
commit deletes do not hide those it edits after them. A line is compared with the line the AI commit
wrote, not with an edit of it in between, so that many small edits cannot walk a line away from the
AI's. Each edit vouches for one head line of its commit
with its text. A person's own lines, those not written in place of an AI line or unlike the line they
replace (a different statement), stay theirs.

Cost: nothing is read when every line the AI commits added is still their own at head, as when a
person's commits only add code of their own; otherwise the commits' diffs are read once, and each line
written in place of AI lines costs at most PAIR_WINDOW comparisons of MAX_COMPARED_CHARS at most, and
one look-up of its code.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import PurePosixPath

from gate.context.model import ChangeSet
from gate.diff.model import Diff, FileChange, FileStatus, LineKind
from gate.provenance.line_marks import Owned

MIN_SIMILARITY = 80
MIN_COMPARED_CHARS = 8
# Longer lines (minified code, data) are compared by their code alone: the similarity and the token
# walk grow with the length of the lines compared, and a change chooses its lines.
MAX_COMPARED_CHARS = 1_000
MIN_KEPT_WORDS = 3
# How far past the last paired line a written line looks for the AI line it edits: a person who edits
# a run of AI lines may also add or drop a few lines within it.
PAIR_WINDOW = 5
# Lines whose code is kept while they are compared (each is compared with up to PAIR_WINDOW others);
# emptied when the run's pairing ends.
SHAPES_CACHED = 4096
# Deleted files an added file of the same commit is tried against, the closest in length first.
MOVE_CANDIDATES = 3

# The marker of a comment that runs to the end of the line, by the file's suffix or name. In a file of
# another kind no comment is stripped; the other two measures still apply.
_HASH_SUFFIXES = frozenset({
    ".py", ".pyi", ".pyw", ".sh", ".bash", ".zsh", ".fish", ".rb", ".pl", ".r", ".toml", ".yml", ".yaml",
    ".cfg", ".conf", ".ini", ".tf", ".ps1", ".cmake",
})  # fmt: skip
_SLASH_SUFFIXES = frozenset({
    ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".java", ".kt", ".kts", ".scala", ".go", ".rs", ".js", ".jsx",
    ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".swift", ".dart", ".php", ".groovy", ".gradle",
})  # fmt: skip
_HASH_NAMES = frozenset({"makefile", "dockerfile", "gemfile", "rakefile"})
_QUOTES = frozenset("\"'`")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\w+|\S')
_NAME = re.compile(r"[^\W\d]\w*")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Edited:
    """The owners after the AI lines lightly edited in place went back, and which lines did: for each
    file where some did, a flag per added line."""

    owners: dict[str, Owned]
    given: dict[str, list[bool]] = field(default_factory=dict)

    @property
    def lines(self) -> int:
        return sum(map(sum, self.given.values()))


@dataclass
class _FileLines:
    """What the commits read so far left in one file: its AI lines, and its lines that edit them."""

    # Each AI line's text whitespace aside -> (the AI commit, the line as it wrote it).
    ai: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (commit with no AI marks, its line whitespace aside) -> the AI commit of each such edit.
    edited: defaultdict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))


def edited_ai_lines(
    changeset: ChangeSet, owners: dict[str, Owned], ai: Collection[str], added_by: Counter[str]
) -> Edited:
    """Give back to their AI commits the lines others own that lightly edit, in place, lines the AI
    commits wrote. `added_by` counts the lines each AI commit added in its own diff."""
    reader = changeset.commit_lines
    if reader is None or not _ai_lines_replaced(added_by, owners):
        return Edited(owners)
    try:
        files = _replay(reader.diffs([c.sha for c in changeset.commits]), ai)
    finally:
        _shape.cache_clear()
        _tokens.cache_clear()
    out = dict(owners)
    given: dict[str, list[bool]] = {}
    for path, (added, owner) in owners.items():
        state = files.get(path)
        if state is None or not state.edited:
            continue
        text_at = {line.new_no: line.text for line in changeset.diff.by_path[path].added}
        new_owner = list(owner)
        flags = [False] * len(added)
        for i, (n, sha) in enumerate(zip(added, owner, strict=True)):
            if sha is None or sha in ai:
                continue
            shas = state.edited.get((sha, _squeezed(text_at.get(n, ""))))
            if shas:
                new_owner[i] = shas.pop()
                flags[i] = True
        if any(flags):
            out[path] = (added, new_owner)
            given[path] = flags
    return Edited(out, given)


def _ai_lines_replaced(added_by: Counter[str], owners: dict[str, Owned]) -> bool:
    """Whether some AI commit owns fewer head lines than it added: only then can another commit have
    written over one of its lines."""
    held = Counter(chain.from_iterable(owner for _, owner in owners.values()))
    return any(n > held[sha] for sha, n in added_by.items())


def _replay(diffs: Iterable[tuple[str, Diff]], ai: Collection[str]) -> dict[str, _FileLines]:
    """Read the commits' diffs in order: the AI lines of each file, and the edits of them."""
    files: dict[str, _FileLines] = {}
    for sha, diff in diffs:
        gone: list[_Removed] = []  # files with AI lines the commit deleted
        born: list[tuple[FileChange, _FileLines]] = []  # files it added
        for change in diff.files:
            deleted = change.status is FileStatus.DELETED and sha not in ai
            if deleted and (old := files.get(change.path)) and old.ai:
                removed = _Removed.of([line.text for h in change.hunks for line in h.removed], old)
                if removed is not None:
                    gone.append(removed)
            state = _follow(files, change)
            if state is None:
                continue
            if sha in ai:
                for line in change.added:
                    if key := _squeezed(line.text):
                        state.ai.setdefault(key, (sha, line.text))
            elif change.status is FileStatus.ADDED:
                born.append((change, state))
            elif state.ai:
                marker = _comment_marker(change.path)
                for texts, written in _replaced_runs(change):
                    if (removed := _Removed.of(texts, state)) is not None:
                        _record(sha, removed.pairs(written, marker), state)
        if gone and born:
            _moved_and_edited(sha, gone, born)
    return files


def _follow(files: dict[str, _FileLines], change: FileChange) -> _FileLines | None:
    """The file's lines after the change's rename or deletion (None once deleted)."""
    if change.status is FileStatus.DELETED:
        files.pop(change.path, None)
        return None
    if change.old_path and change.old_path != change.path and (moved := files.pop(change.old_path, None)):
        kept = files.setdefault(change.path, _FileLines())
        kept.ai.update(moved.ai)
        for key, shas in moved.edited.items():
            kept.edited[key].extend(shas)
    return files.setdefault(change.path, _FileLines())


def _moved_and_edited(sha: str, gone: list[_Removed], born: list[tuple[FileChange, _FileLines]]) -> None:
    """A commit that deletes a file of AI lines and adds one in its place, edited too much for git to
    call it a rename: each added file is paired with the deleted file (of the MOVE_CANDIDATES closest
    in length) whose AI lines it edits most."""
    gone.sort(key=len)
    lengths = [len(removed) for removed in gone]
    for change, state in born:
        written = [line.text for line in change.added]
        marker = _comment_marker(change.path)
        at = bisect_left(lengths, len(written))
        near = gone[max(0, at - MOVE_CANDIDATES) : at + MOVE_CANDIDATES]
        nearest = sorted(near, key=lambda removed: abs(len(removed) - len(written)))[:MOVE_CANDIDATES]
        _record(sha, max((removed.pairs(written, marker) for removed in nearest), key=len), state)


def _record(sha: str, pairs: list[tuple[str, tuple[str, str]]], state: _FileLines) -> None:
    for text, ai_line in pairs:
        key = _squeezed(text)
        state.edited[(sha, key)].append(ai_line[0])
        state.ai.setdefault(key, ai_line)  # a later edit of this line is an edit of the AI line


@dataclass(frozen=True)
class _Removed:
    """Lines a commit removed from a file, some of them AI lines, ready to pair with those it wrote."""

    ai_lines: list[tuple[str, str] | None]  # each line's AI line (commit, text), None when not one
    where: dict[str, list[int]]  # each text, whitespace aside -> its positions, ascending
    ai_at: list[int]  # the positions of the AI lines, ascending

    @classmethod
    def of(cls, texts: list[str], state: _FileLines) -> _Removed | None:
        """None when none of the lines is an AI line of the file."""
        keys = [_squeezed(text) for text in texts]
        ai_lines = [state.ai.get(key) for key in keys]
        ai_at = [i for i, ai_line in enumerate(ai_lines) if ai_line is not None]
        if not ai_at:
            return None
        where: defaultdict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            where[key].append(i)
        return cls(ai_lines, where, ai_at)

    def __len__(self) -> int:
        return len(self.ai_lines)

    def pairs(self, written: list[str], marker: str | None) -> list[tuple[str, tuple[str, str]]]:
        """The written lines that lightly edit an AI line among these, each with the AI line, paired in
        order. A written line equal to a removed one, whitespace aside, pairs with it wherever it is
        further on (a move keeps most lines as they were), and the pairing goes on from there; it is an
        edit only when the removed line was: the AI's own text is the carry's to match, with its guards
        for short lines."""
        out: list[tuple[str, tuple[str, str]]] = []
        by_code = self._by_code(marker)
        at = 0
        for text in written:
            key = _squeezed(text)
            same = self.where.get(key)
            if same and (k := bisect_left(same, at)) < len(same):
                at = same[k] + 1
                if (ai_line := self.ai_lines[same[k]]) is not None and _squeezed(ai_line[1]) != key:
                    out.append((text, ai_line))
                continue
            if found := self._edited(text, at, marker, by_code):
                at, ai_line = found
                out.append((text, ai_line))
        return out

    def _edited(
        self, text: str, at: int, marker: str | None, by_code: dict[str, list[int]]
    ) -> tuple[int, tuple[str, str]] | None:
        """The position past the first AI line from `at` on that `text` lightly edits, and that line:
        among the next PAIR_WINDOW AI lines, or further on one whose code `text` keeps but for a
        comment."""
        k = bisect_left(self.ai_at, at)
        for i in self.ai_at[k : k + PAIR_WINDOW]:
            ai_line = self.ai_lines[i]
            if ai_line is not None and lightly_edited(ai_line[1], text, marker):
                return i + 1, ai_line
        same_code = by_code.get(_shape(text, marker)[1])
        if same_code and (k := bisect_left(same_code, at)) < len(same_code):
            ai_line = self.ai_lines[same_code[k]]
            return (same_code[k] + 1, ai_line) if ai_line is not None else None
        return None

    def _by_code(self, marker: str | None) -> dict[str, list[int]]:
        """Each AI line's code, comment and whitespace aside -> its positions, ascending."""
        by_code: defaultdict[str, list[int]] = defaultdict(list)
        for i in self.ai_at:
            ai_line = self.ai_lines[i]
            if ai_line is not None and (code := _shape(ai_line[1], marker)[1]):
                by_code[code].append(i)
        return by_code


def _replaced_runs(change: FileChange) -> Iterator[tuple[list[str], list[str]]]:
    """Each run of changed lines with no unchanged line amid them that both removes and adds lines:
    (the removed texts, the added texts)."""
    for hunk in change.hunks:
        removed: list[str] = []
        added: list[str] = []
        for line in (*hunk.lines, None):
            if line is None or line.kind is LineKind.CONTEXT:
                if removed and added:
                    yield removed, added
                removed, added = [], []
            elif line.kind is LineKind.REMOVED:
                removed.append(line.text)
            else:
                added.append(line.text)


def lightly_edited(ai_line: str, line: str, marker: str | None) -> bool:
    """Whether `line` is `ai_line` lightly edited: a comment at the end added or changed, names renamed
    one to one, or little changed besides (module docstring). The cheap tests go first: most lines a
    person writes in place of AI lines are unlike them."""
    ai_code, ai_key = _shape(ai_line, marker)
    code, key = _shape(line, marker)
    if ai_key == key:
        return bool(key)
    shorter, longer = sorted((len(ai_key), len(key)))
    if longer > MAX_COMPARED_CHARS:
        return False
    # The ratio is 2 * matches / (both lengths) at most 2 * shorter / (both lengths).
    could_match = shorter >= MIN_COMPARED_CHARS and 200 * shorter >= MIN_SIMILARITY * (shorter + longer)
    if could_match:
        from rapidfuzz import fuzz  # only a run with AI lines a person replaced loads it

        if fuzz.ratio(ai_key, key, score_cutoff=MIN_SIMILARITY):
            return True
    # A renaming leaves everything but the words as it was.
    return _WORDS.sub("", ai_key) == _WORDS.sub("", key) and _renamed(ai_code, code)


@lru_cache(maxsize=SHAPES_CACHED)
def _shape(text: str, marker: str | None) -> tuple[str, str]:
    """The line's code (`_code`), and its code whitespace aside."""
    code = _code(text, marker)
    return code, _squeezed(code)


@lru_cache(maxsize=SHAPES_CACHED)
def _tokens(code: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(code))


def _renamed(ai_code: str, code: str) -> bool:
    """The same tokens in the same order but for names renamed one to one, with at least MIN_KEPT_WORDS
    words kept and more kept than renamed."""
    before, after = _tokens(ai_code), _tokens(code)
    if len(before) != len(after):
        return False
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    words = sum(1 for token in before if token[0].isalnum() or token[0] == "_")
    kept = words - len(changed)  # a changed token that is not a name fails below
    if not changed or kept < MIN_KEPT_WORDS or kept <= len(changed):
        return False
    names: dict[str, str] = {}
    for old, new in changed:
        if not (_NAME.fullmatch(old) and _NAME.fullmatch(new)) or names.setdefault(old, new) != new:
            return False
    unchanged = {old for old, new in zip(before, after, strict=True) if old == new}
    renamed_to = set(names.values())
    # Not one to one: a name renamed in one place and kept in another, or two names made one.
    return not (unchanged & names.keys() or unchanged & renamed_to or len(renamed_to) != len(names))


def _code(text: str, marker: str | None) -> str:
    """The line without a comment at its end, when code precedes the comment; else the line."""
    if marker is None or (at := text.find(marker)) < 0:
        return text
    if not _QUOTES.intersection(text[:at]):  # the common case: no string before the marker
        return text[:at] if text[:at].strip() else text
    quote = ""
    escaped = False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif text.startswith(marker, i):
            code = text[:i]
            return code if code.strip() else text
    return text


def _comment_marker(path: str) -> str | None:
    """`#` or `//`, the marker of a comment to the end of the line in the file's language, if known."""
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if suffix in _HASH_SUFFIXES or name in _HASH_NAMES:
        return "#"
    if suffix in _SLASH_SUFFIXES:
        return "//"
    return None


def _squeezed(text: str) -> str:
    return "".join(text.split())
