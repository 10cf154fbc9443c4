"""What a file is read as, by its name and its first line: the one answer for every part of the gate
that asks whether a file is Python.

The analyzers choose the files they parse as Python by it, the coding-line check the files Python
decodes by their coding line (`gate.context.python_coding`), and the link judgement what a link named
as Python must lead to (`gate.context.links`). Were any of them to decide otherwise, a file one of them
counted as checked could be one no check read as what it is.

A file is Python by its suffix (`.py`, `.pyi`, `.pyw`), or by a first line that runs it with Python
(`#!/usr/bin/env python3`, `#!/usr/bin/env -S uv run --script`), whatever else its name says, unless
its suffix is one the analyzers read as JavaScript or TypeScript: `bin/tool`, `libexec/tool.real` and
`deploy.sh` so started are Python scripts, and each runs as one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

from gate.context.model import RevisionReader
from gate.context.suffixes import JS_SUFFIXES, PYTHON_SUFFIXES
from gate.diff.model import DiffLine, FileChange, FileStatus

# Python, pip and Node skip a UTF-8 byte-order mark that opens a file, so the gate reads past it too.
BYTE_ORDER_MARK = "\ufeff"

# The start of a first line that runs the file with a program: `#!/usr/bin/`, `#! /usr/bin/env `,
# `#!/usr/bin/env -S PYTHONPATH=src ` (options, then variables `env` sets).
# `env`'s options that take a value are read with it (`-u PYTHONHOME`, `-C dir`, `-S` takes the rest).
_SHEBANG = r"#![ \t]*(?:\S*/)?(?:env[ \t]+(?:(?:-[uCP][ \t]+\S+|-\S+)[ \t]+)*(?:\w+=\S*[ \t]+)*(?:\S*/)?)?"
# Python itself (`python3`, `python3.12 -u`, the free-threaded `python3.13t`, `pypy3`, `ipython3`), or a
# tool running the file with its environment's Python: uv as a script, PEP 723's inline dependencies
# first (`uv run --script`, `uv --quiet run --with rich`), poetry, pipenv, pdm or hatch (`... run python`).
_PYTHON_SHEBANG = re.compile(
    _SHEBANG
    + r"(?:(?:i?python|pypy)[\d.]*t?|uv(?:[ \t]+-\S+)*[ \t]+run"
    + r"|(?:poetry|pipenv|pdm|hatch)(?:[ \t]+-\S+)*[ \t]+run[ \t]+(?:-\S+[ \t]+)*"
    + r"(?:i?python|pypy)[\d.]*t?)(?:\s|$)"
)
# The shells that read a script as the secret scan reads one named `.sh`: `NAME=value` assignments.
_SHELL_SHEBANG = re.compile(_SHEBANG + r"(?:sh|bash|dash|ash|ksh|mksh|zsh)(?:\s|$)")


def is_python_source(path: str, first_line: str | None) -> bool:
    """Whether a file is Python: by its suffix, or by a first line that runs it with Python (None when
    that line is not known) when its suffix does not make it JavaScript or TypeScript."""
    if path.endswith(PYTHON_SUFFIXES):
        return True
    return first_line is not None and first_line_decides(path) and runs_python(first_line)


def first_line_decides(path: str) -> bool:
    """Whether a file's first line may make it Python: its name says neither Python nor JavaScript."""
    return not path.endswith(PYTHON_SUFFIXES + JS_SUFFIXES)


def runs_python(first_line: str) -> bool:
    return _PYTHON_SHEBANG.match(first_line) is not None


def runs_shell(first_line: str) -> bool:
    return _SHELL_SHEBANG.match(first_line) is not None


def is_python_change(
    change: FileChange, revisions: RevisionReader | None, read_head: Callable[[str], str | None] | None = None
) -> bool:
    """Whether a changed file is Python at head (`is_python_source`): its first line read from the
    diff, else from the head revision when the run has one. `read_head`: how the caller reads a file at
    head, when it says why one it could not read was not read (`ChangeView`); else the reader's own."""
    if change.status is FileStatus.DELETED or change.is_binary:
        return False
    if not first_line_decides(change.path):
        return is_python_source(change.path, None)
    if read_head is None and revisions is not None:
        read_head = partial(revisions.read, "head")
    return is_python_source(change.path, _head_first_line(change, read_head))


def shown_first_line(change: FileChange) -> str | None:
    """The file's first line at head, when the diff shows it (added or as context)."""
    for line in shown_lines(change):
        return line.text.removeprefix(BYTE_ORDER_MARK) if line.new_no == 1 else None
    return None


def _head_first_line(change: FileChange, read_head: Callable[[str], str | None] | None) -> str | None:
    shown = shown_first_line(change)
    if shown is not None or read_head is None:
        return shown
    # Straight from the reader: a file too large to analyse is still named Python or not, and the few
    # that are said to be skipped by the stages that then cannot read them.
    head = read_head(change.path)
    return head.removeprefix(BYTE_ORDER_MARK).split("\n", 1)[0] if head else None


def shown_lines(change: FileChange) -> Iterator[DiffLine]:
    """The head lines the diff shows, in order."""
    return (line for hunk in change.hunks for line in hunk.lines if line.new_no is not None)
