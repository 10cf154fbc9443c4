"""Code as a normalized token sequence: what changes behaviour stays, what does not is normalized away.

Python goes through the standard `tokenize` module (and `ast` to learn which names the code binds);
other languages through pygments lexers. Either way the sequence keeps keywords, operators, attribute
and call names and literal values, drops comments, docstrings and layout, and renames the names the
code binds (its locals and parameters) by order of first appearance, so a consistent renaming of
locals gives the same sequence while a swapped argument, a flipped comparison or an off-by-one does not.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

# Extensions that hold prose or data, not logic: re-generating them says nothing about behaviour.
NOT_CODE_SUFFIXES = frozenset(
    {
        ".md", ".markdown", ".rst", ".txt", ".adoc", ".json", ".jsonl", ".yaml", ".yml", ".toml",
        ".ini", ".cfg", ".conf", ".lock", ".csv", ".tsv", ".svg", ".xml", ".properties", ".env",
    }
)  # fmt: skip

_LOCAL = "\x00v"  # prefix of a renamed local; cannot occur in source text
_STATEMENT_END = ";"
_CLOSERS = frozenset({")", "]", "}"})
# Keywords after which a parenthesized expression that runs to the end of the clause is redundant.
_CLAUSE_KEYWORDS = frozenset({"if", "elif", "while", "return", "assert", "in", "yield", "await"})
_COMPOUND = frozenset(
    {"if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class", "async"}
)
# Statements whose line may end before their body (`if (x)` then `return y;` on the next line).
_BLOCK_HEADS = frozenset({"if", "for", "while", "else", "do", "switch", "catch", "try", "function", "func"})
_FUNCTION_KEYWORDS = frozenset({"function", "func", "fn", "def", "fun"})
_BINDERS = frozenset({"for", "as", "let", "var", "const", "auto", "lambda"})
_AUGMENTED = frozenset({"+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", ">>=", "<<=", "@="})


@dataclass(frozen=True)
class _Tok:
    kind: str  # "name" | "op" | "str" | "num" | "kw" | "other"
    text: str


def language_for(path: str) -> str | None:
    """A language name for the file (`python`, or a pygments lexer alias), None when it is not code."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in NOT_CODE_SUFFIXES:
        return None
    if suffix in (".py", ".pyi"):
        return "python"
    return _pygments_alias(PurePosixPath(path).name)


@lru_cache(maxsize=256)
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


@lru_cache(maxsize=4096)
def normalized_tokens(code: str, language: str) -> tuple[str, ...]:
    """The behaviour-bearing token sequence of `code` (cached: samples repeat within a run)."""
    code = _dedent(code.expandtabs(8)).strip("\n")
    if not code.strip():
        return ()
    toks: list[_Tok] | None = None
    bound: frozenset[str] = frozenset()
    if language == "python":
        tree = _parse(code)
        if tree is not None:
            # A region that parses is compared in ast.unparse's canonical form: one layout, one quote
            # style, no redundant parentheses, no comments, implicit concatenations joined.
            code = ast.unparse(tree)
            bound = _bound_in(tree)
        toks = _python_tokens(code)
        if toks is not None and tree is None:
            bound = _generic_bound_names(toks)
    if toks is None:
        toks = _pygments_tokens(code, "python" if language == "python" else language)
        bound = _generic_bound_names(toks)
    return tuple(_rename(_drop_redundant(toks), bound))


def _dedent(code: str) -> str:
    """Remove the indentation the code lines share; comment lines indented less do not count."""
    lines = code.split("\n")
    widths = [len(x) - len(x.lstrip()) for x in lines if x.strip() and not x.lstrip().startswith(("#", "//"))]
    width = min(widths, default=0)
    return "\n".join(x[width:] if not x[:width].strip() else x.lstrip() for x in lines)


# --- Python -------------------------------------------------------------------------------------------


def _python_tokens(code: str) -> list[_Tok] | None:
    """Tokens by Python's own tokenizer; None when the fragment cannot be tokenized (cut mid-statement)."""
    out: list[_Tok] = []
    line_start = True
    raw = _raw_python_tokens(code)
    if raw is None:
        return None
    fstring_parts = {getattr(tokenize, n, -1) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")}
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
            if out and out[-1].text not in (_STATEMENT_END, ":"):
                out.append(_Tok("op", _STATEMENT_END))
            if inline_suite:
                out.append(_Tok("other", "<dedent>"))
            line_start, header, inline_suite, depth = True, False, False, 0
            continue
        if kind == tokenize.DEDENT:
            out.append(_Tok("other", "<dedent>"))
            continue
        if line_start and kind == tokenize.NAME and tok.string in _COMPOUND:
            header = True
        elif header and out and out[-1].text == ":" and depth == 0 and not inline_suite:
            inline_suite = True
        if kind == tokenize.OP:
            depth += tok.string in ("(", "[", "{")
            depth -= tok.string in _CLOSERS
        if kind == tokenize.STRING:
            if line_start and _next_significant(raw, i) in (tokenize.NEWLINE, tokenize.ENDMARKER):
                continue  # a docstring or a bare string statement: documentation, not behaviour
            text = _string_key(tok.string)
            if out and out[-1].kind == "str" and not text.startswith("f"):
                out[-1] = _Tok("str", out[-1].text + "+" + text)  # implicit concatenation
            else:
                out.append(_Tok("str", text))
        elif kind in fstring_parts:  # Python 3.12+ splits f-strings; compare them regardless of quotes
            out.append(_Tok("str", tok.string.lower().replace('"', "'")))
        elif kind == tokenize.NUMBER:
            out.append(_Tok("num", _number_key(tok.string)))
        elif kind == tokenize.NAME:
            out.append(_Tok("kw" if keyword.iskeyword(tok.string) else "name", tok.string))
        elif kind == tokenize.OP:
            out.append(_Tok("op", tok.string))
        else:
            out.append(_Tok("other", tok.string))
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
    for tok in raw[i + 1 :]:
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            return tok.type
    return tokenize.ENDMARKER


def _string_key(text: str) -> str:
    try:
        return "s" + repr(ast.literal_eval(text))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        # f-strings and templates: compare the prefix and the body, not the quote style.
        prefix = text[: len(text) - len(text.lstrip("rRbBuUfFtT"))].lower()
        body = text[len(prefix) :]
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        return prefix + "'" + body[len(quote) : len(body) - len(quote)] + "'"


def _number_key(text: str) -> str:
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text.lower().replace("_", "")


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _bound_in(tree: ast.Module) -> frozenset[str]:
    """Names the code binds: assignment targets, parameters, loop, `with` and `except` names."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return frozenset(names - {"self", "cls"})


# --- other languages (and Python fragments the tokenizer refuses) --------------------------------------


def _pygments_tokens(code: str, language: str) -> list[_Tok]:
    from pygments.lexers import get_lexer_by_name
    from pygments.token import Comment, Keyword, Literal, Name, Operator, Punctuation, String, Text
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    out: list[_Tok] = []
    depth = 0  # open parentheses and brackets
    head: str | None = None  # first token of the statement being read
    for ttype, value in lexer.get_tokens(code):
        # A line that ends a statement without ";" (Python, Go, JS without semicolons) reads as if it had
        # one, so the two styles compare equal.
        ends_line = "\n" in value and ttype not in String and depth == 0 and head not in _BLOCK_HEADS
        if ends_line and out and (out[-1].kind in ("name", "num", "str") or out[-1].text in (")", "]")):
            _close_string(out)
            out.append(_Tok("op", _STATEMENT_END))
            head = None
        if ttype in Comment or ttype in String.Doc or ttype in Text or not value.strip():
            continue
        value = value.strip()
        if head is None and value not in (_STATEMENT_END, "{", "}"):
            head = value
        if ttype in String:
            if out and out[-1].kind == "str" and out[-1].text.endswith("\x01"):
                out[-1] = _Tok("str", out[-1].text[:-1] + value.replace('"', "'") + "\x01")
            else:
                out.append(_Tok("str", value.replace('"', "'") + "\x01"))
            continue
        _close_string(out)
        if ttype in Literal.Number:
            out.append(_Tok("num", value.lower().replace("_", "")))
        elif ttype in Keyword:
            out.append(_Tok("kw", value))
        elif ttype in Name:
            out.append(_Tok("name", value))
        elif ttype in Operator or ttype in Punctuation:
            for ch in _split_punctuation(value):
                out.append(_Tok("op", ch))
                depth = max(0, depth + (ch in ("(", "[")) - (ch in (")", "]")))
                if ch in (_STATEMENT_END, "{", "}"):
                    head = None
        else:
            out.append(_Tok("other", value))
    _close_string(out)
    if out and out[-1].text != _STATEMENT_END and head not in _BLOCK_HEADS and out[-1].text != "}":
        out.append(_Tok("op", _STATEMENT_END))
    return out


def _close_string(out: list[_Tok]) -> None:
    """End the string literal being joined from the lexer's pieces (marked with a trailing \\x01)."""
    if out and out[-1].kind == "str":
        out[-1] = _Tok("str", out[-1].text.rstrip("\x01"))


def _split_punctuation(value: str) -> Iterable[str]:
    # Lexers glue runs of brackets ("));"); split them so a bracket counts once, as in Python.
    if len(value) > 1 and all(ch in "()[]{};," for ch in value):
        return list(value)
    return [value]


def _generic_bound_names(toks: Sequence[_Tok]) -> frozenset[str]:
    """Names a statement binds, read from tokens: `x = ...`, `a, b = ...`, `let x`, `for x in`, `as x`."""
    names: set[str] = set()
    statement: list[_Tok] = []
    at_statement_start = True  # the tokens gathered so far began a statement (not a block or dict)
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        if tok.kind == "name" and prev is not None and prev.kind == "kw" and prev.text in _BINDERS:
            names.add(tok.text)
        if tok.text == ":" and at_statement_start and len(statement) == 1 and statement[0].kind == "name":
            names.add(statement[0].text)  # an annotated name, `x: int = ...`, declares a local
        if tok.text in (_STATEMENT_END, "{", "}", ":") or tok.kind == "other":
            at_statement_start = tok.text in (_STATEMENT_END, "}") or tok.kind == "other"
            statement = []
            continue
        if tok.text == ":=" and prev is not None and prev.kind == "name":
            names.add(prev.text)  # an assignment expression binds wherever it stands
            continue
        if tok.text == "=" or tok.text in _AUGMENTED:
            depth = 0
            for j, t in enumerate(statement):
                depth += t.text in ("(", "[", "{")
                # A fragment may start inside brackets opened before it: never below the top level.
                depth = max(0, depth - (t.text in _CLOSERS))
                after = statement[j + 1].text if j + 1 < len(statement) else tok.text
                before = statement[j - 1].text if j else ""
                if t.kind == "name" and depth == 0 and before != "." and after not in (".", "(", "["):
                    names.add(t.text)
            statement = []
            continue
        statement.append(tok)
    names.update(_parameters(toks))
    return frozenset(names - {"self", "cls", "this"})


def _parameters(toks: Sequence[_Tok]) -> set[str]:
    """Parameter names of `function f(a, b)`, `func f(a, b int)`, `fn f(a: T)`, `def f(a, b=1)`."""
    names: set[str] = set()
    for i, tok in enumerate(toks):
        if tok.text not in _FUNCTION_KEYWORDS:
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "name":
            j += 1
        if j >= len(toks) or toks[j].text != "(":
            continue
        depth = 0
        for k in range(j, len(toks)):
            text = toks[k].text
            depth += text in ("(", "[", "{", "<")
            depth -= text in (")", "]", "}", ">")
            if depth == 0:
                break
            if depth == 1 and toks[k].kind == "name":
                before, after = toks[k - 1].text, toks[k + 1].text if k + 1 < len(toks) else ""
                if after in (",", ")") or (before in ("(", ",") and after in (":", "=")):
                    names.add(toks[k].text)
    return names


# --- normalization shared by every language -----------------------------------------------------------


def _drop_redundant(toks: list[_Tok]) -> list[_Tok]:
    """Drop a trailing comma before a closing bracket and parentheses that wrap a whole clause."""
    out: list[_Tok] = []
    for i, tok in enumerate(toks):
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if tok.text == "," and nxt in _CLOSERS:
            continue
        out.append(tok)
    drop: set[int] = set()
    for i, tok in enumerate(out):
        if tok.text != "(" or i == 0 or out[i - 1].text not in _CLAUSE_KEYWORDS:
            continue
        close = _matching(out, i)
        after = out[close + 1].text if close is not None and close + 1 < len(out) else _STATEMENT_END
        if close is not None and after in (":", _STATEMENT_END) and not _has_top_level_comma(out, i, close):
            drop.update((i, close))
    return [t for i, t in enumerate(out) if i not in drop]


def _matching(toks: Sequence[_Tok], start: int) -> int | None:
    depth = 0
    for j in range(start, len(toks)):
        depth += toks[j].text in ("(", "[", "{")
        depth -= toks[j].text in _CLOSERS
        if depth == 0:
            return j
    return None


def _has_top_level_comma(toks: Sequence[_Tok], start: int, end: int) -> bool:
    depth = 0
    for tok in toks[start + 1 : end]:
        depth += tok.text in ("(", "[", "{")
        depth -= tok.text in _CLOSERS
        if depth == 0 and tok.text == ",":
            return True
    return False


def _rename(toks: Sequence[_Tok], bound: frozenset[str]) -> Iterable[str]:
    """Bound names become positional placeholders; attribute names and keyword-argument names stay."""
    index: dict[str, int] = {}
    call_parens: list[bool] = []  # per open bracket: is it the argument list of a call?
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.text in ("(", "[", "{"):
            is_call = tok.text == "(" and prev is not None and (prev.kind == "name" or prev.text in _CLOSERS)
            call_parens.append(is_call and not (i >= 2 and toks[i - 2].text == "def"))
        elif tok.text in _CLOSERS and call_parens:
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
