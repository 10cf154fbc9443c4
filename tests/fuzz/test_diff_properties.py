"""Properties of the diff and mbox parsers, the series replay and the commentable-line mapping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gate.context.patch import load_patch_changeset
from gate.context.series import replay
from gate.diff import Diff, FileStatus, parse_diff
from gate.diff.parser import decode_patch
from tests.fuzz.strategies import DiffSpec, Series, diff_specs, mbox, series

STATUS = {"added": FileStatus.ADDED, "deleted": FileStatus.DELETED, "modified": FileStatus.MODIFIED}


def lines_of(diff: Diff) -> dict[str, tuple[list[tuple[int | None, str]], list[tuple[int | None, str]]]]:
    return {
        f.path: (
            [(line.new_no, line.text) for line in f.added_lines()],
            [(line.old_no, line.text) for h in f.hunks for line in h.removed],
        )
        for f in diff.files
    }


@given(diff_specs())
def test_a_rendered_diff_parses_back_to_its_lines(spec: DiffSpec) -> None:
    diff = parse_diff(spec.render())
    assert [f.path for f in diff.files] == [f.path for f in spec.files]
    got = lines_of(diff)
    for f in spec.files:
        assert diff.by_path[f.path].status is STATUS[f.status]
        assert got[f.path] == f.expected()
        last = diff.by_path[f.path].hunks[-1]
        assert last.new_missing_newline == (f.no_newline_at_end and f.status == "added")
    assert diff.added_count == sum(len(f.expected()[0]) for f in spec.files)


@given(diff_specs())
def test_the_bytes_path_reads_the_same_diff(spec: DiffSpec) -> None:
    text = spec.render()
    changeset = load_patch_changeset(text.encode(), "fuzz.diff", ignore=())
    assert lines_of(changeset.diff) == lines_of(parse_diff(text))
    assert decode_patch(text.encode()) == (text, ())


@given(diff_specs())
def test_replay_of_one_patch_equals_parsing_it(spec: DiffSpec) -> None:
    diff = parse_diff(spec.render())
    result = replay([("a" * 40, diff)])
    assert lines_of(result.diff) == lines_of(diff)
    for f in diff.files:
        added = {line.new_no for line in f.added_lines()}
        assert set(result.line_origins.get(f.path, {})) == added
        assert set(result.line_origins.get(f.path, {}).values()) <= {"a" * 40}


def _check_series(s: Series, diff: Diff, origins: dict[str, dict[int, str]]) -> None:
    expected = s.expected()
    got = {
        path: (dict(origins.get(path, {})), removed)
        for path, (added, removed) in lines_of(diff).items()
        if added or removed
    }
    assert got == expected
    for path, (added_by, _) in expected.items():
        texts = {line.new_no: line.text for line in diff.by_path[path].added_lines()}
        assert {n: s.versions[-1][path][n - 1] for n in added_by} == texts


@given(series())
def test_replaying_a_series_knows_who_added_each_surviving_line(s: Series) -> None:
    diffs = [parse_diff(p) if p else Diff(files=()) for p in s.patches()]
    result = replay(list(zip(s.shas, diffs, strict=True)))
    _check_series(s, result.diff, {p: dict(m) for p, m in result.line_origins.items()})


@given(series())
def test_an_mbox_series_reads_like_its_replay(s: Series) -> None:
    text = mbox(s.patches(), s.shas)
    changeset = load_patch_changeset(text.encode(), "series.mbox", ignore=())
    assert [c.sha for c in changeset.commits] == s.shas
    assert [c.author.email for c in changeset.commits] == [f"dev{i}@example.com" for i in range(len(s.shas))]
    _check_series(s, changeset.diff, {p: dict(m) for p, m in changeset.line_origins.items()})


def brute_commentable(diff: Diff, path: str, start: int, end: int) -> bool:
    """Every line of the range is on the right side of one hunk: the definition, checked line by line."""
    change = diff.by_path.get(path)
    if change is None or start > end:
        return False
    for hunk in change.hunks:
        right = {line.new_no for line in hunk.lines if line.new_no is not None}
        if all(n in right for n in range(start, end + 1)):
            return True
    return False


RANGES = st.lists(st.tuples(st.integers(0, 8), st.integers(-1, 200), st.integers(-3, 200)), max_size=30)


@given(diff_specs(), RANGES)
def test_commentable_ranges_lie_within_one_hunk(spec: DiffSpec, ranges: list[tuple[int, int, int]]) -> None:
    diff = parse_diff(spec.render())
    paths = [*diff.by_path, "not/in/the/diff.py"]
    for which, start, end in ranges:
        path = paths[which % len(paths)]
        assert diff.is_commentable(path, start, end) == brute_commentable(diff, path, start, end), (
            path,
            start,
            end,
        )
    for f in diff.files:
        for hunk in f.hunks:
            right = sorted(line.new_no for line in hunk.lines if line.new_no is not None)
            if right:
                assert diff.is_commentable(f.path, right[0], right[-1])
                assert diff.is_commentable(f.path, right[-1], None)
