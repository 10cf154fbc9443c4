"""Files a Python manifest has its installer read: the `-r`/`-c` includes of a requirements file, the
`file:` directives of a `setup.cfg`, and setuptools' dynamic `file` entries of a `pyproject.toml`.

Whatever they are named and wherever they sit (`vendor/extra.txt`), those files declare what gets
installed: the default ignore list never leaves them out (`gate.context.ignore`), and the dependencies
analyzer reads them as manifests when they change. Both read them here, each form as its installer does
(pip's grammar, `gate.context.pip_requirements`; setup.cfg as setuptools' INI reader; pyproject.toml as
TOML), so that no include one of them follows is missed by the other.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from gate.context.bounded_parse import Unreadable, load_toml
from gate.context.file_kinds import BYTE_ORDER_MARK
from gate.context.pip_requirements import include_targets

# Names pip-tools, tox and most projects give requirements files (as the dependencies analyzer reads them).
_REQUIREMENTS_WORDS = ("requirements", "constraints")
# setup.cfg's keys of `[options]` that hold requirements; every key of `[options.extras_require]` does.
SETUP_CFG_REQUIRES = ("install_requires", "setup_requires", "tests_require")
# configparser's section header: from the first `[` to the last `]`, whatever follows (`[options] ; x`).
_SECTION = re.compile(r"\[(.+)\]")
# A pyproject.toml the gate cannot load within its bounds is read tolerantly for its `file` entries:
# where a `file = "..."` or `file = [...]` entry of a table starts, and the table headers.
_TOML_FILE = re.compile(r"\bfile[ \t]*+=[ \t]*+")
_HEADER = re.compile(r"^[ \t]*+\[++([^\]\n]*+)\]")
_QUOTED = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")


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
    text = text.removeprefix(BYTE_ORDER_MARK)
    name = posixpath.basename(path)
    if name == "setup.cfg":
        return [
            target
            for _, values in setup_cfg_requirements(text)
            for target in file_directive(values, path) or ()
        ]
    if name == "pyproject.toml":
        return _pyproject_files(text, path)
    if as_requirements or is_requirements_file(path):
        return include_targets(text, path)
    return []


# --- setup.cfg ----------------------------------------------------------------------------------


def setup_cfg_requirements(text: str) -> Iterator[tuple[str, list[str]]]:
    """(kind, value lines) of each requirements key of a setup.cfg: `[options]` install_requires,
    setup_requires and tests_require, and each extra of `[options.extras_require]`."""
    for section, key, values in ini_values(text):
        if section == "options" and key in SETUP_CFG_REQUIRES:
            yield f"options.{key}", values
        elif section == "options.extras_require":
            yield f"options.extras_require.{key}", values


def file_directive(values: Sequence[str], path: str) -> list[str] | None:
    """The repository paths a `file:` value names (`file: a.txt, b.txt`, over several lines too), as
    setuptools splits the whole value at its commas; None when the value is a list of requirements."""
    if not values or not values[0].startswith("file:"):
        return None
    folder = posixpath.dirname(path)
    names = "\n".join(values).removeprefix("file:").split(",")
    return [posixpath.normpath(posixpath.join(folder, name.strip())) for name in names if name.strip()]


def ini_values(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """(section, key, value lines) of an INI file as setuptools reads it (configparser's rules): a value
    goes on over the lines indented deeper than its key, blank and comment lines amid them neither
    ending nor joining it; a key in a setuptools section is read lower-cased, `-` as `_` (setuptools
    does, with a warning). Line by line, so linear (configparser's option pattern is not on long runs of
    spaces)."""
    section = ""
    key = ""
    values: list[str] = []
    indent_level = 0
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        indent = len(raw) - len(raw.lstrip())
        if key and indent > indent_level:
            values.append(stripped)
            continue
        if key:
            yield section, key, values
            key, values = "", []
        if m := _SECTION.match(stripped):
            section = m.group(1).strip()
        elif (split := _key_split(stripped)) is not None:
            key = _option_name(stripped[:split].strip(), section)
            first = stripped[split + 1 :].strip()
            values = [first] if first else []
            indent_level = indent
    if key:
        yield section, key, values


def _key_split(line: str) -> int | None:
    """Where configparser splits a line into key and value: at its first `=` or `:`, after a key of any
    characters (`2fa`, `x+y`); None for a line with no key."""
    at = min((i for i in (line.find("="), line.find(":")) if i != -1), default=-1)
    return at if at > 0 and line[:at].strip() else None


# Sections whose keys setuptools reads as written: the names of extras, files and entry points.
_KEYS_AS_WRITTEN = (
    "options.extras_require",
    "options.data_files",
    "options.entry_points",
    "options.package_data",
    "options.exclude_package_data",
)


def _option_name(key: str, section: str) -> str:
    """The key as setuptools reads it in `section`: `Install-Requires` is `install_requires`."""
    if section in _KEYS_AS_WRITTEN or not (section == "metadata" or section.startswith("options")):
        return key
    return key.replace("-", "_").lower()


# --- pyproject.toml -----------------------------------------------------------------------------


def dynamic_files(tool: Mapping[str, Any], path: str) -> Iterator[tuple[str, str]]:
    """(kind, repository path) of each file setuptools reads for dynamic dependencies; `tool` is the
    loaded `[tool]` table."""
    dynamic = _table(_table(tool.get("setuptools")).get("dynamic"))
    specs = [("tool.setuptools.dynamic.dependencies", dynamic.get("dependencies"))]
    for extra, spec in _table(dynamic.get("optional-dependencies")).items():
        specs.append((f"tool.setuptools.dynamic.optional-dependencies.{extra}", spec))
    folder = posixpath.dirname(path)
    for kind, spec in specs:
        files = _table(spec).get("file")
        for name in [files] if isinstance(files, str) else _strings(files):
            yield kind, posixpath.normpath(posixpath.join(folder, name))


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _pyproject_files(text: str, path: str) -> list[str]:
    """The files of setuptools' dynamic metadata. A pyproject.toml past the gate's bounds (nested deeper
    than it loads, which setuptools still reads) is read tolerantly instead: the analyzer reports the
    manifest unread, and the files it may name are kept and read all the same."""
    try:
        tool = _table(load_toml(text).get("tool"))
    except Unreadable:
        folder = posixpath.dirname(path)
        names = [q[0] or q[1] for entry in _dynamic_file_entries(text) for q in _QUOTED.findall(entry)]
        return [posixpath.normpath(posixpath.join(folder, name)) for name in names if name]
    return [target for _, target in dynamic_files(tool, path)]


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
