"""Replay a series of per-commit patches: who last introduced each line, and the series' combined diff.

Base content is unknown when only patches are given, so a file is a list of entries: base lines are
placeholders until a hunk shows their text (as context or removed), and lines a commit adds carry that
commit's sha. After the last patch, the entries are the head file as far as the patches saw it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.errors import InputError

CONTEXT_LINES = 3
# The replay keeps one entry per line of a file up to its last hunk, so a hunk header's line number
# is memory: "@@ -99999999999,1 ..." in a few bytes of patch would ask for terabytes. Real files the
# gate reviews are far shorter; past these limits the series is refused with a clear error.
MAX_FILE_LINES = 1_000_000
MAX_SERIES_LINES = 4_000_000
# A hunk whose lines are not where its header says is searched for; each place tried costs line
# comparisons, so a series of crafted headers over long files could ask for hours (10,000,000
# comparisons take about two seconds).
MAX_SEARCH_LINES = 10_000_000


@dataclass(slots=True)
class _Entry:
    origin: str | None  # sha of the commit that added the line; None for a base line
    text: str | None  # None while unseen
    base_no: int | None  # base line number, for base lines
    origin_no: int | None = None  # the line's number in the file of the commit that added it


@dataclass
class _FileState:
    base_path: str | None  # None when the file did not exist at base
    entries: list[_Entry]
    removed_base: list[DiffLine]  # base lines removed along the way (kind REMOVED, old_no set)
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    deleted: bool = False
    notes: tuple[str, ...] = ()
    # Base lines known so far: placeholders past the end continue the base numbering from here.
    max_base: int = 0
    # Whether the entries are the whole file: one the series added, or whose end a hunk showed. Until
    # then a base file may go on past its last known line.
    length_known: bool = False


def _ensure(state: _FileState, upto: int) -> None:
    """Grow the base placeholders so that `upto` entries exist."""
    missing = upto - len(state.entries)
    if upto > MAX_FILE_LINES:
        raise InputError(
            f"a hunk reaches line {upto}, beyond the {MAX_FILE_LINES:,} lines the gate replays per file",
            "check the hunk headers of the patch series",
        )
    if missing > 0:
        start = state.max_base
        state.entries.extend(_Entry(None, None, start + i + 1) for i in range(missing))
        state.max_base = start + missing


def _apply(state: _FileState, change: FileChange, sha: str, patch: str, budget: _Budget) -> None:
    """Apply one patch's hunks to the file as `git apply` does: in order, each at the line its header
    gives in the file as the hunks before it left it, or else at the nearest place its preimage (context
    and removed lines) is found, with no fuzz. `patch` names the patch in errors."""
    entries = state.entries
    written: set[int] = set()  # ids of entries a hunk of this patch wrote: git lets no later hunk match them
    added: list[_Entry] = []
    moved = False
    for number, hunk in enumerate(change.hunks, 1):
        pre = [line.text for line in hunk.lines if line.kind is not LineKind.ADDED]
        stated = hunk.new_start - 1 if hunk.new_start else 0
        at_end = _trailing_context(hunk) == 0
        at, unsure = _find(state, pre, stated, hunk.old_start <= 1, at_end, written, budget)
        if at is None:
            header = f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@"
            if unsure:
                raise InputError(
                    f"{patch}: hunk {number} of {change.path} ({header}) is not at its line, and where git "
                    "would apply it depends on lines of the base file the series does not show",
                    "give the series as git format-patch wrote it, or run the gate on the repository",
                )
            raise InputError(
                f"{patch}: hunk {number} of {change.path} ({header}) does not apply: its context and "
                "removed lines are not in the file as the patches before it leave it",
                "git am refuses this patch too; give the series as git format-patch wrote it",
            )
        moved = moved or at != stated
        if not state.length_known:
            _ensure(state, at + len(pre))
            # git anchors a hunk with no context after its changes at the file's end: the file ends here.
            state.length_known = at_end
        old = entries[at : at + len(pre)]
        new: list[_Entry] = []
        pos = 0
        for line in hunk.lines:
            if line.kind is LineKind.ADDED:
                entry = _Entry(sha, line.text, None, line.new_no)
                added.append(entry)
                new.append(entry)
                continue
            entry = old[pos]
            pos += 1
            if entry.text is None:
                entry.text = line.text
            if line.kind is LineKind.CONTEXT:
                new.append(entry)
            elif entry.origin is None and entry.base_no is not None:
                state.removed_base.append(DiffLine(LineKind.REMOVED, entry.base_no, None, line.text))
        written.update(id(entry) for entry in new)
        entries[at : at + len(pre)] = new
    if moved:
        # A hunk placed away from its header's line puts its lines elsewhere in the commit's file too. The
        # walk is over the whole file, which a one-line header can make a million lines long: charged to
        # the series' budget, so that many such patches are refused, not walked one after the other.
        budget.spend(len(entries))
        mine = {id(entry) for entry in added}
        for i, entry in enumerate(entries):
            if id(entry) in mine:
                entry.origin_no = i + 1


def _trailing_context(hunk: Hunk) -> int:
    """Context lines after the hunk's last added or removed line."""
    count = 0
    for line in reversed(hunk.lines):
        if line.kind is not LineKind.CONTEXT:
            break
        count += 1
    return count


class _Budget:
    """Lines compared while searching for misplaced hunks, across one series: a bound on the work a
    few crafted hunk headers can ask for."""

    def __init__(self) -> None:
        self.left = MAX_SEARCH_LINES

    def spend(self, lines: int) -> None:
        self.left -= lines
        if self.left < 0:
            raise InputError(
                f"the series' hunks are misplaced so far that finding where they apply takes over "
                f"{MAX_SEARCH_LINES:,} line comparisons",
                "check the hunk headers of the patch series",
            )


_NO, _SURE, _MAYBE = 0, 1, 2


def _fit(state: _FileState, pre: list[str], at: int, at_end: bool, written: set[int], budget: _Budget) -> int:
    """Whether the preimage matches at `at`: _NO, _SURE, or _MAYBE when that rests on base lines no patch
    has shown (their text, or where the file ends)."""
    entries = state.entries
    n, m = len(entries), len(pre)
    if state.length_known:
        if at + m > n or (at_end and at + m != n):
            return _NO
        unsure = False
    else:
        if at_end and at + m < n:
            return _NO
        unsure = at_end or at + m > n
    for i in range(min(m, n - at)):
        entry = entries[at + i]
        if id(entry) in written or (entry.text is not None and entry.text != pre[i]):
            budget.spend(i + 1)
            return _NO
        unsure = unsure or entry.text is None
    budget.spend(m)
    return _MAYBE if unsure else _SURE


def _find(
    state: _FileState,
    pre: list[str],
    line: int,
    at_start: bool,
    at_end: bool,
    written: set[int],
    budget: _Budget,
) -> tuple[int | None, bool]:
    """Where the preimage goes, by git's rules (apply.c `find_pos`, `match_fragment`): a hunk whose old
    side starts at line 0 or 1 matches only at the file's start, one with no trailing context only at its
    end; otherwise the stated line is tried, then one line after, one before, two after, and so on, and
    the first match wins. Base lines the series never showed are taken to be what the hunk says where it
    says; a hunk that matches elsewhere only by assuming their text cannot be placed as git would: no place
    is returned, and True says so."""
    n = len(state.entries)
    if at_start:
        candidates: Iterator[int] = iter((0,))
    elif at_end and state.length_known:
        candidates = iter((n - len(pre),) if n >= len(pre) else ())
    else:
        line = min(line, n) if state.length_known else line
        candidates = _outward(line, max(n, line))
    for k, at in enumerate(candidates):
        fit = _fit(state, pre, at, at_end, written, budget)
        if fit == _SURE or (fit == _MAYBE and k == 0):
            return at, False
        if fit == _MAYBE:
            return None, True
    return None, False


def _outward(line: int, last: int) -> Iterator[int]:
    """line, line + 1, line - 1, line + 2, ... within 0..last, as git searches."""
    yield line
    for step in range(1, max(line, last - line) + 1):
        if line + step <= last:
            yield line + step
        if line - step >= 0:
            yield line - step


@dataclass(frozen=True)
class Replay:
    diff: Diff
    # path -> new line number -> sha
    line_origins: dict[str, dict[int, str]]
    # path -> new line number -> its number in the commit that added it, for files several patches
    # touched (a file one patch alone touches keeps that patch's numbers).
    line_origin_numbers: dict[str, dict[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesLines:
    """The lines each patch of a series added, and the patches (a CommitLineReader over patches already
    read)."""

    by_commit: Mapping[str, tuple[str, ...]]
    diff_by_commit: Mapping[str, Diff] = field(default_factory=dict)

    @classmethod
    def of(cls, series: Sequence[tuple[str, Diff]]) -> SeriesLines:
        added = {sha: tuple(line.text for f in diff.files for line in f.added) for sha, diff in series}
        return cls(added, dict(series))

    def added_texts(self, shas: Collection[str]) -> Iterator[tuple[str, str]]:
        for sha in shas:
            for text in self.by_commit.get(sha, ()):
                yield sha, text

    def added_total(self, shas: Collection[str]) -> int | None:
        files = [change for _, diff in self.diffs(list(shas)) for change in diff.files]
        return (
            None if any(change.is_binary for change in files) else sum(len(change.added) for change in files)
        )

    def start_added_total(self, shas: Collection[str]) -> None:
        pass  # the series is read: a count reads it at once

    def added_lines(self, shas: Collection[str]) -> Iterator[tuple[str, str, str]]:
        for sha in shas:
            if (diff := self.diff_by_commit.get(sha)) is not None:
                for change in diff.files:
                    for line in change.added:
                        yield sha, change.path, line.text

    def binary_changes(self, shas: Collection[str]) -> set[str]:
        return {
            sha
            for sha in shas
            if (diff := self.diff_by_commit.get(sha)) is not None and any(f.is_binary for f in diff.files)
        }

    def diffs(self, shas: Sequence[str]) -> Iterator[tuple[str, Diff]]:
        for sha in shas:
            if (diff := self.diff_by_commit.get(sha)) is not None:
                yield sha, diff


def replay(series: Sequence[tuple[str, Diff]]) -> Replay:
    """Apply each commit's diff in order; return the combined diff and each added line's commit."""
    touches: Counter[str] = Counter()
    for _, diff in series:
        for change in diff.files:
            touches[change.path] += 1
            if change.old_path and change.old_path != change.path:
                touches[change.old_path] += 1
    files: dict[str, _FileState] = {}
    gone: set[str] = set()  # paths a patch deleted or renamed away: not there for the next patch
    budget = _Budget()
    replayed = 0
    # Files that one patch alone touches need no replay: that patch is their combined diff.
    direct: dict[str, tuple[FileChange, str]] = {}
    order: list[str] = []
    for number, (sha, diff) in enumerate(series, 1):
        patch = f"patch {number} ({sha[:12]})"
        for change in diff.files:
            if (
                touches[change.path] == 1
                and (change.old_path is None or touches[change.old_path] == 1)
                and _placed_as_git_writes(change)
            ):
                direct[change.path] = (change, sha)
                order.append(change.path)
                continue
            key = change.old_path if change.status is FileStatus.RENAMED else change.path
            state = _state_for(change, key, files, gone, patch)
            state.deleted = change.status is FileStatus.DELETED
            state.binary = state.binary or change.is_binary
            state.old_mode = state.old_mode or change.old_mode
            state.new_mode = change.new_mode or state.new_mode
            state.notes = tuple(dict.fromkeys((*state.notes, *change.notes)))
            before = len(state.entries)
            _apply(state, change, sha, patch, budget)
            replayed += len(state.entries) - before
            if replayed > MAX_SERIES_LINES:
                raise InputError(f"the series reaches over {MAX_SERIES_LINES:,} lines of replayed files")
            if change.status is FileStatus.RENAMED and key:
                gone.add(key)
            if state.deleted:
                if state.entries and not state.binary:
                    raise InputError(
                        f"{patch}: deletes {change.path}, but its hunks leave {len(state.entries)} of its "
                        "lines: the file is longer than the patch shows",
                        "git am refuses this patch too; give the series as git format-patch wrote it",
                    )
                state.entries = []
                gone.add(change.path)
            else:
                gone.discard(change.path)
            files[change.path] = state
            order.append(change.path)
    out_files: list[FileChange] = []
    origins: dict[str, dict[int, str]] = {}
    numbers: dict[str, dict[int, int]] = {}
    for path in dict.fromkeys(order):
        if path in direct:
            change, sha = direct[path]
            out_files.append(change)
            added_at = [line.new_no for line in change.added if line.new_no is not None]
            if added_at:
                origins[path] = dict.fromkeys(added_at, sha)
            continue
        final = files.get(path)
        if final is None:
            continue  # renamed later in the series; listed under its new name
        if final.deleted and final.base_path is None:
            continue  # added and deleted within the series
        combined, line_map = _combine(path, final)
        if combined is not None:
            out_files.append(combined)
            if line_map:
                origins[path] = line_map
                numbers[path] = {
                    i + 1: e.origin_no
                    for i, e in enumerate(final.entries)
                    if e.origin is not None and e.origin_no is not None
                }
    return Replay(Diff(files=tuple(out_files)), origins, numbers)


def _placed_as_git_writes(change: FileChange) -> bool:
    """False for a created file whose hunk does not start at line 1: git writes its lines from line 1
    whatever the header says, so the replay places them."""
    if change.status is not FileStatus.ADDED:
        return True
    return (
        all(hunk.old_start == 0 and hunk.new_start <= 1 for hunk in change.hunks) and len(change.hunks) <= 1
    )


def _state_for(
    change: FileChange, key: str | None, files: dict[str, _FileState], gone: set[str], patch: str
) -> _FileState:
    """The file a change applies to, as the patches before it left it; a change git would refuse for the
    file's existence (creating one that is there, changing one that is not) is an error."""
    there = files.get(change.path)
    if change.status is FileStatus.ADDED:
        if there is not None and not there.deleted:
            raise InputError(
                f"{patch}: creates {change.path}, which an earlier patch of the series has as a file",
                "git am refuses this patch too; give the series as git format-patch wrote it",
            )
        files.pop(change.path, None)
        return _FileState(base_path=None, entries=[], removed_base=[], length_known=True)
    if key in gone:
        raise InputError(
            f"{patch}: changes {key}, which an earlier patch of the series deleted or renamed",
            "git am refuses this patch too; give the series as git format-patch wrote it",
        )
    if change.status is FileStatus.RENAMED and there is not None and not there.deleted:
        raise InputError(
            f"{patch}: renames {key} to {change.path}, which an earlier patch of the series has as a file",
            "git am refuses this patch too; give the series as git format-patch wrote it",
        )
    known = files.pop(key, None) if key else None
    return known or _FileState(base_path=change.old_path or change.path, entries=[], removed_base=[])


def _combine(path: str, state: _FileState) -> tuple[FileChange | None, dict[int, str]]:
    if state.deleted:
        status = FileStatus.DELETED
    elif state.base_path is None:
        status = FileStatus.ADDED
    elif state.base_path != path:
        status = FileStatus.RENAMED
    else:
        status = FileStatus.MODIFIED
    removed = sorted(state.removed_base, key=lambda line: line.old_no or 0)
    line_map: dict[int, str] = {}
    # Walk the head entries and interleave removed base lines at their base positions.
    rows: list[DiffLine] = []
    ri = 0
    for i, entry in enumerate(state.entries):
        new_no = i + 1
        if entry.origin is None and entry.base_no is not None:
            while ri < len(removed) and (removed[ri].old_no or 0) < entry.base_no:
                rows.append(removed[ri])
                ri += 1
            rows.append(DiffLine(LineKind.CONTEXT, entry.base_no, new_no, entry.text or ""))
        else:
            assert entry.origin is not None
            line_map[new_no] = entry.origin
            rows.append(DiffLine(LineKind.ADDED, None, new_no, entry.text or ""))
    rows.extend(removed[ri:])
    rows = _removed_first(rows)
    hunks = _hunks(rows, [e.text is not None for e in state.entries])
    if not hunks and status is FileStatus.MODIFIED and not state.binary and state.old_mode == state.new_mode:
        return None, {}
    change = FileChange(
        path=state.base_path if status is FileStatus.DELETED and state.base_path else path,
        old_path=state.base_path if status is FileStatus.RENAMED else None,
        status=status,
        hunks=hunks,
        is_binary=state.binary,
        old_mode=state.old_mode,
        new_mode=state.new_mode,
        notes=state.notes,
    )
    return change, line_map


def _removed_first(rows: list[DiffLine]) -> list[DiffLine]:
    """Within each run of changed lines, removed lines come before added ones, as git prints them."""
    out: list[DiffLine] = []
    run: list[DiffLine] = []
    for row in rows:
        if row.kind is LineKind.CONTEXT:
            out.extend(sorted(run, key=lambda r: r.kind is LineKind.ADDED))
            run = []
            out.append(row)
        else:
            run.append(row)
    out.extend(sorted(run, key=lambda r: r.kind is LineKind.ADDED))
    return out


def _hunks(rows: list[DiffLine], known: list[bool]) -> tuple[Hunk, ...]:
    """Cut rows into hunks: changed lines with up to three known context lines around them."""
    changed = [i for i, r in enumerate(rows) if r.kind is not LineKind.CONTEXT]
    if not changed:
        return ()

    def usable(i: int) -> bool:
        r = rows[i]
        return r.kind is not LineKind.CONTEXT or (r.new_no is not None and known[r.new_no - 1])

    spans: list[list[int]] = []
    for i in changed:
        lo = i
        while lo > 0 and i - lo < CONTEXT_LINES and rows[lo - 1].kind is LineKind.CONTEXT and usable(lo - 1):
            lo -= 1
        hi = i
        while (
            hi + 1 < len(rows)
            and hi - i < CONTEXT_LINES
            and rows[hi + 1].kind is LineKind.CONTEXT
            and usable(hi + 1)
        ):
            hi += 1
        if spans and lo <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    hunks: list[Hunk] = []
    for lo, hi in spans:
        part = tuple(rows[lo : hi + 1])
        old_lines = [r for r in part if r.kind is not LineKind.ADDED]
        new_lines = [r for r in part if r.kind is not LineKind.REMOVED]
        old_start = old_lines[0].old_no if old_lines else _old_before(rows, lo)
        new_start = new_lines[0].new_no if new_lines else _new_before(rows, lo)
        hunks.append(
            Hunk(
                old_start=old_start or 0,
                old_count=len(old_lines),
                new_start=new_start or 0,
                new_count=len(new_lines),
                section="",
                lines=part,
            )
        )
    return tuple(hunks)


def _old_before(rows: list[DiffLine], i: int) -> int:
    for r in reversed(rows[:i]):
        if r.old_no is not None:
            return r.old_no
    return 0


def _new_before(rows: list[DiffLine], i: int) -> int:
    for r in reversed(rows[:i]):
        if r.new_no is not None:
            return r.new_no
    return 0
