"""Whether a line lightly edits another: the measures edits.py pairs a person's lines with AI lines by.

A line lightly edits an AI line (`lightly_edited`) when:
- its code is the AI line's but for a comment at its end (`x = f(a)  # reviewed`), whitespace aside;
- its tokens are the AI line's but for names renamed one to one (`value` -> `val`), with at least
  MIN_KEPT_WORDS words (names, keywords, numbers) kept and more kept than renamed, the renames the
  commit makes across the file (renames.py) counting as neither: a line whose only differences are
  such renames lightly edits the AI line however many of its words they rename; or
- both are at least MIN_COMPARED_CHARS characters besides whitespace and at least MIN_SIMILARITY % alike
  (rapidfuzz's ratio, whitespace aside): a token changed, a type hint added.

The keys lines are looked up by come from here too: a line's code whitespace aside (`shape`), and its
form (`form`), which a renaming or a changed number keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import PurePosixPath

MIN_SIMILARITY = 80
MIN_COMPARED_CHARS = 8
# Longer lines (minified code, data) are compared by their code alone: the similarity and the token
# walk grow with the length of the lines compared, and a change chooses its lines.
MAX_COMPARED_CHARS = 1_000
MIN_KEPT_WORDS = 3
# Lines whose code is kept while they are compared (each is compared with a few others); emptied when
# the pairing ends (`clear_caches`).
SHAPES_CACHED = 4096

# The marker of a comment that runs to the end of the line, by the file's suffix or name. In a file of
# another kind no comment is stripped; the other two measures still apply.
_HASH_SUFFIXES = frozenset({
    ".py", ".pyi", ".pyw", ".sh", ".bash", ".zsh", ".fish", ".rb", ".pl", ".r", ".toml", ".yml", ".yaml",
    ".cfg", ".conf", ".ini", ".tf", ".ps1", ".cmake",
})  # fmt: skip
_SLASH_SUFFIXES = frozenset({
    ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".java", ".kt", ".kts", ".scala", ".go", ".rs", ".js", ".jsx",
    ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".swift", ".dart", ".php", ".groovy", ".gradle",
})  # fmt: skip
_HASH_NAMES = frozenset({"makefile", "dockerfile", "gemfile", "rakefile"})
_QUOTES = frozenset("\"'`")
# A string left open runs to the line's end: tried as a string at each of its escaped quotes, it cost
# a pass to the end from every one (quadratic in a line of `"\"\"\"...`).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?$)|\'(?:[^\'\\]|\\.)*(?:\'|\\?$)|\w+|\S')
_NAME = re.compile(r"[^\W\d]\w*")
_WORDS = re.compile(r"\w+")
_WORD_MARK = "\0"  # what a run of word characters stands as in a line's form: no line of text holds a NUL
# The renames a line's commit makes across its file, old name -> new, worked out when first asked for:
# most lines are told apart without them (the same code but for a comment, enough words kept, another
# form), and so are those of most files.
Renames = Callable[[], Mapping[str, str]]


def lightly_edited(ai_line: str, line: str, marker: str | None, renames: Renames | None = None) -> bool:
    """Whether `line` is `ai_line` lightly edited: a comment at the end added or changed, names renamed
    one to one, or little changed besides (module docstring), the renames the line's commit makes across
    its file aside when given. The cheap tests go first: most lines a person writes in place of AI
    lines are unlike them."""
    ai_code, ai_key = shape(ai_line, marker)
    code, key = shape(line, marker)
    if ai_key == key:
        return bool(key)
    shorter, longer = sorted((len(ai_key), len(key)))
    if longer > MAX_COMPARED_CHARS:
        return False
    # The ratio is 2 * matches / (both lengths) at most 2 * shorter / (both lengths).
    could_match = shorter >= MIN_COMPARED_CHARS and 200 * shorter >= MIN_SIMILARITY * (shorter + longer)
    if could_match and _ratio()(ai_key, key, score_cutoff=MIN_SIMILARITY):
        return True
    # A renaming leaves everything but the words as it was.
    return form(ai_line, marker) == form(line, marker) and _renamed(ai_code, code, renames)


def may_be_edited(ai_line: tuple[int, str], line: tuple[int, str]) -> bool:
    """Whether a line may lightly edit an AI line, told from each one's code length whitespace aside and
    form alone: `lightly_edited` can hold only for lines of one form, or of lengths the similarity can
    match. Most pairs of lines fail it, cheaply."""
    (ai_length, ai_form), (length, line_form) = ai_line, line
    if ai_form == line_form:
        return True
    shorter, longer = sorted((ai_length, length))
    return (
        shorter >= MIN_COMPARED_CHARS
        and longer <= MAX_COMPARED_CHARS
        and 200 * shorter >= MIN_SIMILARITY * (shorter + longer)
    )


@lru_cache(maxsize=SHAPES_CACHED)
def shape(text: str, marker: str | None) -> tuple[str, str]:
    """The line's code (`_code`), and its code whitespace aside."""
    code = _code(text, marker)
    return code, squeezed(code)


@lru_cache(maxsize=SHAPES_CACHED)
def form(text: str, marker: str | None) -> str:
    """The line's code whitespace aside, with each run of word characters (names, keywords, numbers)
    made one and the same character: names renamed one to one or a number changed leave it as it was.
    Empty for a line of more than MAX_COMPARED_CHARS characters, which is compared by its code alone."""
    key = shape(text, marker)[1]
    return _WORDS.sub(_WORD_MARK, key) if len(key) <= MAX_COMPARED_CHARS else ""


def clear_caches() -> None:
    shape.cache_clear()
    form.cache_clear()
    _tokens.cache_clear()


@cache
def _ratio() -> Callable[..., float]:
    """rapidfuzz's ratio, loaded only when a person's line may be a light edit of an AI line."""
    from rapidfuzz import fuzz

    return fuzz.ratio


@lru_cache(maxsize=SHAPES_CACHED)
def _tokens(code: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(code))


def _renamed(ai_code: str, code: str, renames: Renames | None) -> bool:
    """The same tokens in the same order but for names renamed one to one, with at least MIN_KEPT_WORDS
    words kept and more kept than renamed, or else enough of them renames of `renames` (`_explained`)."""
    before, after = _tokens(ai_code), _tokens(code)
    if len(before) != len(after):
        return False
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    words = sum(1 for token in before if token[0].isalnum() or token[0] == "_")
    kept = words - len(changed)  # a changed token that is not a name fails below
    if not changed:
        return False
    if (kept < MIN_KEPT_WORDS or kept <= len(changed)) and (
        renames is None or not _explained(changed, kept, renames())
    ):
        return False
    names: dict[str, str] = {}
    for old, new in changed:
        if not (is_name(old) and is_name(new)) or names.setdefault(old, new) != new:
            return False
    unchanged = {old for old, new in zip(before, after, strict=True) if old == new}
    renamed_to = set(names.values())
    # Not one to one: a name renamed in one place and kept in another, or two names made one.
    return not (unchanged & names.keys() or unchanged & renamed_to or len(renamed_to) != len(names))


def _explained(changed: list[tuple[str, str]], kept: int, renames: Mapping[str, str]) -> bool:
    """Whether the line's changes are renames of `renames` but for a few of its own: none, or fewer
    than the words kept when at least MIN_KEPT_WORDS are. The renames of `renames` count as neither."""
    allowed = kept - 1 if kept >= MIN_KEPT_WORDS else 0
    own = 0
    renamed = renames.get
    for old, new in changed:
        if renamed(old) != new:
            own += 1
            if own > allowed:
                return False
    return True


def code_tokens(text: str, marker: str | None) -> tuple[str, ...]:
    """The tokens of the line's code (`_code`): strings, runs of word characters, other characters."""
    return _tokens(shape(text, marker)[0])


def is_name(token: str) -> bool:
    return _NAME.fullmatch(token) is not None


def _code(text: str, marker: str | None) -> str:
    """The line without a comment at its end, when code precedes the comment; else the line."""
    if marker is None or (at := text.find(marker)) < 0:
        return text
    if not _QUOTES.intersection(text[:at]):  # the common case: no string before the marker
        return text[:at] if text[:at].strip() else text
    quote = ""
    escaped = False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif text.startswith(marker, i):
            code = text[:i]
            return code if code.strip() else text
    return text


def comment_marker(path: str) -> str | None:
    """`#` or `//`, the marker of a comment to the end of the line in the file's language, if known."""
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if suffix in _HASH_SUFFIXES or name in _HASH_NAMES:
        return "#"
    if suffix in _SLASH_SUFFIXES:
        return "//"
    return None


def squeezed(text: str) -> str:
    return "".join(text.split())
