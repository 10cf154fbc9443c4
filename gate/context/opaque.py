"""Files of a change that no analyzer can read as what they are, among the files the run has not read.

- A file whose name is not UTF-8 (`app/caf\\xe9.py`): git names it in bytes the gate reads with U+FFFD
  in their place, and by that name the file has no head to read; the analyzers would see the diff's lines
  alone, cut from their statements.
- A submodule (a gitlink, mode 160000): the change moves it to a commit of another repository, whose
  code no stage reads.
- A Jupyter notebook (`.ipynb`): its code cells are strings in JSON to the analyzers, so the imports and
  names in them are never checked as Python.

Each is said as a part of the change not read (`ChangeSet.unread`: no verdict over the rest is a pass),
and named by path among the files not analysed (`ChangeSet.misread`, read by the coverage). A deleted
file runs no more; a file `paths.ignore` leaves out is the config's choice.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gate.context.model import ChangeSet, unread_files
from gate.diff.model import FileChange, FileStatus

GITLINK_MODE = "160000"  # git stores a submodule as the commit it points at
NOTEBOOK_SUFFIX = ".ipynb"
# What git shows as a submodule's one line: `Subproject commit <hex>`.
_SUBPROJECT = re.compile(r"Subproject commit ([0-9a-f]{7,64})")
SHORT_COMMIT = 12


def with_opaque_files(changeset: ChangeSet) -> ChangeSet:
    """The change with its files no analyzer reads as what they are among the files it has not read."""
    names: list[str] = []
    submodules: list[tuple[str, str]] = []
    notebooks: list[str] = []
    for change in changeset.diff.files:
        if change.status is FileStatus.DELETED:
            continue
        if "\ufffd" in change.path:
            names.append(change.path)
        elif change.new_mode == GITLINK_MODE:
            submodules.append((change.path, _moved_to(change)))
        elif change.path.lower().endswith(NOTEBOOK_SUFFIX):
            notebooks.append(change.path)
    if not (names or submodules or notebooks):
        return changeset
    unread: list[str] = []
    misread: dict[str, str] = {}
    if names:
        unread.append(
            unread_files(names, "named in bytes that are not UTF-8, which the gate cannot read by that name")
        )
        misread.update(
            {
                path: "its name is not UTF-8: the gate cannot read the file by the name it has"
                for path in names
            }
        )
    if submodules:
        where = [f"{path} at {commit}" for path, commit in submodules]
        unread.append(_words(where, "submodule", "whose contents the gate does not read"))
        misread.update(
            {
                path: f"submodule moved to {commit}: its contents are not checked"
                for path, commit in submodules
            }
        )
    if notebooks:
        unread.append(_words(notebooks, "Jupyter notebook", "whose code cells no analyzer reads"))
        misread.update({path: "a Jupyter notebook: no analyzer reads its code cells" for path in notebooks})
    return replace(
        changeset,
        unread=(*changeset.unread, *unread),
        misread={**changeset.misread, **{p: w for p, w in misread.items() if p not in changeset.misread}},
    )


def _moved_to(change: FileChange) -> str:
    """The commit a submodule now points at, as its short name, from the diff's `Subproject commit` line."""
    for line in change.added:
        if m := _SUBPROJECT.fullmatch(line.text.strip()):
            return m.group(1)[:SHORT_COMMIT]
    return "a commit the diff does not show"


def _words(items: list[str], kind: str, why: str) -> str:
    """`unread_files`' words for things that are not plain files: `2 submodules <why> (a, b)`."""
    named = ", ".join(items[:5]) + (", ..." if len(items) > 5 else "")
    return f"{len(items)} {kind}{'s' if len(items) != 1 else ''} {why} ({named})"
