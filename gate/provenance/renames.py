"""The names a commit renames throughout a file: the map light_edits.py judges the file's lines by.

A person who renames several identifiers of AI code in one commit (parameters, locals, a called
function) renames most words of some lines: `total = apply_discount(value * rate)` becomes
`t = discounted(v * r)`. Judged alone such a line keeps fewer words than it renames, as a rewritten line
does; judged with the renames the commit makes across the whole file, its only differences are those
renames, and it stays the AI's.

The map is learnt from the lines the commit wrote in place of AI lines of the file, each beside an AI
line of its form (edits.py pairs them), token by token where both have as many; for a run of lines
written elsewhere once the AI lines are gone, from its lines beside the AI lines gone (gone_lines.py).
A name goes into the map (`learn_renames`) when it is renamed to one and the same new name on at least
MIN_RENAMED_LINES such lines, and:
- it is kept on no such line (a name renamed in one place and kept in another is not a rename), nor
  renamed to another name;
- its new name comes from no other name and is kept on no such line (two names made one). Names
  swapped or shifted throughout (`a` made `b`, `b` made `c`) are renames;
- neither is a keyword (`if` made `while` changes what the line does).
A line with names renamed besides those of the map is judged as before, by the words it keeps; and the
guards of a single line hold still (light_edits.py): a name renamed on the line and kept on it, or two
names of the line made one, is no rename.

Cost: one pass over the tokens of the lines paired, learnt only when a line of the file needs it.
"""

from __future__ import annotations

import keyword
from collections import Counter, defaultdict
from collections.abc import Iterable

from gate.provenance.light_edits import code_tokens, is_name

# How many lines a name must be renamed on, the same way, to be renamed across the file: a rename seen
# on one line is that line's own, judged by the words it keeps.
MIN_RENAMED_LINES = 2
# Words that are not names a person chooses, in Python and the languages most code is written in.
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset({
    "auto", "bool", "byte", "case", "catch", "char", "const", "default", "do", "double", "end", "enum",
    "extends", "float", "fn", "func", "function", "go", "impl", "implements", "int", "interface", "let",
    "long", "mut", "new", "nil", "null", "package", "private", "protected", "pub", "public", "self",
    "short", "static", "struct", "super", "switch", "this", "throw", "throws", "trait", "true", "false",
    "typeof", "undefined", "unsigned", "use", "var", "void", "where",
})  # fmt: skip


def learn_renames(pairs: Iterable[tuple[str, str]], marker: str | None) -> dict[str, str]:
    """The renames, old name -> new, that the lines of one commit in one file make, told from `pairs` of
    (AI line, the line written beside it) of the same form (module docstring)."""
    # How many lines align each token of the AI line with each token of the person's: (old, new) -> lines.
    aligned: Counter[tuple[str, str]] = Counter()
    for ai_line, line in pairs:
        before, after = code_tokens(ai_line, marker), code_tokens(line, marker)
        if len(before) == len(after):
            aligned.update(set(zip(before, after, strict=True)))
    kept = {old for old, new in aligned if old == new}
    votes = {
        (old, new): lines
        for (old, new), lines in aligned.items()
        if old != new and is_name(old) and is_name(new)
    }
    new_names: defaultdict[str, set[str]] = defaultdict(set)
    old_names: defaultdict[str, set[str]] = defaultdict(set)
    for old, new in votes:
        new_names[old].add(new)
        old_names[new].add(old)
    return {
        old: new
        for (old, new), lines in votes.items()
        if lines >= MIN_RENAMED_LINES
        and len(new_names[old]) == 1
        and len(old_names[new]) == 1
        and old not in kept
        and new not in kept
        and old not in _KEYWORDS
        and new not in _KEYWORDS
    }
