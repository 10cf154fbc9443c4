"""Redact credentials from text before it is sent to a model, written to a trace, or posted.

Uses the same detector as the `secrets` analyzer (detect-secrets, plus a small table of key formats it
does not know yet), so what is flagged is what is hidden.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

REDACTED = "[REDACTED]"


@dataclass(frozen=True)
class SecretHit:
    kind: str  # detect-secrets plugin name, e.g. "AWS Access Key", or a name from MODERN_KEY_FORMATS
    value: str  # the secret as it appears in the text


# Key formats newer than detect-secrets' plugins (checked against each vendor's documented prefix).
MODERN_KEY_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Anthropic API Key", re.compile(r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{32,}")),
    ("OpenAI Token", re.compile(r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,}")),
    ("GitHub Token", re.compile(r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{55,}")),
    ("Google API Key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Hugging Face Token", re.compile(r"\bhf_[A-Za-z]{34}\b")),
)

# Characters a key can continue with: a regex that stops early (detect-secrets' OpenAI and JWT patterns
# match a prefix of the token) would otherwise leave the rest of the secret in redacted text.
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.]*")
_SKIP = {"Hex High Entropy String", "Base64 High Entropy String"}


@dataclass(frozen=True)
class _Detectors:
    regex_plugins: tuple[object, ...]  # detect-secrets plugins that are a list of regexes
    other_plugins: tuple[tuple[object, re.Pattern[str]], ...]  # plugins with their own analysis, gated
    keywords: re.Pattern[str]  # KeywordDetector's words, for lower-cased text


# Lines that can hold a secret at all: every key format is a long token, or follows a keyword, a URL
# scheme (user:password@host) or a PEM header; Artifactory's "AP..." passwords are the one short token.
# Scanning a whole text for these once is far cheaper than running every plugin on every line
# (10,000 lines of diff must take well under a second).
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_+/=-]{20,}")
# Artifactory tokens and passwords ("AKC…", "AP" and a hex digit, at a token start), key blocks, URLs
# with credentials, Hugging Face tokens: each checked by `_literal_ok`. (AWS key ids are long tokens.)
_CANDIDATE_LITERALS = ("AKC", *(f"AP{c}" for c in "0123456789ABCDEF"), "PRIVATE KEY", "PuTTY", "://", "hf_")


def _literal_ok(text: str, at: int, literal: str) -> bool:
    before = text[at - 1] if at else "\n"
    if literal[0] == "A":
        return before in ' \t\n\r\f\v=:"'
    if literal == "hf_":
        return not (before.isalnum() or before == "_")
    return True


# A long token that is a key, not an identifier: random keys have digits (20 random alphanumerics lack
# one less than 3% of the time), snake_case and camelCase names rarely do.
# Two separate searches, not one `\d.*[A-Za-z]` pattern: that backtracks from every letter of a long
# letters-only token (quadratic: a 60 KB line took about a minute).
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


def _looks_random(token: str) -> bool:
    return _DIGIT.search(token) is not None and _LETTER.search(token) is not None


@lru_cache(maxsize=1)
def _detectors() -> _Detectors:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import DENYLIST

    keywords = re.compile("|".join(DENYLIST))
    gates = {
        "KeywordDetector": re.compile(keywords.pattern, re.IGNORECASE),
        "IPPublicDetector": re.compile(r"\d\.\d"),
    }
    regex_plugins: list[object] = []
    other: list[tuple[object, re.Pattern[str]]] = []
    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    for name, cls in mapping.items():
        if name in _SKIP:
            continue
        plugin: object = cls()
        plugin_name = type(plugin).__name__
        if plugin_name in gates or not getattr(plugin, "denylist", None):
            other.append((plugin, gates.get(plugin_name, re.compile(""))))
        else:
            regex_plugins.append(plugin)
    return _Detectors(tuple(regex_plugins), tuple(other), keywords)


def find_secrets(line: str, *, filename: str = "") -> Iterator[SecretHit]:
    """Secrets on one line of text: every detect-secrets plugin but the noisy entropy ones, and the
    modern key formats. Where two hits overlap, the longer one wins. `filename`, when known, lets the
    keyword rule read config syntax (`password: value` in YAML, `KEY=value` in .env) without quotes."""
    if len(line) > 10_000:
        line = line[:10_000]
    detectors = _detectors()
    hits: dict[str, str] = {}
    for plugin in detectors.regex_plugins:
        kind = str(getattr(plugin, "secret_type", type(plugin).__name__))
        # Take the whole token, not a short capture group such as "ghp".
        for regex in getattr(plugin, "denylist", ()):
            for m in regex.finditer(line):
                value = _extend(line, _token(m), m)
                if len(value) >= 6:
                    hits.setdefault(value, kind)
    for plugin, gate in detectors.other_plugins:
        if not gate.search(line):
            continue
        kind = str(getattr(plugin, "secret_type", type(plugin).__name__))
        try:
            found = plugin.analyze_line(  # type: ignore[attr-defined]
                filename=_keyword_filename(filename), line=line, line_number=0
            )
        except Exception:
            continue
        for secret in found:
            value = secret.secret_value
            if value and len(value) >= 6 and value in line:
                hits.setdefault(value, kind)
    for kind, regex in MODERN_KEY_FORMATS:
        for m in regex.finditer(line):
            hits[m.group(0)] = kind  # more specific than a generic keyword hit on the same value
    for value, kind in sorted(hits.items(), key=lambda item: -len(item[0])):
        if not any(value != other and value in other for other in hits):
            yield SecretHit(kind=kind, value=value)


def _keyword_filename(filename: str) -> str:
    """detect-secrets reads unquoted values only in files it knows as config; .env files are config too."""
    name = filename.rsplit("/", 1)[-1].lower()
    if name.startswith(".env") or name.endswith(".env") or name.endswith((".envrc", ".conf")):
        return "settings.ini"
    return filename


def scan_lines(lines: Sequence[str], *, filename: str = "") -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for every secret in the lines: the same hits as find_secrets on each line, found by
    scanning the joined text once for candidate lines first."""
    for index in _candidate_lines(lines):
        for hit in find_secrets(lines[index], filename=filename):
            yield index, hit


def scan_files(files: Sequence[tuple[str, Sequence[str]]]) -> Iterator[tuple[int, int, SecretHit]]:
    """(file index, line index, hit) for every secret in several files' lines, scanned as one text:
    one pass of each candidate pattern over the whole change instead of one per file."""
    lines: list[str] = []
    offsets: list[int] = []  # index of each file's first line in `lines`
    for _, file_lines in files:
        offsets.append(len(lines))
        lines.extend(file_lines)
        lines.append("")  # a file boundary: no candidate spans it
    for index in _candidate_lines(lines):
        file_index = bisect.bisect_right(offsets, index) - 1
        line_index = index - offsets[file_index]
        if line_index < len(files[file_index][1]):
            for hit in find_secrets(lines[index], filename=files[file_index][0]):
                yield file_index, line_index, hit


def _candidate_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that a candidate pattern touches, in order."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    candidates: set[int] = set()

    def touch(start: int, end: int) -> None:
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(end - 1, start)) - 1
        candidates.update(range(first, last + 1))

    for m in _LONG_TOKEN.finditer(text):
        if _looks_random(m.group(0)):
            touch(m.start(), m.end())
    for m in _detectors().keywords.finditer(text.lower()):
        touch(m.start(), m.end())
    # Literal markers are found with str.find: an alternation of literals is several times slower.
    for literal in _CANDIDATE_LITERALS:
        at = text.find(literal)
        while at != -1:
            if _literal_ok(text, at, literal):
                touch(at, at + len(literal))
            at = text.find(literal, at + 1)
    return [index for index in sorted(candidates) if index < len(lines)]


def _token(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    best = max(groups, key=len) if groups else match.group(0)
    return best if len(best) >= 8 else match.group(0)


def _extend(line: str, value: str, match: re.Match[str]) -> str:
    """The value run on to the end of its token, when the pattern matched the token's start only."""
    if value != match.group(0) or not value or (not value[-1].isalnum() and value[-1] not in "._-"):
        return value
    tail = _TOKEN_TAIL.match(line, match.end())
    return value + tail.group(0) if tail else value


def redact(text: str) -> str:
    """Text with every detected secret replaced by [REDACTED]."""
    if not text:
        return text
    return "\n".join(redact_lines(text.split("\n")))


def redact_lines(lines: Sequence[str]) -> list[str]:
    """Each line with its secrets replaced; consecutive lines, so a private key's body is seen whole."""
    out = _redact_key_blocks(lines)
    found: dict[int, list[SecretHit]] = {}
    for index, hit in scan_lines(out):
        found.setdefault(index, []).append(hit)
    for index, hits in found.items():
        for hit in sorted(hits, key=lambda h: -len(h.value)):
            out[index] = out[index].replace(hit.value, REDACTED)
    return out


# detect-secrets flags a private key by its BEGIN line only; the key itself is the base64 body that
# follows, one line at a time, which no line-by-line detector recognises. Inside a block, a line that
# ends in one base64 token (after a prefix such as a diff marker, a line number or a quote) is key
# material. A block ends at its END line, at any other line, or after MAX_KEY_LINES, so a stray BEGIN
# line cannot hide the rest of a diff from reviewers.
_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_KEY_LINE = re.compile(r"^(?P<prefix>|.*?[\s|\"'`])(?P<body>[A-Za-z0-9+/]{4,}={0,2})[\s\"'`,;\\]*$")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
MAX_KEY_LINES = 200


def _redact_key_blocks(lines: Sequence[str]) -> list[str]:
    out = list(lines)
    remaining = 0
    for i, line in enumerate(out):
        begin = _KEY_BEGIN.search(line)
        if begin is not None:
            end = _KEY_END.search(line, begin.end())
            stop = end.start() if end else len(line)
            # A one-line key ("-----BEGIN ... KEY-----MIIE...-----END ...") or text after the marker.
            out[i] = line[: begin.end()] + _KEY_MATERIAL.sub(REDACTED, line[begin.end() : stop]) + line[stop:]
            remaining = 0 if end else MAX_KEY_LINES
            continue
        if remaining == 0:
            continue
        if _KEY_END.search(line):
            remaining = 0
            continue
        m = _KEY_LINE.match(line)
        if m is None:
            remaining = 0
            continue
        out[i] = line[: m.start("body")] + REDACTED + line[m.end("body") :]
        remaining -= 1
    return out
