"""What phantom-symbols reads from a file's text without parsing it: whether the file may use the
repository at all (the look that decides whether it is parsed), and its added one-line imports, which
stand in for a file that cannot be parsed or read whole. Every look errs only towards parsing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from gate.diff.model import FileChange

_ONE_LINE_IMPORT = re.compile(r"^\s*(?:from\s+[\w.]+\s+import\s+[\w\s,]+|import\s+[\w.\s,]+)$")


# What `imports_only` gives for a file with no added one-line import: the empty module.
NO_IMPORTS = "\n"


def imports_only(change: FileChange) -> str:
    """A module holding just the added single-line imports, each on its own line number."""
    lines: dict[int, str] = {}
    for line in change.added_lines():
        # Every line the pattern takes says `import`: the word's look is cheaper than the pattern's.
        text = line.text
        if "import" not in text or line.new_no is None:
            continue
        if "\r" in text or "#" in text:
            # A lone `\r` ends a line to the parser: each piece is a line of its own (the checker
            # maps the parser's lines back to the diff's). A `#` in an import starts its comment
            # (`from pkg import name  # why`): an import holds no string.
            cut = (piece.split("#", 1)[0] for piece in text.split("\r"))
            pieces = [piece.strip() for piece in cut if _ONE_LINE_IMPORT.match(piece)]
            if pieces:
                lines[line.new_no] = "\r".join(pieces)
        elif _ONE_LINE_IMPORT.match(text):
            lines[line.new_no] = text.strip()
    last = max(lines, default=0)
    return "\n".join(lines.get(n, "") for n in range(1, last + 1)) + "\n"


# `from X` or `import X, Y` where a statement can start: at a line's start (after spaces, tabs, form
# feeds), after `;`, or after the `:` of a one-line compound statement (`if c: import x`). The text has
# its continuation lines joined and its line breaks made `\n` first (`_logical_text`).
_IMPORT_WORDS = re.compile(r"(?:^|[;:])[ \t\f]*(?:from\s+(\.|\w+)|import\s+([^#\n;]+))", re.MULTILINE)
_CONTINUATION = re.compile(r"\\(?:\r\n|\r|\n)")
# The keyword every match of _IMPORT_WORDS holds: found by the regex engine's scan for a first letter,
# where _IMPORT_WORDS, which may start at any line start, is tried at every character.
_KEYWORDS = re.compile(r"from|import")
_SPACE = " \t\f"


def _logical_text(text: str) -> str:
    """The text as the parser reads its lines: backslash continuations joined, `\r\n` and a lone `\r`
    read as `\n`."""
    if "\\" in text:
        text = _CONTINUATION.sub(" ", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _top_name(part: str) -> str:
    """The first name of a dotted module name as the parser reads it (NFKC: `ｐｋｇ` is `pkg`)."""
    words = part.strip().lstrip("(").split(".", 1)[0].split()
    name = words[0] if words else ""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def import_words(text: str) -> Iterator[re.Match[str]]:
    """What `_IMPORT_WORDS.finditer(text)` gives, found from its keywords: a match starts at the line
    start, `;` or `:` before the run of spaces, tabs and form feeds before its keyword, so each keyword
    names the one place a match holding it can start. Those runs lie apart, so walking back over them
    reads each character once at most."""
    end = 0  # matches do not overlap: the next one starts where the last ended, or later
    for keyword in _KEYWORDS.finditer(text):
        start = keyword.start()
        while start and text[start - 1] in _SPACE:
            start -= 1
        if start and text[start - 1] != "\n":
            if text[start - 1] not in ";:":
                continue  # inside a word or a statement: no match holds this keyword
            start -= 1
        if start < end:
            continue
        match = _IMPORT_WORDS.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def may_use_repository(text: str, tops: set[str], change: FileChange) -> bool:
    """A cheap look before parsing: only imports of repository modules, or reads of an attribute of a
    method's first argument (`self.x`) in a class, can lead to a finding. Parsing every added file of a
    large change costs seconds otherwise. The look errs only towards parsing."""
    # The keywords are ASCII (the parser reads only identifiers in NFKC form): a text without the
    # word imports nothing.
    matches = import_words(_logical_text(text)) if "import" in text else ()
    for m in matches:
        if m.group(1) is not None:
            if m.group(1) == "." or _top_name(m.group(1)) in tops:
                return True
        elif any(_top_name(part) in tops for part in m.group(2).split(",")):
            return True
    return any("self." in line.text for line in change.added_lines())


def may_read_own_attributes(text: str) -> bool:
    """Whether a method's read of its first argument's attribute (`self.x`, `this .x`, `(self` and
    `.x` on two lines, `ｓｅｌｆ.x`) can lie on an added line: only a text with a class has methods."""
    return "class" in text
