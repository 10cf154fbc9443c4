"""Where a Go file's build constraints let it build, and what a change to them takes away.

A `_test.go` file whose constraint `go test ./...` does not satisfy is not compiled, and its tests do not
run: `//go:build ignore` (a tag no build sets), `//go:build integration` (a tag only `-tags integration`
sets), or `//go:build linux && !linux`. The constraint is read as the go command reads it: a `//go:build`
expression (`&&`, `||`, `!`, parentheses), or, when there is none, the `// +build` lines, each a
space-separated `||` of comma-separated `&&` terms, the lines joined by `&&`.

The gate does not know which platform a project's CI runs on, so a constraint is evaluated over the
settings a default `go test` can run in: each platform of a hosted CI runner (`_PORTS`), cgo on or off,
the `unix`, `gc` and `go1.N` tags a current toolchain sets (`go1.N` up to the newest release known, or
the one the module's go.mod names); every other tag is set only by `-tags`. Each setting is a bit of an
integer, so an expression is evaluated once for all of them, in time linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The platforms hosted CI runners offer (GitHub's ubuntu x64 and arm64, macOS arm64 and x64, Windows x64):
# where a CI runs `go test`.
_PORTS = (
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "arm64"),
    ("darwin", "amd64"),
    ("windows", "amd64"),
)
# GOOS and GOARCH values the go command knows (`go tool dist list`, and go/build's syslist.go): a tag
# naming one is a platform, set only on that platform, never by `-tags`.
_GOOS = frozenset(
    [
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "js",
        "linux",
        "nacl",
        "netbsd",
        "openbsd",
        "plan9",
        "solaris",
        "wasip1",
        "windows",
        "zos",
    ]
)
_GOARCH = frozenset(
    [
        "386",
        "amd64",
        "amd64p32",
        "arm",
        "armbe",
        "arm64",
        "arm64be",
        "loong64",
        "mips",
        "mipsle",
        "mips64",
        "mips64le",
        "mips64p32",
        "mips64p32le",
        "ppc",
        "ppc64",
        "ppc64le",
        "riscv",
        "riscv64",
        "s390",
        "s390x",
        "sparc",
        "sparc64",
        "wasm",
    ]
)
# The GOOS values that set the `unix` tag (go/build's unixOS): all but these.
_UNIX = _GOOS - {"js", "nacl", "plan9", "wasip1", "windows", "zos"}
# `go1.N` is set by every toolchain from that release on, and by none before it: a toolchain sets them
# only up to its own release. NEWEST_RELEASE is the newest Go release known here (one comes each February
# and August); a larger N (`//go:build go1.99`) is set by no toolchain a CI runs, unless the module's
# go.mod names a later release (`compare`'s `newest`).
_RELEASE = re.compile(r"go1\.(\d{1,9})\Z")
NEWEST_RELEASE = 27
# `ignore` is the conventional tag no build sets; it is no variable, but false everywhere.
_NEVER_SET = frozenset({"ignore", "gccgo"})
# Tags beyond this many that only `-tags` sets are read as one: 2^8 tag sets, times the ports and cgo,
# keep the bit masks at 2,560 bits.
_MAX_CUSTOM = 8
# An expression longer than this is not evaluated (no real constraint is near it): read as a tag.
_MAX_LENGTH = 4096
_MAX_DEPTH = 100

_TOKEN = re.compile(r"\s*(?:(&&|\|\||!|\(|\))|([\w.]+))")
_PLUS_BUILD = re.compile(r"//\s*\+build(?:[ \t](.*))?\Z")


class _Unreadable(ValueError):
    """A constraint the go command would reject, or one too long or deep to evaluate."""


@dataclass(frozen=True)
class Change:
    """What a change to a file's build constraints takes away."""

    never: bool  # no setting builds the file any more (and one did before)
    tag_only: bool  # a default `go test` built it somewhere, and now only `-tags` does
    lost: tuple[str, ...]  # the ports where a default `go test` built it and no longer does


def expression(lines: Iterable[str]) -> str | None:
    """The file's constraint as one `//go:build` expression, read from its lines as go/build reads them
    (`header`); None when it has none."""
    return header(list(lines))[0]


def header(lines: Sequence[str]) -> tuple[str | None, tuple[int, ...]]:
    """The constraint of a file whose lines are `lines`, read as go/build reads a file's header, and the
    indexes of the lines it comes from. Only the comments above the package clause count, and of those
    only a line that opens `//go:build` (no space after the slashes) outside a `/* */` comment; a
    `// go:build` line is a plain comment to the go command, whatever it says. Without a `//go:build`
    line, the `// +build` lines above the last blank line of the leading `//` comments are read, joined
    by `&&`. Two `//go:build` lines make the go command reject the file: both are kept, joined by `&&`,
    the stricter reading."""
    go_build: list[tuple[int, str]] = []
    plus: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []  # `// +build` lines not yet followed by a blank line
    ended = False  # a line that is no `//` comment was seen: no `// +build` line counts past it
    in_block = False
    for at, raw in enumerate(lines):
        line = raw.strip()
        if not line and not ended:
            plus.extend(pending)
            pending = []
            continue
        if not line.startswith("//"):
            ended = True
        # Any white space after the word opens the expression, as Go's `strings.TrimSpace` reads it (a
        # no-break space, `\v`, `\f`), not only a space or a tab.
        if not in_block and line.startswith("//go:build") and (len(line) == 10 or line[10].isspace()):
            go_build.append((at, line[10:].strip()))
        elif not ended and (m := _PLUS_BUILD.match(line)) is not None:
            words = (m.group(1) or "").split()
            terms = ["(" + " && ".join(w.split(",")) + ")" for w in words if w]
            pending.append((at, "(" + " || ".join(terms) + ")" if terms else ""))
        code, in_block = _code_after_comments(line, in_block)
        if code:
            break
    if go_build:
        if len(go_build) == 1:
            return go_build[0][1], (go_build[0][0],)
        return " && ".join(f"({e})" for _, e in go_build), tuple(at for at, _ in go_build)
    kept = [(at, p) for at, p in plus if p]
    if not kept:
        return None, ()
    return " && ".join(p for _, p in kept), tuple(at for at, _ in kept)


def _code_after_comments(line: str, in_block: bool) -> tuple[bool, bool]:
    """Whether the stripped `line` holds text that is no comment (the package clause ends the header),
    and whether a `/* */` comment is still open after it."""
    while line:
        if in_block:
            end = line.find("*/")
            if end < 0:
                return False, True
            in_block = False
            line = line[end + 2 :].strip()
        elif line.startswith("//"):
            return False, False
        elif line.startswith("/*"):
            in_block = True
            line = line[2:].strip()
        else:
            return True, False
    return False, in_block


def compare(old: str | None, new: str | None, newest: int = NEWEST_RELEASE) -> Change | None:
    """What the change from constraint `old` to `new` (None: none) takes away; None when nothing is, a
    toolchain setting `go1.N` up to N = `newest`. A constraint that cannot be evaluated reads, before,
    as one that built everywhere, and after, as a tag."""
    tags = _custom_tags(old) | _custom_tags(new)
    space = _Space(sorted(tags)[:_MAX_CUSTOM], newest)
    if old == new:
        return None
    try:
        after = space.full if new is None else space.evaluate(new)
    except _Unreadable:
        # Too long or too deep to evaluate, or malformed (the go command then fails the build itself):
        # read as a tag, as an added constraint always was.
        return Change(False, True, ())
    try:
        before = space.full if old is None else space.evaluate(old)
    except _Unreadable:
        before = space.full
    if after == 0:
        return Change(True, False, ()) if before else None
    kept = space.ports_built(after)
    lost = tuple(port for port in space.ports_built(before) if port not in kept)
    tag_only = bool(before & space.default) and not after & space.default
    if not lost and not tag_only:
        # Narrowed only where `-tags` or cgo is set (`integration` -> `integration && linux`), or
        # widened: what a default `go test` runs is unchanged.
        return None
    return Change(False, tag_only, tuple(f"{goos}/{goarch}" for goos, goarch in lost))


def never_builds(expr: str, newest: int = NEWEST_RELEASE) -> bool:
    """True when no setting, whatever `-tags` says, builds a file under `expr` (`ignore`,
    `linux && !linux`, `go1.99`)."""
    return compare(None, expr, newest) == Change(True, False, ())


def _custom_tags(expr: str | None) -> set[str]:
    if expr is None or len(expr) > _MAX_LENGTH:
        return set()
    return {m.group(2) for m in _TOKEN.finditer(expr) if m.group(2) and _is_custom(m.group(2))}


def _is_custom(tag: str) -> bool:
    known = tag in _GOOS or tag in _GOARCH or tag in _NEVER_SET or _RELEASE.match(tag)
    return not (known or tag in ("unix", "cgo", "gc"))


class _Space:
    """Every setting a file may be built in, one bit each: a port, cgo off or on, and a set of the custom
    tags, the bit of setting (tags, cgo, port) at ((tags * 2 + cgo) * ports + port). An expression's
    value is the integer of the settings that build the file. A tag's integer is a pattern repeated,
    made by big-integer arithmetic rather than a walk over the settings: a line costs microseconds."""

    def __init__(self, custom: list[str], newest: int) -> None:
        self.custom = {tag: i for i, tag in enumerate(custom)}
        self.newest = newest
        self.count = len(_PORTS) * 2 << len(custom)
        self.full = (1 << self.count) - 1
        # The settings a plain `go test` runs in: no custom tag set, the first 2 * ports bits.
        self.default = (1 << 2 * len(_PORTS)) - 1
        self._leaves: dict[str, int] = {}

    def _repeated(self, pattern: int, width: int) -> int:
        """`pattern`, `width` bits wide, repeated over every setting."""
        return pattern * (self.full // ((1 << width) - 1))

    def ports_built(self, value: int) -> list[tuple[str, str]]:
        """The ports where a default `go test` builds the file, with cgo off or on."""
        ports = len(_PORTS)
        return [port for p, port in enumerate(_PORTS) if (value >> p | value >> (p + ports)) & 1]

    def leaf(self, tag: str) -> int:
        if tag not in self._leaves:
            self._leaves[tag] = self._leaf(tag)
        return self._leaves[tag]

    def _leaf(self, tag: str) -> int:
        ports = len(_PORTS)
        if tag in _GOOS or tag in _GOARCH or tag == "unix":
            on = sum(
                1 << p
                for p, (goos, goarch) in enumerate(_PORTS)
                if tag in (goos, goarch) or (tag == "unix" and goos in _UNIX)
            )
            return self._repeated(on, ports)
        if tag in _NEVER_SET:
            return 0
        if tag == "cgo":
            return self._repeated(((1 << ports) - 1) << ports, 2 * ports)
        if tag == "gc":
            return self.full
        release = _RELEASE.match(tag)
        if release is not None:
            return self.full if int(release.group(1)) <= self.newest else 0
        # A tag past the custom ones read is set with the last of them: read as one tag.
        bit = self.custom.get(tag, len(self.custom) - 1)
        if bit < 0:
            return 0
        half = 2 * ports << bit  # the settings before the tag's bit turns on, in each period
        return self._repeated(((1 << half) - 1) << half, 2 * half)

    def evaluate(self, expr: str) -> int:
        if len(expr) > _MAX_LENGTH:
            raise _Unreadable("too long")
        tokens: list[str] = []
        at = 0
        while at < len(expr):
            m = _TOKEN.match(expr, at)
            if m is None:
                if expr[at:].strip():
                    raise _Unreadable(expr[at:])
                break
            tokens.append(m.group(0).strip())
            at = m.end()
        value, end = self._or(tokens, 0, 0)
        if end != len(tokens):
            raise _Unreadable("trailing tokens")
        return value

    def _or(self, tokens: list[str], at: int, depth: int) -> tuple[int, int]:
        value, at = self._and(tokens, at, depth)
        while at < len(tokens) and tokens[at] == "||":
            right, at = self._and(tokens, at + 1, depth)
            value |= right
        return value, at

    def _and(self, tokens: list[str], at: int, depth: int) -> tuple[int, int]:
        value, at = self._not(tokens, at, depth)
        while at < len(tokens) and tokens[at] == "&&":
            right, at = self._not(tokens, at + 1, depth)
            value &= right
        return value, at

    def _not(self, tokens: list[str], at: int, depth: int) -> tuple[int, int]:
        if depth > _MAX_DEPTH or at >= len(tokens):
            raise _Unreadable("too deep, or cut short")
        token = tokens[at]
        if token == "!":
            value, at = self._not(tokens, at + 1, depth + 1)
            return self.full & ~value, at
        if token == "(":
            value, at = self._or(tokens, at + 1, depth + 1)
            if at >= len(tokens) or tokens[at] != ")":
                raise _Unreadable("unclosed parenthesis")
            return value, at + 1
        if token in ("&&", "||", ")"):
            raise _Unreadable(token)
        return self.leaf(token), at + 1
