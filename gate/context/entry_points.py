"""Files a manifest names as the code that runs: a GitHub Action's `runs.main`, `runs.pre` and
`runs.post` in its `action.yml`, and a package's `main`, `bin` and `exports` in its `package.json`.

The default ignore list leaves build output out (`**/dist/**`), but an Action runs its `dist/index.js`
and nothing imports it: the manifest beside it is what makes it first-party code. A manifest names paths
from its own folder, so the manifests read for a file are those in the folders above it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

# Reads a file's text at head (None when there is none).
TextReader = Callable[[str], str | None]
ACTION_MANIFESTS = ("action.yml", "action.yaml")
ACTION_ENTRY_KEYS = ("main", "pre", "post")
PACKAGE_MANIFEST = "package.json"
PACKAGE_ENTRY_KEYS = ("main", "bin", "exports")
# A manifest is a few kilobytes; a larger one is not parsed (YAML aliases can make a small text large).
MAX_MANIFEST_CHARS = 1_000_000


def named_entry_points(paths: Sequence[str], read: TextReader) -> dict[str, str]:
    """The paths a manifest in a folder above them names as an entry point, with why they are kept."""
    wanted = set(paths)
    found: dict[str, str] = {}
    for manifest in sorted({m for path in paths for m in _manifests_above(path)}):
        text = read(manifest)
        if text is None or len(text) > MAX_MANIFEST_CHARS:
            continue
        folder = posixpath.dirname(manifest)
        for key, value in _entries(manifest, text):
            target = posixpath.normpath(posixpath.join(folder, value))
            if target in wanted and target not in found:
                found[target] = f"{manifest} names it as code that runs ({key})"
    return found


def _manifests_above(path: str) -> Iterator[str]:
    folder = posixpath.dirname(path)
    while True:
        for name in (*ACTION_MANIFESTS, PACKAGE_MANIFEST):
            yield posixpath.join(folder, name) if folder else name
        if not folder:
            return
        folder = posixpath.dirname(folder)


def _entries(manifest: str, text: str) -> Iterator[tuple[str, str]]:
    """(key, path) for each entry point the manifest names; a manifest that does not parse, or nests
    past the analyzers' bound, names none."""
    from gate.analyzers.limits import MAX_NESTING, Unreadable, load_json, nesting  # the analyzers read ignore

    if manifest.endswith(PACKAGE_MANIFEST):
        try:
            package = load_json(text)  # nesting bounded first: the parser recurses once a level
        except Unreadable:
            return
        if isinstance(package, dict):
            for key in PACKAGE_ENTRY_KEYS:
                yield from ((key, value) for value in _strings(package.get(key)))
        return
    import yaml  # only a change under a default-ignored folder with an action manifest above reads one

    if nesting(text) > MAX_NESTING:  # flow brackets; PyYAML recurses once a level of them or of indents
        return
    try:
        action = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return
    runs = action.get("runs") if isinstance(action, dict) else None
    if isinstance(runs, dict):
        for key in ACTION_ENTRY_KEYS:
            if isinstance(value := runs.get(key), str):
                yield f"runs.{key}", value


def _strings(value: Any) -> Iterator[str]:
    """Every string in a manifest value: `bin` and `exports` may be a string, or maps and lists of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
