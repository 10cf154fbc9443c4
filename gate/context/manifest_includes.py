"""Files a Python manifest has its installer read: the `-r`/`-c` includes of a requirements file, the
`file:` directives of a `setup.cfg`, and setuptools' dynamic `file` entries of a `pyproject.toml`.

Whatever they are named and wherever they sit (`vendor/extra.txt`), those files declare what gets
installed: the default ignore list never leaves them out (`gate.context.ignore`), and the dependencies
analyzer reads them as manifests when they change. Read tolerantly, line by line: a file named here that
is no include is only read once more, while one missed would be a declaration nobody checks.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

# pip's include options on a line of their own: `-r other.txt`, `--requirement=other.txt`, `-cpins.txt`.
_REQUIREMENTS_INCLUDE = re.compile(
    r"^[ \t]*(?:-r|-c|--requirement|--constraint)(?:[ \t]*=[ \t]*|[ \t]*)([^\s#]+)", re.MULTILINE
)
# setuptools' `file:` directive of a requirements value: `install_requires = file: a.txt, b.txt`.
_CFG_FILE = re.compile(
    r"^[ \t]*(?:install|setup|tests)[-_]requires?[ \t]*[=:][ \t]*file:([^\n#;]*)", re.IGNORECASE
)
_CFG_EXTRA_FILE = re.compile(r"^[ \t]*[\w.-]+[ \t]*[=:][ \t]*file:([^\n#;]*)")
# Where a `file = "..."` or `file = [...]` entry of a table starts (setuptools' dynamic metadata).
_TOML_FILE = re.compile(r"\bfile[ \t]*+=[ \t]*+")
_HEADER = re.compile(r"^[ \t]*+\[++([^\]\n]*+)\]")
_QUOTED = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")
# Names pip-tools, tox and most projects give requirements files (as the dependencies analyzer reads them).
_REQUIREMENTS_WORDS = ("requirements", "constraints")


def is_requirements_file(path: str) -> bool:
    """`requirements.txt`, `requirements-dev.in`, `dev-requirements.txt`, `requirements/test.txt`,
    `constraints.txt`: the names pip-tools, tox and most projects give requirements files."""
    parts = path.lower().split("/")
    name = parts[-1]
    if not name.endswith((".txt", ".in")):
        return False
    return any(word in name for word in _REQUIREMENTS_WORDS) or (
        len(parts) > 1 and parts[-2] == "requirements"
    )


def includes_others(path: str) -> bool:
    """Whether the file is a manifest that may have its installer read other files."""
    name = posixpath.basename(path)
    return name in ("setup.cfg", "pyproject.toml") or is_requirements_file(path)


def included_files(path: str, text: str, *, as_requirements: bool = False) -> list[str]:
    """The repository paths of the files the manifest at `path` has its installer read.
    `as_requirements`: read the file as a requirements file whatever its name (a file another includes)."""
    name = posixpath.basename(path)
    if name == "setup.cfg":
        targets = [t.strip() for value in _cfg_file_values(text) for t in value.split(",")]
    elif name == "pyproject.toml":
        targets = [q[0] or q[1] for entry in _dynamic_file_entries(text) for q in _QUOTED.findall(entry)]
    elif as_requirements or is_requirements_file(path):
        targets = [m.group(1) for m in _REQUIREMENTS_INCLUDE.finditer(text)]
    else:
        return []
    folder = posixpath.dirname(path)
    return [
        posixpath.normpath(posixpath.join(folder, target))
        for target in targets
        if target and "://" not in target and "${" not in target
    ]


def _cfg_file_values(text: str) -> list[str]:
    """The `file:` values of setup.cfg's requirement keys: `[options]` install_requires, setup_requires
    and tests_require, and each extra of `[options.extras_require]` (not `long_description = file:`)."""
    section = ""
    out: list[str] = []
    for line in text.splitlines():
        if header := _HEADER.match(line):
            section = header.group(1).strip()
            continue
        key = (
            _CFG_FILE
            if section == "options"
            else _CFG_EXTRA_FILE
            if section == "options.extras_require"
            else None
        )
        if key is not None and (m := key.match(line)):
            out.append(m.group(1))
    return out


def _dynamic_file_entries(text: str) -> list[str]:
    """The `file` entries under `[tool.setuptools...]` tables (not `readme = {file = ...}` of [project]),
    arrays over several lines too."""
    section = ""
    lines: list[str] = []
    for line in text.splitlines():
        if header := _HEADER.match(line):
            section = header.group(1).strip().replace('"', "").replace("'", "").replace(" ", "")
        elif section.startswith("tool.setuptools"):
            lines.append(line)
    return _file_values("\n".join(lines))


def _file_values(text: str) -> list[str]:
    """The value of each `file =` entry: a quoted string, or an array up to its `]` (over lines too).
    Searched on from where the last value ended, so each character is looked at a bounded number of
    times."""
    out: list[str] = []
    at = 0
    while (m := _TOML_FILE.search(text, at)) is not None:
        at = m.end()
        if text.startswith("[", at):
            end = text.find("]", at)
            if end < 0:
                break  # no array after this one closes either
            out.append(text[at : end + 1])
            at = end + 1
        elif quoted := _QUOTED.match(text, at):
            out.append(quoted.group())
            at = quoted.end()
    return out


# Characters of manifests read at most to place default-ignored files; past it, the files not yet placed
# are kept (failing closed), as for the files that run others (`gate.context.entry_points`).
MAX_INCLUDING_CHARS = 16_000_000


def named_by_manifests(
    paths: Sequence[str], manifests: Sequence[str], read: Callable[[str], str | None]
) -> dict[str, str]:
    """The paths that one of `manifests` has its installer read, directly or through the files it
    includes in turn (whatever folder those sit in), with why they are kept."""
    wanted = set(paths)
    found: dict[str, str] = {}
    todo = [(manifest, False) for manifest in manifests]
    seen = set(manifests)
    read_chars = 0
    while todo and len(found) < len(wanted):
        manifest, included = todo.pop()
        text = read(manifest)
        if text is None:
            continue
        read_chars += len(text)
        if read_chars > MAX_INCLUDING_CHARS:
            why = f"the manifests that include others were read only up to {MAX_INCLUDING_CHARS:,} characters"
            return found | {path: why for path in paths if path not in found}
        for target in included_files(manifest, text, as_requirements=included):
            if target in wanted:
                found.setdefault(target, f"{manifest} has its installer read it")
            if target not in seen:
                seen.add(target)
                todo.append((target, True))
    return found
