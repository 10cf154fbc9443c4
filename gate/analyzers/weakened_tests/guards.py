"""Whether a skip called while a Go or JavaScript/TypeScript test runs (`t.Skip(...)`, `this.skip()`,
`ctx.skip()`) sits under a condition: `if testing.Short() {` on a line above it, `if (!process.env.DB)`
on the line before a skip without braces, or `if (...) this.skip()` on its own line. That is how these
languages skip a slow or an environment-bound test, as `pytest.skip()` under an `if` is in Python.

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
    before = code[: skip.start()].rpartition(";")[2]
    if re.search(r"&&|\|\||\?", before):
        return CONDITIONAL_SKIP  # `cond && this.skip()`, `cond ? this.skip() : go()`
    pending = 0
    # The skip's own line up to it, then the lines above, nearest first.
    codes = [before]
    for line in reversed(above[-LOOK_BACK:]):
        if len(line) > _MAX_LINE:
            break
        codes.append(_code(line))
    for index, code in enumerate(codes):
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
                found = _IF.search(opener)
                if found is not None:
                    return _by_condition(opener[found.end() :])
                return CONDITIONAL_SKIP if _OTHER_BRANCH.search(opener) else None
    return None


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
    condition = written.strip().rstrip("{").strip()
    while condition.startswith("(") and condition.endswith(")"):
        condition = condition[1:-1].strip()
    return SKIP_ALWAYS if literal_truth(condition) is True else CONDITIONAL_SKIP
