"""Whether a skip called while a Go or JavaScript/TypeScript test runs (`t.Skip(...)`, `this.skip()`,
`ctx.skip()`) sits under a condition: `if testing.Short() {` on a line above it, `if (!process.env.DB)`
on the line before a skip without braces, or `if (...) this.skip()` on its own line. That is how these
languages skip a slow or an environment-bound test, as `pytest.skip()` under an `if` is in Python. A
condition that is a literal decides the branch before the test runs: the skip in `if (true) { ... }`, or
in the `else` of `if (false) {} else { ... }` (Go's `if false { } else {`), is taken every time, unless a
real condition around that `if` makes it conditional. So is one under a condition made only of literals
(`if (1 === 1)`, `constants.py`), and one an operator reaches from a literal (`true && this.skip()`).

Read from the lines just above the skip (the head's, or its hunk's new side), braces counted back to the
block that holds it; strings and comments aside, and blank and comment-only lines passed over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gate.analyzers.weakened_tests.constants import constant_truth
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
_BARE_IF = re.compile(r"^\s*(?:\}\s*)?(?:else\s+)?(?P<keyword>if)\s*\((?P<condition>.*)\)\s*$")
# A line of a block comment: `/* ... */`, its opening `/* ...`, or a line within it (` * ...`, ` */`).
# (Read on the stripped line, each character once: a blank after the comment's body re-read it at each
# place, quadratic in a line of spaces between `/*` and `*/x`.)
_COMMENT_ONLY = re.compile(r"/\*(?:[^*]|\*(?!/))*+(?:\*/)?|\*.*")
# The `if`s of one chain read back from an `else` (`if (a) {} else if (b) {} else {`), at most.
_CHAIN = 8
# Literally taken branches read through, one inside the other (`if (true) { if (true) {`), at most.
_NESTING = 8
# How many lines of code above a skip its block's `if` is looked for in.
LOOK_BACK = 8
_MAX_LINE = 2_000


def guarded_skip(text: str, above: Sequence[str]) -> Marker | None:
    """The marker for a runtime skip on `text` under a condition: CONDITIONAL_SKIP, or SKIP_ALWAYS when
    the condition is a literal that always holds (`if (true) {`). None when no condition is found above
    it (the skip stands), or the line holds no runtime skip. `above`: the lines before it, nearest last;
    the last LOOK_BACK of them that hold code are read."""
    if len(text) > _MAX_LINE:
        return None
    code = _code(text)
    skip = _RUNTIME_SKIP.search(code)
    if skip is None:
        return None
    codes: list[str] = []  # the lines above, nearest first
    for line in reversed([line for line in above if has_code(line)][-LOOK_BACK:]):
        if len(line) > _MAX_LINE:
            break
        codes.append(_code(line))
    return _enclosing(code[: skip.start()], codes, 0)


def has_code(line: str) -> bool:
    """Whether the line holds code: a blank or comment-only line says nothing of a skip's condition, and
    is passed over (so that comments cannot push the `if` out of sight). A line too long to read is
    kept, and ends the reading there."""
    if len(line) > _MAX_LINE:
        return True
    code = _code(line)
    code = code.strip()
    return bool(code) and _COMMENT_ONLY.fullmatch(code) is None


def _enclosing(prefix: str, above: Sequence[str], depth: int) -> Marker | None:
    """The marker of the statement that starts where `prefix` (the code of its line before it) ends,
    `above` the code of the lines before that, nearest first: CONDITIONAL_SKIP under a condition,
    SKIP_ALWAYS under literal ones that always take its branch, None under no condition. A literally
    taken branch is transparent: what encloses its `if` decides (`_outside`)."""
    # The statement's own: what an earlier one on the line says (`if (v) log();`, `const v = cfg?.x;`)
    # puts no condition on it.
    before = prefix.rpartition(";")[2]
    operand = _operand_before(before)
    if operand is not None:
        # `cond && this.skip()`, `cond ? this.skip() : go()`: conditional, unless the condition is a
        # literal that always reaches the skip (`true && this.skip()`); then the statement is as if the
        # skip began it, and what encloses it decides.
        if operand < 0:
            return CONDITIONAL_SKIP
        prefix = prefix[: len(prefix) - len(before) + operand]
        before = before[:operand]
    elif re.search(r"&&|\|\||\?", before) and _IF.search(before) is None:
        return CONDITIONAL_SKIP  # `go(cond && x, this.skip())`: the operator's reach is not read
    pending = 0
    # The statement's own line up to it, then the lines above, nearest first.
    codes = [before, *above]
    start = len(prefix) - len(before)  # where `before` starts in `prefix`
    if _else_at_end(prefix) is not None:  # `if (c) ; else this.skip()`, `if (c) {} else this.skip()`
        return _else_branch(_joined(codes[1:], prefix), depth)
    for index, code in enumerate(codes):
        if index == 1 and not before.strip() and _else_at_end(code) is not None:
            return _else_branch(_joined(codes[2:], code), depth)  # `else` alone on the line above
        if index == 1 and "{" not in code:
            bare = _BARE_IF.match(code)
            if bare is not None and _closes_at_end(
                bare.group("condition")
            ):  # `if (cond)`, the statement below it its own
                outside = _joined(codes[2:], code[: bare.start("keyword")])
                return _taken(bare.group("condition"), outside, depth)
        if index == 0 and "{" not in code:
            found = _IF.search(code)  # `if (cond) this.skip()`
            if found is not None:
                outside = _joined(codes[1:], prefix[: start + found.start()])
                return _taken(code[found.end() :], outside, depth)
        for at in range(len(code) - 1, -1, -1):
            char = code[at]
            if char == "}":
                pending += 1
            elif char == "{" and pending:
                pending -= 1
            elif char == "{":
                opener = code[:at]
                whole = prefix[: start + at] if index == 0 else opener
                if _else_at_end(opener) is not None:
                    return _else_branch(_joined(codes[index + 1 :], whole), depth)
                found = _IF.search(opener)
                if found is not None:
                    outside = _joined(codes[index + 1 :], whole[: len(whole) - len(opener) + found.start()])
                    return _taken(opener[found.end() :], outside, depth)
                return CONDITIONAL_SKIP if _OTHER_BRANCH.search(opener) else None
    return None


# The operator a skip's statement reaches it through, with the text of the statement before it: `cond &&`,
# `cond ||`, `cond ?`, `cond ? x :`, with any parentheses opened after it (`cond && (`).
_OPERATOR_AT_END = re.compile(r"(?P<left>.*?)(?P<op>&&|\|\||\?|:)[\s(]*\Z", re.DOTALL)
_STATEMENT_START = re.compile(r"\s*(?:(?:return|await|void)\b\s*)?\(*")


def _operand_before(before: str) -> int | None:
    """Where the operand starts in `before` (the statement up to a skip) when the skip is reached through
    an operator from a literal that always reaches it (`true &&`, `0 ||`, `1 === 1 ?`); -1 when the
    operand is a condition; None when no operator stands just before the skip."""
    m = _OPERATOR_AT_END.match(before)
    if m is None:
        return None
    op, left = m.group("op"), m.group("left")
    start = max(left.rfind("{"), left.rfind("}")) + 1  # a block's first statement starts after its brace
    start = _STATEMENT_START.match(left, start).end()  # type: ignore[union-attr]
    left = left[start:]
    if op == ":":  # `cond ? x : this.skip()`: the skip runs when `cond` is falsy
        question = left.rfind("?")
        if question < 0 or ":" in left[question + 1 :]:
            return -1
        return start if constant_truth(left[:question]) is False else -1
    if op == "&&" and ("||" in left or "?" in left):
        return -1  # `a || b && skip`: `&&` binds first, the operand is `b` alone
    if op == "||" and "?" in left:
        return -1
    return start if constant_truth(left) is (op != "||") else -1


def _taken(condition: str, outside: str, depth: int) -> Marker:
    """The marker of a branch under an `if` of `condition`, `outside` the code before that `if` (lines
    joined): CONDITIONAL_SKIP unless the condition is literally true (`(true)`, Go's `true {`); then the
    branch is taken whenever its `if` is reached, and what encloses the `if` decides."""
    if _condition_truth(condition) is not True:
        return CONDITIONAL_SKIP
    return _outside(outside, depth)


def _outside(text: str, depth: int) -> Marker:
    """The marker of a branch its `if` always takes, `text` the code before that `if` (lines joined):
    SKIP_ALWAYS, or CONDITIONAL_SKIP when a real condition encloses the `if` (`if (env) { if (true) {`)
    or the literal branches nest deeper than is read."""
    if depth >= _NESTING:
        return CONDITIONAL_SKIP
    lines = text.split("\n")
    return _enclosing(lines[-1], lines[-2::-1], depth + 1) or SKIP_ALWAYS


def _joined(codes_above: Sequence[str], last: str) -> str:
    """`last` after the code of the lines above it (given nearest first), as one text."""
    return "\n".join([*reversed(codes_above), last])


def _else_branch(text: str, depth: int) -> Marker:
    """The marker of a skip in the `else` branch that `text` ends with: when every `if` of its chain has
    a literally false condition (`if (false) {} else {`), the branch is taken whenever the chain is
    reached, and what encloses the chain decides (`_outside`); CONDITIONAL_SKIP otherwise, a condition
    that may hold or may not, or a chain that cannot be read back."""
    for _ in range(_CHAIN):
        at = _else_at_end(text)
        if at is None:
            return _outside(text, depth)  # the chain's first `if`, read, and every condition false
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


def _condition_truth(written: str) -> bool | None:
    """True or False when an `if`'s condition as written (`(0)`, Go's `false {`) is a literal."""
    condition = written.strip().rstrip("{").strip()
    whole = condition
    while condition.startswith("(") and condition.endswith(")"):
        condition = condition[1:-1].strip()
    truth = literal_truth(condition)
    # `1 === 1`, `!0 && 2 > 1`: literals a condition is made of decide it as one does.
    return truth if truth is not None else constant_truth(whole)
