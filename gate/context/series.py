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


def _apply(state: _FileState, change: FileChange, sha: str) -> None:
    entries = state.entries
    for hunk in reversed(change.hunks):
        idx = hunk.old_start - 1 if hunk.old_count > 0 else hunk.old_start
        _ensure(state, idx + hunk.old_count)
        old = entries[idx : idx + hunk.old_count]
        new: list[_Entry] = []
        pos = 0
        for line in hunk.lines:
            if line.kind is LineKind.ADDED:
                new.append(_Entry(sha, line.text, None, line.new_no))
                continue
            entry = old[pos] if pos < len(old) else _Entry(None, None, None)
            pos += 1
            if entry.text is None:
                entry.text = line.text
            if line.kind is LineKind.CONTEXT:
                new.append(entry)
            elif entry.origin is None and entry.base_no is not None:
                state.removed_base.append(DiffLine(LineKind.REMOVED, entry.base_no, None, line.text))
        entries[idx : idx + hunk.old_count] = new


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
    replayed = 0
    # Files that one patch alone touches need no replay: that patch is their combined diff.
    direct: dict[str, tuple[FileChange, str]] = {}
    order: list[str] = []
    for sha, diff in series:
        for change in diff.files:
            if touches[change.path] == 1 and (change.old_path is None or touches[change.old_path] == 1):
                direct[change.path] = (change, sha)
                order.append(change.path)
                continue
            key = change.old_path if change.status is FileStatus.RENAMED else change.path
            state = files.pop(key, None) if key else None
            if state is None or change.status is FileStatus.ADDED:
                base_path = None if change.status is FileStatus.ADDED else (change.old_path or change.path)
                state = _FileState(base_path=base_path, entries=[], removed_base=[])
            state.deleted = change.status is FileStatus.DELETED
            state.binary = state.binary or change.is_binary
            state.old_mode = state.old_mode or change.old_mode
            state.new_mode = change.new_mode or state.new_mode
            state.notes = tuple(dict.fromkeys((*state.notes, *change.notes)))
            before = len(state.entries)
            _apply(state, change, sha)
            replayed += len(state.entries) - before
            if replayed > MAX_SERIES_LINES:
                raise InputError(f"the series reaches over {MAX_SERIES_LINES:,} lines of replayed files")
            if state.deleted:
                state.entries = []
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
        state = files.get(path)
        if state is None:
            continue  # renamed later in the series; listed under its new name
        if state.deleted and state.base_path is None:
            continue  # added and deleted within the series
        combined, line_map = _combine(path, state)
        if combined is not None:
            out_files.append(combined)
            if line_map:
                origins[path] = line_map
                numbers[path] = {
                    i + 1: e.origin_no
                    for i, e in enumerate(state.entries)
                    if e.origin is not None and e.origin_no is not None
                }
    return Replay(Diff(files=tuple(out_files)), origins, numbers)


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
