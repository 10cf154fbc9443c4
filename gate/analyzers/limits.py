"""Bounds on what an analyzer parses, so a hostile file costs linear time and can never crash a stage.

Every parser of PR-supplied text goes through here: JSON and TOML are checked for nesting before they
are parsed (the standard parsers recurse once per level; `gate.context.bounded_parse`), Python source
is checked for the shapes the parser handles in more than linear time, and a parser that still gives
up raises `Unreadable`. An analyzer turns `Unreadable` into a `could-not-analyse` finding on that file
and goes on with the rest: what was not read is said, never silently passed.
"""

from __future__ import annotations

import keyword
import re

from gate.analyzers.interface import AnalyzerMeta

# The bounded JSON and TOML loaders sit in the context layer, whose ignore list reads manifests too; the
# analyzers name them from here.
from gate.context.bounded_parse import MAX_NESTING as MAX_NESTING
from gate.context.bounded_parse import Unreadable as Unreadable
from gate.context.bounded_parse import load_json as load_json
from gate.context.bounded_parse import load_toml as load_toml
from gate.context.bounded_parse import nesting as nesting
from gate.findings import Confidence, Finding, Location, Severity

# Most parts of one dotted name in Python source. CPython's parser builds `import a.b.c...` in time
# quadratic in the parts (100 KB of them take seconds and gigabytes); real code has a few.
MAX_DOTTED_PARTS = 200

RULE = "could-not-analyse"


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
