"""The `governs` key of a spec's front matter: a small YAML block between `---` lines at the top of a
Markdown document.

A spec document is untrusted data (the change may edit it), so the block is read within bounds: only
its first MAX_FRONT_MATTER_CHARS characters are looked at, only the `governs` key is taken, and a block
that does not parse, or a value of the wrong shape, becomes a note, never an error that stops the run.
Other documents (YAML, JSON, text) have no front matter here: their `governs` comes from the config.
"""

from __future__ import annotations

from dataclasses import dataclass

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx", ".mkd")
MAX_FRONT_MATTER_CHARS = 4_096
MAX_GOVERNS = 64  # globs per spec
MAX_GLOB_CHARS = 256


@dataclass(frozen=True)
class FrontMatter:
    """What the top of a document said: the globs it governs, the body after the block, and notes."""

    governs: tuple[str, ...]
    body: str
    notes: tuple[str, ...] = ()


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def read_front_matter(path: str, text: str) -> FrontMatter:
    """The `governs` globs a Markdown document declares, and its body without the front matter."""
    if not is_markdown(path):
        return FrontMatter((), text)
    start = 1 if text.startswith("\ufeff") else 0
    first, nl, _ = text[start : start + 8].partition("\n")
    if first.rstrip("\r") != "---" or not nl:
        return FrontMatter((), text)
    head_start = start + len(first) + 1
    block, end = _block(text, head_start)
    if block is None:
        return FrontMatter(
            (),
            text,
            (
                f"spec {path}: front matter not closed within {MAX_FRONT_MATTER_CHARS} characters: "
                "governs not read",
            ),
        )
    body = text[end:]
    import yaml  # only a spec with front matter needs the YAML parser

    try:
        data = yaml.safe_load(block)
    except (yaml.YAMLError, RecursionError, ValueError):
        return FrontMatter((), body, (f"spec {path}: front matter is not valid YAML: governs not read",))
    if not isinstance(data, dict) or "governs" not in data:
        return FrontMatter((), body)
    globs, notes = _globs(path, data["governs"])
    return FrontMatter(globs, body, notes)


def _block(text: str, head_start: int) -> tuple[str | None, int]:
    """The YAML between the opening line and the closing `---` (or `...`) line, and where the body
    starts; None when no closing line comes within the bound."""
    window = text[head_start : head_start + MAX_FRONT_MATTER_CHARS]
    pos = 0
    for line in window.splitlines(keepends=True):
        complete = line.endswith("\n") or head_start + pos + len(line) == len(text)
        if complete and line.rstrip("\r\n") in ("---", "..."):
            return window[:pos], head_start + pos + len(line)
        pos += len(line)
    return None, 0


def _globs(path: str, value: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(g, str) for g in items):
        return (), (f"spec {path}: governs must be a glob or a list of globs: not read",)
    notes = []
    globs = []
    for glob in items:
        glob = glob.strip()
        if not glob:
            continue
        if len(glob) > MAX_GLOB_CHARS or "\n" in glob:
            notes.append(f"spec {path}: a governs glob longer than {MAX_GLOB_CHARS} characters was left out")
            continue
        globs.append(glob)
    if len(globs) > MAX_GOVERNS:
        notes.append(f"spec {path}: only the first {MAX_GOVERNS} of {len(globs)} governs globs are read")
        globs = globs[:MAX_GOVERNS]
    return tuple(dict.fromkeys(globs)), tuple(notes)
