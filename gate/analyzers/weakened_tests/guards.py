"""Whether a skip called while a Go or JavaScript/TypeScript test runs (`t.Skip(...)`, `this.skip()`,
`ctx.skip()`) sits under a condition: `if testing.Short() {` on a line above it, `if (!process.env.DB)`
on the line before a skip without braces, or `if (...) this.skip()` on its own line. That is how these
languages skip a slow or an environment-bound test, as `pytest.skip()` under an `if` is in Python. A
condition that is a literal decides the branch before the test runs: the skip in `if (true) { ... }`, or
in the `else` of `if (false) {} else { ... }` (Go's `if false { } else {`), is taken every time.

Read from the lines just above the skip (the head's, or its hunk's new side), braces counted back to the
block that holds it; strings and `//` comments aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gate.analyzers.weakened_tests.lines import (
    CONDITIONAL_SKIP,
    SKIP_ALWAYS,
    Marker,
    code_only,
    literal_truth,
)

# The skips that run inside a test, which only a condition around them makes conditional.
_RUNTIME_SKIP = re.compile(r"(?<![\w.$])(?:(?:this|ctx|t)\.skip|t\.Skip(?:f|Now)?)\s*\(")
_IF = re.compile(r"(?<![\w.$])if\b")
_OTHER_BRANCH = re.compile(r"(?<![\w.$])(?:else|switch|case)\b")
# A JS `if (...)` with no brace, whose statement is the next line.
_BARE_IF = re.compile(r"^\s*(?:\}\s*)?(?:else\s+)?if\s*\((?P<condition>.*)\)\s*$")
# The `if`s of one chain read back from an `else` (`if (a) {} else if (b) {} else {`), at most.
_CHAIN = 8
# How far above a skip its block's `if` is looked for.
LOOK_BACK = 8
_MAX_LINE = 2_000


def guarded_skip(text: str, above: Sequence[str]) -> Marker | None:
    """The marker for a runtime skip on `text` under a condition: CONDITIONAL_SKIP, or SKIP_ALWAYS when
    the condition is a literal that always holds (`if (true) {`). None when no condition is found above
    it (the skip stands), or the line holds no runtime skip. `above`: the lines before it, nearest last."""
    if len(text) > _MAX_LINE:
        return None
    code = _code(text)
    skip = _RUNTIME_SKIP.search(code)
    if skip is None:
        return None
    # The statement the skip opens: what an earlier one on the line says (`if (v) log();`,
    # `const v = cfg?.x;`) puts no condition on it.
    prefix = code[: skip.start()]
    before = prefix.rpartition(";")[2]
    if re.search(r"&&|\|\||\?", before):
        return CONDITIONAL_SKIP  # `cond && this.skip()`, `cond ? this.skip() : go()`
    pending = 0
    # The skip's own line up to it, then the lines above, nearest first.
    codes = [before]
    for line in reversed(above[-LOOK_BACK:]):
        if len(line) > _MAX_LINE:
            break
        codes.append(_code(line))
    if _else_at_end(prefix) is not None:  # `if (c) ; else this.skip()`, `if (c) {} else this.skip()`
        return _else_branch(_joined(codes[1:], prefix))
    for index, code in enumerate(codes):
        if index == 1 and not before.strip() and _else_at_end(code) is not None:
            return _else_branch(_joined(codes[2:], code))  # `else` alone on the line above
        if index == 1 and "{" not in code:
            bare = _BARE_IF.match(code)
            if bare is not None and _closes_at_end(
                bare.group("condition")
            ):  # `if (cond)`, the skip its statement
                return _by_condition(bare.group("condition"))
        if index == 0 and "{" not in code:
            found = _IF.search(code)  # `if (cond) this.skip()`
            if found is not None:
                return _by_condition(code[found.end() :])
        for at in range(len(code) - 1, -1, -1):
            char = code[at]
            if char == "}":
                pending += 1
            elif char == "{" and pending:
                pending -= 1
            elif char == "{":
                opener = code[:at]
                if _else_at_end(opener) is not None:
                    whole = prefix[: len(prefix) - len(before) + at] if index == 0 else opener
                    return _else_branch(_joined(codes[index + 1 :], whole))
                found = _IF.search(opener)
                if found is not None:
                    return _by_condition(opener[found.end() :])
                return CONDITIONAL_SKIP if _OTHER_BRANCH.search(opener) else None
    return None


def _joined(codes_above: Sequence[str], last: str) -> str:
    """`last` after the code of the lines above it (given nearest first), as one text."""
    return "\n".join([*reversed(codes_above), last])


def _else_branch(text: str) -> Marker:
    """The marker of a skip in the `else` branch that `text` ends with: SKIP_ALWAYS when every `if` of
    its chain has a literally false condition, so that the branch runs every time (`if (false) {} else
    {`); CONDITIONAL_SKIP otherwise, a condition that may hold or may not, or a chain that cannot be read
    back."""
    for _ in range(_CHAIN):
        at = _else_at_end(text)
        if at is None:
            return SKIP_ALWAYS  # the chain's first `if`, read, and every condition false
        branch = _if_of_branch(text[:at].rstrip())
        if branch is None or _condition_truth(branch[1]) is not False:
            return CONDITIONAL_SKIP
        text = branch[0].rstrip()
    return CONDITIONAL_SKIP


def _else_at_end(text: str) -> int | None:
    """Where the `else` that ends `text` (spaces aside) starts: the block or statement after it is the
    other branch of the `if` before it. None when `text` does not end so."""
    end = len(text.rstrip())
    at = end - len("else")
    if at < 0 or text[at:end] != "else" or (at and (text[at - 1].isalnum() or text[at - 1] in "_.$")):
        return None
    return at


def _if_of_branch(text: str) -> tuple[str, str] | None:
    """The `if` whose branch `text` ends with, a block (`if (c) { ... }`, Go's `if c { ... }`) or a
    statement (`if (c) go();`): the code before the `if`, and the condition. None when the branch is
    not one read here."""
    if text.endswith("}"):
        depth = 0
        for at in range(len(text) - 1, -1, -1):
            depth += {"}": 1, "{": -1}.get(text[at], 0)
            if depth == 0:
                found = _statement_if(text, at)
                return None if found is None else (text[: found.start()], text[found.end() : at])
        return None
    if text.endswith(";"):
        found = _statement_if(text, len(text) - 1)
        if found is None:
            return None
        written = text[found.end() : -1]
        opening = written.find("(")
        if opening < 0 or written[:opening].strip():
            return None
        depth = 0
        for at in range(opening, len(written)):
            depth += {"(": 1, ")": -1}.get(written[at], 0)
            if depth == 0:
                return text[: found.start()], written[: at + 1]
    return None


def _statement_if(text: str, end: int) -> re.Match[str] | None:
    """The last `if` of the statement that reaches `end`, from the `;`, `{` or `}` before it: the `if`
    whose block or statement starts there."""
    start = max(text.rfind(mark, 0, end) for mark in ";{}") + 1
    matches = list(_IF.finditer(text, start, end))
    return matches[-1] if matches else None


def _closes_at_end(condition: str) -> bool:
    """Whether the `if`'s parenthesis closes where the line ends: `v) log(` is a statement after the
    condition, not part of it."""
    depth = 0
    for char in condition:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _code(text: str) -> str:
    """The line with its strings emptied and a `//` comment cut (their braces are not the code's)."""
    code = code_only(text)
    at = code.find("//")
    return code if at < 0 else code[:at]


def _by_condition(written: str) -> Marker:
    """CONDITIONAL_SKIP, or SKIP_ALWAYS when the condition (`(true)`, Go's `true {`) is literally true."""
    return SKIP_ALWAYS if _condition_truth(written) is True else CONDITIONAL_SKIP


def _condition_truth(written: str) -> bool | None:
    """True or False when an `if`'s condition as written (`(0)`, Go's `false {`) is a literal."""
    condition = written.strip().rstrip("{").strip()
    while condition.startswith("(") and condition.endswith(")"):
        condition = condition[1:-1].strip()
    return literal_truth(condition)
