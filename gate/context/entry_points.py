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
    """The paths a manifest in a folder above them names as an entry point, with why they are kept. A
    manifest that cannot be read (past MAX_MANIFEST_CHARS, not parsed, nested past the analyzers' bound)
    may name any file below its folder: those are all kept, so that breaking a manifest does not take
    the code it runs out of the gate's view."""
    wanted = set(paths)
    found: dict[str, str] = {}
    for manifest in sorted({m for path in paths for m in _manifests_above(path)}):
        text = read(manifest)
        if text is None:
            continue
        folder = posixpath.dirname(manifest)
        entries = _entries(manifest, text) if len(text) <= MAX_MANIFEST_CHARS else None
        if entries is None:
            below = [path for path in paths if not folder or path.startswith(folder + "/")]
            for path in below:
                found.setdefault(path, f"{manifest} could not be read, and it may name it as code that runs")
            continue
        for key, value in entries:
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


def _entries(manifest: str, text: str) -> list[tuple[str, str]] | None:
    """(key, path) for each entry point the manifest names; None for a manifest that does not parse, or
    nests past the analyzers' bound, or is not a mapping."""
    from gate.analyzers.limits import MAX_NESTING, Unreadable, load_json, nesting  # the analyzers read ignore

    if manifest.endswith(PACKAGE_MANIFEST):
        try:
            package = load_json(text)  # nesting bounded first: the parser recurses once a level
        except Unreadable:
            return None
        if not isinstance(package, dict):
            return None
        return [(key, value) for key in PACKAGE_ENTRY_KEYS for value in _strings(package.get(key))]
    import yaml  # only a change under a default-ignored folder with an action manifest above reads one

    if nesting(text) > MAX_NESTING:  # flow brackets; PyYAML recurses once a level of them or of indents
        return None
    try:
        action = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(action, dict):
        return None
    runs = action.get("runs")
    if not isinstance(runs, dict):
        return []
    return [(f"runs.{key}", value) for key in ACTION_ENTRY_KEYS if isinstance(value := runs.get(key), str)]


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
