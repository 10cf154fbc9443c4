"""Bounds on what an analyzer parses, so a hostile file costs linear time and can never crash a stage.

Every parser of PR-supplied text goes through here: JSON and TOML are checked for nesting before they
are parsed (the standard parsers recurse once per level), Python source is checked for the shapes the
parser handles in more than linear time, and a parser that still gives up raises `Unreadable`. An
analyzer turns `Unreadable` into a `could-not-analyse` finding on that file and goes on with the rest:
what was not read is said, never silently passed.
"""

from __future__ import annotations

import json
import keyword
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


# What may stand around a dot inside a dotted name: spaces, and backslash line continuations.
_GAP = r"(?:[ \t\f]|\\\r?\n)*+"
# The text between two dots of one dotted name: one name part. Possessive: no backtracking.
_PART = re.compile(rf"{_GAP}[^\W\d]\w*+{_GAP}")
# The name after the last dot of a run; the one before the first is read backwards, this far at most.
_MAX_FIRST_PART = 1000
_FIRST_NAME = re.compile(rf"{_GAP}[^\W\d]\w*+")
# What stands in for a cut dotted name: a plain name, so the statement around it still parses.
LONG_NAME = "__long_dotted_name__"


def _long_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every dotted name of more than MAX_DOTTED_PARTS parts. One pass over the dots:
    each gap between two dots is matched once, so any text costs linear time."""
    runs: list[tuple[int, int]] = []
    first_dot = previous = -1
    parts = 0
    dot = text.find(".")
    while dot >= 0:
        if previous >= 0 and _PART.fullmatch(text, previous + 1, dot):
            parts += 1
        else:
            if parts >= MAX_DOTTED_PARTS:
                runs.append(_run_bounds(text, first_dot, previous))
            first_dot, parts = dot, 1
        previous = dot
        dot = text.find(".", dot + 1)
    if parts >= MAX_DOTTED_PARTS:
        runs.append(_run_bounds(text, first_dot, previous))
    return runs


def _run_bounds(text: str, first_dot: int, last_dot: int) -> tuple[int, int]:
    """The run from the name before its first dot (a keyword, as in `from .a.b`, is no part of it) to
    the name after its last."""
    end = first_dot
    while end > 0 and text[end - 1] in " \t\f":
        end -= 1
    start = end
    while start > max(end - _MAX_FIRST_PART, 0) and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    name = text[start:end]
    if not name.isidentifier() or keyword.iskeyword(name):
        start = first_dot
    after = _FIRST_NAME.match(text, last_dot + 1)
    return start, after.end() if after else last_dot + 1


def shorten_dotted_names(text: str) -> tuple[str, bool]:
    """The source with every dotted name of more than MAX_DOTTED_PARTS parts replaced by LONG_NAME
    (line breaks kept, so line numbers hold), and whether any was. The parser reads such a name in
    time quadratic in its parts; no analysis needs its parts."""
    if text.count(".") < MAX_DOTTED_PARTS:
        return text, False
    runs = _long_runs(text)
    if not runs:
        return text, False
    pieces: list[str] = []
    at = 0
    for start, end in runs:
        pieces.append(text[at:start])
        pieces.append(LONG_NAME + " \\\n" * text.count("\n", start, end))
        at = end
    pieces.append(text[at:])
    return "".join(pieces), True
