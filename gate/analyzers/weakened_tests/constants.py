"""The value of a JavaScript or Go condition written only of literals: `1 === 1`, `!0`, `2 > 1 && true`,
`(null == undefined)`. Such a condition decides its branch before the test runs, as `true` does, so a
skip under it is no conditional one.

Numbers, `true`, `false`, `null`, `undefined` and `NaN`, joined by `!`, unary `-`, comparisons, `&&`, `||`
and parentheses, read with JavaScript's rules (Go's are the same on these). Strings are not read: the
lines this is given have their strings emptied, so `'a' === 'b'` would read as `'' === ''`. Anything else
(a name, a call, a string) makes the condition no literal. One pass over a bounded text.
"""

from __future__ import annotations

import math
import re

_MAX_LENGTH = 2_000
_MAX_DEPTH = 50

_TOKEN = re.compile(
    r"\s*(?:(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[!<>()-])"
    r"|(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?![\w$.])"
    r"|(?P<word>true|false|null|undefined|NaN)(?![\w$]))"
)


class _Undefined:
    """JavaScript's `undefined`, apart from `null` (None)."""


_UNDEFINED = _Undefined()
_Value = bool | float | None | _Undefined


class _NotLiteral(ValueError):
    """The condition holds something other than literals."""


def constant_truth(condition: str) -> bool | None:
    """True or False when the condition is made only of literals, and is truthy or falsy; None when it
    holds anything else."""
    if len(condition) > _MAX_LENGTH:
        return None
    try:
        tokens = _tokens(condition)
        value, at = _Parser(tokens).or_(0, 0)
        if at != len(tokens):
            return None
    except _NotLiteral:
        return None
    return _truthy(value)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    at = 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            if text[at:].strip():
                raise _NotLiteral(text[at:])
            break
        tokens.append(m.group(0).strip())
        at = m.end()
    if not tokens:
        raise _NotLiteral("empty")
    return tokens


class _Parser:
    """JavaScript's precedence: `||`, then `&&`, then equality, then relations, then `!` and `-`."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def _at(self, at: int) -> str:
        return self.tokens[at] if at < len(self.tokens) else ""

    def or_(self, at: int, depth: int) -> tuple[_Value, int]:
        value, at = self._and(at, depth)
        while self._at(at) == "||":
            right, at = self._and(at + 1, depth)
            value = value if _truthy(value) else right
        return value, at

    def _and(self, at: int, depth: int) -> tuple[_Value, int]:
        value, at = self._equality(at, depth)
        while self._at(at) == "&&":
            right, at = self._equality(at + 1, depth)
            value = right if _truthy(value) else value
        return value, at

    def _equality(self, at: int, depth: int) -> tuple[_Value, int]:
        value, at = self._relation(at, depth)
        while self._at(at) in ("===", "!==", "==", "!="):
            op = self._at(at)
            right, at = self._relation(at + 1, depth)
            same = _strict_equal(value, right) if op in ("===", "!==") else _loose_equal(value, right)
            value = same if op in ("===", "==") else not same
        return value, at

    def _relation(self, at: int, depth: int) -> tuple[_Value, int]:
        value, at = self._unary(at, depth)
        while self._at(at) in ("<", ">", "<=", ">="):
            op = self._at(at)
            right, at = self._unary(at + 1, depth)
            a, b = _number(value), _number(right)
            value = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return value, at

    def _unary(self, at: int, depth: int) -> tuple[_Value, int]:
        if depth > _MAX_DEPTH:
            raise _NotLiteral("too deep")
        token = self._at(at)
        if token == "!":
            value, at = self._unary(at + 1, depth + 1)
            return not _truthy(value), at
        if token == "-":
            value, at = self._unary(at + 1, depth + 1)
            return -_number(value), at
        if token == "(":
            value, at = self.or_(at + 1, depth + 1)
            if self._at(at) != ")":
                raise _NotLiteral("unclosed parenthesis")
            return value, at + 1
        words: dict[str, _Value] = {
            "true": True,
            "false": False,
            "null": None,
            "undefined": _UNDEFINED,
            "NaN": math.nan,
        }
        if token in words:
            return words[token], at + 1
        if token[:1].isdigit() or token[:1] == ".":
            return float(int(token, 16)) if token[:2] in ("0x", "0X") else float(token), at + 1
        raise _NotLiteral(token)


def _truthy(value: _Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return False  # null, undefined


def _number(value: _Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    return 0.0 if value is None else math.nan


def _strict_equal(a: _Value, b: _Value) -> bool:
    if type(a) is not type(b):
        return False
    return a is b if not isinstance(a, float) else a == b


def _loose_equal(a: _Value, b: _Value) -> bool:
    nullish = (None, _UNDEFINED)
    if a in nullish or b in nullish:
        return a in nullish and b in nullish
    return _number(a) == _number(b)
