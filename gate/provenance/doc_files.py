"""Which changed files are documentation: prose that padding a PR would use to dilute its AI share.

A file is documentation by its suffix (Markdown, reStructuredText, AsciiDoc, plain text; not
requirements*.txt) or, without a suffix, by the conventional names of project prose (CHANGELOG,
README, LICENSE, ...), unless it is a script: a tool installed as `bin/support` or `scripts/history` is
code whatever its name, and its executable mode or `#!` first line says so. Code, configuration and
data files are not documentation: a workflow or a manifest changes behaviour.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from gate.context.model import EXECUTABLE_MODE, RevisionReader
from gate.diff.model import FileChange

DOC_SUFFIXES = frozenset(
    {".md", ".markdown", ".mdown", ".rst", ".adoc", ".asciidoc", ".txt", ".org", ".textile"}
)
DOC_STEMS = frozenset(
    {
        "changelog", "changes", "history", "news", "releases", "release-notes", "release_notes",
        "readme", "license", "licence", "copying", "notice", "authors", "contributors", "maintainers",
        "code_of_conduct", "code-of-conduct", "contributing", "security", "support", "governance",
    }
)  # fmt: skip


# Text files that are manifests or build files, not prose.
_NOT_PROSE_PREFIXES = ("requirements", "constraints", "cmakelists")


def is_documentation(
    path: str, change: FileChange | None = None, revisions: RevisionReader | None = None
) -> bool:
    """Prose, or the change's own authorship records (.agent-trace/): not code the thresholds weigh.
    A file named like prose is asked whether it is a script (`is_script`) when its `change` is known."""
    if path.startswith(".agent-trace/"):
        return True
    name = PurePosixPath(path)
    suffix = name.suffix.lower()
    if suffix in DOC_SUFFIXES:
        return not name.name.lower().startswith(_NOT_PROSE_PREFIXES)
    if suffix or name.name.lower() not in DOC_STEMS:
        return False
    return change is None or not is_script(change, revisions)


def is_script(change: FileChange, revisions: RevisionReader | None) -> bool:
    """Executable at head, or opening with `#!`: the first line is read from the diff when it shows it,
    else from the head revision when the run has it."""
    if change.new_mode == EXECUTABLE_MODE:
        return True
    for hunk in change.hunks[:1]:
        for line in hunk.lines:
            if line.new_no is not None:
                if line.new_no == 1:
                    return line.text.removeprefix("\ufeff").startswith("#!")
                break
    head = revisions.read("head", change.path) if revisions is not None else None
    return head is not None and head.startswith("#!")
