"""Jest's and Vitest's settings that leave test files out of the run: `testPathIgnorePatterns` and
`modulePathIgnorePatterns` (Jest: regular expressions matched against each file's absolute path, in
`jest.config.*` or under package.json's `jest` key) and `exclude` under `test` (Vitest: globs from the
project's root, in `vitest.config.*` or `vite.config.*`; a `coverage.exclude` leaves no test out).

A pattern added there that leaves out test files the head holds, which the patterns at base did not, is
certain (high). Without the head's files (a patch), a setting written whole on an added line is read,
and a pattern that names a test folder or file is reported at medium.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from gate.analyzers.weakened_tests.lines import code_only
from gate.diff.model import DiffLine, FileChange
from gate.wording import first_of

_CONFIG = re.compile(r"^(?:jest|vitest|vite)\.config\.(?:[cm]?[jt]s|json)$")
_KEY = re.compile(r"""(?P<key>testPathIgnorePatterns|modulePathIgnorePatterns|exclude)["']?\s*:\s*\[""")
_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`([^`\\]*)`""")
_ESCAPE = re.compile(r"\\(.)")
_CONDITION = re.compile(r"\?|&&|\|\||\bprocess\.env\b|\bif\b")
# Where a configured path is looked for: Jest matches its patterns against absolute paths.
_ROOT = "/__root__"
# Folders the runners never collect from, whatever the settings say.
_NEVER_COLLECTED = re.compile(r"(?:^|/)(?:node_modules|dist)/")
# A backreference in a pattern the change writes: Python may take exponential time matching it.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
# Unbounded quantifiers (`*`, `+`, `{n,}`) a pattern may hold in all: each one more multiplies the ways
# a failing match is tried by the length of the path (`.*.*.*.*.*.*x` took 50 s on a path of 100
# characters).
MAX_UNBOUNDED = 2
_OPEN_REPEAT = re.compile(r"\{\d*,\}")
_TEST_WORD = re.compile(r"tests?\b|spec|__tests__|e2e|\.test\.|_test\b", re.IGNORECASE)
# The test files each runner collects by default (its `testMatch` or `include`).
_VITEST_TEST = re.compile(r"[^/]\.(?:test|spec)\.[cm]?[jt]sx?$")
_JEST_TEST = re.compile(r"[^/]\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|/)__tests__/(?:.+/)?[^/]+\.[cm]?[jt]sx?$")
# Files longer than this are not configuration (a bundle); left unread.
_MAX_TEXT = 200_000


def is_runner_config(name: str) -> bool:
    """Whether a file (its lower-cased name) may hold Jest's or Vitest's settings."""
    return name == "package.json" or _CONFIG.match(name) is not None


@dataclass(frozen=True)
class LeftOut:
    line: DiffLine
    what: str
    certain: bool


@dataclass(frozen=True)
class _Setting:
    key: str
    first: int  # the lines (numbered from 1) of its key and of its closing bracket
    last: int
    patterns: tuple[str, ...]
    # Its list is built under a condition (`...(process.env.CI ? ['e2e/**'] : [])`): like a `skipif`,
    # often meant, and reported at medium.
    conditional: bool


def left_out(
    change: FileChange,
    head: Callable[[], str | None],
    texts: Callable[[], tuple[str, str] | None],
    head_paths: Callable[[], Sequence[str] | None],
    new_paths: Callable[[], Mapping[str, str | None]],
) -> Iterator[LeftOut]:
    """Each setting the change adds to or edits that leaves test files out of Jest's or Vitest's run:
    test files that were there at base, which the settings at base did not leave out. `new_paths()`: the
    files the change adds (None) or renames (their path at base)."""
    name = posixpath.basename(change.path.lower())
    vitest = name.startswith(("vitest.", "vite."))
    added = {line.new_no: line for line in change.added if line.new_no is not None}
    if not added:
        return
    whole = texts()
    now = whole[1] if whole is not None else head()
    if now is None or len(now) > _MAX_TEXT:
        yield from _from_lines(change, vitest)
        return
    before = _settings(whole[0], vitest) if whole is not None and len(whole[0]) <= _MAX_TEXT else []
    paths = head_paths()
    home = posixpath.dirname(change.path)
    tests = [] if paths is None else _test_files(paths, home, vitest)
    moved = new_paths()
    old = {(s.key, p) for s in before for p in s.patterns}
    for setting in _settings(now, vitest):
        line = next((added[n] for n in range(setting.first, setting.last + 1) if n in added), None)
        if line is None:
            continue
        new = [p for p in setting.patterns if (setting.key, p) not in old]
        if not new:
            continue
        if paths is None:
            named = [p for p in new if _TEST_WORD.search(p)]
            if named:
                yield LeftOut(line, f"tells the runner to leave out {named[0]} ({setting.key})", False)
            continue
        was = [(s.key, p) for s in before for p in s.patterns]
        hidden = [
            t
            for t in tests
            if _matches(setting.key, new, t, home)
            and (at_base := moved.get(t, t)) is not None
            and not _left_out_by(was, at_base, home)
        ]
        if hidden:
            shown = first_of(hidden, 3)
            what = f"leaves {len(hidden)} test file{'s' if len(hidden) != 1 else ''} out of the run ({shown})"
            when = " under a condition" if setting.conditional else ""
            yield LeftOut(line, f"{what} by `{setting.key}`{when}", not setting.conditional)


def _from_lines(change: FileChange, vitest: bool) -> Iterator[LeftOut]:
    """Without the head: settings written whole on an added line, whose patterns name tests (medium)."""
    for line in change.added:
        if len(line.text) > _MAX_TEXT:
            continue
        for setting in _settings(line.text, vitest, whole=False):
            named = [p for p in setting.patterns if _TEST_WORD.search(p)]
            if named:
                yield LeftOut(line, f"tells the runner to leave out {named[0]} ({setting.key})", False)
                break


def _test_files(paths: Sequence[str], home: str, vitest: bool) -> list[str]:
    """The test files below the settings file's folder that the runner collects by default (Jest: a
    `.test.`/`.spec.` file or a script under `__tests__`; Vitest: the former), outside the folders it
    never reads."""
    below = [p for p in paths if not home or p.startswith(home + "/")]
    named = _VITEST_TEST if vitest else _JEST_TEST
    return [p for p in below if named.search(p) is not None and not _NEVER_COLLECTED.search(p)]


def _left_out_by(settings: list[tuple[str, str]], path: str, home: str) -> bool:
    return any(_matches(key, [pattern], path, home) for key, pattern in settings)


def _matches(key: str, patterns: list[str], path: str, home: str) -> bool:
    """Whether one of the patterns of `key` leaves out `path` (from the repository's root)."""
    if key == "exclude":
        relative = path[len(home) + 1 :] if home else path
        return any(_glob(p).match(relative.lstrip("./")) is not None for p in patterns)
    absolute = f"{_ROOT}/{path}"
    root = f"{_ROOT}/{home}" if home else _ROOT
    for pattern in patterns:
        if _backtracks(pattern):
            # Run on names the change chooses, it could take hours: counted as leaving the file out,
            # since what it would match cannot be told in time.
            return True
        try:
            if re.search(pattern.replace("<rootDir>", root), absolute) is not None:
                return True
        except (re.error, RecursionError):
            continue
    return False


def _backtracks(pattern: str) -> bool:
    """Whether Python's regular expressions may take exponential time on a pattern the change writes: a
    group repeated by `+`, `*` or `{}` that holds a quantifier or an alternation at any depth
    (`(a+)+`, `((a+))+`, `(\\w*)*`, `(a|aa)+`), a backreference, or more than MAX_UNBOUNDED unbounded
    quantifiers in all (`.*.*.*x`, polynomial in the path's length). One pass; brackets and escapes are
    read as such, so `[+]` and `\\+` quantify nothing."""
    if _BACKREFERENCE.search(pattern):
        return True
    holds: list[bool] = []  # for each open group, whether it holds a quantifier or an alternation
    unbounded = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char == "(":
            holds.append(False)
        elif char == ")" and holds:
            inner = holds.pop()
            repeated = pattern[index + 1 : index + 2] in ("+", "*", "{")
            if repeated and inner:
                return True
            if holds and (inner or pattern[index + 1 : index + 2] in ("+", "*", "{", "?")):
                holds[-1] = True
        elif holds and (char in "|+*}" or (char == "?" and pattern[index - 1] != "(")):
            holds[-1] = True  # `(?:` opens a group; any other `?` quantifies
        if char in "+*" or (char == "{" and _OPEN_REPEAT.match(pattern, index)):
            unbounded += 1
            if unbounded > MAX_UNBOUNDED:
                return True
        index += 1
    return False


def _class_end(pattern: str, start: int) -> int:
    """The index just past the character class opening at `start` (`[]a]` and `[^]a]` hold a `]`)."""
    index = start + 1
    if pattern[index : index + 1] == "^":
        index += 1
    if pattern[index : index + 1] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as Vitest reads it: `**` across folders, `*` and `?` within one name, `{a,b}` either."""
    out: list[str] = []
    text = pattern.removeprefix("./")
    at = 0
    while at < len(text):
        if text.startswith("**/", at):
            out.append("(?:.*/)?")
            at += 3
        elif text.startswith("**", at):
            out.append(".*")
            at += 2
        elif text[at] == "*":
            out.append("[^/]*")
            at += 1
        elif text[at] == "?":
            out.append("[^/]")
            at += 1
        elif text[at] == "{" and "}" in text[at:]:
            end = text.index("}", at)
            out.append("(?:" + "|".join(re.escape(part) for part in text[at + 1 : end].split(",")) + ")")
            at = end + 1
        else:
            out.append(re.escape(text[at]))
            at += 1
    # A folder named without a glob leaves out what it holds.
    return re.compile("".join(out) + "(?:/.*)?$")


def _settings(text: str, vitest: bool, *, whole: bool = True) -> list[_Setting]:
    """The ignore settings of the runner the file configures, each with its patterns. Vitest's `exclude`
    counts only under `test`; with `whole` False (one line), wherever it is written."""
    out: list[_Setting] = []
    found = [m for m in _KEY.finditer(text) if (m.group("key") == "exclude") is vitest]
    if not found:
        return out
    enclosing = _enclosing_keys(text, [m.start() for m in found]) if whole else {}
    # Every bracket's close from one pass: searched for from each key, an unclosed one would be
    # scanned to the end of the text again for every key after it.
    closes = _closes(text, found[0].end() - 1)
    for m in found:
        if vitest and whole and enclosing.get(m.start()) != "test":
            continue
        close = closes.get(m.end() - 1)
        if close is None:
            continue
        body = text[m.end() : close]
        patterns = tuple(
            _ESCAPE.sub(r"\1", next(g for g in s.groups() if g is not None)) for s in _STRING.finditer(body)
        )
        first = text.count("\n", 0, m.start()) + 1
        code = "\n".join(code_only(part).split("//", 1)[0] for part in body.split("\n"))
        conditional = _CONDITION.search(code) is not None
        out.append(_Setting(m.group("key"), first, first + body.count("\n"), patterns, conditional))
    return out


def _closes(text: str, start: int) -> dict[int, int]:
    """Where each bracket opened from `start` on closes, strings skipped, in one pass; a bracket that
    does not close (or is cut by a string left open) has none."""
    out: dict[int, int] = {}
    opened: list[int] = []
    at = start
    while at < len(text):
        char = text[at]
        if char in "'\"`":
            end = text.find(char, at + 1)
            while end > 0 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end < 0:
                break
            at = end
        elif char in "[{(":
            opened.append(at)
        elif char in "]})" and opened:
            out[opened.pop()] = at
        at += 1
    return out


_KEY_BEFORE = re.compile(r"""["']?(\w+)["']?\s*:\s*$""")


def _enclosing_keys(text: str, positions: list[int]) -> dict[int, str | None]:
    """For each position, the key of the object it sits in (`test` for `test: { exclude: [...] }`), or
    None for an object under no key (`defineConfig({ ... })`): one pass, strings skipped."""
    out: dict[int, str | None] = {}
    wanted = sorted(positions)
    stack: list[str | None] = []
    at = 0
    next_wanted = 0
    while at < len(text) and next_wanted < len(wanted):
        if at >= wanted[next_wanted]:
            out[wanted[next_wanted]] = stack[-1] if stack else None
            next_wanted += 1
            continue
        char = text[at]
        if char in "'\"`":
            end = text.find(char, at + 1)
            while end > 0 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            at = len(text) if end < 0 else end + 1
            continue
        if char in "{[(":
            key = _KEY_BEFORE.search(text, max(0, at - 100), at) if char == "{" else None
            stack.append(key.group(1) if key is not None else None)
        elif char in "}])" and stack:
            stack.pop()
        at += 1
    return out
