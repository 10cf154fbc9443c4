"""Bounds on what an analyzer parses, so a hostile file costs linear time and can never crash a stage.

Every parser of PR-supplied text goes through here: JSON and TOML are checked for nesting before they
are parsed (the standard parsers recurse once per level), Python source is checked for the shapes the
parser handles in more than linear time, and a parser that still gives up raises `Unreadable`. An
analyzer turns `Unreadable` into a `could-not-analyse` finding on that file and goes on with the rest:
what was not read is said, never silently passed.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from gate.analyzers.interface import AnalyzerMeta
from gate.findings import Confidence, Finding, Location, Severity

# Deepest bracket nesting accepted in JSON and TOML. Real manifests nest a handful of levels; the
# standard parsers recurse once per level and fail near a thousand.
MAX_NESTING = 100
# Most parts of one dotted name in Python source. CPython's parser builds `import a.b.c...` in time
# quadratic in the parts (100 KB of them take seconds and gigabytes); real code has a few.
MAX_DOTTED_PARTS = 200

RULE = "could-not-analyse"


class Unreadable(ValueError):
    """A file that could not be analysed within the bounds; the message says why, for the report."""


def could_not_analyse(meta: AnalyzerMeta, path: str, why: str) -> Finding:
    """The finding that stands for a file the analyzer could not read: the file was not checked."""
    return meta.finding(
        RULE,
        Severity.MEDIUM,
        Confidence.HIGH,
        f"could not analyse: {why}",
        f"The {meta.id} analyzer could not read {path} ({why}), so what it adds was not checked by "
        "this stage. Other files were analysed as usual.",
        Location(path),
    )


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


# A run of dotted name parts (with the leading dots of a relative import); it starts only where no
# name or dot precedes, so a long word is read once, and every part is matched once (possessive
# repeats, nothing to backtrack into).
_WS = r"(?:[ \t\f]|\\\r?\n)*+"
_LONG_DOTTED = re.compile(
    rf"(?<![\w.])\.*+(?:[^\W\d]\w*+{_WS}\.{_WS}){{{MAX_DOTTED_PARTS},}}+(?:[^\W\d]\w*+)?"
)
# What stands in for a cut dotted name: a plain name, so the statement around it still parses.
LONG_NAME = "__long_dotted_name__"


def shorten_dotted_names(text: str) -> tuple[str, bool]:
    """The source with every dotted name of more than MAX_DOTTED_PARTS parts replaced by LONG_NAME
    (line breaks kept, so line numbers hold), and whether any was. The parser reads such a name in
    time quadratic in its parts; no analysis needs its parts."""
    if not _LONG_DOTTED.search(text):
        return text, False

    def placeholder(m: re.Match[str]) -> str:
        return LONG_NAME + " \\\n" * m.group().count("\n")

    return _LONG_DOTTED.sub(placeholder, text), True
