"""The one table of invisible and bidirectional characters.

The `injection-text` analyzer reports them in added text, and the sanitizer removes them from everything
posted; both read this table, so a character the analyzer knows can never slip through the sanitizer.
They render as nothing (or reorder what is around them) while models and compilers still read them:
Trojan Source (CVE-2021-42574), "ASCII smuggling" with tag characters, and bytes smuggled as a run of
variation selectors after one visible character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# (first, last, what): inclusive code point ranges.
BIDI_RANGES = (
    (0x061C, 0x061C, "ARABIC LETTER MARK"),
    (0x202A, 0x202E, "embeddings and overrides (LRE, RLE, PDF, LRO, RLO)"),
    (0x2066, 0x2069, "isolates (LRI, RLI, FSI, PDI)"),
)
ZERO_WIDTH_RANGES = (
    (0x00AD, 0x00AD, "SOFT HYPHEN"),
    (0x034F, 0x034F, "COMBINING GRAPHEME JOINER"),
    (0x180E, 0x180E, "MONGOLIAN VOWEL SEPARATOR"),
    (0x200B, 0x200F, "zero-width space, non-joiner, joiner; LRM, RLM"),
    (0x2060, 0x2064, "word joiner and invisible operators"),
    (0x206A, 0x206F, "deprecated format characters (symmetric swapping, Arabic form shaping, digit shapes)"),
    (0xFEFF, 0xFEFF, "ZERO WIDTH NO-BREAK SPACE (byte-order mark)"),
    (0xFFF9, 0xFFFB, "interlinear annotation anchor, separator and terminator"),
    (0x1BCA0, 0x1BCA3, "shorthand format controls"),
    (0x1D173, 0x1D17A, "musical beam, tie, slur and phrase controls"),
    # Unicode's other default-ignorable code points: what renders as nothing wherever it stands. The
    # Hangul fillers (U+3164 is a JavaScript identifier that shows as a blank), Khmer's inherent vowels,
    # and the ranges Unicode keeps ignorable though nothing is assigned there yet (a byte a character).
    (0x115F, 0x1160, "Hangul choseong and jungseong fillers"),
    (0x17B4, 0x17B5, "Khmer inherent vowels"),
    (0x2065, 0x2065, "unassigned, default-ignorable"),
    (0x3164, 0x3164, "HANGUL FILLER"),
    (0xFFA0, 0xFFA0, "HALFWIDTH HANGUL FILLER"),
    (0xFFF0, 0xFFF8, "unassigned, default-ignorable"),
    (0xE0080, 0xE00FF, "unassigned, default-ignorable"),
    (0xE01F0, 0xE0FFF, "unassigned, default-ignorable"),
)
TAG_RANGE = (0xE0000, 0xE007F, "tag characters: invisible copies of ASCII")
# A variation selector picks the look of the character before it (an emoji's colour form, a CJK
# ideograph's variant); anywhere else it shows nothing, and 256 of them can spell any byte.
SELECTOR_RANGES = (
    (0x180B, 0x180D, "Mongolian free variation selectors 1-3"),
    (0x180F, 0x180F, "MONGOLIAN FREE VARIATION SELECTOR FOUR"),
    (0xFE00, 0xFE0F, "variation selectors 1-16"),
    (0xE0100, 0xE01EF, "variation selectors 17-256"),
)
# Git, GitHub and most review tools show a file that holds a NUL as binary: none of its text.
NUL_RANGE = (0x0000, 0x0000, "NUL")
RANGES = (NUL_RANGE, *BIDI_RANGES, *ZERO_WIDTH_RANGES, TAG_RANGE, *SELECTOR_RANGES)


def _char_class(ranges: tuple[tuple[int, int, str], ...]) -> str:
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b, _ in ranges)


INVISIBLE = re.compile(f"[{_char_class(RANGES)}]")


def finditer(text: str) -> Iterator[re.Match[str]]:
    """`INVISIBLE.finditer(text)`: the same matches, where they stand in `text`. The one invisible
    character in ASCII is NUL, so a line of ASCII without one holds none, and telling that takes one
    pass in C; the pattern (a class of some thirty ranges, checked a character at a time) reads only
    the other lines. On ten megabytes of code with a non-ASCII character here and there: seven times
    faster."""
    if text.isascii():
        if "\x00" in text:
            yield from INVISIBLE.finditer(text)
        return
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if not line.isascii() or "\x00" in line:
            yield from INVISIBLE.finditer(text, start, end)
        start = end + 1


def holds(text: str) -> bool:
    """Whether `text` holds an invisible character (`INVISIBLE.search(text)`, read as `finditer` reads)."""
    return next(finditer(text), None) is not None


def is_bidi(char: str) -> bool:
    return any(a <= ord(char) <= b for a, b, _ in BIDI_RANGES)


def is_nul(char: str) -> bool:
    return char == "\x00"


def is_tag(char: str) -> bool:
    return TAG_RANGE[0] <= ord(char) <= TAG_RANGE[1]


def is_selector(char: str) -> bool:
    return any(a <= ord(char) <= b for a, b, _ in SELECTOR_RANGES)


def hidden(text: str) -> list[re.Match[str]]:
    """The invisible characters of `text` that hide something: every one but a lone variation selector
    that picks the look of the character before it (the emoji in "❤️", an ideograph's variant), and of
    those picking an ideograph's or a symbol's variant, no more than a name or two on one line holds:
    one selector after each of many characters is a channel for bytes as a run of them is."""
    found = list(finditer(text))
    looks = [m for m in found if _picks_a_look(text, m.start())]
    variants = [m for m in looks if m.group() not in _PRESENTATION]
    shown = (
        {m.start() for m in looks}
        if len(variants) <= MAX_VARIANTS_ON_A_LINE
        else {m.start() for m in looks if m.group() in _PRESENTATION}
    )
    return [m for m in found if m.start() not in shown]


def shown(text: str) -> str:
    """`text` with each character that hides something (`hidden`, line by line) written as its escape
    (`\\U000e0041`, `\\u202e`): for text a model reads. A model reads tag characters as the ASCII they
    copy, and a run of selectors as bytes, where a person sees nothing; escaped, it sees that something
    is hidden there, and an instruction spelled in them is plainly not the code's. A lone selector
    that picks an emoji's or an ideograph's look stays as it is."""
    found = list(finditer(text))
    if not found:
        return text
    # A few variants a line, over many lines, spell as much as a run does: past a line's worth in the
    # whole text, every selector but a presentation one is shown escaped.
    many = sum(1 for m in found if is_selector(m.group()) and m.group() not in _PRESENTATION)
    channel = many > MAX_VARIANTS_ON_A_LINE
    return "\n".join(_shown_line(line, channel) if holds(line) else line for line in text.split("\n"))


def _shown_line(line: str, channel: bool) -> str:
    found = hidden(line)
    if channel:
        looks = [
            m for m in INVISIBLE.finditer(line) if is_selector(m.group()) and m.group() not in _PRESENTATION
        ]
        found = sorted({m.start(): m for m in (*found, *looks)}.values(), key=lambda m: m.start())
    pieces: list[str] = []
    at = 0
    for match in found:
        pieces += (line[at : match.start()], escape(match.group()))
        at = match.end()
    pieces.append(line[at:])
    return "".join(pieces)


def escape(char: str) -> str:
    """One character as Python writes it in a string: `\\x00`, `\\u202e`, `\\U000e0041`."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# The selectors that choose a symbol's text or emoji presentation (VS15, VS16): "❤️", "1️⃣", "☺︎".
_PRESENTATION = frozenset({"\ufe0e", "\ufe0f"})
# Standardized and ideographic variants on one line, past which they are taken for a channel: a name
# written with its family's form of one ideograph (葛󠄀) holds one or two.
MAX_VARIANTS_ON_A_LINE = 4
_KEYCAP_BASES = frozenset("0123456789#*")


def _picks_a_look(text: str, at: int) -> bool:
    """Whether the character at `at` is a variation selector alone after a character that has variants
    of that kind: a presentation selector after a symbol or a keycap's digit, another selector after
    an ideograph or a mathematical symbol. After a letter, a digit or punctuation it picks nothing."""
    char = text[at]
    if not is_selector(char) or at == 0:
        return False
    before, after = text[at - 1], text[at + 1 : at + 2]
    if is_selector(before) or (after and is_selector(after)):
        return False  # a run of selectors: one visible character carrying hidden bytes
    category = unicodedata.category(before)
    if char in _PRESENTATION:
        return category == "So" or category == "Sm" or before in _KEYCAP_BASES
    if char >= "\U000e0100":  # the ideographic variation selectors pick an ideograph's form only
        return _is_ideograph(before)
    if char < "\ufe00":  # Mongolian's select a Mongolian letter's form
        return unicodedata.name(before, "").startswith("MONGOLIAN")
    return category == "Sm" or _is_ideograph(before)


def _is_ideograph(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))
