"""Python tests turned off without a skip: a test function renamed to a name the runner does not collect
(`def test_add` -> `def check_add`), and an assertion's failure caught and dropped (`except
AssertionError: pass`, `contextlib.suppress(AssertionError)`).

Read from the diff's lines: a renamed test is a removed `def test...` line whose added twin differs only
in the name, a name nothing else in the file uses (a test made into a helper or a fixture is called or
named elsewhere); a dropped failure is a handler for `AssertionError` that only passes or returns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from gate.analyzers.source import removed_and_added
from gate.analyzers.weakened_tests.lines import code_only
from gate.diff.model import DiffLine, FileChange, FileStatus, Hunk, LineKind

_DEF = re.compile(r"(\s*(?:async\s+)?def\s+)(\w+)(.*)")
_ASSERTION_ERROR = re.compile(r"\b(?:builtins\.)?AssertionError\b")
# Handlers that catch AssertionError without naming it; they drop a failure only around an assertion.
_BROAD = frozenset({"Exception", "BaseException"})
# An assert statement starts the line's code or follows a `:` or `;` on it (`if ready: assert x`,
# `try: assert x`, `x = f(); assert x`): strings are emptied first, so neither is inside one.
_ASSERTS = re.compile(r"(?:^|[:;]\s*)assert\b|\.assert\w*\(|\bassert_\w*\(")
# A handler body that lets the caught failure go: the test carries on, or ends, as if it had passed.
_DROPS = frozenset({"pass", "...", "return", "return None", "continue"})
_LOGS = re.compile(r"(?:print|(?:logging|logger|log|LOGGER|LOG|self\.log(?:ger)?)\.\w+|warnings\.warn)\s*\(")
# What fails the test: after the loop a retry ends, or in a handler's body.
_ASSIGNS = re.compile(r"(\w+)\s*(?:[-+*/|&]|//)?=(?!=)")
# JavaScript: a `catch` clause (not a promise's `.catch(`), a `try`, what asserts, what drops a failure.
_JS_CATCH = re.compile(r"(?<![.\w$])catch\s*+(?:\([^()]*+\))?\s*+\{")
_JS_TRY = re.compile(r"(?<![.\w$])try\s*+\{")
_JS_FINALLY = re.compile(r"(?<![.\w$])finally\s*+\{")
_JS_LOOP = re.compile(r"(?:for|while)\s*+\(|do\s*+\{")
_JS_EXPECTS = re.compile(r"(?<![.\w$])(?:expect|assert)\s*[.(]|\.should\b")
_JS_LEAVES = re.compile(r"(?<![.\w$])(?:break|return)\b")
# What a `finally` block's statements are read for: the braces that nest them, and what leaves.
_JS_BRACE_OR_LEAVE = re.compile(r"[{}]|(?<![.\w$])(?:return|break|continue)\b")
_JS_LOOP_HEAD = re.compile(r"(?<![.\w$])(?:(?:for|while|switch)\s*\(|do\b)")
_JS_FUNCTION_HEAD = re.compile(r"(?<![.\w$])function\b|=>\s*$")
# What does nothing with a caught failure: logs it, ends the round, names it (`e`, `void e`, `const x = e`).
# Skipping the test from its catch (mocha's `this.skip()`, vitest's `ctx.skip()`) hides the failure too.
_JS_DROPS = re.compile(
    r"console\.\w+\s*\(.*\)|return|continue|(?:void\s+)?[\w$.]+|(?:let|const|var)\s+[\w$]+\s*=\s*[\w$.]+"
    r"|(?:this|ctx|context|t)\.skip\s*\(.*\)"
)
_DECIDES = ("if ", "elif ", "while ", "if(", "return ")
_ONLY_NAMES = re.compile(r"(?:\w+\s*=\s*\w+|del\s+\w+|\w+)")
_ENDLESS = re.compile(r"while\s*\(?\s*(?:True|1)\s*\)?\s*:")
_ELSE = re.compile(r"else\s*:\s*(.*)")
_LEAVES = re.compile(r"(?:^|[:;]\s*)(return|break|continue)\b")
# `with pytest.raises(AssertionError):` and unittest's twin, the types they expect; a bare `assert`.
_RAISES = re.compile(
    r"(?:async\s+)?with\s+(?:(?:pytest\.)?raises|self\.assertRaises)\(\s*+(\(\s*+[\w.,\s]++\)|[\w.]++)\s*+[,)]"
)
_ASSERT_STATEMENT = re.compile(r"(?:^|[:;]\s*)assert\b")
_HANDLER_WORDS = ("except", "suppress(", "finally")  # a line the rules read holds one
_OPENS_FUNCTION = re.compile(r"(?:async\s+)?def\s|class\s|lambda\b")
_OPENS_LOOP = re.compile(r"(?:async\s+)?for\s|while\b")
_FAILS = re.compile(r"(?:raise|assert)\b|(?:pytest\.|self\.)?fail\s*\(")
# What turns a failure into a skipped (or expected-to-fail) test: a skip called, or its exception raised.
_SKIPS = re.compile(
    r"raise\s+(?:[\w.]*\.)?(?:SkipTest|Skipped|XFailed|skip\.Exception|xfail\.Exception)\b"
    r"|(?:pytest\.)?(?:skip|xfail)\s*\(|self\.skipTest\s*\("
)
# What follows a handler that drops the failure when the failure is the point: no failure fails the test.
# Lines read around a handler: a hunk shows three lines of context, and a try block is short.
_LOOK = 20
_CLAUSES = ("try", "except", "else", "finally")
_CLAUSE = re.compile(r"(except\b)|else\s*:|finally\s*:")  # a `try` statement's clause (a handler: group 1)
_EXPECTS_FAILURE = re.compile(r"raise\b|(?:pytest\.|self\.)?fail\s*\(|assert\s*\(?\s*False\b")


@dataclass(frozen=True)
class RenamedTest:
    line: DiffLine  # the added `def` line
    old: str
    new: str


def renamed_tests(change: FileChange, head: str | None) -> Iterator[RenamedTest]:
    """Test functions the change renames to names the runner does not collect and nothing else uses.
    `head`, the whole file when known, tells whether the new name is used; else the diff's lines do.

    A removed test and its added twin are paired by their `def` line but the name, comments aside;
    methods of a class share one signature (`(self):`), so each signature keeps its tests in order."""
    uses: Counter[str] | None = None
    for removed, added in removed_and_added(change):
        tests: dict[tuple[str, str], list[str]] = {}
        for line in removed:
            found = _DEF.fullmatch(line.text)
            if found is not None and found.group(2).startswith("test"):
                tests.setdefault(_signature(found), []).append(found.group(2))
        if not tests:
            continue
        for line in added:
            found = _DEF.fullmatch(line.text)
            if found is None or found.group(2).startswith("test"):
                continue
            olds = tests.get(_signature(found))
            if not olds:
                continue
            old = olds.pop(0)
            if uses is None:
                uses = _words(change, head)
            if uses[found.group(2)] == 1:
                yield RenamedTest(line, old, found.group(2))


def _signature(found: re.Match[str]) -> tuple[str, str]:
    """A `def` line but its name, with its comment and its strings' contents left out."""
    return found.group(1), code_only(found.group(3)).split("#", 1)[0].rstrip()


def _words(change: FileChange, head: str | None) -> Counter[str]:
    """How many times each word stands in the code of the file at head (or on the new side of its
    hunks), comments and strings aside: counted once per file, so a file of thousands of renames is
    read once, not once a rename."""
    lines = (
        head.split("\n")
        if head is not None
        else [line.text for h in change.hunks for line in h.lines if line.kind is not LineKind.REMOVED]
    )
    return Counter(word for text in lines for word in _WORD.findall(code_only(text).split("#", 1)[0]))


_WORD = re.compile(r"\w+")


def swallowed_assertions(change: FileChange, head: str | None = None) -> Iterator[DiffLine]:
    """Lines where the change makes an assertion's failure caught and dropped: an `except` that catches
    `AssertionError` (by name, or bare, `Exception` or `BaseException` around an assertion) and only
    passes, continues, returns or logs (the handler or its body added), or an added
    `suppress(AssertionError)`. The older way to expect a failure, a handler that passes before an
    `else:` or a statement that fails the test, drops nothing; nor does a retry loop, unless the failure
    of its last round is dropped too, with nothing after the loop that fails.

    With the file at `head` (or a file the change adds, whole in its hunk), a line that goes on with a
    statement begun above (a string's next line at the margin) is read as part of it."""
    aliases = _Aliases(change, head)
    for hunk, entry in _hunks_read(change, head, js=False):
        side = _NewSide.of(hunk.lines, whole=change.status is FileStatus.ADDED, entry=entry)
        for index, line in enumerate(side.lines):
            text = line.text
            if (
                "except" not in text
                and "suppress(" not in text
                and "finally" not in text
                and "aises(" not in text
            ):
                continue
            code = side.code(index)
            if line.kind is LineKind.ADDED and _suppresses(code, aliases, side, index):
                yield line
                continue
            if _swallows(side, index, code, aliases) or _finally_leaves(side, index, code):
                yield line


def inverted_assertions(change: FileChange, head: str | None = None) -> Iterator[DiffLine]:
    """Added lines that wrap an assertion the change removes in `pytest.raises(AssertionError)` (or
    unittest's `assertRaises`, or a broad `Exception`): the same check, now expected to fail, so the test
    passes only while the code is wrong. A new assertion written inside one (a value checked to be
    wrong), or one the change also adds back as it was, is left alone."""
    removed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for hunk in change.hunks:
        for line in hunk.lines:
            if "assert" in line.text and line.kind is not LineKind.CONTEXT:
                (removed if line.kind is LineKind.REMOVED else added)[" ".join(line.text.split())] += 1
    # Moved under a raises block: removed more often than added elsewhere (this copy counted in `added`).
    moved = {text for text, count in removed.items() if count >= added[text]}
    if not moved:
        return
    aliases = _Aliases(change, head)
    for hunk, entry in _hunks_read(change, head, js=False):
        side = _NewSide.of(hunk.lines, whole=change.status is FileStatus.ADDED, entry=entry)
        for index, line in enumerate(side.lines):
            opens = line.kind is LineKind.ADDED and "aises(" in line.text
            if opens and _expects_its_failure(side.code(index), aliases, side, index, moved):
                yield line


# A name bound to exception types: `Failure = AssertionError`, `ERRORS = (ValueError, AssertionError)`,
# `Broad: type = Exception`; and `... import AssertionError as Failure`.
# Possessive throughout, and a name found from its first character on: a megabyte line of spaces or of
# one long name is read once, not again from each of its characters.
_BINDS = re.compile(r"(\w++)\s*+(?::[^=]*+)?=\s*+\(?\s*+([\w.]++(?:\s*+,\s*+[\w.]++)*+)\s*+,?\s*+\)?")
_IMPORTS_AS = re.compile(r"(?<![\w.])([\w.]++)\s++as\s++(\w++)")


def _bindings(text: str) -> list[tuple[str, list[str]]]:
    """What a line binds: a name to the types it names (`A = B`, `A = (B, C)`, `import B as A`)."""
    code = _python_code(text)
    if (bound := _BINDS.fullmatch(code)) is not None:
        return [(bound.group(1), [name.strip() for name in bound.group(2).split(",")])]
    if code.startswith(("from ", "import ")):
        return [(alias, [name]) for name, alias in _IMPORTS_AS.findall(code)]
    return []


_ALIAS_ROUNDS = 8  # a chain written out of order takes a round a link, up to this many


class _Aliases:
    """The names a test file binds to AssertionError (alone or in a tuple) and to Exception or
    BaseException, so that `except Failure:` is read as `except AssertionError:`. Read from the head
    file, or from what the hunks show of it, when a handler first asks."""

    def __init__(self, change: FileChange, head: str | None) -> None:
        self._change = change
        self._head = head
        self._found: tuple[frozenset[str], frozenset[str]] | None = None

    def named(self, names: Sequence[str]) -> bool:
        return not self._read()[0].isdisjoint(names)

    def broad(self, names: Sequence[str]) -> bool:
        return not self._read()[1].isdisjoint(names)

    def _read(self) -> tuple[frozenset[str], frozenset[str]]:
        if self._found is None:
            if self._head is not None:
                texts: list[str] = self._head.split("\n")
            else:
                texts = [
                    line.text
                    for hunk in self._change.hunks
                    for line in hunk.lines
                    if line.kind is not LineKind.REMOVED
                ]
            named, broad = {"AssertionError"}, set(_BROAD)
            # Only lines that name a type or an alias found so far can bind one: "Exception" is in
            # "BaseException", and a chain (`A = AssertionError`, then `B = A`) takes a round a link.
            sought: set[str] = {"AssertionError", "Exception"}
            for _ in range(_ALIAS_ROUNDS):
                found = False
                for text in texts:
                    if ("=" not in text and " as " not in text) or not any(name in text for name in sought):
                        continue
                    for alias, names in _bindings(text):
                        types = {name.removeprefix("builtins.") for name in names}
                        for kind in (named, broad):
                            if alias not in kind and not kind.isdisjoint(types):
                                kind.add(alias)
                                sought.add(alias)  # a chain in file order resolves in one round
                                found = True
                if not found:
                    break
            self._found = frozenset(named - {"AssertionError"}), frozenset(broad - _BROAD)
        return self._found


class _NewSide:
    """A hunk's lines but the removed ones, where the change is among them, and their statements as
    read (each line's read once, however many handlers look at it)."""

    def __init__(
        self,
        lines: list[DiffLine],
        edits: list[int],
        *,
        whole: bool,
        js: bool = False,
        entry: Callable[[], Reading] | None = None,
    ) -> None:
        self.lines = lines
        self.edits = edits  # edits[i]: lines added or removed in the hunk before the new side's line i
        self.whole = whole  # the hunk is the whole file: its end is the file's
        self._js = js
        self._entry = entry  # how a reading stands where the hunk starts; None: not known
        self._read = _js_code if js else _python_code
        self._codes: list[str | None] = [None] * len(lines)
        self._indents: list[int] = [-1] * len(lines)
        self._resumes: list[int] | None = None
        self._goes_on: list[bool] | None = None
        self._guarded: frozenset[int] | None = None
        self._finals: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        hunk: Sequence[DiffLine],
        *,
        whole: bool,
        js: bool = False,
        entry: Callable[[], Reading] | None = None,
    ) -> _NewSide:
        lines: list[DiffLine] = []
        edits: list[int] = []
        count = 0
        for line in hunk:
            if line.kind is not LineKind.REMOVED:
                lines.append(line)
                edits.append(count)
            count += line.kind is not LineKind.CONTEXT
        edits.append(count)
        return cls(lines, edits, whole=whole, js=js, entry=entry)

    def code(self, at: int) -> str:
        """The line's code, strings emptied and its comments left out ("" past the last line). A line that
        starts inside a string or comment opened above has only what follows its end as code."""
        if at >= len(self.lines):
            return ""
        code = self._codes[at]
        if code is None:
            resume = self._resume(at)
            text = self.lines[at].text
            code = self._codes[at] = "" if resume < 0 else self._read(text[resume:] if resume else text)
        return code

    def indent(self, at: int) -> int:
        """The line's indent, read once (handlers look back over the same long lines). A line that goes
        on with a statement begun above (inside its brackets or strings, or after a backslash) is no
        statement of its own, wherever it starts: it counts as deeper than any, so that a line at the
        margin cannot end the blocks around it."""
        indent = self._indents[at]
        if indent < 0:
            self._resume(at)
            assert self._goes_on is not None
            if self._goes_on[at]:
                indent = _GOES_ON
            else:
                text = self.lines[at].text
                indent = len(text) - len(text.lstrip())
            self._indents[at] = indent
        return indent

    def _resume(self, at: int) -> int:
        """Where the line's own code starts: 0, or after the string or comment opened above that it
        starts in (-1: that runs on past it)."""
        if self._resumes is None:
            if self._entry is None:  # where the hunk starts is not known: each line is read alone
                self._goes_on, self._resumes = [False] * len(self.lines), [0] * len(self.lines)
            else:
                texts = [line.text for line in self.lines]
                self._goes_on, self._resumes, _ = goings_on(texts, js=self._js, start=self._entry())
        return self._resumes[at]

    def guarded(self) -> frozenset[int]:
        """The handlers (their lines' indexes) whose `try` block, as shown, holds an assertion: one pass
        over the lines, in time linear in them however long the blocks and however deep they nest."""
        if self._guarded is None:
            found: set[int] = set()
            finals: set[int] = set()  # `else:` and `finally:` clauses of those blocks
            open_tries: list[_Try] = []  # outermost first
            for at, line in enumerate(self.lines):
                stripped = line.text.lstrip()
                if not stripped or stripped.startswith("#"):
                    continue
                depth = self.indent(at)
                if depth == _GOES_ON:  # inside a statement begun above: it neither opens nor ends a block
                    continue
                # Only a line that may open or end a block, or assert, is read as code.
                code = self.code(at) if "assert" in stripped or stripped.startswith(_CLAUSES) else "_"
                if not code:
                    continue
                while open_tries and open_tries[-1].depth > depth:
                    open_tries.pop()
                if open_tries and open_tries[-1].depth == depth:
                    clause = _CLAUSE.match(code)
                    if clause is not None:
                        block = open_tries[-1]
                        # `asserts` is the block's alone: assertions in a handler's body mark outer blocks.
                        if block.asserts:
                            (found if clause.group(1) else finals).add(at)
                        block.in_body = False  # what follows is a handler's body
                        continue
                    open_tries.pop()  # the next statement: the `try` is over
                if _ASSERTS.search(code) is not None and open_tries:
                    # Every `try` whose block holds this line: the innermost still in its block, then
                    # outwards; one already marked has had those outside it marked too.
                    reading: _Try | None = open_tries[-1] if open_tries[-1].in_body else open_tries[-1].outer
                    while reading is not None and not reading.asserts:
                        reading.asserts = True
                        reading = reading.outer
                if code.startswith("try") and code[3:].lstrip().startswith(":"):
                    outer = None
                    if open_tries:
                        outer = open_tries[-1] if open_tries[-1].in_body else open_tries[-1].outer
                    # `try: assert x`: the block starts on its line.
                    open_tries.append(_Try(depth, outer, asserts=_ASSERTS.search(code) is not None))
            self._guarded = frozenset(found)
            self._finals = frozenset(finals)
        return self._guarded

    def guarded_clauses(self) -> frozenset[int]:
        """The `else:` and `finally:` clauses (their lines' indexes) whose `try` block, as shown, holds an
        assertion (read in `guarded`'s pass)."""
        self.guarded()
        return self._finals

    def changed(self, first: int, last: int) -> bool:
        """Whether the hunk adds or removes a line from the new side's line `first` to its line `last`
        (removed lines before `first` aside, those just after `last` counted)."""
        return self.edits[last + 1] > self.edits[first]


@dataclass
class _Try:
    """A `try` statement open at a line, as `_NewSide.guarded` reads it."""

    depth: int
    outer: _Try | None  # the nearest `try` outside it whose block (not a handler) holds it
    asserts: bool = False  # its block holds an assertion
    in_body: bool = True  # its block is still being read, not a handler's body


def _python_code(text: str) -> str:
    return code_only(text).split("#", 1)[0].strip()


_GOES_ON = 10**9  # the indent of a line that goes on with a statement begun above (`_NewSide.indent`)
# What opens or closes a string, a comment or a bracket on a line; a string that ends on its line is
# passed over whole, and one that does not (a lone quote) runs to the line's end.
_QUOTED = r"""|"(?:[^"\\]|\\.)*+"|'(?:[^'\\]|\\.)*+'|["']"""
_PY_TOKENS = re.compile(r'"""' + r"|'''" + _QUOTED + r"|#|[()\[\]{}]|\\$")
_JS_TOKENS = re.compile(r"`" + _QUOTED + r"|//|/\*|[()\[\]{}]|\\$")
_OPENS_SPAN = {'"""': '"""', "'''": "'''", "`": "`", "/*": "*/"}  # what runs on to the next lines
_ENDS_LINE = frozenset({'"', "'", "#", "//"})


@dataclass(frozen=True)
class Reading:
    """Where a reading of lines stands between two lines: in a string or comment that runs on (what
    ends it), inside brackets, after a backslash; and the indent of the line the statement under way
    began on."""

    closing: str | None = None
    brackets: tuple[str, ...] = ()  # innermost last, at most `_DEEPEST`
    deeper: int = 0  # brackets open past those
    joined: bool = False
    statement: int = 0


OUTSIDE = Reading()  # the start of a file
_DEEPEST = 256  # brackets whose kind is kept; past them, only how many are open


def goings_on(
    texts: Sequence[str], *, js: bool, start: Reading = OUTSIDE
) -> tuple[list[bool], list[int], Reading]:
    """For each line, read in one pass from `start`: whether it is a line at the margin of a statement
    begun above, to be read as part of it (it starts inside a string or comment that runs over lines,
    inside brackets, or after a line that ends with a backslash, and less indented than the line the
    statement began on; in JavaScript, inside `(` or `[` but not a `{` block); where such a line's own
    code starts (after the string or comment it starts in; -1 when that runs on past it); and where
    the reading stands after the last line.

    Only a line less indented than its statement's first line is taken as part of it: a misreading (a
    JavaScript regular expression taken for a string) can hide no line at the statement's indent or
    deeper, and those are read alone, as they would be without this pass."""
    tokens = _JS_TOKENS if js else _PY_TOKENS
    goes_on: list[bool] = []
    resumes: list[int] = []
    closing = start.closing  # what ends the string or comment the next line starts in
    brackets = list(start.brackets)
    deeper = start.deeper
    joined = start.joined  # the line before ended with a backslash
    statement = start.statement
    for text in texts:
        indent = len(text) - len(text.lstrip())
        inside = bool(brackets) and not (js and brackets[-1] == "{" and not deeper)
        under_way = closing is not None or joined or deeper > 0 or inside
        margin = under_way and indent < statement
        goes_on.append(margin)
        if not under_way:
            statement = indent
        at = 0
        if closing is not None:
            end = _closed(text, closing, 0)
            resumes.append(end if margin else 0)
            if end < 0:
                continue
            closing, at = None, end
        else:
            resumes.append(0)
        joined = False
        while (found := tokens.search(text, at)) is not None:
            token, at = found.group(), found.end()
            if token in _OPENS_SPAN:
                end = _closed(text, _OPENS_SPAN[token], at)
                if end < 0:
                    closing = _OPENS_SPAN[token]
                    break
                at = end
            elif len(token) > 1 and token[0] in "\"'":  # a string that ends on its line
                continue
            elif token in _ENDS_LINE:
                break
            elif token == "\\":
                joined = True
            elif token in "([{":
                if len(brackets) < _DEEPEST:
                    brackets.append(token)
                else:
                    deeper += 1
            elif deeper:
                deeper -= 1
            elif brackets:  # a closing bracket; one the lines read do not show open is passed over
                brackets.pop()
    return goes_on, resumes, Reading(closing, tuple(brackets), deeper, joined, statement)


def _hunks_read(
    change: FileChange, head: str | None, *, js: bool
) -> Iterator[tuple[Hunk, Callable[[], Reading] | None]]:
    """Each hunk, with how a reading stands where it starts: at a file's start for a file the change
    adds, from the head file above it when given, else not known."""
    if change.status is FileStatus.ADDED:
        yield from ((hunk, lambda: OUTSIDE) for hunk in change.hunks)
        return
    entries = _Entries(head, js=js) if head is not None else None
    for hunk in change.hunks:
        yield hunk, (None if entries is None else partial(entries.at, hunk.new_start))


class _Entries:
    """How a reading stands where each hunk starts, read from the head file above it: once, in order
    (a hunk may start inside a docstring, and its closing quotes must not be read as opening one)."""

    def __init__(self, head: str, *, js: bool) -> None:
        self._lines = head.split("\n")
        self._js = js
        self._read = 0  # lines read so far
        self._reading = OUTSIDE

    def at(self, line_no: int) -> Reading:
        """Where the reading stands before the head's line `line_no` (1-based)."""
        stop = max(0, line_no - 1)
        if stop < self._read:
            self._read, self._reading = 0, OUTSIDE
        if stop > self._read:
            *_, self._reading = goings_on(self._lines[self._read : stop], js=self._js, start=self._reading)
            self._read = stop
        return self._reading


def _closed(text: str, closer: str, start: int) -> int:
    """Where the string or comment that `closer` ends is over on the line (after its closer; a closer
    after an odd run of backslashes is escaped), or -1. Each backslash is counted once: linear."""
    at = text.find(closer, start)
    while at >= 0 and closer != "*/" and _escaped(text, at, start):
        at = text.find(closer, at + 1)
    return at + len(closer) if at >= 0 else -1


def _escaped(text: str, at: int, start: int) -> bool:
    before = at
    while before > start and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def _swallows(side: _NewSide, index: int, code: str, aliases: _Aliases) -> bool:
    """Whether the handler at `side.lines[index]` (its `code`) drops an assertion's failure, by the
    change: see `swallowed_assertions`."""
    clause, colon, rest = code.partition(":")
    if not colon or not clause.startswith("except"):
        return False
    if clause != "except" and clause[6:7] not in (" ", "\t", "(", "*"):  # `exceptions: list = []`
        return False
    indent = side.indent(index)
    names = _caught(clause)
    named = _ASSERTION_ERROR.search(clause) is not None or aliases.named(names)
    broad = _catches_all(clause) or aliases.broad(names)
    if not named and not (broad and _try_asserts(side, index, indent)):
        return False
    # In a test function, a value returned goes nowhere: pytest reads none.
    results = not _in_test_function(side, index, indent)
    body = _Body.read(side, index, rest.strip(), indent, results=results)
    loop = _retry_loop(side, index, indent)
    if loop is not None and (loop.endless or (loop.returns_value and results)):
        return False  # it tries until the check holds; or it is a search, whose caller judges it
    if loop is None:
        if not any(side.lines[at].kind is LineKind.ADDED for at in body.lines):
            return False
        after = _next_statement(side, body.end, indent)
        codes = [rest.strip()] if rest.strip() else [side.code(at) for at in body.lines[1:]]
        if codes and all(_SKIPS.match(text) for text in codes) and not _try_asserts(side, index, indent):
            return False  # a skip where an import or a setup fails, around no assertion
        if body.drops:
            return after is None or not _expects_failure(side, after)
        # A handler of AssertionError by name that neither raises nor fails, hands the error on, or
        # keeps it for a check after it: what it does instead (`_ = error`) only hides the drop. (A
        # broad handler does all sorts with what it catches: a thread's errors list, a future.)
        if not (named and body.shown and not body.fails) or after is None:
            return False
        if _fails(side.code(after), results) or _hands_on(side, body, clause):
            return False
        return not _records(side, body, results)
    # A retry: each round's failure may go, but the last round's must fail the test.
    if not body.shown or body.fails:
        return False
    spent = _after_loop(side, body.end, loop.indent, results)
    return spent is not None and not spent.fails and side.changed(index, spent.at)


def _finally_leaves(side: _NewSide, index: int, code: str) -> bool:
    """Whether the `finally:` at `side.lines[index]` leaves its `try` (`return`, `break`, `continue` in
    its body) after a block that asserts: leaving a `finally` drops the exception under way, so the
    assertion's failure is lost (the clause or its body added)."""
    clause, colon, rest = code.partition(":")
    if clause.strip() != "finally" or not colon or index not in side.guarded_clauses():
        return False
    body = _Body.read(side, index, rest.strip(), side.indent(index), results=True)
    if rest.strip():
        leaves = _leaves_here(rest.strip(), in_loop=False, in_function=False)
    else:
        leaves = _body_leaves(side, body.lines[1:])
    return leaves and any(side.lines[at].kind is LineKind.ADDED for at in body.lines)


def _body_leaves(side: _NewSide, lines: Sequence[int]) -> bool:
    """Whether a block's lines leave it: a `return` outside any function they define, a `break` or
    `continue` outside any loop they open (those end an inner loop, not the block)."""
    opened: list[tuple[int, bool]] = []  # (indent, a function: else a loop) of the blocks open above
    for at in lines:
        code = side.code(at)
        indent = side.indent(at)
        if not code or indent == _GOES_ON:
            continue
        while opened and opened[-1][0] >= indent:
            opened.pop()
        in_function = any(function for _, function in opened)
        in_loop = in_function or bool(opened)
        opens = _OPENS_FUNCTION.match(code) is not None, _OPENS_LOOP.match(code) is not None
        # What follows the opener's colon on its line is in its block already.
        if _leaves_here(code, in_loop=in_loop or any(opens), in_function=in_function or opens[0]):
            return True
        if any(opens):
            opened.append((indent, opens[0]))
    return False


def _leaves_here(code: str, *, in_loop: bool, in_function: bool) -> bool:
    """Whether a line's statements (after a `:` or `;` too) leave the block it is in."""
    for found in _LEAVES.finditer(code):
        if found.group(1) == "return" and not in_function:
            return True
        if found.group(1) != "return" and not in_loop:
            return True
    return False


def _hands_on(side: _NewSide, body: _Body, clause: str) -> bool:
    """Whether the handler's body passes the error it caught to something (`errors.append(error)`,
    `future.set_exception(error)`) rather than only naming it (`_ = error`, `del error`)."""
    caught = clause.split(" as ", 1)[1].strip() if " as " in clause else None
    if caught is None:
        return False
    for at in body.lines[1:]:
        code = side.code(at)
        if caught in _WORD.findall(code) and not _ONLY_NAMES.fullmatch(code):
            return True
    return False


def _catches_all(clause: str) -> bool:
    """`except:`, `except Exception as error`, `except (ValueError, BaseException)`: a clause that
    catches AssertionError without naming it."""
    names = _caught(clause)
    return not names or any(name in _BROAD for name in names)


def _caught(clause: str) -> list[str]:
    """The names of the types an `except` clause catches (`builtins.` left out)."""
    types = clause[len("except") :].lstrip().removeprefix("*").split(" as ", 1)[0]
    names = types.replace("(", " ").replace(")", " ").replace(",", " ").split()
    return [name.removeprefix("builtins.") for name in names]


def _in_test_function(side: _NewSide, index: int, indent: int) -> bool:
    """Whether the hunk shows the line at `index` inside a test function (`def test...`)."""
    for at in range(index - 1, max(-1, index - 1 - 10 * _LOOK), -1):
        code = side.code(at)
        if code and side.indent(at) < indent:
            found = _DEF.fullmatch(code)
            if found is not None:
                return found.group(2).startswith("test")
            indent = side.indent(at)
    return False


def _expects_failure(side: _NewSide, at: int) -> bool:
    """Whether the statement at `at`, after a handler, is the old way to expect a failure: an `else:`
    that fails the test (the `try` passed, so no failure came), or a statement that fails it."""
    code = side.code(at)
    clause = _ELSE.fullmatch(code)
    if clause is None:
        return _EXPECTS_FAILURE.match(code) is not None
    if clause.group(1):
        return _FAILS.match(clause.group(1)) is not None
    first = _next_statement(side, at + 1, 10**9)
    return first is None or _FAILS.match(side.code(first)) is not None


@dataclass(frozen=True)
class _Body:
    """What a handler's body holds, as far as the hunk shows it (at most `_LOOK` lines are read)."""

    lines: tuple[int, ...]  # the handler's line and the lines of its statements, in the new side
    end: int  # the index in the new side after the body
    shown: bool  # whether the hunk shows where the body ends
    drops: bool  # every statement lets the failure go, and the body is known to hold nothing else
    fails: bool  # a statement raises, asserts, fails the test or hands a result to its caller

    @classmethod
    def read(cls, side: _NewSide, index: int, on_line: str, indent: int, *, results: bool) -> _Body:
        if on_line:
            return cls((index,), index + 1, True, _drop(on_line), _fails(on_line, results))
        found: list[int] = []
        at, shown = index + 1, False
        while at < len(side.lines) and at <= index + _LOOK:
            if side.code(at):
                if side.indent(at) <= indent:
                    shown = True
                    break
                found.append(at)
            at += 1
        shown = shown or (side.whole and at == len(side.lines))
        codes = [side.code(line) for line in found]
        # A body the hunk cuts short is taken to drop the failure only when it starts by letting it go.
        drops = bool(codes) and all(map(_drop, codes)) and (shown or codes[0] in _DROPS)
        fails = any(_fails(code, results) for code in codes)
        return cls((index, *found), at, shown, drops, fails)


def _records(side: _NewSide, body: _Body, results: bool) -> bool:
    """Whether the handler's body sets a name that a condition or a check after it reads (`passed =
    False`, then `if passed:`): the failure is kept for later, not dropped. A name only printed or
    passed on (`log(passed)`) keeps nothing."""
    names = {found.group(1) for at in body.lines[1:] if (found := _ASSIGNS.match(side.code(at)))}
    if not names:
        return False
    for at in range(body.end, min(len(side.lines), body.end + _LOOK)):
        code = side.code(at)
        if (code.startswith(_DECIDES) or _fails(code, results)) and names.intersection(_WORD.findall(code)):
            return True
    return False


def _fails(code: str, results: bool) -> bool:
    """A statement that fails the test (raises, asserts, fails), or, outside a test function
    (`results`), hands its caller a result to judge (`return value`, `yield`). Raising a skip does not
    fail it: the failure is reported as a skipped test."""
    if _SKIPS.match(code) is not None:
        return False
    if _FAILS.match(code) is not None or _ASSERTS.search(code) is not None:
        return True
    return results and code.startswith(("return ", "return(", "yield")) and code != "return None"


def _drop(code: str) -> bool:
    """A statement that lets a caught failure go: passes, ends the round or the test, only logs, or
    skips the test (`pytest.skip(...)`, `raise unittest.SkipTest(...)`)."""
    return " ".join(code.split()) in _DROPS or _LOGS.match(code) is not None or _SKIPS.match(code) is not None


def _try_asserts(side: _NewSide, index: int, indent: int) -> bool:
    """Whether the `try` block of the handler at `index`, shown in the hunk, holds an assertion, however
    long it is: the hunk's `try` blocks are read in one pass (`_NewSide.guarded`)."""
    return index in side.guarded()


def _next_statement(side: _NewSide, start: int, indent: int) -> int | None:
    """Where the first statement at `indent` or less from `start` on is, if the hunk shows it near; at
    the end of a whole file, `len(side.lines)` (nothing follows)."""
    end = min(len(side.lines), start + _LOOK)
    for at in range(start, end):
        if side.code(at) and side.indent(at) <= indent:
            return at
    return end if side.whole and end == len(side.lines) else None


@dataclass(frozen=True)
class _AfterLoop:
    at: int  # its index in the new side
    fails: bool


def _after_loop(side: _NewSide, start: int, loop: int, results: bool) -> _AfterLoop | None:
    """What follows a retry loop at indent `loop` once its rounds are spent, if the hunk shows it: the
    first statement of its `else:` clause or the next statement, and whether that fails the test. At
    the end of a whole file, nothing does."""
    in_else = False
    end = min(len(side.lines), start + 2 * _LOOK)
    for at in range(start, end):
        code = side.code(at)
        if not code or (side.indent(at) > loop and not in_else):
            continue
        clause = _ELSE.fullmatch(code) if not in_else and side.indent(at) == loop else None
        if clause is not None and not clause.group(1):
            in_else = True
            continue
        return _AfterLoop(at, _fails(clause.group(1) if clause else code, results))
    if side.whole and end == len(side.lines):
        return _AfterLoop(end - 1, False)
    return None


@dataclass(frozen=True)
class _Loop:
    indent: int
    returns_value: bool  # its `try` leaves with `return value`: outside a test, a search
    endless: bool  # `while True:`: it leaves only once the check holds, so no last round drops it


def _retry_loop(side: _NewSide, index: int, indent: int) -> _Loop | None:
    """The loop, when the `try` that ends in the handler at `index` (at `indent`) is a retry: in a loop,
    and leaving it (`break`, `return`) once its assertions hold, so a failure means one more round."""
    leaves = in_try = returns_value = False
    for at in range(index - 1, max(-1, index - 1 - _LOOK), -1):
        code = side.code(at)
        if not code:
            continue
        depth = side.indent(at)
        if depth < indent:
            if not (leaves and code.startswith(("for ", "while ", "async for "))):
                return None
            return _Loop(depth, returns_value, _ENDLESS.fullmatch(code) is not None)
        if depth == indent:
            in_try = in_try or code.startswith("try")
        elif not in_try and (code in ("break", "return") or code.startswith("return ")):
            leaves = True
            returns_value = returns_value or code not in ("break", "return", "return None")
    return None


def swallowed_expectations(change: FileChange, head: str | None = None) -> Iterator[DiffLine]:
    """JavaScript's way to drop an assertion's failure: a `catch` whose body is empty, a comment or a
    `console` call, after a `try` block that holds an `expect(...)` or `assert` (the `catch` or its body
    added). A `catch` that checks the error, calls `done(error)` or rethrows drops nothing; a `try`
    that leaves a loop once its expectations hold is a retry. `head`: as in `swallowed_assertions`."""
    for hunk, entry in _hunks_read(change, head, js=True):
        side = _NewSide.of(hunk.lines, whole=change.status is FileStatus.ADDED, js=True, entry=entry)
        for index, line in enumerate(side.lines):
            if ("catch" in line.text and _js_swallows(side, index)) or (
                "finally" in line.text and _js_finally_leaves(side, index)
            ):
                yield line


def _js_code(text: str) -> str:
    """A JavaScript line's code: strings emptied, `/* ... */` and `//` comments left out. One pass with
    `find`: a pattern for a block comment tried again at each of thousands of `/*` with no `*/` took
    time square in the line's length."""
    code = code_only(text)
    kept: list[str] = []
    at = 0
    while True:
        block, line = code.find("/*", at), code.find("//", at)
        if block < 0 or 0 <= line < block:
            kept.append(code[at:line] if line >= 0 else code[at:])
            return " ".join(kept).strip()
        kept.append(code[at:block])
        end = code.find("*/", block + 2)
        if end < 0:  # it runs on past the line
            return " ".join(kept).strip()
        at = end + 2


def _js_swallows(side: _NewSide, index: int) -> bool:
    clause = _js_clause(side, index, _JS_CATCH)
    if clause is None:
        return False
    before, body, lines, shown = clause
    statements = [part.strip() for text in body for part in text.split(";") if part.strip()]
    if not all(_JS_DROPS.fullmatch(part) for part in statements) or not shown:
        return False
    if not any(side.lines[at].kind is LineKind.ADDED for at in lines):
        return False
    tried = _js_try_block(side, index, before)
    if tried is None or not any(_JS_EXPECTS.search(text) for text in tried.codes):
        return False
    # A `try` that leaves its loop once its expectations hold is a retry; outside a loop, nothing is.
    return not (any(_JS_LEAVES.search(text) for text in tried.codes) and _js_in_loop(side, tried.at))


def _js_finally_leaves(side: _NewSide, index: int) -> bool:
    """Whether the `finally` block at `index` leaves (`return`, `break`, `continue`) after a `try`
    block that expects: leaving a `finally` drops the error under way (the clause or its body added)."""
    clause = _js_clause(side, index, _JS_FINALLY)
    if clause is None:
        return False
    before, body, lines, _ = clause
    if not _js_body_leaves(body):
        return False
    if not any(side.lines[at].kind is LineKind.ADDED for at in lines):
        return False
    tried = _js_try_block(side, index, before, through_catch=True)
    return tried is not None and any(_JS_EXPECTS.search(text) for text in tried.codes)


def _js_body_leaves(codes: Sequence[str]) -> bool:
    """Whether a block's statements leave it: a `return` outside any function they define, a `break`
    or `continue` outside any loop or `switch` they open. What opens a brace (`for (...)`, `=> `) is
    read between the token before it and the brace: each line once, however many braces it holds."""
    opened: list[str] = []  # the kinds of the braces open: "loop", "function" or "block"
    kinds = Counter[str]()
    for code in codes:
        after = 0  # where the text since the last token starts
        for found in _JS_BRACE_OR_LEAVE.finditer(code):
            token, since, start = found.group(), after, found.start()
            after = found.end()
            loop_head = _JS_LOOP_HEAD.search(code, since, start) is not None
            if token == "{":
                function = _JS_FUNCTION_HEAD.search(code, since, start) is not None
                kind = "function" if function else "loop" if loop_head else "block"
                opened.append(kind)
                kinds[kind] += 1
            elif token == "}":
                if opened:
                    kinds[opened.pop()] -= 1
            else:
                in_function = kinds["function"] > 0
                in_loop = in_function or kinds["loop"] > 0 or loop_head
                if (token == "return" and not in_function) or (token != "return" and not in_loop):
                    return True
    return False


def _js_clause(
    side: _NewSide, index: int, head: re.Pattern[str]
) -> tuple[str, list[str], list[int], bool] | None:
    """A `catch` or `finally` clause at `index` (`head` finds it with its `{`, on its line or, alone, on
    the next): the code before it on its line, its body's statements, the lines that hold them (the
    clause's first), and whether the hunk shows where the body ends."""
    code = side.code(index)
    found = head.search(code)
    opening = index
    if found is None:
        found = head.search(code + " {")
        following = next(
            (at for at in range(index + 1, min(len(side.lines), index + 3)) if side.code(at)), None
        )
        if found is None or following is None or side.code(following) != "{":
            return None
        opening = following
    before, after = code[: found.start()].strip(), code[found.end() :]
    if "}" in after:  # `catch (e) {}` on one line
        return before, [after.split("}", 1)[0]], [index], True
    body, lines, shown = _js_block(side, opening)
    return before, body, sorted({index, *lines}), shown


def _js_block(side: _NewSide, index: int) -> tuple[list[str], list[int], bool]:
    """The statements of the block a line opens, the lines that hold them (with the opening line), and
    whether the hunk shows where the block ends (its `}` at the opening line's indent or less)."""
    indent = side.indent(index)
    body: list[str] = []
    lines = [index]
    for at in range(index + 1, min(len(side.lines), index + 1 + _LOOK)):
        code = side.code(at)
        if not code:
            continue
        if code.startswith("}") and side.indent(at) <= indent:
            return body, lines, True
        body.append(code)
        lines.append(at)
    return body, lines, False


@dataclass(frozen=True)
class _TryBlock:
    at: int  # the `try` line's index in the new side
    codes: list[str]  # the block's code, its `try` line's included


def _js_try_block(
    side: _NewSide, index: int, before: str, *, through_catch: bool = False
) -> _TryBlock | None:
    """The `try` block the `catch` at `index` ends, if the hunk shows its `try` (its `{` on its line or
    alone on the next). `through_catch`: for a `finally`, a `catch` between them is passed over."""
    if _JS_TRY.search(before):  # `try { expect(x).toBe(1) } catch {}` on one line
        return _TryBlock(index, [before])
    if before and before != "}":
        return None
    indent = side.indent(index)
    block: list[str] = []
    for at in range(index - 1, max(-1, index - 1 - 3 * _LOOK), -1):
        code = side.code(at)
        if not code:
            continue
        if side.indent(at) < indent:
            return None
        if side.indent(at) == indent:
            if _JS_TRY.search(code) or (code == "{" and _JS_TRY.search(side.code(at - 1) + " {") and at > 0):
                return _TryBlock(at, [*block, code])
            if code not in ("}", "{") and not (through_catch and _JS_CATCH.search(code)):
                return None
        block.append(code)
    return None


def _js_in_loop(side: _NewSide, at: int) -> bool:
    """Whether the line at `at` is in a loop's body, as the hunk shows it: the nearest line before it
    at a lower indent opens a `for`, `while` or `do` block."""
    indent = side.indent(at)
    for before in range(at - 1, max(-1, at - 1 - _LOOK), -1):
        code = side.code(before)
        if code and side.indent(before) < indent:
            return _JS_LOOP.search(code) is not None
    return False


def _expects_its_failure(code: str, aliases: _Aliases, side: _NewSide, index: int, moved: set[str]) -> bool:
    """`with pytest.raises(AssertionError):` (`self.assertRaises`, a tuple holding it, a broad type,
    a name for either) over an added `assert` statement that the change moved under it (`moved`)."""
    found = _RAISES.match(code)
    if found is None:
        return False
    types = found.group(1).strip("()").replace(",", " ").split()
    names = [name.removeprefix("builtins.") for name in types]
    catches = "AssertionError" in names or not _BROAD.isdisjoint(names)
    if not (catches or aliases.named(names) or aliases.broad(names)):
        return False
    rest = _after_with(code, code.find("(", found.start()))
    if rest is None:
        return False
    if rest.strip():
        return _line_moved(rest, moved)
    body = _Body.read(side, index, "", side.indent(index), results=True)
    lines = (side.lines[at] for at in body.lines[1:])
    return any(line.kind is LineKind.ADDED and _line_moved(line.text, moved) for line in lines)


def _after_with(code: str, opening: int) -> str | None:
    """What follows the `:` of a `with` line whose call's `(` is at `opening` (strings emptied, so
    brackets in them do not count); None when the line does not close it."""
    depth = 0
    for at in range(opening, len(code)):
        if code[at] in "([{":
            depth += 1
        elif code[at] in ")]}":
            depth -= 1
            if depth == 0:
                colon = code.find(":", at + 1)  # after `as error`, if it names one
                return code[colon + 1 :] if colon >= 0 else None
    return None


def _line_moved(text: str, moved: set[str]) -> bool:
    """Whether `text` is an `assert` statement among the `moved` lines, whitespace aside."""
    return _ASSERT_STATEMENT.search(text.strip()) is not None and " ".join(text.split()) in moved


def _suppresses(code: str, aliases: _Aliases, side: _NewSide, index: int) -> bool:
    """`suppress(AssertionError)`, `contextlib.suppress(ValueError, AssertionError)`, `suppress(Failure)`
    (a name bound to it): within its call; or `suppress(Exception)` (`BaseException`, a name for them)
    over a `with` block that asserts."""
    at = code.find("suppress(")
    if at < 0:
        return False
    end = code.find(")", at)
    end = end if end >= 0 else len(code)
    if _ASSERTION_ERROR.search(code, at, end) is not None:
        return True
    arguments = [
        name.removeprefix("builtins.") for name in code[at + len("suppress(") : end].replace(",", " ").split()
    ]
    if aliases.named(arguments):
        return True
    if not (any(name in _BROAD for name in arguments) or aliases.broad(arguments)):
        return False
    _, colon, rest = code.partition(":")
    if not colon or not code.startswith(("with ", "async with ")):
        return False
    body = _Body.read(side, index, rest.strip(), side.indent(index), results=True)
    codes = [rest.strip()] if rest.strip() else [side.code(line) for line in body.lines[1:]]
    return any(_ASSERTS.search(text) for text in codes)
