"""The secret scan's shortcuts find what every rule on every line finds.

`scan_lines` and `scan_files` scan only the candidate lines (long random tokens, keyword lines found by
eight short substrings, key formats, the `AP0`-`APF` and other markers), and on each only the rules whose
literals it holds (`gate.redact.prefilter`). The reference here runs every rule on every line: every
detect-secrets plugin with no gate, and the detector's own rules with every rule planned. A hostile
spelling must not slip between the two: `ſ` and `ı` (which a case-insensitive `s` and `i` match), the
Kelvin sign, Unicode spaces before an Artifactory token, full-width letters, tabs, CRLF, very long lines
with the key at a piece's edge, and many lines at once (each distinct line read once).

The report redaction hides remembered values only in the lines a `str.find` pass points to
(`memory.hide_lines`); every field of a redacted tree must be left with nothing `memory.hide` would hide.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from gate.redact import detect, memory, redact_tree
from gate.redact.formats import KEY_FORMATS
from gate.redact.rules import SKIPPED_PLUGINS, detector_rules

_NAMES = ("app/keys.py", "settings.yml", ".env", "notes.md")
# Public addresses are not credentials: neither findings nor remembered (gate.analyzers.secrets).
_IP = "Public IP (ipv4)"


@cache
def _plugins() -> tuple[object, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping = get_mapping_from_secret_type_to_class()
    return tuple(cls() for name, cls in mapping.items() if name not in SKIPPED_PLUGINS)


def _every_rule(line: str, filename: str) -> set[str]:
    """Values every rule finds on the line, each rule run with nothing ruled out first."""
    everything = frozenset(range(len(detector_rules().regex_rules) + len(detector_rules().other_plugins)))
    everything |= frozenset(range(len(everything), len(everything) + len(KEY_FORMATS)))
    hits: dict[str, str] = {}
    step = detect.PIECE_CHARS - detect.PIECE_OVERLAP
    for start in range(0, max(len(line) - detect.PIECE_OVERLAP, 1), step):
        piece = line[start : start + detect.PIECE_CHARS]
        detect._scan_piece(line, piece, start, filename, hits, everything)
    detect._scan_wrapped(line, filename, hits, 0)
    return {
        value
        for value, kind in hits.items()
        if kind != _IP and not any(value != other and value in other for other in hits)
    }


def _detect_secrets_values(line: str, filename: str) -> set[str]:
    """What detect-secrets' own plugins report on the line, ungated (public IPs are not credentials)."""
    out = set()
    for plugin in _plugins():
        for secret in plugin.analyze_line(  # type: ignore[attr-defined]
            filename=detect._keyword_filename(filename), line=line, line_number=0
        ):
            value = secret.secret_value
            if value and len(value) >= detect.MIN_SECRET_CHARS and secret.type != _IP:
                out.add(value)
    return out


def _scanned(lines: list[str], filename: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = [{} for _ in lines]
    for index, hit in detect.scan_lines(lines, filename=filename):
        found[index][hit.value] = hit.kind
    return found


def _credentials(hits: dict[str, str]) -> set[str]:
    return {value for value, kind in hits.items() if kind != _IP}


def _check(lines: list[str]) -> None:
    for name in _NAMES:
        found = _scanned(lines, name)
        for line, hits in zip(lines, found, strict=True):
            assert _credentials(hits) == _every_rule(line, name), (name, line[:120])
            for value in _detect_secrets_values(line, name):
                assert any(value.strip() in v for v in hits), (name, line[:120], value)


_HAND_MADE = [
    'db_pa\u017f\u017fword = "Hx7pQ2vLm9zz"',  # long s: a case-insensitive `s` matches it
    '\u017fecret = "Hx7pQ2vLm9zz"',
    'ap\u0131_key = "Hx7pQ2vLm9zz"',  # dotless i
    'API_\u212aEY = "Hx7pQ2vLm9zz"',  # Kelvin sign
    '\u0130\u0130 password = "Hx7pQ2vLm9zz"',
    'PASSWORD\t=\t"Hx7pQ2vLm9zz"\r',
    "x\u00a0APB12345678",  # no-break space before an Artifactory password
    "x\u2003AKCabcdefghijk",
    "x\x1cAP6abc12345",
    "x\u3000AP9abcdefgh",
    'ｐａｓｓｗｏｒｄ = "Hx7pQ2vLm9zz"',
    "token: ghp_" + "a1" * 18,
    "x = 1  # " + "y" * 5000 + " ghp_" + "B2" * 18,
    "y" * (detect.PIECE_CHARS - 10) + " AKIAIOSFODNN7EXAMPLE",
    "https://user:Hx7pQ2vLm9zz@example.com/",
    "-----BEGIN RSA PRIVATE KEY-----",
]


def test_hand_made_spellings_are_found_as_every_rule_on_every_line_finds_them():
    _check(_HAND_MADE)
    # Many lines: each distinct line is read once.
    _check(_HAND_MADE * 5 + [f"x_{i} = {i}" for i in range(80)])


def test_files_scanned_together_find_what_each_line_alone_finds():
    files = [(name, list(_HAND_MADE)) for name in _NAMES]
    detect.forget_scans()
    found: dict[tuple[int, int], set[str]] = {}
    for file_index, line_index, hit in detect.scan_files(files):
        if hit.kind != _IP:
            found.setdefault((file_index, line_index), set()).add(hit.value)
    for file_index, (name, lines) in enumerate(files):
        for line_index, line in enumerate(lines):
            assert found.get((file_index, line_index), set()) == _every_rule(line, name), (name, line[:80])


_KEYWORDS = [
    "password", "pa\u017f\u017fword", "PASSWD", "\u017fecret", "ap\u0131_key", "api_\u212aey", "token",
    "credential", "auth", "Contraseña", "pwd", "private_key", "db_pass", "ｓｅｃｒｅｔ", "\u0130d",
]  # fmt: skip
_SEPARATORS = [" = ", ": ", "=", " := ", '": "', "\t=\t", " => ", " "]
_VALUES = [
    '"Hx7pQ2vLm9zz"', "Hx7pQ2vLm9zz", "'s3cr3t-v4lue'", "AKIAIOSFODNN7EXAMPLE", "\u00a0APB12345678",
    "\u2028AKCabcdefghijk", "ghp_" + "a1" * 18, "sk_live_" + "x9" * 10, "xoxb-1234567890-abcdefghij",
    "1.2.3.4", "8.8.8.8", "true", "${VAR}", "QUtJQUlPU0ZPRE5ON0VYQU1QTEU=",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "\t", "# ", "- ", "export "]),
            st.sampled_from(_KEYWORDS),
            st.sampled_from(_SEPARATORS),
            st.sampled_from(_VALUES),
            st.sampled_from(["", "\r", " # note", ",", "x"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_assignments_are_found_as_every_rule_on_every_line_finds_them(rows):
    _check(["".join(row) for row in rows])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from("ab19_-=:\"' \t\u00a0\u017f\u0131\u212a\u0130APKCEFprsdwokney"), max_size=40)
    )
)
def test_random_text_is_scanned_as_every_rule_on_every_line_scans_it(lines):
    _check(lines)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("Zq8hunter22swordfish p@:!\u00a0\u0130x\r"), max_size=30), max_size=8),
    st.recursive(
        st.text(st.sampled_from("Zq8hunter22 swordfish\n\r\u0130x"), max_size=40),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
)
def test_every_field_of_a_redacted_tree_holds_no_remembered_value(lines, tree):
    before = set(memory._values)
    try:
        memory.remember(["Zq8hunter22", "swordfish", "p@ss:w0rd!!", "hunter22 swordfish"])
        assert memory.hide_lines(lines) == [memory.hide(line) for line in lines]
        _hidden_everywhere(redact_tree(tree))
    finally:  # the values stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None


def _hidden_everywhere(value: object) -> None:
    if isinstance(value, str):
        assert memory.hide(value) == value, value
    elif isinstance(value, dict):
        for k, v in value.items():
            _hidden_everywhere(k)
            _hidden_everywhere(v)
    elif isinstance(value, list):
        for v in value:
            _hidden_everywhere(v)
