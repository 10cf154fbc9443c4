"""Code as a normalized token sequence: what changes behaviour stays, what does not is normalized away.

Python goes through the standard `tokenize` module (and `ast` to learn which names the code binds);
other languages through pygments lexers. Either way the sequence keeps keywords, operators, attribute
and call names and literal values, drops comments, docstrings and layout, and renames the names that
are the code's own (its locals and parameters) by order of first appearance, so a consistent renaming of
locals gives the same sequence while a swapped argument, a flipped comparison or an off-by-one does not.

A name the code binds is its own when nothing else can read it: a local or parameter of a function the
code defines, or a name bound in the enclosing function that the code around the region never mentions.
A name the code around reads (`allowed = False` where the function returns `allowed`), a module-level
name, a class attribute and a `global` or `nonlocal` name keep their spelling: writing them differently
changes what the program does.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from gate.regen.lexing import (
    CLOSERS,
    STATEMENT_END,
    Bindings,
    Tok,
    bound_in,
    names_used,
    parse,
    pygments_tokens,
    python_tokens,
)

# Extensions that hold prose or data, not logic: re-generating them says nothing about behaviour.
NOT_CODE_SUFFIXES = frozenset(
    {
        ".md", ".markdown", ".rst", ".txt", ".adoc", ".json", ".jsonl", ".yaml", ".yml", ".toml",
        ".ini", ".cfg", ".conf", ".lock", ".csv", ".tsv", ".svg", ".xml", ".properties", ".env",
    }
)  # fmt: skip

_LOCAL = "\x00v"  # prefix of a renamed local; cannot occur in source text
# Keywords after which a parenthesized expression that runs to the end of the clause is redundant.
_CLAUSE_KEYWORDS = frozenset({"if", "elif", "while", "return", "assert", "in", "yield", "await"})
_FUNCTION_KEYWORDS = frozenset({"function", "func", "fn", "def", "fun"})
_BINDERS = frozenset({"for", "as", "let", "var", "const", "auto", "lambda"})
_AUGMENTED = frozenset({"+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", ">>=", "<<=", "@="})


def language_for(path: str) -> str | None:
    """A language name for the file (`python`, or a pygments lexer alias), None when it is not code."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in NOT_CODE_SUFFIXES:
        return None
    if suffix in (".py", ".pyi"):
        return "python"
    return _pygments_alias(PurePosixPath(path).name)


# A file name's lexer alias: one short string per distinct file name (the lookup scans every lexer).
ALIASES_CACHED = 256
# The token sequences of a run's regions and their samples: the default run's 8 hunks x (5 samples and
# the submitted code) fit, so identical regions within a run are tokenized once. Emptied when a run ends.
TOKENS_CACHED = 64


@lru_cache(maxsize=ALIASES_CACHED)
def _pygments_alias(filename: str) -> str | None:
    from pygments.lexers import get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_filename(filename)
    except ClassNotFound:
        return None
    aliases = getattr(lexer, "aliases", None) or [lexer.name.lower()]
    alias = str(aliases[0])
    return None if alias in ("text", "markdown", "rst", "json", "yaml", "toml", "ini") else alias


@dataclass(frozen=True)
class Surroundings:
    """Where a region sits in its file, as far as renaming the names it binds goes."""

    # The region's own statements are at the file's top level: what they bind is a module-level name
    # that any code may import, never a local.
    top_level: bool = False
    # The code around the region (its file's top-level lines and the block that encloses it, often tens
    # of kilobytes) in `language`. A name the region binds that this code uses is read (or was bound)
    # outside the region, so naming it differently changes behaviour. The code is read by its lexer only
    # when a name the region binds is written in it at all (`uses`).
    code: str = ""
    language: str = ""

    def uses(self, names: frozenset[str]) -> frozenset[str]:
        """Those of `names` the code around uses (a region whose names are all new there is answered
        without lexing its file: `names_used`)."""
        return names_used(self.code, self.language, names)


NOWHERE = Surroundings()  # a piece of code on its own: every name it binds is its own


def surroundings(region_code: str, code_around: Callable[[], str], language: str) -> Surroundings:
    """The surroundings of a region from its submitted code and the code of its file around it.

    `code_around` is asked for only when the region is indented: what a top-level region binds is
    module-level whatever the code around says, and gathering that code walks the whole file."""
    if _indentation(region_code) == 0:
        return Surroundings(top_level=True)
    return Surroundings(code=code_around(), language=language)


@lru_cache(maxsize=TOKENS_CACHED)
def normalized_tokens(code: str, language: str, around: Surroundings = NOWHERE) -> tuple[str, ...]:
    """The behaviour-bearing token sequence of `code` (cached: samples repeat within a run). `around`
    says which of the names the code binds are its own to rename."""
    code = _dedent(code.expandtabs(8)).strip("\n")
    if not code.strip():
        return ()
    toks: list[Tok] | None = None
    bound = Bindings(frozenset(), frozenset())
    if language == "python":
        tree = parse(code)
        if tree is not None:
            # A region that parses is compared in ast.unparse's canonical form: one layout, one quote
            # style, no redundant parentheses, no comments, implicit concatenations joined.
            code = ast.unparse(tree)
            bound = bound_in(tree)
        toks = python_tokens(code)
        if toks is not None and tree is None:
            bound = _generic_bound_names(toks, braces=False)
    if toks is None:
        toks = pygments_tokens(code, "python" if language == "python" else language)
        bound = _generic_bound_names(toks, braces=language != "python")
    return tuple(_rename(_drop_redundant(toks), _renamable(bound, around)))


def _renamable(bound: Bindings, around: Surroundings) -> frozenset[str]:
    """The bound names that are the code's own: those of the functions it defines, and those of the
    enclosing scope that the code around never mentions. Renaming goes by name, so a name kept anywhere
    is kept everywhere."""
    kept = bound.shared | (bound.outer if around.top_level else around.uses(bound.outer))
    return (bound.inner | bound.outer) - kept


def _indentation(code: str) -> int:
    """The indentation the code lines share (comment and directive lines aside)."""
    lines = code.expandtabs(8).split("\n")
    widths = [len(x) - len(x.lstrip()) for x in lines if x.strip() and not x.lstrip().startswith(("#", "//"))]
    return min(widths, default=0)


def _dedent(code: str) -> str:
    """Remove the indentation the code lines share; comment lines indented less do not count."""
    width = _indentation(code)
    return "\n".join(x[width:] if not x[:width].strip() else x.lstrip() for x in code.split("\n"))


def _generic_bound_names(toks: Sequence[Tok], braces: bool) -> Bindings:
    """Names a statement binds, read from tokens: `x = ...`, `a, b = ...`, `let x`, `for x in`, `as x`;
    with `braces`, a name bound only inside the `{...}` body of a function the code defines is its own."""
    found: list[tuple[str, int]] = []  # a bound name and where
    statement: list[int] = []  # indexes of the tokens of the statement being read
    at_statement_start = True  # the tokens gathered so far began a statement (not a block or dict)
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        if tok.kind == "name" and prev is not None and prev.kind == "kw" and prev.text in _BINDERS:
            found.append((tok.text, i))
        if (
            tok.text == ":"
            and at_statement_start
            and len(statement) == 1
            and toks[statement[0]].kind == "name"
        ):
            found.append((toks[statement[0]].text, statement[0]))  # an annotated name, `x: int = ...`
        if tok.text in (STATEMENT_END, "{", "}", ":") or tok.kind == "other":
            at_statement_start = tok.text in (STATEMENT_END, "}") or tok.kind == "other"
            statement = []
            continue
        if tok.text == ":=" and prev is not None and prev.kind == "name":
            found.append((prev.text, i - 1))  # an assignment expression binds wherever it stands
            continue
        if tok.text == "=" or tok.text in _AUGMENTED:
            depth = 0
            for n, j in enumerate(statement):
                t = toks[j]
                depth += t.text in ("(", "[", "{")
                # A fragment may start inside brackets opened before it: never below the top level.
                depth = max(0, depth - (t.text in CLOSERS))
                after = toks[statement[n + 1]].text if n + 1 < len(statement) else tok.text
                before = toks[statement[n - 1]].text if n else ""
                if t.kind == "name" and depth == 0 and before != "." and after not in (".", "(", "["):
                    found.append((t.text, j))
            statement = []
            continue
        statement.append(i)
    in_body = _covered(len(toks), _function_bodies(toks)) if braces else [False] * len(toks)
    outer = {name for name, i in found if not in_body[i]}
    inner = {name for name, _ in found} | _parameters(toks)
    own = {"self", "cls", "this"}
    return Bindings(inner=frozenset(inner - outer - own), outer=frozenset(outer - own))


def _function_bodies(toks: Sequence[Tok]) -> list[tuple[int, int]]:
    """Spans from a function keyword to the `}` that closes its body (`function f(a) {...}`, `fn`, `func`),
    and of arrow functions' block bodies (`(a) => {...}`).

    Linear whatever the nesting: a body's `{` is the first `{` or `;` after its keyword at the keyword's
    own depth in `(` and `[`, found in one sweep from the right; its `}` comes from one bracket table."""
    closer = _closers(toks)
    last = len(toks) - 1
    # Depth in `(` and `[` after each token, counted from the start; a body's `{` is at its keyword's depth.
    depths: list[int] = []
    depth = 0
    for tok in toks:
        depth += (tok.text in ("(", "[")) - (tok.text in (")", "]"))
        depths.append(depth)
    spans: list[tuple[int, int]] = []
    next_head: dict[int, int] = {}  # depth -> the nearest `{` or `;` to the right at that depth
    for i in range(last, -1, -1):
        tok = toks[i]
        if tok.text == "=>" and i < last and toks[i + 1].text == "{":
            end = closer.get(i + 1)
            spans.append((i, last if end is None else end))
        elif tok.kind == "kw" and tok.text in _FUNCTION_KEYWORDS:
            head = next_head.get(depths[i])
            if head is not None and toks[head].text == "{":  # `;` first: a declaration without a body
                end = closer.get(head)
                spans.append((i, last if end is None else end))
        if tok.text in (STATEMENT_END, "{"):
            next_head[depths[i]] = i
    return spans


def _covered(length: int, spans: Iterable[tuple[int, int]]) -> list[bool]:
    """For each of `length` positions, whether one of the inclusive spans covers it (spans may nest)."""
    change = [0] * (length + 1)
    for start, end in spans:
        change[start] += 1
        change[end + 1] -= 1
    covered: list[bool] = []
    open_spans = 0
    for delta in change[:length]:
        open_spans += delta
        covered.append(open_spans > 0)
    return covered


def _parameters(toks: Sequence[Tok]) -> set[str]:
    """Parameter names of `function f(a, b)`, `func f(a, b int)`, `fn f(a: T)`, `def f(a, b=1)`.

    A parameter list runs from its `(` until the depth in brackets (`<` and `>` count) falls back to
    where it was before it. Lists that begin at one depth never overlap, so a single sweep that keeps
    the depths of the lists being read finds every list's names, however many lists nest or run on."""
    lists: set[int] = set()  # indexes of the `(` that open a parameter list
    for i, tok in enumerate(toks):
        if tok.text not in _FUNCTION_KEYWORDS:
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "name":
            j += 1
        if j < len(toks) and toks[j].text == "(":
            lists.add(j)
    names: set[str] = set()
    reading: set[int] = set()  # the depths before the `(` of the parameter lists being read
    depth = 0
    for k, tok in enumerate(toks):
        before = depth
        depth += tok.text in ("(", "[", "{", "<")
        depth -= tok.text in (")", "]", "}", ">")
        if k in lists:
            reading.add(before)
            continue
        reading.discard(depth)  # back at a list's own depth: the list is closed
        if depth - 1 in reading and tok.kind == "name":
            prev, nxt = toks[k - 1].text, toks[k + 1].text if k + 1 < len(toks) else ""
            if nxt in (",", ")") or (prev in ("(", ",") and nxt in (":", "=")):
                names.add(tok.text)
    return names


# --- normalization shared by every language -----------------------------------------------------------


def _drop_redundant(toks: list[Tok]) -> list[Tok]:
    """Drop a trailing comma before a closing bracket and parentheses that wrap a whole clause."""
    out: list[Tok] = []
    for i, tok in enumerate(toks):
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if tok.text == "," and nxt in CLOSERS:
            continue
        out.append(tok)
    closer = _closers(out)
    holding_comma = _holding_commas(out)
    drop: set[int] = set()
    for i, tok in enumerate(out):
        if tok.text != "(" or i == 0 or out[i - 1].text not in _CLAUSE_KEYWORDS:
            continue
        close = closer.get(i)
        after = out[close + 1].text if close is not None and close + 1 < len(out) else STATEMENT_END
        if close is not None and after in (":", STATEMENT_END) and i not in holding_comma:
            drop.update((i, close))
    return [t for i, t in enumerate(out) if i not in drop]


def _closers(toks: Sequence[Tok]) -> dict[int, int]:
    """The index of each opening bracket's closing one, by depth alone (any closer closes the innermost
    open bracket); a bracket never closed is absent."""
    found: dict[int, int] = {}
    opened: list[int] = []
    for j, tok in enumerate(toks):
        if tok.text in ("(", "[", "{"):
            opened.append(j)
        elif tok.text in CLOSERS and opened:
            found[opened.pop()] = j
    return found


def _holding_commas(toks: Sequence[Tok]) -> set[int]:
    """The indexes of the opening brackets with a comma directly inside (a tuple, several arguments)."""
    found: set[int] = set()
    opened: list[int] = []
    for j, tok in enumerate(toks):
        if tok.text in ("(", "[", "{"):
            opened.append(j)
        elif tok.text in CLOSERS and opened:
            opened.pop()
        elif tok.text == "," and opened:
            found.add(opened[-1])
    return found


def _rename(toks: Sequence[Tok], bound: frozenset[str]) -> Iterable[str]:
    """Bound names become positional placeholders; attribute names and keyword-argument names stay."""
    index: dict[str, int] = {}
    call_parens: list[bool] = []  # per open bracket: is it the argument list of a call?
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.text in ("(", "[", "{"):
            is_call = tok.text == "(" and prev is not None and (prev.kind == "name" or prev.text in CLOSERS)
            call_parens.append(is_call and not (i >= 2 and toks[i - 2].text == "def"))
        elif tok.text in CLOSERS and call_parens:
            call_parens.pop()
        if tok.kind != "name" or tok.text not in bound:
            yield tok.text
            continue
        after_dot = prev is not None and prev.text == "."
        keyword_arg = bool(call_parens) and call_parens[-1] and nxt is not None and nxt.text == "="
        if after_dot or keyword_arg:
            yield tok.text
            continue
        yield f"{_LOCAL}{index.setdefault(tok.text, len(index))}"
