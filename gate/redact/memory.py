"""Values seen as secrets during the run, hidden wherever they appear again.

A value recognised in one place (a `.env` line read with its file name, a base64 wrapper, a commit
message) can come back where nothing marks it as a secret: a prompt row without its file name, a model's
answer quoting it, a finding's text. Every value the detector finds is remembered here, for as long as
the process runs (a run is one process; remembering longer only hides more), and `hide` replaces each
remembered value in any text wherever it stands as a whole token.

The values are matched by one regular expression built as a trie of their first characters, so the
cost per character of text does not grow with the number of values remembered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

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


def remember(values: Iterable[str]) -> None:
    global _pattern, _generation
    new = {
        v for v in values if MIN_REMEMBERED <= len(v) <= MAX_REMEMBERED and v != REDACTED and v not in _values
    }
    if not new:
        return
    with _lock:
        _values.update(new)
        _pattern = None
        _generation += 1


def known() -> frozenset[str]:
    with _lock:
        return frozenset(_values)


def hide(text: str) -> str:
    """The text with every remembered value replaced by [REDACTED]."""
    if not text or not _values:
        return text
    pattern = _compiled()
    return pattern.sub(REDACTED, text) if pattern is not None else text


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _values:
            _pattern = re.compile(_alternation(sorted(_values)))
        return _pattern


# A value is hidden where it stands as a whole token: not where its characters are part of a longer
# name (a password `secret` must not turn the stage `secrets` or the rule `hard-coded-secret` into
# `[REDACTED]s`). Only edges that are themselves token characters need the check: `:pass@` has none.
_TOKEN = "A-Za-z0-9_-"
_NOT_AFTER_TOKEN = f"(?<![{_TOKEN}])"
_NOT_BEFORE_TOKEN = f"(?![{_TOKEN}])"
_TOKEN_CHAR = re.compile(f"[{_TOKEN}]")


def _alternation(values: list[str]) -> str:
    """The values starting with a token character behind a look-behind, the others as they are."""
    glued = [v for v in values if _TOKEN_CHAR.fullmatch(v[0])]
    free = [v for v in values if not _TOKEN_CHAR.fullmatch(v[0])]
    parts = ([_NOT_AFTER_TOKEN + "(?:" + _trie(glued, 0) + ")"] if glued else []) + (
        ["(?:" + _trie(free, 0) + ")"] if free else []
    )
    return "|".join(parts)


def _end(value: str) -> str:
    return _NOT_BEFORE_TOKEN if _TOKEN_CHAR.fullmatch(value[-1]) else ""


def _trie(values: list[str], depth: int) -> str:
    """An alternation of `values` (sorted) as a trie on their first `_TRIE_DEPTH` characters; the longest
    value wins where one is a prefix of another (and the shorter one where the longer is not a whole
    token there)."""
    if depth >= _TRIE_DEPTH or len(values) == 1:
        ends = sorted({v[depth:]: v for v in values}.items(), key=lambda kv: len(kv[0]), reverse=True)
        rests = [re.escape(rest) + _end(value) for rest, value in ends]
        return "(?:" + "|".join(rests) + ")" if len(rests) > 1 else rests[0]
    branches: list[str] = []
    ended: str | None = None
    groups: dict[str, list[str]] = {}
    for v in values:
        if len(v) == depth:
            ended = v
        else:
            groups.setdefault(v[depth], []).append(v)
    for char, group in groups.items():
        branches.append(re.escape(char) + _trie(group, depth + 1))
    alternation = "|".join(branches)
    if ended is not None:  # a value ends here; longer ones were tried first
        return f"(?:{alternation}|{_end(ended)})"
    return f"(?:{alternation})" if len(branches) > 1 else alternation
