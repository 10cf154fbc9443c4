"""Every crash the fuzzers found, kept as a plain example so that it stays fixed."""

from __future__ import annotations

import time

import pytest

from gate.config import load_config_text
from gate.context.patch import load_patch_changeset
from gate.diff import parse_diff
from gate.errors import ConfigError, InputError
from tests.gitrepo import GitRepo

# unidiff raised UnboundLocalError / AttributeError instead of its parse error on these headers,
# _unquote raised ValueError on an octal escape that is not a byte, an empty path was accepted, and a
# hunk starting at line 0 with lines on that side reached the series replay.
BAD_PATCHES = [
    pytest.param(b"+++ b/0\n@@ -0,0 +1,1 @@\n+\n", "header is incomplete", id="target-without-source"),
    pytest.param(
        b"GIT binary patch\nnew file mode 100644\n+++ b/x.txt\n@@ -0,0 +1 @@\n+a\n",
        "header is incomplete",
        id="binary-marker-outside-a-file",
    ),
    pytest.param(
        b"diff --git a/ b/\ndiff --git a/0 b/0\nnew file mode 100644\n--- /dev/null\n+++ b/0\n"
        b"@@ -0,0 +1,1 @@\n+\n",
        "names no file",
        id="empty-path",
    ),
    # A hunk at old line 0 with old lines made the series replay place lines nowhere (AssertionError).
    pytest.param(
        b"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -0,3 +1,4 @@\n+new\n a\n b\n c\n",
        r"starts at line 0 with lines on that side \(@@ -0,3 \+1,4 @@\)",
        id="old-side-starting-at-line-0",
    ),
    pytest.param(
        b"diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,1 +0,2 @@\n a\n+b\n",
        "starts at line 0 with lines on that side",
        id="new-side-starting-at-line-0",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_PATCHES)
def test_malformed_headers_are_input_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_patch_changeset(data, "bad.patch")


def test_an_octal_escape_that_is_not_a_byte_is_kept_as_text() -> None:
    diff = parse_diff(
        'diff --git "a/x\\777y" "b/x\\777y"\n--- "a/x\\777y"\n+++ "b/x\\777y"\n@@ -1 +1 @@\n-a\n+b\n'
    )
    assert [f.path for f in diff.files] == ["x\\777y"]


def test_git_quoted_paths_are_unquoted() -> None:
    diff = parse_diff(
        'diff --git "a/caf\\303\\251 \\"q\\"\\t.py" "b/caf\\303\\251 \\"q\\"\\t.py"\n'
        '--- "a/caf\\303\\251 \\"q\\"\\t.py"\n+++ "b/caf\\303\\251 \\"q\\"\\t.py"\n@@ -1 +1 @@\n-a\n+b\n'
    )
    assert [f.path for f in diff.files] == ['café "q"\t.py']


def test_a_reversed_range_is_not_commentable() -> None:
    diff = parse_diff("--- /dev/null\n+++ b/n.py\n@@ -0,0 +1,2 @@\n+a\n+b\n")
    assert diff.is_commentable("n.py", 1, 2)
    assert not diff.is_commentable("n.py", 2, 1)


HOSTILE_CONFIGS = [
    pytest.param("a: &a [*a]\n", "nested deeper than 32 levels", id="alias-contains-itself"),
    pytest.param("[" * 5000 + "]" * 5000, "nested too deeply", id="deep-flow-nesting"),
    pytest.param(
        "paths:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(3000)),
        "nested too deeply",
        id="deep-block-nesting",
    ),
    pytest.param(
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
        ),
        "over 10000 values",
        id="billion-laughs",
    ),
    pytest.param("!!python/object:os.system 'echo hi'\n", "cfg.yml:1: invalid YAML", id="python-tag"),
    pytest.param("base: &b {quorum: 2}\nreview:\n  <<: *b\n", "cfg.yml:3: invalid YAML", id="merge-key"),
    pytest.param(
        "dependencies:\n  registries:\n    maven: https://repo.maven.apache.org\n",
        "cfg.yml:3: unknown key 'dependencies.registries.maven'",
        id="unknown-registry",
    ),
    pytest.param("version: '" + "x" * 100_000 + "'\n", "(got 'xxxxxxxx", id="huge-value-cut-short"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE_CONFIGS)
def test_hostile_yaml_is_a_quick_config_error(text: str, message: str) -> None:
    started = time.process_time()
    with pytest.raises(ConfigError) as info:
        load_config_text(text, "cfg.yml")
    assert message in info.value.one_line()
    assert len(info.value.one_line()) < 400
    assert time.process_time() - started < 5


def test_real_git_diff_of_hostile_file_names(repo: GitRepo) -> None:
    # An unquoted tab or newline in a header split it apart: the whole diff failed to parse.
    names = [
        "sp ace.py",
        'q"uote.py',
        "t\tab.py",
        "café.py",
        "x b",
        "a.lock\tb.py",
        "n\newline.py",
        "back\\s.py",
    ]
    repo.write("base.txt", "base\n")
    repo.commit("base")
    base = repo.head()
    for name in names:
        repo.write(name, f"{name!r}\n")
    repo.commit("names")
    diff = parse_diff(repo.git("diff", base, "HEAD"))
    assert sorted(f.path for f in diff.files) == sorted(names)
    for f in diff.files:
        assert [line.text for line in f.added_lines()] == [repr(f.path)]


def _message(n: int, hunk: str) -> str:
    return (
        f"From {n:040x} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.com>\nSubject: change {n}\n\n---\n"
        f"diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n{hunk}"
    )


@pytest.mark.parametrize(
    ("first", "refusal"),
    [
        # The first hunk ends with context, so the file may go on: the far line is the bound's to refuse.
        ("@@ -1,2 +1,3 @@\n a\n+b\n z\n", "beyond the 1,000,000 lines"),
        # The first hunk has no context after its change, so git anchors it at the file's end: the file
        # is two lines long, and a hunk at its end that is not "a" applies nowhere.
        ("@@ -1,1 +1,2 @@\n a\n+b\n", "hunk 1 of f.py .* does not apply"),
    ],
)
def test_a_hunk_far_past_any_real_file_is_refused_not_allocated(first: str, refusal: str) -> None:
    # A few bytes of header asked the replay for one entry per line up to line 10**14: gigabytes.
    series = _message(1, first) + _message(2, "@@ -99999999999999,1 +99999999999999,2 @@\n a\n+c\n")
    started = time.process_time()
    with pytest.raises(InputError, match=refusal):
        load_patch_changeset(series.encode(), "bomb.mbox")
    assert time.process_time() - started < 2


def test_hunks_each_found_far_from_their_header_stop_at_a_bound_quickly() -> None:
    # Each hunk's lines are where git would apply them, 200,000 lines past its header: finding each one
    # compares lines all the way, and a hundred of them asked for some eighty million comparisons.
    lines = ["a"] * 200_000 + [x for k in range(100) for x in ("a", "a", "a", f"q{k}")]
    created = f"new file mode 100644\n--- /dev/null\n+++ b/f.py\n@@ -0,0 +1,{len(lines)} @@\n"
    first = _message(1, "").replace("--- a/f.py\n+++ b/f.py\n", created) + "".join(f"+{x}\n" for x in lines)
    hunks = "".join(f"@@ -{k + 2},4 +{k + 2},5 @@\n a\n a\n a\n+x\n q{k}\n" for k in range(100))
    started = time.process_time()
    with pytest.raises(InputError, match="over 10,000,000 line comparisons"):
        load_patch_changeset((first + _message(2, hunks)).encode(), "far.mbox")
    assert time.process_time() - started < 10


# A mutated series whose second hunk runs past its header (a "+++" line lost to a signature line):
# the replay met a line with neither a commit nor a base line number and failed an assertion.
HUNK_PAST_HEADER = (
    "From 00cccccccccccccccccccccccccccccccccccccc Mon Sep 17 00:00:00 2001\n"
    "From: Dev 0 <dev0@example.com>\n"
    "Date: Mon, 24 Nov 2025 17:00:00 +0000\n"
    "Subject: [PATCH 1/2] change 0\n"
    "Body of change 0.\n"
    "---\n"
    "\n"
    "diff --git a/0.py b/0.py\n"
    "--- a/0.py\n"
    "+++ b/0.py\n"
    "@@ -1,5 +1,8 @@\n"
    " 3.py:b:0\n"
    " 0.py:b:1\n"
    "+0.py:0:5\n"
    "+0.py:0:6\n"
    "+0.py:0:7\n"
    " 0.py:b:2\n"
    " 0.py:b:3\n"
    " 0.py:b:4\n"
    "+++ b/0.py\n"
    "+\n"
    "\n"
    "From 01cccccccccccccccccccccccccccccccccccccc Mon Sep 17 00:00:00 2001\n"
    "From: Dev 1 <dev1@example.com>\n"
    "Date: Mon, 24 Nov 2025 17:00:00 +0000\n"
    "Subject: [PATCH 2/2] change 1\n"
    "\n"
    "Body of change 1.\n"
    "---\n"
    "\n"
    "diff --git a/0.py b/0.py\n"
    "--- a/0.py\n"
    "-- \n"
    "@@ -1,8 +1,9 @@\n"
    "+0.py:1:8\n"
    " 0.py:b:0\n"
    " 0.py:b:1\n"
    "+0.py:1:9\n"
    "+0.py:1:10\n"
    " 0.py:0:5\n"
    " 0.py:0:6\n"
    " 0.py:0:7\n"
    "-0.py:b:2\n"
    "-0.py:b:3\n"
    "-0.py:b:4\n"
    "+0.py:1:11\n"
    "\n"
    "2.43.0\n"
    "\n"
)


def test_a_hunk_longer_than_its_header_is_an_input_error() -> None:
    with pytest.raises(InputError, match="its header says 8 and 9"):
        load_patch_changeset(HUNK_PAST_HEADER.encode(), "series.mbox")
