"""The secret detector runs on each piece of text only the rules whose literals the piece holds
(`gate.redact.prefilter`); the hits must be those of running every rule everywhere.

Checked three ways: every rule (detect-secrets' regexes, the plugins' gates, the key formats) is
planned on every piece of the secrets and injection tests' inputs and real files where it matches; the
hits of the planned scan equal the hits of a scan with every rule planned; and the analysis is sound
on tricky patterns over random text, case-insensitive ones included (the Kelvin sign and the long s
match `k` and `s`).
"""

from __future__ import annotations

import random
import re

import pytest

from gate.redact import candidates, detect
from gate.redact.formats import KEY_FORMATS
from gate.redact.prefilter import Prefilter, exact_literals, fold, required_literals
from gate.redact.rules import detector_rules
from tests.golden_findings import injection_files, real_files, secrets_files
from tests.security.candidate_reference import candidates_one_pattern_at_a_time


def _pieces() -> list[tuple[str, str]]:
    files = {**secrets_files(), **injection_files(), **real_files(10)}
    out = []
    for path, text in files.items():
        for line in text.split("\n"):
            for at in range(0, max(len(line), 1), detect.PIECE_CHARS - detect.PIECE_OVERLAP):
                out.append((path, line[at : at + detect.PIECE_CHARS]))
    return out


def _rules() -> list[re.Pattern[str]]:
    d = detector_rules()
    return [r for _, r in d.regex_rules] + [g for _, g in d.other_plugins] + [f.pattern for f in KEY_FORMATS]


def test_every_rule_is_planned_wherever_it_matches():
    pieces = [piece for _, piece in _pieces()]
    plans = detector_rules().prefilter.plans(pieces)
    rules = _rules()
    matched = 0
    for piece, plan in zip(pieces, plans, strict=True):
        for index, rule in enumerate(rules):
            if rule.search(piece):
                matched += 1
                assert index in plan, (rule.pattern[:60], piece[:80])
    assert matched > 150


def test_the_planned_scan_finds_what_every_rule_everywhere_finds():
    everything = frozenset(range(len(_rules())))
    lines = list(dict.fromkeys(piece for _, piece in _pieces() if len(piece) <= detect.PIECE_CHARS))
    for name in ("app/keys.py", "settings.yml", ".env"):
        planned = detect._plans(lines)
        for line in lines:
            a: dict[str, str] = {}
            b: dict[str, str] = {}
            detect._scan_piece(line, line, 0, name, a, planned[line])
            detect._scan_piece(line, line, 0, name, b, everything)
            assert list(a.items()) == list(b.items()), line[:80]


def test_a_key_format_without_a_literal_prefix_finds_the_same_lines():
    lines = [piece for _, piece in _pieces()]
    found = set(candidates.candidate_lines(lines))
    for index, line in enumerate(lines):
        if any(next(fmt.finditer(line), None) for fmt in KEY_FORMATS):
            assert index in found, line[:80]


def test_fold_keeps_every_character_in_place_and_folds_what_an_ascii_letter_matches():
    letter = re.compile("[a-z]", re.IGNORECASE)
    for cp in range(0x80, 0x110000):
        char = chr(cp)
        folded = fold(char)
        assert len(folded) == 1
        if letter.fullmatch(char):
            assert folded.isascii() and re.fullmatch(folded, char, re.IGNORECASE), hex(cp)
        else:
            assert not folded.isascii() or folded == char.lower()


_TRICKY = [
    r"ab(?:cd|ef)gh",
    r"(?:x|)key",
    r"api_?key|secret",
    r"(?<=\W)tok[eE]n\b",
    r"(?:ghp|gho)_[A-Za-z0-9]{4}",
    r"[MNO][a-z]{2}\.x",
    r"(?i)sk_(?:live|test)",
    r"(?i:ab)cd",
    r"k{2,3}s",
    r"(ab)+c\1",
    r"(?:^|\s)AKC[a-z]+(?:\s|$)",
    r"x(?:yz)?w",
    r"(?>pass)word",
    r"[^a]bc",
]


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_required_literals_hold_on_random_text(flags: int):
    rng = random.Random(7)
    alphabet = "abcdeghikostwxyzAKS_-. \n\u017f\u212a\u0130\u0131"
    for source in _TRICKY:
        pattern = re.compile(source, flags)
        need = required_literals(pattern)
        exact = exact_literals(pattern)
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            if rng.random() < 0.5:  # plant a match's worth of the pattern's own letters
                text += "".join(rng.choice(source.replace("\\", "")) for _ in range(6))
            hit = pattern.search(text) is not None
            if need is not None:
                literals, ignore_case = need
                haystack = fold(text) if ignore_case else text
                if hit:
                    assert any(s in haystack for s in literals), (source, text)
            if exact is not None:
                assert hit == any(s in text for s in exact), (source, text)


def test_a_plan_for_many_pieces_is_the_plan_for_each():
    prefilter = Prefilter.of([re.compile(r"ghp_\w+"), re.compile(r"(?i)password"), re.compile(r"\d\.\d")])
    pieces = ["ghp_x PASSWORD", "nothing", "1.2", "PaSSword", "\u212a", "ghp_"]
    plans = prefilter.plans(pieces)
    assert plans == [prefilter.plans([p])[0] for p in pieces]
    assert plans == [
        frozenset({0, 1, 2}),
        frozenset({2}),
        frozenset({2}),
        frozenset({1, 2}),
        frozenset({2}),
        frozenset({0, 2}),
    ]


def test_one_pass_places_every_literal_in_its_piece_wherever_it_ends_however_wide_the_text():
    """The literals are found in one pass of an automaton: a literal inside another (`pass` in
    `password`), one that ends its piece, one after characters outside the BMP (a text four bytes a
    character), each counts in its own piece and in no other."""
    patterns = [r"pass", r"password", r"sword", r"ghp_\w", r"(?i)token"]
    prefilter = Prefilter.of([re.compile(p) for p in patterns])
    pieces = [
        "\U0001f642password",
        "ghp_",
        "x\U0001f642\U0001f642pass",
        "sword\U0001f642ghp_a",
        "",
        "passwor",
        "TOKEN",
    ]
    plans = prefilter.plans(pieces)
    assert plans == [prefilter.plans([p])[0] for p in pieces]
    assert plans == [{0, 1, 2}, {3}, {0}, {2, 3}, set(), {0}, {4}]


def test_a_dotted_capital_i_moves_no_keyword_off_its_line():
    # `İ` lower-cases to two characters: keywords found in the lower-cased text must still be read
    # on their own line, or the line with the password is never scanned.
    lines = ["# " + "\u0130" * 60, 'db_password = "Hx7pQ2vLm9zz"  # café', "x = 1"]
    assert [(i, h.value) for i, h in detect.scan_lines(lines, filename="settings.py")] == [
        (1, "Hx7pQ2vLm9zz")
    ]


def test_hiding_many_lines_at_once_hides_what_hiding_each_line_hides():
    from gate.redact import memory

    before = set(memory._values)
    try:
        memory.remember(["Zq8hunter22", "swordfish", "p@ss:w0rd!!", "two\nlines"])
        lines = [
            "a Zq8hunter22 b",
            "swordfishes",
            "x swordfish y",
            "",
            "-pZq8hunter22x",
            "p@ss:w0rd!!p@ss:w0rd!!",
        ]
        lines += ["two", "lines", "nothing here", "swordfish"]
        assert memory.hide_lines(lines) == [memory.hide(line) for line in lines]
        assert memory.hide_lines(lines)[0] == "a [REDACTED] b"
    finally:  # the values stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None


def test_the_candidate_pass_finds_the_lines_every_pattern_over_the_whole_text_finds():
    lines = [piece for _, piece in _pieces()]
    lines += ["x APF0123456789", "xAPF0123456789", "=AP9abcdefgh", "AP", "Z AKCabc", "PuTTY", "see hf_abc"]
    lines += [
        "API_KEY = 1",
        "my_password: x",
        "Contraseña: y",
        "db-pass",
        "an ordinary line",
        "emoji 🙂 token",
    ]
    assert candidates.candidate_lines(lines) == candidates_one_pattern_at_a_time(lines)


def test_the_keyword_pass_reads_only_the_lines_holding_a_short_string_of_a_keyword():
    # One search of the keyword alternation over a whole change costs several times eight finds of
    # `key`, `pass`, ...; `auth(?!or)` reads past its match, and must not cost the shortcut.
    assert detector_rules().keyword_cover is not None
    lines = ["x = oauth_or_not", "author = me", "authority", "auth", "AUTH = 1", "the authors"]
    lines += ["Authorization: x", "credentials", "no word here"]
    assert candidates.candidate_lines(lines) == candidates_one_pattern_at_a_time(lines)


def test_the_lines_holding_each_literal_found_in_one_pass_are_those_each_literals_own_find_gives():
    """The candidate pass finds the lines holding its literals (`key`, `pass`, `token`, the rules' own)
    with one automaton over the text and one over its folded text: for each literal, the lines are
    those a find of that literal alone gives, inside another literal, at a line's end, after
    characters outside the BMP, on the last line."""
    exact, folded = candidates._literal_finders()
    assert exact.literals and folded.literals
    rng = random.Random(7)
    for side in (exact, folded):
        alphabet = [*side.literals, *(literal[1:] for literal in side.literals), "\U0001f642", "\u0130", "é"]
        alphabet += [" ", "=", "x", "\n"]
        for _ in range(300):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            lines = text.split("\n")
            starts = [0]
            for line in lines:
                starts.append(starts[-1] + len(line) + 1)
            expected = {literal: candidates._holding(text, starts, (literal,)) for literal in side.literals}
            assert side.lines(text, starts) == expected, text
