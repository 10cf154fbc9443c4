"""paths.ignore: leave files out of the gate by gitignore-style globs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pathspec

from gate.diff.model import Diff


def ignore_spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


def apply_ignore(
    diff: Diff, origins: Mapping[str, Mapping[int, str]], patterns: Sequence[str]
) -> tuple[Diff, dict[str, Mapping[int, str]]]:
    """The diff and line origins without the ignored files; the diff lists what it left out."""
    if not patterns:
        return diff, dict(origins)
    spec = ignore_spec(patterns)
    kept = []
    ignored = []
    for change in diff.files:
        if spec.match_file(change.path):
            ignored.append(change.path)
        else:
            kept.append(change)
    if not ignored:
        return diff, dict(origins)
    kept_paths = {c.path for c in kept}
    return (
        replace(diff, files=tuple(kept), ignored_paths=(*diff.ignored_paths, *ignored)),
        {p: o for p, o in origins.items() if p in kept_paths},
    )
