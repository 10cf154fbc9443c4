"""`go.mod`: the modules a Go module requires, and the ones its `replace` directives take elsewhere.

Read as the go command reads it (golang.org/x/mod/modfile): one directive a line, or a block
`verb ( ... )`; `//` starts a comment, and `// indirect` after a requirement marks it indirect.
`require` lines and blocks declare modules. A `replace` directive takes the module on its left from
where its right side says: a directory (`./x`, `../x`, an absolute path), nothing to look up, or another
module at a version, fetched from the module proxy in its place and so looked up itself. With a version
on its left (`old v1.0.0 => ...`) it takes only that version elsewhere: a requirement of any other
version is still fetched from the proxy. `exclude`, `retract` and the rest declare nothing. One pass
over the lines, one regex scan a line: linear in the file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed

# A token: a quoted or raw string, the replace arrow, a parenthesis, a comment (to the end of the
# line) or a bare word. Possessive repeats: every character is looked at once.
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*+"|`[^`\n]*+`|=>|[()]|//.*+|[^\s()"`]++')
# What a module path may hold (golang.org/x/mod/module.CheckPath, loosely: the proxy has the last word).
_MODULE_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/+-]*+$")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_VERBS_WITH_BLOCKS = frozenset({"require", "replace", "exclude", "retract", "tool", "godebug", "ignore"})


class GoModParser:
    ecosystem = Ecosystem.GO

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "go.mod"

    def parse(self, text: str, path: str, read: Callable[[str], str | None]) -> Parsed:
        return _read(text.splitlines(), path, fragment=False).parsed(path)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Lines of the diff: a requirement inside a block whose header the diff does not show still
        counts (`module/path v1.2.3` reads as nothing else)."""
        found = _read(lines, path, fragment=True)
        parsed = found.parsed(path)
        return Parsed(
            parsed.declared, parsed.problems, (*parsed.notes, f"{path}: read from the diff lines only")
        )


@dataclass
class _Found:
    required: list[tuple[str, str, bool, int]] = field(
        default_factory=list
    )  # (module, version, indirect, line)
    # module -> (the version replaced, "" for every version; what replaces it)
    replaced: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Modules fetched in place of others: (module, the module it replaces, line)
    replacements: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def parsed(self, path: str) -> Parsed:
        declared: list[Declared] = []
        for module, version, indirect, _line in self.required:
            kind = "require (indirect)" if indirect else "require"
            target = self._replacement(module, version)
            if target is not None:
                note = f"replaced by {target}"
                declared.append(Declared(module, Ecosystem.GO, path, kind, from_registry=False, note=note))
            else:
                declared.append(Declared(module, Ecosystem.GO, path, kind))
        for module, old, line in self.replacements:
            declared.append(
                Declared(module, Ecosystem.GO, path, "replace", note=f"replaces {old}", line=line)
            )
        return Parsed(tuple(declared), tuple(self.problems))

    def _replacement(self, module: str, version: str) -> str | None:
        """What replaces the required version of a module, if a `replace` directive covers it."""
        for replaced, target in self.replaced.get(module, ()):
            if not replaced or replaced == version:
                return target
        return None


def _read(lines: Iterable[str], path: str, *, fragment: bool) -> _Found:
    found = _Found()
    block = ""  # the verb of the open block, "" outside one
    block_line = 0
    for number, raw in enumerate(lines, start=1):
        tokens, comment = _tokens(raw)
        if tokens is None:
            found.problems.append(f"{path}:{number}: unterminated quoted string")
            continue
        if not tokens:
            continue
        if block:
            if tokens == [")"]:
                block = ""
                continue
            _entry(found, block, tokens, comment, path, number)
            continue
        verb, args = tokens[0], tokens[1:]
        if args == ["("] and verb in _VERBS_WITH_BLOCKS:
            block, block_line = verb, number
            continue
        if verb in ("require", "replace", "exclude"):
            _entry(found, verb, args, comment, path, number)
        elif fragment and len(tokens) == 2 and _looks_like_requirement(tokens):
            _entry(found, "require", tokens, comment, path, number)
        elif fragment and "=>" in tokens:
            _entry(found, "replace", tokens, comment, path, number)
    if block and not fragment:
        found.problems.append(f"{path}:{block_line}: '{block} (' block is never closed")
    return found


def _tokens(line: str) -> tuple[list[str] | None, str]:
    """The tokens of one line (quotes removed) and its comment; None for an unterminated quote."""
    tokens: list[str] = []
    comment = ""
    at = 0
    for m in _TOKEN.finditer(line):
        if line[at : m.start()].strip():
            return None, ""  # a stray quote: nothing else matches there
        at = m.end()
        token = m.group()
        if token.startswith("//"):
            comment = token[2:].strip()
            break
        if token[0] in '"`':
            if len(token) < 2 or token[-1] != token[0]:
                return None, ""
            token = token[1:-1]
        tokens.append(token)
    else:
        if line[at:].strip():
            return None, ""
    return tokens, comment


def _looks_like_requirement(tokens: list[str]) -> bool:
    module, version = tokens
    return "." in module.split("/", 1)[0] and version.startswith("v") and bool(_MODULE_PATH.match(module))


def _is_directory(target: str) -> bool:
    """A replacement that is a file-system path, as golang.org/x/mod/modfile.IsDirectoryPath reads it."""
    return (
        target in (".", "..")
        or target.startswith(("./", "../", "/", ".\\", "..\\"))
        or bool(_WINDOWS_PATH.match(target))
    )


def _entry(found: _Found, verb: str, args: list[str], comment: str, path: str, number: int) -> None:
    if verb == "require":
        if len(args) != 2 or not _MODULE_PATH.match(args[0]):
            found.problems.append(f"{path}:{number}: a requirement is 'module/path version'")
            return
        indirect = comment == "indirect" or comment.startswith("indirect;")
        found.required.append((args[0], args[1], indirect, number))
    elif verb == "replace":
        # `old [version] => new [version]`: the old module is taken from wherever `new` says.
        if "=>" not in args or args.index("=>") not in (1, 2) or len(args) - args.index("=>") not in (2, 3):
            found.problems.append(f"{path}:{number}: a replacement is 'module [version] => target [version]'")
            return
        arrow = args.index("=>")
        version = args[1] if arrow == 2 else ""
        found.replaced.setdefault(args[0], []).append((version, " ".join(args[arrow + 1 :])))
        target = args[arrow + 1]
        if not _is_directory(target) and _MODULE_PATH.match(target):
            found.replacements.append((target, args[0], number))
    # exclude, retract, tool, godebug, ignore: nothing to look up.
