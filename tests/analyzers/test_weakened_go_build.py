"""weakened-tests on a Go test file whose build constraint the change rewrites: a constraint that a default
`go test ./...` no longer meets keeps the file's tests from running, as adding one to an untagged file
does, and is reported the same way; one that only widens, or is rewritten to the same meaning, is not.
Each through `ai-gate check` on a real repository, next to a code change.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gate.analyzers.weakened_tests.go_build import compare
from tests.analyzers.test_weakened_evasions import ai_gate, make_pr, weakened
from tests.analyzers.test_weakened_languages import GO_TEST

BASE = {
    "app/__init__.py": "",
    "app/calc.py": "def total(xs):\n    return sum(xs)\n",
    "go.mod": "module x\n\ngo 1.21\n",
    "calc.go": "package calc\n\nfunc Add(a, b int) int { return a + b }\n",
}


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> tuple[int, list[tuple[str, str, str]], str]:
    base = {**BASE, "calc_test.go": old + "\n" + GO_TEST}
    repo = make_pr(tmp_path / "repo", {"calc_test.go": new + "\n" + GO_TEST}, base=base)
    code, report = ai_gate(repo.root, capsys)
    texts = " ".join(f["body"] for f in report["findings"] if f["stage"] == "weakened-tests")
    return code, weakened(report), texts


# name -> (the constraint at base, at head, the severity of the `test-skipped` finding on calc_test.go)
CHANGED = {
    "to-a-tag-only-tags-set": ("//go:build linux\n", "//go:build integration\n", "medium"),
    "to-another-tag-only-tags-set": ("//go:build linux\n", "//go:build e2e\n", "medium"),
    "and-a-tag-only-tags-set": ("//go:build linux\n", "//go:build linux && integration\n", "medium"),
    "plus-build-to-a-tag": ("// +build linux\n", "// +build integration\n", "medium"),
    "both-lines-to-a-tag": (
        "//go:build linux\n// +build linux\n",
        "//go:build integration\n// +build integration\n",
        "medium",
    ),
    "negated-off-the-platform-it-built-on": ("//go:build linux\n", "//go:build !linux\n", "medium"),
    "moved-to-another-platform": ("//go:build linux\n", "//go:build darwin\n", "medium"),
    "to-ignore": ("//go:build linux\n", "//go:build ignore\n", "high"),
    "to-a-constraint-nothing-meets": ("//go:build linux\n", "//go:build linux && !linux\n", "high"),
    # a toolchain sets `go1.N` only up to its own release: none a CI runs sets go1.99
    "to-a-release-no-toolchain-has-yet": ("", "//go:build go1.99\n", "high"),
    "and-a-release-no-toolchain-has-yet": ("//go:build linux\n", "//go:build linux && go1.99\n", "high"),
    "plus-build-to-a-constraint-nothing-meets": ("// +build linux\n", "// +build linux,!linux\n", "high"),
}


def _reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, severity: str | None
) -> None:
    """The header `old` at base and `new` at head give the one finding of `severity` on the test file (a
    high one failing the run), or none when `severity` is None."""
    code, found, _ = _run(tmp_path, capsys, old, new)
    assert found == ([] if severity is None else [("test-skipped", severity, "calc_test.go")]), found
    assert code == (1 if severity == "high" else 0)


@pytest.mark.parametrize("name", list(CHANGED))
def test_a_constraint_changed_so_a_default_go_test_no_longer_builds_the_file_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _reported(tmp_path, capsys, *CHANGED[name])


def test_a_platform_left_out_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The gate does not know the CI's platform: moving a test off one is a warning naming what it left."""
    _, _, texts = _run(tmp_path, capsys, "//go:build linux\n", "//go:build darwin\n")
    assert "no longer builds it on linux/amd64, linux/arm64" in texts, texts


# name -> (the constraint at base, at head): what a default `go test` builds is kept or widened
KEPT = {
    "widened-to-unix": ("//go:build linux\n", "//go:build unix\n"),
    "widened-to-another-platform-too": ("//go:build linux\n", "//go:build linux || darwin\n"),
    "go-fix-adds-the-go-build-line": (
        "// +build integration\n",
        "//go:build integration\n// +build integration\n",
    ),
    "same-meaning-reworded": ("//go:build linux && amd64\n", "//go:build amd64 && linux\n"),
    "cgo-required-where-it-is-on": ("//go:build linux\n", "//go:build linux && cgo\n"),
    "one-tag-only-tags-set-for-another": ("//go:build integration\n", "//go:build e2e\n"),
    "narrowed-only-under-the-tag": ("//go:build integration\n", "//go:build integration && linux\n"),
    "release-tag-a-current-toolchain-sets": ("//go:build linux\n", "//go:build linux && go1.21\n"),
    "release-tag-newer-than-go-mod-names": ("", "//go:build go1.23\n"),
    "not-a-release-no-toolchain-has-yet": ("", "//go:build !go1.99\n"),
}


@pytest.mark.parametrize("name", list(KEPT))
def test_a_constraint_that_keeps_what_a_default_go_test_builds_is_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _reported(tmp_path, capsys, *KEPT[name], None)


# name -> (the header at base, at head, the severity): a line that only looks like a constraint (a space
# after the slashes, or inside `/* */`) is a plain comment to the go command, and must not hide the real one.
DECOYS = {
    "spaced-decoy-above-ignore": ("", "// go:build gc\n//go:build ignore\n", "high"),
    "spaced-decoy-above-a-tag": ("", "// go:build gc\n//go:build integration\n", "medium"),
    "block-comment-decoy-above-a-tag": ("", "/*\n//go:build gc\n*/\n\n//go:build integration\n", "medium"),
    "two-constraint-lines-the-stricter-read": ("", "//go:build linux\n//go:build ignore\n", "high"),
    # Go trims any white space after `//go:build`: a no-break space, `\v` or `\f` opens the expression too
    "no-break-space-before-ignore": ("", "//go:build\u00a0ignore\n", "high"),
    "vertical-tab-before-ignore": ("", "//go:build\vignore\n", "high"),
    "form-feed-before-a-tag": ("", "//go:build\fintegration\n", "medium"),
    "constraint-taken-out-of-a-block-comment": (
        "/*\n//go:build ignore\n*/\n",
        "// Tests of Add.\n//go:build ignore\n",
        "high",
    ),
}


@pytest.mark.parametrize("name", list(DECOYS))
def test_a_constraint_is_read_from_the_header_as_the_go_command_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _reported(tmp_path, capsys, *DECOYS[name])


# name -> (the header at base, at head): comments that only look like constraints build the file as before
NO_CONSTRAINT = {
    "spaced-comment-only": ("", "// go:build ignore\n"),
    "block-comment-only": ("", "/*\n//go:build ignore\n*/\n"),
    "a-plain-comment-above": ("", "// Package calc.\n"),
}


@pytest.mark.parametrize("name", list(NO_CONSTRAINT))
def test_a_comment_that_only_looks_like_a_constraint_is_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _reported(tmp_path, capsys, *NO_CONSTRAINT[name], None)


def test_a_release_the_go_mod_names_is_one_a_toolchain_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module whose go.mod asks for a release newer than the gate knows is built by a toolchain that
    sets it: its `//go:build go1.N` is not read as never built."""
    base = {**BASE, "go.mod": "module x\n\ngo 1.99\n", "calc_test.go": GO_TEST}
    repo = make_pr(tmp_path / "repo", {"calc_test.go": "//go:build go1.99\n\n" + GO_TEST}, base=base)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


def test_a_constraint_removed_is_not_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, found, _ = _run(tmp_path, capsys, "//go:build integration\n", "")
    assert found == [] and code == 0, found


def test_constraints_too_long_or_too_deep_are_read_in_linear_time() -> None:
    """A constraint of hundreds of tags reads the first eight and the rest as one; one nested past the
    parser's depth, or too long, is not evaluated: it reads as a tag, the way an added constraint the
    gate cannot place always did, so padding hides no constraint."""
    many = " && ".join(f"t{i}" for i in range(300))
    taken = compare("linux", many)
    assert taken is not None and taken.tag_only
    for unread in ("(" * 1000 + "linux" + ")" * 1000, "linux || " * 200_000 + "linux"):
        started = time.process_time()
        taken = compare("linux", unread)
        assert taken is not None and taken.tag_only
        assert time.process_time() - started < 0.5
    # Before, such a constraint reads as none: `linux` after it narrows, a warning.
    taken = compare("(" * 1000 + "linux" + ")" * 1000, "linux")
    assert taken is not None and not taken.never and not taken.tag_only


def test_many_constraints_of_many_tags_are_read_in_linear_time() -> None:
    """Each constraint of nine tags only `-tags` sets is evaluated over its 2,560 settings by integer
    arithmetic: walked setting by setting, 10,000 such lines took 100 s."""
    times = {}
    for count in (200, 2_000):
        lines = [" && ".join(f"t{i}_{k}" for k in range(9)) for i in range(count)]
        started = time.process_time()
        for line in lines:
            compare("linux", line)
        times[count] = time.process_time() - started
    assert times[2_000] < 2.0, times
    assert max(times[2_000], 0.02) / max(times[200], 0.02) < 30, times
