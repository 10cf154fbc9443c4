"""pip requirements files, read with pip's own line grammar and `packaging` for each requirement.

The grammar is pip's `req_file` module's (`gate.context.pip_requirements`, shared with the ignore list,
which reads the same includes): a line's requirement is its words up to the first word that starts with
`-`, and the rest are options. A line that is only options may include another file (`-r`, `-c`), name
an index (`-i`, `--extra-index-url`) or an editable install (`-e`). Each requirement itself is PEP 508,
parsed by `packaging` (PyPA's parser, the one pip uses). pip-requirements-parser, which vendors pip's
module whole, was not taken: its latest release reads only files on disk (its `from_string` fails),
while here every file comes from git.

The text is the one pip reads. pip decodes a requirements file by a coding comment on one of its first
two lines (`# -*- coding: utf-7 -*-`), so the same bytes can be two texts: under UTF-7, `+AAoA...-` in a
comment is a new line naming a package. A file whose coding line has pip read other text is read both
ways (with a byte-order mark pip reads UTF-8 and ignores the line, and the analyzers never see the mark),
and one whose coding pip's reading cannot be told by is a problem. pip also fills `${NAME}` in from the
environment: a line whose package name or included file depends on it installs something no reader of
the file can name, and is a problem too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling, first_private
from gate.context.manifest_includes import is_requirements_file
from gate.context.pip_requirements import (
    EDITABLE_OPTIONS,
    ENV_VAR,
    INCLUDE_OPTIONS,
    INDEX_OPTIONS,
    as_pip_reads,
    logical_entries,
)

# Includes are followed this deep (pip has no limit; a cycle is cut by the `seen` set).
MAX_INCLUDE_DEPTH = 8
# A requirement longer than this is no package name anyone can install; it is reported, not parsed.
MAX_REQUIREMENT_CHARS = 10_000
# Two values a variable could hold: a name that changes with them depends on the environment.
_ENV_VALUES = ("0", "1")

# A bare name with at most one plain version clause (the names are PEP 508's).
_SIMPLE = re.compile(
    r"([A-Za-z0-9][A-Za-z0-9._-]*+)[ \t]*+(?:(?:===?|>=|<=|~=|!=|<|>)[ \t]*+[A-Za-z0-9.*+!]++)?"
)
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip", ".tar")


class RequirementsParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return is_requirements_file(path)

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        return _FileReader(read).parse(text, path, depth=0)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        return _FileReader(None).parse("\n".join(lines), path, depth=0)


class _FileReader:
    def __init__(self, read: ReadSibling | None) -> None:
        self.read = read
        self.seen: set[str] = set()

    def parse(self, text: str, path: str, depth: int) -> Parsed:
        self.seen.add(path)
        declared: list[Declared] = []
        problems: list[str] = []
        notes: list[str] = []
        indexes: list[str] = []
        includes: list[str] = []
        entries = list(logical_entries(text))
        decoded, problem = as_pip_reads(text)
        if problem:
            problems.append(f"{path}: {problem}")
        elif decoded != text:
            # Read as pip decodes it, and as written too (what pip reads when a byte-order mark opens it).
            entries.extend(logical_entries(decoded))
            notes.append(f"{path}: read as its coding line has pip decode it, and as written")
        # An index named anywhere in a file applies to every requirement of that file (pip reads the
        # options first); a requirement of an included file gets the indexes of its own file.
        for _, requirement, options in entries:
            if requirement:
                continue
            for option, value in options:
                if option in INDEX_OPTIONS:
                    indexes.append(value)
        index = first_private(indexes)
        for number, requirement, options in entries:
            where = f"{path}:{number}"
            if requirement:
                self._requirement(requirement, path, number, index, declared, problems, notes)
                continue
            for option, value in options:
                if option in INCLUDE_OPTIONS and (variable := ENV_VAR.search(value)):
                    problems.append(
                        f"{where}: pip fills {variable.group()} of the included path in from the "
                        "environment, so which file it reads is unknown"
                    )
                elif option in INCLUDE_OPTIONS:
                    includes.append(self._include(value, path, where, depth, declared, problems, notes))
                elif option in EDITABLE_OPTIONS:
                    egg = _EGG.search(value)
                    if egg:
                        declared.append(_non_registry(egg.group(1), path, number, "editable requirement"))
                    notes.append(f"{where}: editable requirement not looked up")
                elif option == "?":
                    problems.append(f"{where}: {value}")
        return Parsed(
            tuple(declared), tuple(problems), tuple(notes), tuple(indexes), tuple(i for i in includes if i)
        )

    def _requirement(
        self,
        text: str,
        path: str,
        number: int,
        index: str,
        declared: list[Declared],
        problems: list[str],
        notes: list[str],
    ) -> None:
        where = f"{path}:{number}"
        if len(text) > MAX_REQUIREMENT_CHARS:
            problems.append(f"{where}: a requirement of {len(text):,} characters")
            return
        if variable := ENV_VAR.search(text):
            if _depends_on_environment(text):
                problems.append(
                    f"{where}: pip fills {variable.group()} in from the environment, so the package it "
                    "installs is unknown"
                )
                return
            # A variable in the version, the markers or a URL's credentials: the name stands as written.
            text = ENV_VAR.sub(_ENV_VALUES[0], text)
        if _is_url_or_path(text):
            egg = _EGG.search(text)
            if egg:
                declared.append(_non_registry(egg.group(1), path, number, "URL/VCS requirement"))
            notes.append(f"{where}: URL, VCS or path requirement not looked up")
            return
        simple = _SIMPLE.fullmatch(text)
        if simple and simple.group(1)[-1].isalnum():
            # `name` or `name==1.2`: the common case, read without the full PEP 508 parser (~100 us).
            declared.append(
                Declared(simple.group(1), Ecosystem.PYPI, path, "requirements", line=number, index=index)
            )
            return
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            problems.append(f"{where}: {exc}")
            return
        if req.url:
            declared.append(_non_registry(req.name, path, number, "URL requirement"))
            notes.append(f"{where}: '{req.name}' comes from a URL, not looked up")
        else:
            declared.append(
                Declared(req.name, Ecosystem.PYPI, path, "requirements", line=number, index=index)
            )

    def _include(
        self,
        target: str,
        path: str,
        where: str,
        depth: int,
        declared: list[Declared],
        problems: list[str],
        notes: list[str],
    ) -> str:
        if "://" in target:
            notes.append(f"{where}: included URL {target} not followed")
            return ""
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if self.read is None or resolved in self.seen:
            return resolved
        if depth >= MAX_INCLUDE_DEPTH:
            problems.append(f"{where}: includes nested more than {MAX_INCLUDE_DEPTH} deep")
            return resolved
        included = self.read(resolved)
        if included is None:
            notes.append(f"{where}: included file {resolved} not found")
            return resolved
        sub = self.parse(included, resolved, depth + 1)
        declared.extend(sub.declared)
        problems.extend(sub.problems)
        notes.extend(sub.notes)
        return resolved


def _depends_on_environment(text: str) -> bool:
    """Whether the package a requirement names changes with the values of its `${NAME}` variables."""
    names = {_name_of(ENV_VAR.sub(value, text)) for value in _ENV_VALUES}
    return len(names) != 1 or None in names


def _name_of(text: str) -> str | None:
    """The package a requirement names ("" for a URL or path without `#egg=`), None when it is invalid."""
    if _is_url_or_path(text):
        egg = _EGG.search(text)
        return egg.group(1) if egg else ""
    try:
        return Requirement(text).name
    except InvalidRequirement:
        return None


def _is_url_or_path(text: str) -> bool:
    """What pip installs from a URL, a VCS or the file system rather than from an index."""
    head = text.split("@", 1)[0] if " @ " not in text else ""
    return (
        "://" in head
        or text.startswith((".", "/", "~"))
        or (head.lower().endswith(_ARCHIVE) and "/" in head)
        or text.lower().startswith(("git+", "hg+", "svn+", "bzr+"))
    )


def _non_registry(name: str, path: str, line: int, note: str) -> Declared:
    return Declared(name, Ecosystem.PYPI, path, "requirements", from_registry=False, note=note, line=line)
