"""Wallet recovery phrases: the twelve to twenty-four words that restore every key of a wallet (BIP-39,
and Electrum's seeds, which use the same words).

A phrase has no literal for the candidate pass to find, nor a long token: it is lowercase words one
space apart. Such stretches are found the way `gate.redact.runs` finds long tokens, by marking each
byte (a lowercase letter or a space, or anything else) and looking for enough marks in a row with
`bytes.find`; only those stretches, a sliver of a change's text, are read word by word.

There, a run of words on BIP-39's English list, one space apart, is a phrase when its checksum holds
(or it carries an Electrum seed version). Written in a sentence (`restore it from the seed legal winner
…`), listed words can stand just before or after it: a run a few words longer is read for a phrase
that starts or ends near its ends. Prose seldom strings twelve listed words together (not
once in 80 MB of Python sources, docs and package descriptions), and then one run in sixteen passes
the checksum of a twelve-word phrase, one in 256 of a twenty-four-word one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from importlib import resources
from itertools import accumulate

from gate.once import once

PHRASE_KIND = "Wallet Recovery Phrase"
MIN_WORDS = 12
MAX_WORDS = 24
# BIP-39's words are 3 to 8 letters long, so the shortest phrase has this many characters.
_SHORTEST = MIN_WORDS * 3 + MIN_WORDS - 1

# Each byte that is a lowercase ASCII letter or a space to `a`, every other one to a line break.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz ")
_MARK = bytes(ord("a") if code in _WORD_BYTES else ord("\n") for code in range(256))
_MARKED = b"a" * _SHORTEST
_HELD_RUN = b"\x01" * MIN_WORDS
_GLUE = re.compile(r"[A-Za-z0-9_]")
# A phrase in a sentence may have this many listed words before it and after it (`from the seed …`).
AROUND = 3
_LENGTHS = range(MIN_WORDS, MAX_WORDS + 1, 3)  # BIP-39's word counts

# The phrases every tutorial prints: Hardhat's, Anvil's and Foundry's development accounts, `ganache
# --deterministic`'s, Truffle's `truffle develop`, and BIP-39's first test vector (all-zero entropy),
# the usual stand-in. Their keys are no one's.
_PUBLISHED = frozenset(
    {
        "test test test test test test test test test test test junk",
        "myth like bonus scare over problem client lizard pioneer submit female collect",
        "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    }
)
# Electrum's seed versions (https://electrum.readthedocs.io/en/latest/seedphrase.html): standard, segwit,
# and the two two-factor kinds, each the start of the seed's HMAC-SHA512 under "Seed version".
_ELECTRUM_VERSIONS = ("01", "100", "101", "102")


@once
def _word_numbers() -> dict[str, int]:
    text = resources.files("gate.data").joinpath("bip39-english.txt").read_text(encoding="utf-8")
    words = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {word: number for number, word in enumerate(words)}


def phrase_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every recovery phrase in `text`, in order."""
    if len(text) < _SHORTEST or text.count(" ") < MIN_WORDS - 1:  # most lines a scan is asked about
        return
    # One byte a character, so a byte's offset is its character's (as in `gate.redact.runs`).
    marked = text.encode("latin-1", "replace").translate(_MARK)
    at = marked.find(_MARKED)
    while at != -1:
        start = marked.rfind(b"\n", 0, at) + 1
        end = marked.find(b"\n", at + _SHORTEST)
        end = len(text) if end == -1 else end
        yield from _in_stretch(text, start, end)
        at = marked.find(_MARKED, end)


def _in_stretch(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The phrases in a stretch of lowercase words and spaces: each run of listed words one space apart
    read in turn. A word glued to a capital, a digit or `_` at the stretch's edge is no word of one."""
    listed = _word_numbers()
    words = text[start:end].split(" ")
    numbers = [listed.get(word, -1) for word in words]
    if start and _GLUE.match(text, start - 1):
        numbers[0] = -1
    if _GLUE.match(text, end):
        numbers[-1] = -1
    held = bytes(number >= 0 for number in numbers)  # 1 for each listed word
    at = held.find(_HELD_RUN)
    if at == -1:
        return
    starts = list(accumulate((len(word) + 1 for word in words), initial=start))
    while at != -1:
        stop = held.find(0, at)
        stop = len(held) if stop == -1 else stop
        run = [(starts[i], starts[i] + len(words[i]), numbers[i]) for i in range(at, stop)]
        yield from _in_run(text, run)
        at = held.find(_HELD_RUN, stop)


def _in_run(text: str, run: list[tuple[int, int, int]]) -> Iterator[tuple[int, int]]:
    """The phrase a run of listed words is; else, in a run a few words longer, the words of every phrase
    that starts or ends within `AROUND` words of the run's ends, as one span where they overlap (one of
    them may be prose words that pass a checksum by chance: hiding them too is the safe side)."""
    if len(run) < MIN_WORDS:
        return
    if len(run) <= MAX_WORDS and _holds(text, run):
        yield run[0][0], run[-1][1]
        return
    if len(run) > MAX_WORDS + 2 * AROUND:
        return
    spans = sorted(
        (first, first + length)
        for length in _LENGTHS
        for first in range(AROUND + 1)
        if first + length <= len(run) <= first + length + AROUND
        and _checksum_holds([number for _, _, number in run[first : first + length]])
        and text[run[first][0] : run[first + length - 1][1]] not in _PUBLISHED
    )
    merged: list[list[int]] = []
    for first, end in spans:
        if merged and first < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([first, end])
    for first, end in merged:
        yield run[first][0], run[end - 1][1]


def _holds(text: str, words: list[tuple[int, int, int]]) -> bool:
    phrase = text[words[0][0] : words[-1][1]]
    if phrase in _PUBLISHED:
        return False
    return _checksum_holds([number for _, _, number in words]) or _electrum_seed(phrase)


def _checksum_holds(numbers: list[int]) -> bool:
    """BIP-39: the words' bits are the entropy, then as many bits of its SHA-256 as a word count's third."""
    if len(numbers) % 3:
        return False
    bits = 0
    for number in numbers:
        bits = bits << 11 | number
    checksum_bits = len(numbers) // 3
    entropy = (bits >> checksum_bits).to_bytes(checksum_bits * 4, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == bits & ((1 << checksum_bits) - 1)


def _electrum_seed(words: str) -> bool:
    digest = hmac.new(b"Seed version", words.encode(), hashlib.sha512).hexdigest()
    return digest.startswith(_ELECTRUM_VERSIONS)
