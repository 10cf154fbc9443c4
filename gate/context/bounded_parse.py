"""JSON and TOML parsed within a bound on their nesting, so that text from a change costs linear time and
never overflows the stack: the standard parsers recurse once per level of brackets. Every reader of
PR-supplied JSON or TOML goes through here, the ignore list's and the analyzers' alike
(`gate.analyzers.limits` turns `Unreadable` into a finding)."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

# Deepest bracket nesting accepted in JSON and TOML. Real manifests nest a handful of levels; the
# standard parsers recurse once per level and fail near a thousand.
MAX_NESTING = 100


class Unreadable(ValueError):
    """A file that could not be analysed within the bounds; the message says why, for the report."""


_OPEN = frozenset("[{")
_CLOSE = frozenset("]}")
# A quoted string in JSON or TOML (basic or literal, single- or multi-line), or a TOML comment: the
# brackets inside them do not nest. Possessive repeats: each character is looked at once.
_JSON_SKIP = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_TOML_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+(?:"""|$)|\'\'\'(?:[^\']|\'(?!\'\'))*+(?:\'\'\'|$)'
    r'|"(?:[^"\\\n]|\\.)*+"?|\'[^\'\n]*+\'?|#[^\n]*+',
    re.DOTALL,
)
_BRACKET_OR_QUOTE_JSON = re.compile(r'[\[\]{}"]')
_BRACKET_OR_QUOTE_TOML = re.compile(r"[\[\]{}\"'#]")


def nesting(text: str, *, toml: bool = False) -> int:
    """The deepest bracket nesting of a JSON or TOML text, outside strings and comments (linear)."""
    find = (_BRACKET_OR_QUOTE_TOML if toml else _BRACKET_OR_QUOTE_JSON).search
    skip = (_TOML_SKIP if toml else _JSON_SKIP).match
    depth = deepest = 0
    at = 0
    while (m := find(text, at)) is not None:
        char = m.group()
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            at = m.end()
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
            at = m.end()
        else:
            end = skip(text, m.start())
            at = end.end() if end is not None and end.end() > m.start() else m.end()
    return deepest


def _check_nesting(text: str, kind: str, *, toml: bool) -> None:
    deepest = nesting(text, toml=toml)
    if deepest > MAX_NESTING:
        raise Unreadable(f"{kind} nested {deepest} levels deep, over the limit of {MAX_NESTING}")


def load_json(text: str) -> Any:
    """`json.loads` within the nesting bound; Unreadable when it is invalid or too deep."""
    _check_nesting(text, "JSON", toml=False)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"invalid JSON ({exc})") from None
    except RecursionError:
        raise Unreadable("JSON nested too deeply to parse") from None


def load_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads` within the nesting bound; Unreadable when it is invalid or too deep."""
    _check_nesting(text, "TOML", toml=True)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Unreadable(f"invalid TOML ({exc})") from None
    except RecursionError:
        raise Unreadable("TOML nested too deeply to parse") from None
