"""Which changed files are documentation: prose that padding a PR would use to dilute its AI share.

A file is documentation by its suffix (Markdown, reStructuredText, AsciiDoc, plain text; not
requirements*.txt) or, without a suffix, by the conventional names of project prose (CHANGELOG,
README, LICENSE, ...). Code,
configuration and data files are not documentation: a workflow or a manifest changes behaviour.
"""

from __future__ import annotations

from pathlib import PurePosixPath

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


def is_documentation(path: str) -> bool:
    """Prose, or the change's own authorship records (.agent-trace/): not code the thresholds weigh."""
    if path.startswith(".agent-trace/"):
        return True
    name = PurePosixPath(path)
    suffix = name.suffix.lower()
    if suffix in DOC_SUFFIXES:
        return not name.name.lower().startswith(_NOT_PROSE_PREFIXES)
    return not suffix and name.name.lower() in DOC_STEMS
