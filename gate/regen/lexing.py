"""Code to raw tokens: Python through its own `tokenize` (and `ast`), other languages through pygments.

The tokens keep what can change behaviour (names, keywords, operators, literal values, preprocessor
directives and attributes) and mark the statement structure (";" for a statement end, "<dedent>" for the
end of an indented block); comments, docstrings and layout are gone. `gate.regen.tokens` normalizes them
further for comparison.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import threading
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from gate import syntax

STATEMENT_END = ";"
CLOSERS = frozenset({")", "]", "}"})
_COMPOUND = frozenset(
    {"if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class", "async"}
)
# Statements whose line may end before their body (`if (x)` then `return y;` on the next line).
_BLOCK_HEADS = frozenset({"if", "for", "while", "else", "do", "switch", "catch", "try", "function", "func"})
# The code around the regions being judged at once (the model stage judges a few side by side).
NAMES_CACHED = 16


@dataclass(frozen=True)
class Tok:
    kind: str  # "name" | "op" | "str" | "num" | "kw" | "other"
    text: str


# --- Python --------------------------------------------------------------------------------------------


def python_tokens(code: str) -> list[Tok] | None:
    """Tokens by Python's own tokenizer; None when the fragment cannot be tokenized (cut mid-statement)."""
    out: list[Tok] = []
    line_start = True
    raw = _raw_python_tokens(code)
    if raw is None:
        return None
    fstring_delimiters = {getattr(tokenize, n, -1) for n in ("FSTRING_START", "FSTRING_END")}
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", -1)
    # A suite on its header's line ("if x: return y") reads the same as the indented form: the
    # header's ":" opens the block (no statement end, no indent token) and a dedent closes it.
    header = False  # the logical line so far starts with a compound-statement keyword
    inline_suite = False  # a statement follows the header's ":" on the same line
    depth = 0
    for i, tok in enumerate(raw):
        kind = tok.type
        if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.INDENT):
            continue
        if kind == tokenize.NEWLINE:
            if out and out[-1].text not in (STATEMENT_END, ":"):
                out.append(Tok("op", STATEMENT_END))
            if inline_suite:
                out.append(Tok("other", "<dedent>"))
            line_start, header, inline_suite, depth = True, False, False, 0
            continue
        if kind == tokenize.DEDENT:
            out.append(Tok("other", "<dedent>"))
            continue
        if line_start and kind == tokenize.NAME and tok.string in _COMPOUND:
            header = True
        elif header and out and out[-1].text == ":" and depth == 0 and not inline_suite:
            inline_suite = True
        if kind == tokenize.OP:
            depth += tok.string in ("(", "[", "{")
            depth -= tok.string in CLOSERS
        if kind == tokenize.STRING:
            if line_start and _next_significant(raw, i) in (tokenize.NEWLINE, tokenize.ENDMARKER):
                continue  # a docstring or a bare string statement: documentation, not behaviour
            text = _string_key(tok.string)
            if out and out[-1].kind == "str" and not text.startswith("f"):
                out[-1] = Tok("str", out[-1].text + "+" + text)  # implicit concatenation
            else:
                out.append(Tok("str", text))
        elif kind in fstring_delimiters:  # Python 3.12+ splits f-strings; quote style does not count
            out.append(Tok("str", tok.string.lower().replace('"', "'")))
        elif kind == fstring_middle:
            out.append(Tok("str", tok.string))
        elif kind == tokenize.NUMBER:
            out.append(Tok("num", _number_key(tok.string)))
        elif kind == tokenize.NAME:
            out.append(Tok("kw" if keyword.iskeyword(tok.string) else "name", tok.string))
        elif kind == tokenize.OP:
            out.append(Tok("op", tok.string))
        else:
            out.append(Tok("other", tok.string))
        line_start = False
    return out


_OPENER = {")": "(", "]": "[", "}": "{"}  # closing bracket -> its opening one
_CLOSER = {v: k for k, v in _OPENER.items()}  # opening bracket -> its closing one


def _raw_python_tokens(code: str) -> list[tokenize.TokenInfo] | None:
    """Python tokens of the code; a fragment cut inside brackets is balanced first, then unbalanced."""
    seen: list[tokenize.TokenInfo] = []
    try:
        seen.extend(tokenize.generate_tokens(io.StringIO(code + "\n").readline))
    except (IndentationError, SyntaxError):
        return None
    except tokenize.TokenError:
        pass  # typically EOF inside brackets: balance them below
    stack: list[str] = []
    unopened: list[str] = []
    for tok in seen:
        if tok.type == tokenize.OP and tok.string in _CLOSER:
            stack.append(tok.string)
        elif tok.type == tokenize.OP and tok.string in _OPENER:
            if stack and stack[-1] == _OPENER[tok.string]:
                stack.pop()
            else:
                unopened.append(tok.string)
    if not stack and not unopened:
        return seen
    prefix = "".join(_OPENER[c] for c in reversed(unopened))
    suffix = "".join(_CLOSER[c] for c in reversed(stack))
    last_line = code.count("\n") + 2
    try:
        raw = list(tokenize.generate_tokens(io.StringIO(prefix + code + "\n" + suffix + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None

    def synthetic(tok: tokenize.TokenInfo) -> bool:
        added_before = tok.start[0] == 1 and tok.start[1] < len(prefix)
        return tok.type == tokenize.OP and (added_before or tok.start[0] == last_line)

    return [t for t in raw if not synthetic(t)]


def _next_significant(raw: Sequence[tokenize.TokenInfo], i: int) -> int:
    # By index, not over a slice: a copy of the rest at every string that starts a line is quadratic.
    for j in range(i + 1, len(raw)):
        if raw[j].type not in (tokenize.COMMENT, tokenize.NL):
            return raw[j].type
    return tokenize.ENDMARKER


def _string_key(text: str) -> str:
    try:
        return "s" + repr(syntax.literal(text))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        # f-strings and templates: compare the prefix and the body, not the quote style.
        prefix = text[: len(text) - len(text.lstrip("rRbBuUfFtT"))].lower()
        body = text[len(prefix) :]
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        return prefix + "'" + body[len(quote) : len(body) - len(quote)] + "'"


def _number_key(text: str) -> str:
    try:
        return repr(syntax.literal(text))
    except (ValueError, SyntaxError):
        return text.lower().replace("_", "")


def parse(code: str) -> ast.Module | None:
    try:
        return syntax.parse_module(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@dataclass(frozen=True)
class Bindings:
    """The names some code binds, by who else can read them."""

    # Bound only inside the functions, lambdas and comprehensions the code defines: nothing else reads them.
    inner: frozenset[str]
    # Bound in the scope the code runs in (the enclosing function's, or the module's): the code around it
    # may read them.
    outer: frozenset[str]
    # Declared `global` or `nonlocal`, or class attributes: bound for other code to read.
    shared: frozenset[str] = frozenset()


_FUNCTION_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bound_in(tree: ast.Module) -> Bindings:
    """Names the code binds (assignment targets, parameters, loop, `with` and `except` names), by scope."""
    found: dict[str, set[str]] = {"inner": set(), "outer": set(), "shared": set()}

    def visit(node: ast.AST, where: str, walrus: str) -> None:
        # `where` gets the names bound here; `walrus` those of `:=`, which binds outside comprehensions.
        for child in ast.iter_child_nodes(node):
            here, walrus_here = where, walrus
            if isinstance(child, _FUNCTION_SCOPES):
                here = walrus_here = "inner"
            elif isinstance(child, _COMPREHENSIONS):
                here = "inner"
            elif isinstance(child, ast.ClassDef):
                here = walrus_here = "shared"
            if isinstance(child, ast.Global | ast.Nonlocal):
                found["shared"].update(child.names)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store | ast.Del):
                found[walrus if isinstance(node, ast.NamedExpr) else where].add(child.id)
            elif isinstance(child, ast.arg):
                found[where].add(child.arg)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                found[where].add(child.name)
            visit(child, here, walrus_here)

    visit(tree, "outer", "outer")
    own = {"self", "cls"}
    return Bindings(*(frozenset(found[k] - own) for k in ("inner", "outer", "shared")))


# --- other languages (and Python fragments the tokenizer refuses) ---------------------------------------


def pygments_tokens(code: str, language: str) -> list[Tok]:
    from pygments.lexers import get_lexer_by_name
    from pygments.token import Comment, Keyword, Literal, Name, Operator, Punctuation, String, Text
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    out: list[Tok] = []
    depth = 0  # open parentheses and brackets
    head: str | None = None  # first token of the statement being read
    directive = False  # a preprocessor directive or an attribute is open until its line ends
    for ttype, value in lexer.get_tokens(code):
        if directive and "\n" in value:
            if out and out[-1].text != STATEMENT_END:
                out.append(Tok("op", STATEMENT_END))
            directive, head = False, None
        # A line that ends a statement without ";" (Python, Go, JS without semicolons) reads as if it had
        # one, so the two styles compare equal.
        ends_line = "\n" in value and ttype not in String and depth == 0 and head not in _BLOCK_HEADS
        if ends_line and out and (out[-1].kind in ("name", "num", "str") or out[-1].text in (")", "]")):
            _close_string(out)
            out.append(Tok("op", STATEMENT_END))
            head = None
        if ttype in Comment.Preproc or ttype in Comment.PreprocFile:
            # Lexers file directives and attributes under comments, but `#define LIMIT 0`, `#if 0` and
            # `#[cfg(test)]` decide what is compiled: their words stay, never renamed.
            _close_string(out)
            out.extend(Tok("other", word) for word in _DIRECTIVE_WORD.findall(value))
            directive = "\n" not in value  # open until its line ends
            if not directive and out and out[-1].text != STATEMENT_END:
                out.append(Tok("op", STATEMENT_END))
                head = None
            continue
        if ttype in Comment or ttype in String.Doc or ttype in Text or not value.strip():
            continue
        value = value.strip()
        if head is None and value not in (STATEMENT_END, "{", "}"):
            head = value
        if ttype in String:
            if out and out[-1].kind == "str" and out[-1].text.endswith("\x01"):
                out[-1] = Tok("str", out[-1].text[:-1] + value.replace('"', "'") + "\x01")
            else:
                out.append(Tok("str", value.replace('"', "'") + "\x01"))
            continue
        _close_string(out)
        if ttype in Literal.Number:
            out.append(Tok("num", value.lower().replace("_", "")))
        elif ttype in Keyword:
            out.append(Tok("kw", value))
        elif ttype in Name:
            out.append(Tok("name", value))
        elif ttype in Operator or ttype in Punctuation:
            for ch in _split_punctuation(value):
                out.append(Tok("op", ch))
                depth = max(0, depth + (ch in ("(", "[")) - (ch in (")", "]")))
                if ch in (STATEMENT_END, "{", "}"):
                    head = None
        else:
            out.append(Tok("other", value))
    _close_string(out)
    if out and out[-1].text != STATEMENT_END and head not in _BLOCK_HEADS and out[-1].text != "}":
        out.append(Tok("op", STATEMENT_END))
    return out


# A word, a number or one other character of a directive's text.
_DIRECTIVE_WORD = re.compile(r"\w+|\S")


class LexedNames:
    """The names some code uses (not those in its comments or strings), from its lexer's tokens, read
    only as far as the questions asked of it need: a question about a few names ends where the last of
    them is found. Several threads may ask. A reading that failed part-way answers no question it would
    have to read on for: each such question raises what stopped it, as a whole reading would."""

    def __init__(self, tokens: Iterable[tuple[Any, str]]) -> None:
        self._tokens = iter(tokens)
        self._names: set[str] = set()
        self._failed: Exception | None = None
        self._reading = threading.Lock()

    def used(self, names: frozenset[str] | None = None) -> frozenset[str]:
        """Those of `names` the code uses; every name it uses when None."""
        from pygments.token import Name

        with self._reading:
            missing = None if names is None else set(names - self._names)
            if missing is None or missing:
                if self._failed is not None:
                    raise self._failed
                try:
                    for ttype, value in self._tokens:
                        if ttype in Name:
                            name = value.strip()
                            self._names.add(name)
                            if missing is not None:
                                missing.discard(name)
                                if not missing:
                                    break
                except Exception as exc:
                    self._failed = exc
                    raise
            return frozenset(self._names) if names is None else names & self._names


@lru_cache(maxsize=NAMES_CACHED)
def lexed_names(code: str, language: str) -> LexedNames:
    """The code's names as the language's lexer reads them (cached: a region and each of its samples ask
    of the same code around it)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    return LexedNames(lexer.get_tokens(code))


def names_in(code: str, language: str) -> frozenset[str]:
    """The names the code uses (not those in its comments or strings), by the language's lexer."""
    return lexed_names(code, language).used()


def names_used(code: str, language: str, names: frozenset[str]) -> frozenset[str]:
    """Those of `names` the code uses (`names_in`). A name the lexer reads is written in the text it
    reads, `code` with each line end one LF (a name a lone CR splits is read with a LF): when none of
    `names` is written there, the code is not lexed; otherwise it is read until each name written is
    found, or to its end."""
    read = code.replace("\r\n", "\n").replace("\r", "\n") if "\r" in code else code
    written = frozenset(name for name in names if name in read)
    return lexed_names(code, language).used(written) if written else frozenset()


def _close_string(out: list[Tok]) -> None:
    """End the string literal being joined from the lexer's pieces (marked with a trailing \\x01)."""
    if out and out[-1].kind == "str":
        out[-1] = Tok("str", out[-1].text.rstrip("\x01"))


def _split_punctuation(value: str) -> Iterable[str]:
    # Lexers glue runs of brackets ("));"); split them so a bracket counts once, as in Python.
    if len(value) > 1 and all(ch in "()[]{};," for ch in value):
        return list(value)
    return [value]
