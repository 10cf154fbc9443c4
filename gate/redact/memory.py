"""Values seen as secrets during the run, hidden wherever they appear again.

A value recognised in one place (a `.env` line read with its file name, a base64 wrapper, a commit
message) can come back where nothing marks it as a secret: a prompt row without its file name, a model's
answer quoting it, a finding's text. Every value the detector finds is remembered here, for as long as
the process runs (a run is one process; remembering longer only hides more), and `hide` replaces each
remembered value in any text (a few plain words where they stand as a value, random letters where they
stand as a whole token, anything else wherever it appears: `_alternation`).

The values are matched by one regular expression built as a trie of their first characters, so the
cost per character of text does not grow with the number of values remembered.

What the pull request's author writes but does not submit as code (commit messages, the PR's title and
body, linked issues, specs: prose read with config syntax) and the base's lines a hunk shows (removed and
context lines) are read for secrets too, but a value found there is remembered only when it is shaped
as a credential (`credential_shaped`): remembered, a value is hidden from every prompt, and prose could
otherwise name any code (`DB_PASSWORD=os.system("tar czf " + name)`) or a sentence of the gate's own
instructions and have the models shown `[REDACTED]` in its place.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import accumulate

REDACTED = "[REDACTED]"
MIN_REMEMBERED = 6
# Keys are short; a longer "value" is a keyword rule taking the rest of a line (`password = ...` in an
# INI file), which is hidden where it was found but not searched for everywhere: matching it would cost
# its length at every place its first characters recur.
MAX_REMEMBERED = 512
# Branching levels of the trie; past them, the values that share a prefix are one alternation.
_TRIE_DEPTH = 8

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None
_generation = 0


def generation() -> int:
    """Changes whenever a value is added: a cache of redacted text keyed by it stays correct."""
    return _generation


# Whether the values found now come from text the change does not submit as code (`only_credentials`).
_ONLY_CREDENTIALS: ContextVar[bool] = ContextVar("only_credentials", default=False)


@contextmanager
def only_credentials(when: bool = True) -> Iterator[None]:
    """While inside (and `when`), `remember` keeps only the values shaped as a credential: for what is
    read of prose and of the base's lines. Per thread: a stage reading a linked issue does not narrow
    what another learns of the code meanwhile."""
    token = _ONLY_CREDENTIALS.set(True) if when else None
    try:
        yield
    finally:
        if token is not None:
            _ONLY_CREDENTIALS.reset(token)


# What a credential never holds and code or a sentence does: a blank, a call's parentheses, a string's
# quotes, a statement's `;`, a list's `,`, brackets and braces.
_NOT_IN_A_CREDENTIAL = re.compile(r"""[\s()"'`;,<>{}\[\]]""")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


def credential_shaped(value: str) -> bool:
    """Whether a value looks like a credential rather than code or words: none of
    `_NOT_IN_A_CREDENTIAL`, no `=` but base64's padding at its end (`verify=False` is an assignment),
    and digits and letters both, as keys and written-out passwords hold them (`P@ss#w0rd!2024`,
    `ghp_…`, `AKIA…`), or random letters (`_random_letters`)."""
    if _NOT_IN_A_CREDENTIAL.search(value) is not None or "=" in value.rstrip("="):
        return False
    letters = _LETTER.search(value) is not None
    return (letters and _DIGIT.search(value) is not None) or _random_letters(value)


# Letters in both cases drawn at random read as no name: some word between two capitals is a single
# lower-case letter or has no vowel (`IoyxQdqvjuPqNcU`), capitals come in more than one run
# (`NpotWJAEbsXKTEC`), or five small consonants follow each other; a name's words are words (`isAdminUser`)
# and capitals (`HTTPResponse`).
MIN_RANDOM_LETTERS = 12
_CASE_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_VOWELS = frozenset("aeiouyAEIOUY")
_CAPITAL_RUN = re.compile(r"[A-Z]{2,}")
_CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{5}")


def _random_letters(value: str) -> bool:
    if len(value) < MIN_RANDOM_LETTERS or not (value.isascii() and value.isalpha()):
        return False
    if value.islower() or value.isupper():
        return False
    words = _CASE_WORDS.findall(value)
    return (
        any(not word.isupper() and (len(word) < 2 or _VOWELS.isdisjoint(word)) for word in words)
        or len(_CAPITAL_RUN.findall(value)) > 1
        or _CONSONANTS.search(value) is not None
    )


def remember(values: Iterable[str], *, any_shape: bool = False) -> None:
    """Hide each of `values` wherever it stands for the rest of the run. Inside `only_credentials`, only
    those shaped as a credential, unless `any_shape` (a private key's pieces: key bytes, not prose)."""
    global _pattern, _generation
    shaped = _ONLY_CREDENTIALS.get() and not any_shape
    new = {
        v
        for v in values
        if MIN_REMEMBERED <= len(v) <= MAX_REMEMBERED
        and v != REDACTED
        and v not in _values
        and (not shaped or credential_shaped(v))
    }
    if not new:
        return
    with _lock:
        # In this order, an exception raised between two of these steps (a stage stopped when the run's
        # time is up, `gate.deadline`) never leaves a compiled pattern or a generation that misses a
        # value the set holds.
        _pattern = None
        _generation += 1
        _values.update(new)


def known() -> frozenset[str]:
    with _lock:
        return frozenset(_values)


def hide(text: str) -> str:
    """The text with every remembered value replaced by [REDACTED]."""
    if not text or not _values:
        return text
    pattern = _compiled()
    return pattern.sub(REDACTED, text) if pattern is not None else text


def spans(text: str) -> list[tuple[int, int]]:
    """Where `hide` would hide a remembered value in `text`."""
    pattern = _compiled() if text else None
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


def hide_lines(lines: Sequence[str]) -> list[str]:
    """Each line as `hide` gives it. While few values are remembered, each is found in all the lines
    joined (one `str.find` pass each) and only the lines holding one are run through the pattern: a
    match is one of the values, so a line without any has nothing to hide."""
    pattern = _compiled()
    if pattern is None:
        return list(lines)
    with _lock:  # read after the pattern: these are all its values, or more
        values = list(_values) if len(_values) <= _FIND_EACH_UP_TO else None
    if values is None:
        return [pattern.sub(REDACTED, line) if line else line for line in lines]
    text = "\n".join(lines)
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    holding: set[int] = set()
    for value in values:
        if "\n" in value:
            continue  # found in no single line
        at = text.find(value)
        while at != -1:  # each line once: after a find, on from the next line
            index = bisect.bisect_right(starts, at) - 1
            holding.add(index)
            at = text.find(value, starts[index + 1])
    out = list(lines)
    for index in holding:
        if index < len(out) and out[index]:
            out[index] = pattern.sub(REDACTED, out[index])
    return out


# Up to this many remembered values, `hide_lines` finds each on its own; past it, one pattern pass a line.
_FIND_EACH_UP_TO = 64


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _values:
            _pattern = re.compile(_alternation(sorted(_values)))
        return _pattern


# A value of random letters (`IoyxQdqvjuPqNcU`) is hidden where it stands as a whole token, not where
# its letters are part of a longer name. Any other value with something but letters and blanks (digits,
# symbols, mixed: what real credentials look like) is hidden wherever its characters appear, glued to
# others or not (`-pXy7hunter22` on a command line).
_TOKEN = "A-Za-z0-9_-"
_NOT_AFTER_TOKEN = f"(?<![{_TOKEN}])"
_NOT_BEFORE_TOKEN = f"(?![{_TOKEN}])"

# A value of one to three words (`password` in `http://user:password@host`, `something`, `a secret`: what
# docs and tests write for a password, and what a weak one is) is hidden where it stands as a value: in
# quotes, after `=` or `:`, in a URL's user part, as an XML element's text, or last on its line. Not as
# a name in code (`def login(user, password)`), nor in the gate's own sentences ("or a secret store"):
# hidden there, such a value blanked every use of the name in every prompt and the report's own words,
# and a pull request could hide any name of its code from the models by assigning it to a password. A
# passphrase of four words or more is hidden wherever it appears, as other values are.
_MAX_VALUE_WORDS = 3
_PHRASE = re.compile(r"[A-Za-z]++(?: [A-Za-z]++)*+")
# One alternative, its first test a single look behind (most places fail it at once): after a quote, `=`,
# `:` (with a blank or not), `>` or a line's start, the value ends at a quote, `@`, `;`, `,`, `<`, `&` or
# the line's end; after another blank, at the line's end only (a YAML block's value below its key, as a
# file holds it and as a prompt's row shows it: `+13 |   value`).
_AS_VALUE = (
    r"""(?<![^\n"'`=:> \t])(?:(?<![=:][ \t])(?<=[ \t])(?P<blank>))?+""",
    # A line's end is a `\r` too: a file with CRLF line ends, as its rows reach a prompt.
    r"""(?(blank)(?![^\r\n])|(?![^\r\n"'`@;,<&]))""",
)


def _is_word(value: str) -> bool:
    return value.isascii() and value.isalpha()


def _is_plain_value(value: str) -> bool:
    """Words a person writes (a few, letters only), not random letters."""
    return (
        value.isascii()
        and _PHRASE.fullmatch(value) is not None
        and value.count(" ") < _MAX_VALUE_WORDS
        and not _random_letters(value)
    )


def _alternation(values: list[str]) -> str:
    """Other values first (the longer match where a word is a prefix of one), then the random words,
    each between token edges, then the plain words where they stand as a value."""
    plain = [v for v in values if _is_plain_value(v)]
    words = [v for v in values if _is_word(v) and not _is_plain_value(v)]
    others = [v for v in values if not _is_word(v) and not _is_plain_value(v)]
    parts = ["(?:" + _trie(others, 0, bounded=False) + ")"] if others else []
    if words:
        parts.append(_NOT_AFTER_TOKEN + "(?:" + _trie(words, 0, bounded=True) + ")")
    if plain:
        parts.append(_AS_VALUE[0] + "(?:" + _trie(plain, 0, bounded=False) + ")" + _AS_VALUE[1])
    return "|".join(parts)


def _trie(values: list[str], depth: int, *, bounded: bool) -> str:
    """An alternation of `values` (sorted) as a trie on their first `_TRIE_DEPTH` characters; the longest
    value wins where one is a prefix of another (for `bounded` words, the shorter one where the longer
    is not a whole token there)."""
    end = _NOT_BEFORE_TOKEN if bounded else ""
    if depth >= _TRIE_DEPTH or len(values) == 1:
        rests = sorted({v[depth:] for v in values}, key=len, reverse=True)
        alternatives = [re.escape(rest) + end for rest in rests]
        return "(?:" + "|".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0]
    branches: list[str] = []
    ends_here = False
    groups: dict[str, list[str]] = {}
    for v in values:
        if len(v) == depth:
            ends_here = True
        else:
            groups.setdefault(v[depth], []).append(v)
    for char, group in groups.items():
        branches.append(re.escape(char) + _trie(group, depth + 1, bounded=bounded))
    alternation = "|".join(branches)
    if ends_here:  # a value ends here; longer ones were tried first
        return f"(?:{alternation}|{end})"
    return f"(?:{alternation})" if len(branches) > 1 else alternation
