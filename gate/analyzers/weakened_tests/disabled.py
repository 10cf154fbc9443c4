"""Python tests turned off without a skip: a test function renamed to a name the runner does not collect
(`def test_add` -> `def check_add`), and an assertion's failure caught and dropped (`except
AssertionError: pass`, `contextlib.suppress(AssertionError)`).

Read from the diff's lines: a renamed test is a removed `def test...` line whose added twin differs only
in the name, a name nothing else in the file uses (a test made into a helper or a fixture is called or
named elsewhere); a dropped failure is a handler for `AssertionError` that only passes or returns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from gate.analyzers.source import removed_and_added
from gate.analyzers.weakened_tests.lines import code_only
from gate.diff.model import DiffLine, FileChange, LineKind

_DEF = re.compile(r"(\s*(?:async\s+)?def\s+)(\w+)(.*)")
_ASSERTION_ERROR = re.compile(r"\b(?:builtins\.)?AssertionError\b")
# A handler body that lets the caught failure go: the test carries on, or ends, as if it had passed.
_DROPS = frozenset({"pass", "...", "return", "return None"})
# What follows a handler that drops the failure when the failure is the point: no failure fails the test.
# Lines read around a handler: a hunk shows three lines of context, and a try block is short.
_LOOK = 20
_EXPECTS_FAILURE = ("else", "raise", "pytest.fail(", "self.fail(", "fail(", "assert False")


@dataclass(frozen=True)
class RenamedTest:
    line: DiffLine  # the added `def` line
    old: str
    new: str


def renamed_tests(change: FileChange, head: str | None) -> Iterator[RenamedTest]:
    """Test functions the change renames to names the runner does not collect and nothing else uses.
    `head`, the whole file when known, tells whether the new name is used; else the diff's lines do.

    A removed test and its added twin are paired by their `def` line but the name, comments aside;
    methods of a class share one signature (`(self):`), so each signature keeps its tests in order."""
    uses: Counter[str] | None = None
    for removed, added in removed_and_added(change):
        tests: dict[tuple[str, str], list[str]] = {}
        for line in removed:
            found = _DEF.fullmatch(line.text)
            if found is not None and found.group(2).startswith("test"):
                tests.setdefault(_signature(found), []).append(found.group(2))
        if not tests:
            continue
        for line in added:
            found = _DEF.fullmatch(line.text)
            if found is None or found.group(2).startswith("test"):
                continue
            olds = tests.get(_signature(found))
            if not olds:
                continue
            old = olds.pop(0)
            if uses is None:
                uses = _words(change, head)
            if uses[found.group(2)] == 1:
                yield RenamedTest(line, old, found.group(2))


def _signature(found: re.Match[str]) -> tuple[str, str]:
    """A `def` line but its name, with its comment and its strings' contents left out."""
    return found.group(1), code_only(found.group(3)).split("#", 1)[0].rstrip()


def _words(change: FileChange, head: str | None) -> Counter[str]:
    """How many times each word stands in the code of the file at head (or on the new side of its
    hunks), comments and strings aside: counted once per file, so a file of thousands of renames is
    read once, not once a rename."""
    lines = (
        head.split("\n")
        if head is not None
        else [line.text for h in change.hunks for line in h.lines if line.kind is not LineKind.REMOVED]
    )
    return Counter(word for text in lines for word in _WORD.findall(code_only(text).split("#", 1)[0]))


_WORD = re.compile(r"\w+")


def swallowed_assertions(change: FileChange) -> Iterator[DiffLine]:
    """Lines where the change makes an assertion's failure caught and dropped: an `except` that catches
    `AssertionError` and only passes or returns (the handler or its body added), or an added
    `suppress(AssertionError)`. The older way to expect a failure, a handler that passes before an
    `else:` or a statement that fails the test, drops nothing."""
    for hunk in change.hunks:
        new_side = [line for line in hunk.lines if line.kind is not LineKind.REMOVED]
        for index, line in enumerate(new_side):
            if "AssertionError" not in line.text:
                continue
            code = code_only(line.text).strip()
            if line.kind is LineKind.ADDED and _suppresses(code):
                yield line
                continue
            if not code.startswith("except") or ":" not in code:
                continue
            clause, _, body = code.partition(":")
            if not _ASSERTION_ERROR.search(clause):
                continue
            at = index if body.strip() else index + 1  # the handler's body: on the line, or the next
            if at >= len(new_side) or not _drops(new_side[at], body):
                continue
            if LineKind.ADDED not in (line.kind, new_side[at].kind):
                continue
            after = _next_statement(new_side, at + 1, _indent(line.text))
            if after is not None and after.startswith(_EXPECTS_FAILURE):
                continue
            if not _retries(new_side[max(0, index - _LOOK) : index], _indent(line.text)):
                yield line


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _next_statement(lines: list[DiffLine], start: int, indent: int) -> str | None:
    """The first statement at `indent` or less from `start` on, as code, if the hunk shows it near."""
    for line in lines[start : start + _LOOK]:
        code = code_only(line.text).strip()
        if code and not code.startswith("#") and _indent(line.text) <= indent:
            return code
    return None


def _retries(before: list[DiffLine], indent: int) -> bool:
    """Whether the `try` that ends in the handler at `indent` is a retry: in a loop, and leaving it
    (`break`, `return`) once its assertions hold, so a failure only means one more round."""
    leaves = in_try = False
    for line in reversed(before):
        code = code_only(line.text).strip()
        if not code or code.startswith("#"):
            continue
        depth = _indent(line.text)
        if depth < indent:
            return leaves and code.startswith(("for ", "while ", "async for "))
        if depth == indent:
            in_try = in_try or code.startswith("try")
        elif not in_try and (code in ("break", "return") or code.startswith("return ")):
            leaves = True
    return False


def _suppresses(code: str) -> bool:
    """`suppress(AssertionError)`, `contextlib.suppress(ValueError, AssertionError)`: within its call."""
    at = code.find("suppress(")
    if at < 0:
        return False
    end = code.find(")", at)
    return _ASSERTION_ERROR.search(code, at, end if end >= 0 else len(code)) is not None


def _drops(handler: DiffLine, body: str) -> bool:
    text = body if body.strip() else code_only(handler.text)
    return " ".join(text.split("#", 1)[0].split()) in _DROPS
