"""pip requirements files, read with pip's own line grammar and `packaging` for each requirement.

The grammar follows pip's `req_file` module: backslash continuations are joined first, then comments
(`#` at the start or after whitespace) are dropped; a line's requirement is its words up to the first
word that starts with `-`, and the rest are options (`--hash`, `--config-settings`, ...). A line that is
only options may include another file (`-r`, `-c`), name an index (`-i`, `--extra-index-url`) or an
editable install (`-e`). Each requirement itself is PEP 508, parsed by `packaging` (PyPA's parser, the
one pip uses). pip-requirements-parser, which vendors pip's module whole, was not taken: its latest
release reads only files on disk (its `from_string` fails), while here every file comes from git.

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
import shlex
from collections.abc import Iterable, Iterator

from packaging.requirements import InvalidRequirement, Requirement

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling, first_private
from gate.context.manifest_includes import is_requirements_file

# Includes are followed this deep (pip has no limit; a cycle is cut by the `seen` set).
MAX_INCLUDE_DEPTH = 8
# A requirement longer than this is no package name anyone can install; it is reported, not parsed.
MAX_REQUIREMENT_CHARS = 10_000

_COMMENT = re.compile(r"(^|\s)#.*$")  # pip's `(^|\s+)#.*$`, with one space: the same lines, linear
# A bare name with at most one plain version clause (the names are PEP 508's).
_SIMPLE = re.compile(
    r"([A-Za-z0-9][A-Za-z0-9._-]*+)[ \t]*+(?:(?:===?|>=|<=|~=|!=|<|>)[ \t]*+[A-Za-z0-9.*+!]++)?"
)
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip", ".tar")
_INCLUDE_OPTIONS = {"-r": "requirement", "--requirement": "requirement", "-c": "constraint"}
_INCLUDE_OPTIONS["--constraint"] = "constraint"
_INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links")
_EDITABLE_OPTIONS = ("-e", "--editable")
# pip's `_decode_req_file`: a coding comment on one of the first two lines (one opening with `#`) names the
# codec of the whole file; `\w` of pip's bytes pattern is ASCII.
_CODING = re.compile(r"coding[:=]\s*([-\w.]+)", re.ASCII)
# pip's `expand_env_variables`: `${NAME}`, upper-case names only, replaced by the variable's value when set.
_ENV_VAR = re.compile(r"\$\{[A-Z0-9_]+\}")
# Two values a variable could hold: a name that changes with them depends on the environment.
_ENV_VALUES = ("0", "1")
# What the gate reads in place of a byte that is not UTF-8.
_REPLACEMENT = "\ufffd"


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
        entries = list(_entries(text))
        decoded, problem = as_pip_reads(text)
        if problem:
            problems.append(f"{path}: {problem}")
        elif decoded != text:
            # Read as pip decodes it, and as written too (what pip reads when a byte-order mark opens it).
            entries.extend(_entries(decoded))
            notes.append(f"{path}: read as its coding line has pip decode it, and as written")
        # An index named anywhere in a file applies to every requirement of that file (pip reads the
        # options first); a requirement of an included file gets the indexes of its own file.
        for _, requirement, options in entries:
            if requirement:
                continue
            for option, value in options:
                if option in _INDEX_OPTIONS:
                    indexes.append(value)
        index = first_private(indexes)
        for number, requirement, options in entries:
            where = f"{path}:{number}"
            if requirement:
                self._requirement(requirement, path, number, index, declared, problems, notes)
                continue
            for option, value in options:
                if option in _INCLUDE_OPTIONS and (variable := _ENV_VAR.search(value)):
                    problems.append(
                        f"{where}: pip fills {variable.group()} of the included path in from the "
                        "environment, so which file it reads is unknown"
                    )
                elif option in _INCLUDE_OPTIONS:
                    includes.append(self._include(value, path, where, depth, declared, problems, notes))
                elif option in _EDITABLE_OPTIONS:
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
        if variable := _ENV_VAR.search(text):
            if _depends_on_environment(text):
                problems.append(
                    f"{where}: pip fills {variable.group()} in from the environment, so the package it "
                    "installs is unknown"
                )
                return
            # A variable in the version, the markers or a URL's credentials: the name stands as written.
            text = _ENV_VAR.sub(_ENV_VALUES[0], text)
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


def as_pip_reads(text: str) -> tuple[str, str]:
    """The text pip reads from a file the gate read as UTF-8 (`text`, without a byte-order mark), and
    why it cannot tell it ("" when it can). pip decodes by the coding comment of the first two lines,
    else as UTF-8, falling back to the locale's codec; a byte that is not UTF-8 is lost in `text`."""
    for line in text.split("\n")[:2]:
        coding = _CODING.search(line) if line.startswith("#") else None
        if coding is not None:
            break
    else:
        if _REPLACEMENT in text:
            return text, "bytes that are not UTF-8, which pip reads in the installing machine's locale"
        return text, ""
    encoding = coding.group(1)
    data = text.encode("utf-8")
    try:
        decoded = data.decode(encoding)
    except (UnicodeError, LookupError):  # no such codec, no text codec (rot13), or bytes it cannot decode
        return text, f"coding {encoding}, which does not decode it"
    if decoded != text and _REPLACEMENT in text:
        return text, f"coding {encoding} over bytes that are not UTF-8, which the gate cannot decode so"
    return decoded, ""


def _depends_on_environment(text: str) -> bool:
    """Whether the package a requirement names changes with the values of its `${NAME}` variables."""
    names = {_name_of(_ENV_VAR.sub(value, text)) for value in _ENV_VALUES}
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


def _entries(text: str) -> Iterator[tuple[int, str, list[tuple[str, str]]]]:
    """(first line number, requirement, options) of each logical line, as pip splits it. An option it
    cannot split is `("?", why)`."""
    for number, line in _logical_lines(text):
        requirement, rest = _break_args_options(line)
        yield number, requirement, _options(rest)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's join_lines then ignore_comments: continuations joined, comments and blank lines dropped."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.match(raw) is not None
        if raw.endswith("\\") and not comment:
            if not pending:
                start = number
            pending.append(raw.strip("\\"))
            continue
        if pending:
            pending.append(" " + raw if comment else raw)
            line, first = "".join(pending), start
            pending = []
        else:
            line, first = raw, number
        line = _COMMENT.sub("", line).strip()
        if line:
            yield first, line
    if pending:
        line = _COMMENT.sub("", "".join(pending)).strip()
        if line:
            yield start, line


def _break_args_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: the words before the first one starting with `-`, and the rest."""
    tokens = line.split(" ")
    for at, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:at]).strip(), " ".join(tokens[at:])
    return line.strip(), ""


def _options(text: str) -> list[tuple[str, str]]:
    """(option, value) pairs, `--opt=value`, `--opt value` and `-ovalue` alike (shlex, as pip)."""
    if not text:
        return []
    try:
        words = shlex.split(text, comments=False)
    except ValueError as exc:
        return [("?", f"options do not split ({exc})")]
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word.startswith("--") and "=" in word:
            option, value = word.split("=", 1)
        elif word.startswith("--") or word in ("-r", "-c", "-e", "-i", "-f"):
            option = word
            takes_value = option in (*_INCLUDE_OPTIONS, *_INDEX_OPTIONS, *_EDITABLE_OPTIONS)
            value = words[i] if takes_value and i < len(words) else ""
            i += 1 if takes_value else 0
        elif word.startswith("-") and len(word) > 2 and word[1] in "rcief":
            option, value = word[:2], word[2:]
        else:
            option, value = word, ""
        out.append((option, value))
    return out


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


def include_targets(text: str, path: str) -> list[str]:
    """The files a requirements file includes (`-r`/`-c`), as repository paths, read as written and as
    pip decodes it."""
    out: list[str] = []
    decoded, _ = as_pip_reads(text)
    entries = [*_entries(text), *(_entries(decoded) if decoded != text else ())]
    for _, requirement, options in entries:
        if requirement:
            continue
        for option, value in options:
            if option in _INCLUDE_OPTIONS and "://" not in value and not _ENV_VAR.search(value):
                out.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), value)))
    return out
