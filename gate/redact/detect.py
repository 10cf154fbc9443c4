"""The secret detector: detect-secrets' plugins, the documented key formats, config assignments read by
the file's syntax, and base64-wrapped keys; over lines of any length.

A line longer than `PIECE_CHARS` is scanned in pieces that overlap by `PIECE_OVERLAP`, so no column is
out of reach and the work stays linear in the line's length. Every value found is remembered for the
rest of the run (`gate.redact.memory`), so it is hidden wherever it appears again.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, takewhile

from gate.redact import der, memory
from gate.redact.blocks import opens_block, worth_remembering
from gate.redact.candidates import candidate_lines, looks_random
from gate.redact.formats import (
    CREDENTIAL_NAME,
    KEY_FORMATS,
    NAME_VALUE_KIND,
    PLACED_FORMATS,
    WALLET_KEY_LINE,
    WALLET_KIND,
    WALLET_NOT_AFTER,
    WALLET_OPENED,
    starts_whole,
    unpublished_key,
    written_value,
)
from gate.redact.phrases import PHRASE_KIND, phrase_spans
from gate.redact.prefilter import required_characters
from gate.redact.rules import CONFIG_NAMES, detector_rules
from gate.redact.wrapped import wrapped_strings

# Pieces of a long line: a key is far shorter than the overlap, so each one lies whole in some piece.
PIECE_CHARS = 2048
PIECE_OVERLAP = 512
# A base64 token is decoded up to this many characters: wrapped credentials are short; a longer blob
# (an image, a bundle) is data, and decoding it whole would cost without finding anything more.
MAX_WRAPPED_CHARS = 16_384
MIN_SECRET_CHARS = 6
# Commit messages, PR titles and bodies, linked issues and specs are read with config syntax too, under
# this name: `password: ...` in a PR body is as much a secret as in a YAML file. A value found there is
# hidden where it stands, and remembered for the run only when it is shaped as a credential
# (`gate.redact.memory.only_credentials`): the PR's author writes that prose.
MESSAGE_FILENAME = "message.env"


@dataclass(frozen=True)
class SecretHit:
    kind: str  # detect-secrets plugin name, e.g. "AWS Access Key", or a kind from KEY_FORMATS
    value: str  # the secret as it appears in the text
    # A private key written over lines: its pieces on the lines below `value`'s, to be remembered whatever
    # their shape where the key is code the change adds (`gate.redact.learn_changeset`).
    pieces: tuple[str, ...] = ()


# detect-secrets' kind for a private key; a DER key written as one base64 run is reported as one too.
PRIVATE_KEY_KIND = "Private Key"

# Characters a key can continue with: a regex that stops early (detect-secrets' OpenAI and JWT patterns
# match a prefix of the token) would otherwise leave the rest of the secret in redacted text.
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.]*")
# The kind of a value found by the name it is assigned to (a config file's, code's), not by its form.
_KEYWORD_KIND = "Secret Keyword"

# Config syntax (`.env`, INI, properties, YAML, TOML, JSON): `NAME = value`, `NAME: value`, `"name":
# "value"`, where the name says it holds a credential (`gate.redact.rules`): in config files only.
_CONFIG_NAME = re.compile(CONFIG_NAMES, re.IGNORECASE)
# A value as config syntax writes it: quoted, to its closing quote (a backslash escapes the character
# after it, and the other quote is part of the value: `"Xk9m\\"7qR"`); or bare, to a blank or a comment,
# a quote inside it kept (YAML's plain `Rb7n'8cV`), never opening a map or a list (`{`, `[`). A bare
# value's quotes at its end are the line's (`"PASSWORD=x"`): `_assigned` drops them.
_VALUE = (
    r"""(?:(?P<q>["'])(?P<quoted>(?:[^"'\\\n]|\\.|(?!(?P=q))["']){1,200}+)(?P=q)"""
    r"""|["']?(?P<value>[^\s"'#,;{}\[\]][^\s#,;]*+))"""
)
# A YAML anchor or tag may stand between a name and its value (`password: &pw …`, `token: !!str …`).
_CONFIG_ASSIGNMENT = re.compile(
    r"""^\s*[-+]?\s*(?:(?:export|ENV|ARG)\s+)?["']?(?P<name>[A-Za-z0-9_.\-]{1,120})["']?\s*[:=]\s*"""
    rf"""(?:[&!][^\s]{{0,64}}\s+){{0,2}}{_VALUE}"""
)
# More `NAME=value` pairs on the line: `ENV A=x B=y` in a Dockerfile, `export A=x B=y` in a shell script.
_CONFIG_PAIR = re.compile(rf"""\s["']?(?P<name>[A-Za-z0-9_.\-]{{1,120}})={_VALUE}""")
# A pair inside an inline table or a flow map, after its `{` or a `,`: compact JSON's `{"token": "…"}`,
# TOML's `sentry = { dsn = "…", auth_token = "…" }`, YAML's `notifier: {url: …, token: …}`. A bare value
# ends at the map's `}` or `]` too.
_INLINE_PAIR = re.compile(
    r"""[{,][ \t]*+(?P<nq>["']?)(?P<name>[A-Za-z0-9_.\-]{1,120}+)(?P=nq)[ \t]*+[:=][ \t]*+"""
    r"""(?:(?P<q>["'])(?P<quoted>(?:[^"'\\\n]|\\.|(?!(?P=q))["']){1,200}+)(?P=q)"""
    r"""|(?P<value>[^\s"'#,;{}\[\]][^\s#,;{}\[\]]*+))"""
)
# The characters a quoted value's first word runs over, as a bare value's: a quoted value with blanks
# counts only when that word alone would (`"Paste your token here"` is prose).
_FIRST_WORD = re.compile(r"""[^\s"'#,;]*""")
# Where a quoted value of several words reads as a sentence: a full stop, a comma or a colon between
# its clauses or at its end.
_SENTENCE = re.compile(r"[.,;:](?:\s|$)")
# A string literal's prefix and its opening quote, as a bare config value reads them (`u"…`, `rb'…`).
_PREFIXED_QUOTE = re.compile(r"""[rRbBuUfF]{1,2}+(["'])""")
# A name, then its value after spaces: a Dockerfile's older `ENV NAME value`, and a `.properties` line.
_DOCKER_ENV_SPACED = re.compile(
    r"""^\s*ENV\s+(?P<name>[A-Za-z0-9_.\-]{1,120})\s+["']?(?P<value>[^\s"'#]{8,})"""
)
_PROPERTY_SPACED = re.compile(r"""^\s*(?P<name>[A-Za-z0-9_.\-]{1,120})[ \t]+(?P<value>[^\s=:]\S{7,})""")
# Words that name a credential in a config file but are also common in other names (`SMTP_PASS`,
# `GPG_PASSPHRASE`, `ENCRYPTION_KEY` against `SORT_KEY`): their value counts only when it looks random.
_LOOSE_WORDS = frozenset({"pass", "passphrase", "key", "cred", "creds"})
# Keys that are public by name (`GPG_KEY`: a signing key's fingerprint, as official images' Dockerfiles
# set it), and the last words of names that say where a credential is kept rather than what it is.
_PUBLIC_WORDS = frozenset({"gpg", "pgp", "public", "pub", "fingerprint"})
_PLACE_WORDS = frozenset({"file", "path", "dir", "directory"})
# The last words of names that say what a value tells about a credential, not the credential: its type,
# its name, its hash, its alias, the object or the field that holds it (`secret_type = "AWS Access Key"`,
# `secret_manager_name="my_vault"`, `"api_key_hash": "STRING"`, `user_api_key_dict: "UserAPIKeyAuth"`).
_DESCRIBING_WORDS = frozenset({"type", "kind", "name", "label", "hash", "alias", "dict", "field", "header"})
# A name and what gives it a value (`=`, `:`, `==`, `=>`, `:=`, a JSON key's closing quote), before a
# quoted value.
_NAMED_VALUE = re.compile(
    r"""(?P<name>[A-Za-z_$][\w$.-]{0,120})["'`]?[ \t]*(?:[:=!]=|=>|[:=])[ \t]*[rRbBuUfF]{0,2}["'`]\Z"""
)
# How far before a value its name is looked for: the name's bound, and what stands between.
_NAMED_VALUE_REACH = 160
_FINGERPRINT = re.compile(r"(?:0x)?(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})")
_PATH = re.compile(r"(?:/|\./|\.\./|~/|[A-Za-z]:[\\/])[^\s]*")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_IDENTIFIER = re.compile(r"[a-z0-9]+(?:[_.][a-z0-9]+)+|[A-Z0-9]+(?:_[A-Z0-9]+)+")
_PATTERN_CHARS = frozenset("()[]{}?*|\\^$")
_LOOSE_HINT = re.compile(r"pass|key|cred", re.IGNORECASE)  # lines of a config file that may hold such a name
# Code: a string literal given to a name that says it holds a credential, in the syntaxes the keyword
# rules do not read (an annotation, a string prefix, `:=`, a name they lack such as `token`):
# `TWILIO_AUTH_TOKEN = "…"`, `db_password: str = r"…"`, `const token = "…"`, `token := "…"`, `String
# token = "…";`, `Client(token="…")`, `{"auth_token": "…"}`, `'api_token' => '…'`. Code names more things
# `token` or `key` than a config file does: only a value that looks like a key counts (`_code_value`).
_PY_NAME = re.compile(r"passw(?:or)?d|pwd|secret|api_?key|private_?key|access_?key|credential", re.IGNORECASE)
_CODE_ASSIGNMENT = re.compile(
    r"""(?<![\w.$-])(?P<nq>["']?)(?P<name>[A-Za-z_$][\w$]{0,80}+(?:\.[A-Za-z_$][\w$]{0,80}+){0,8}+)(?P=nq)"""
    # A type between the name and `=` (`token: str = …`, `token: string = …`).
    r"""[ \t]*+(?::[ \t]*+[A-Za-z_][\w.\[\]<>, |]{0,80}?[ \t]*+(?==))?"""
    r"""(?P<op>:=|=>|=(?![=~])|:)[ \t]*+[rRbBuU@]{0,2}+"""
    r"""(?P<q>["'`])(?P<value>(?:[^"'`\\\n]|\\.|(?!(?P=q))["'`]){1,200}+)(?P=q)"""
)
# Words that end a credential's name in code (`authToken`, `TWILIO_AUTH_TOKEN`, `DB_PASSWORD`); `key`
# only after one of `_KEY_OWNERS` (`API_KEY`, `secretKey`, not `cacheKey`).
_CODE_WORDS = frozenset(
    {"token", "auth", "password", "passwd", "pwd", "passphrase", "secret", "credential", "credentials",
     "apikey"}
)  # fmt: skip
_KEY_OWNERS = frozenset({"api", "private", "access", "secret", "auth", "client", "signing", "master"})
_STRING_ASSIGNED = re.compile(r"""(?::=|=>|=|:)[ \t]*+[rRbBuU@]{0,2}+["'`]""")
# Shell's `export API_TOKEN=…` (in a README's instructions too) and a Makefile's `API_TOKEN := …`: a bare
# value, read as in code.
_EXPORT = re.compile(
    r"""^[ \t]*+(?:\$[ \t]++)?export[ \t]++(?P<name>[A-Za-z_][A-Za-z0-9_]{0,120}+)="""
    r"""["']?(?P<value>[^\s"'#;&|]+)"""
)
_MAKE_ASSIGNMENT = re.compile(
    r"""^(?:(?:export|override)[ \t]++)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,120}+)[ \t]*+(?:::?=|\?=|\+=|=)"""
    r"""[ \t]*+["']?(?P<value>[^\s"'#;]+)"""
)
_CONFIG_SUFFIXES = (
    ".env", ".envrc", ".ini", ".cfg", ".conf", ".properties", ".toml", ".yml", ".yaml", ".json", ".tfvars",
    ".pypirc", ".npmrc", ".yarnrc", ".sh", ".bash", ".zsh",  # shell assigns `NAME=value` as a .env file does
    ".service",  # a systemd unit's `Environment=A=x DB_PASSWORD=y`: each pair after the first
)  # fmt: skip
# A netrc file's `password` token, on a line of its own or after `machine` and `login` on the same one.
_NETRC_NAMES = frozenset({".netrc", "_netrc", "netrc"})
_NETRC_PASSWORD = re.compile(r"(?<![^\s])password[ \t]+(?P<value>[^\s]+)")
# Whether a value is written out, not a placeholder (`${PW}`, `<password>`, `****`), as the placed
# formats judge one.
_WRITTEN_OUT = next(fmt for fmt in PLACED_FORMATS if fmt.kind == "netrc Password").accept or bool
# A PostgreSQL password file's `host:port:database:user:password` lines (`\:` escapes a colon): the port is
# a number or `*`, and the password is the rest of the line.
_PGPASS_LINE = re.compile(
    r"""^(?:[^:\\\s#]|\\.)(?:[^:\\\s]|\\.)*+:(?:\d{1,5}|\*)(?::(?:[^:\\]|\\.)++){2}:(?P<value>\S(?:.*\S)?)"""
)
_NOT_A_VALUE = re.compile(r"^(?:true|false|null|none|yes|no)$|^\$|^\{\{|^<|^%\(", re.IGNORECASE)

_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
_PRINTABLE = re.compile(r"[\x20-\x7e\t\r\n]")


Plans = dict[str, frozenset[int]]  # a piece of text and the rules (by their `prefilter` number) to run on it


def _plans(pieces: Sequence[str]) -> Plans:
    """The rules that can match in each piece, found for all the pieces at once."""
    return dict(zip(pieces, detector_rules().prefilter.plans(pieces), strict=True))


def find_secrets(
    line: str, *, filename: str = "", _depth: int = 0, _plans: Plans | None = None
) -> Iterator[SecretHit]:
    """Secrets on one line of text: every detect-secrets plugin but the noisy entropy ones, the
    documented key formats, config assignments and base64-wrapped keys. Where two hits overlap, the
    longer one wins. `filename`, when known, lets the rules read config syntax (`password: value` in
    YAML, `KEY=value` in .env) without quotes. Every value found is remembered for the run.

    A long line is scanned once: the run reads the change's lines up front (to learn its secrets) and
    the `secrets` stage reads them again, and a megabyte line costs seconds; its hits are kept.

    `_plans`, from `_plans()` over many lines at once, says which rules can match on each line; a line
    it does not cover is planned on its own."""
    if len(line) > PIECE_CHARS:
        key = (line, filename, _depth)
        cached = _LONG_LINE_HITS.get(key)
        if cached is None:
            cached = tuple(_find_secrets(line, filename, _depth, None))
            if len(_LONG_LINE_HITS) >= LONG_LINE_CACHE_SIZE:
                _LONG_LINE_HITS.pop(next(iter(_LONG_LINE_HITS)))
            _LONG_LINE_HITS[key] = cached
        else:
            with memory.only_credentials(filename == MESSAGE_FILENAME):
                memory.remember(hit.value for hit in cached)
        yield from cached
        return
    yield from _find_secrets(line, filename, _depth, _plans)


# Hits of one line beyond which a value held inside another is no longer dropped (see `_find_secrets`).
_NESTED_CHECKED = 64

# Hits of the last long lines scanned (a line over PIECE_CHARS), oldest dropped first.
LONG_LINE_CACHE_SIZE = 64
_LONG_LINE_HITS: dict[tuple[str, str, int], tuple[SecretHit, ...]] = {}


def _find_secrets(line: str, filename: str, _depth: int, plans: Plans | None) -> Iterator[SecretHit]:
    # Prose: what is found in it is hidden there, and remembered only when shaped as a credential.
    with memory.only_credentials(filename == MESSAGE_FILENAME):
        found = _line_hits(line, filename, _depth, plans)
    yield from found


def _line_hits(line: str, filename: str, _depth: int, plans: Plans | None) -> list[SecretHit]:
    hits: dict[str, str] = {}
    if len(line) <= PIECE_CHARS:
        plan = plans.get(line) if plans is not None else None
        if plan is None:
            plan = _plans([line])[line]
        _scan_piece(line, line, 0, filename, hits, plan)
    else:
        step = PIECE_CHARS - PIECE_OVERLAP
        starts = range(0, len(line) - PIECE_OVERLAP, step)
        pieces = [line[start : start + PIECE_CHARS] for start in starts]
        candidates = candidate_lines(pieces)  # the pieces where any rule could match
        piece_plans = _plans([pieces[index] for index in candidates])
        for index in candidates:
            _scan_piece(line, pieces[index], starts[index], filename, hits, piece_plans[pieces[index]])
    if _is_pgpass(filename):
        # Read on the whole line, not in pieces: the password is the rest of a line of any length.
        _scan_pgpass(line, hits)
    if _depth < 2:
        _scan_wrapped(line, filename, hits, _depth)
        if filename.lower().endswith(".ipynb"):
            _scan_notebook_source(line, hits, _depth)
    ordered = sorted(hits.items(), key=lambda item: -len(item[0]))
    if len(hits) <= _NESTED_CHECKED:
        ordered = [(v, kind) for v, kind in ordered if not any(v != other and v in other for other in hits)]
    # Past that many, a value inside a longer one is kept too: the comparison is quadratic, and a line
    # of thousands of `NAME_KEY=…` pairs would stall the run. The longer values come first, so redacting
    # in this order hides each whole before a value inside it is looked for.
    found = [SecretHit(kind=kind, value=value) for value, kind in ordered]
    # Every value, also one inside a longer hit: `sk_live_…` is hidden where `.txt` does not follow it.
    memory.remember(hits.keys())
    return found


def _scan_piece(
    line: str, piece: str, offset: int, filename: str, hits: dict[str, str], plan: frozenset[int]
) -> None:
    """Add the hits of one piece of `line` (at `offset`); a hit that reaches the piece's end is run on to
    the end of its token in the whole line. Only the rules in `plan` are run: the others cannot match
    in this piece (`gate.redact.prefilter`)."""

    def add(value: str, kind: str, *, override: bool = False) -> None:
        at = piece.find(value)
        if at != -1 and at + len(value) == len(piece) and offset + len(piece) < len(line):
            tail = _TOKEN_TAIL.match(line, offset + len(piece))
            value += tail.group(0) if tail else ""
        if len(value) >= MIN_SECRET_CHARS:
            if override:
                hits[value] = kind
            else:
                hits.setdefault(value, kind)

    detectors = detector_rules()
    rules = sorted(plan)  # in the rules' order: the first kind found for a value is the one kept
    regex_count = len(detectors.regex_rules)
    gates_end = regex_count + len(detectors.other_plugins)
    for rule in rules:
        if rule >= regex_count:
            break
        kind, regex = detectors.regex_rules[rule]
        # Take the whole token, not a short capture group such as "ghp".
        for m in regex.finditer(piece):
            add(_extend(piece, _token(m), m), kind)
    for rule in rules:
        if rule < regex_count:
            continue
        if rule >= gates_end:
            break
        plugin, gate = detectors.other_plugins[rule - regex_count]
        if not gate.search(piece):
            continue
        if plugin is detectors.keyword_plugin and not _keyword_rules_may_match(filename, piece):
            continue
        kind = str(getattr(plugin, "secret_type", type(plugin).__name__))
        try:
            found = plugin.analyze_line(  # type: ignore[attr-defined]
                filename=_keyword_filename(filename), line=piece, line_number=0
            )
        # A third-party plugin failing on odd input must not stop the scan of the rest.
        except Exception:
            continue
        for secret in found:
            value = secret.secret_value
            if not value or value not in piece:
                continue
            if plugin is detectors.keyword_plugin and _describes(piece, value):
                continue
            add(value, kind)
    for value in _config_values(piece, filename):
        add(value, _KEYWORD_KIND)
    for start, end in phrase_spans(piece):
        add(piece[start:end], PHRASE_KIND, override=True)  # a passphrase's name may have found it first
    if _is_netrc(filename):
        for m in _NETRC_PASSWORD.finditer(piece):
            if _WRITTEN_OUT(m.group("value")):
                add(m.group("value"), "netrc Password")
    # A format outside the plan has no match here; so where no format is planned, the combined pattern
    # below has none either.
    for rule in rules:
        if rule < gates_end:
            continue
        fmt = KEY_FORMATS[rule - gates_end]
        for m in fmt.finditer(piece):
            add(fmt.value(m), fmt.kind, override=True)  # more specific than a keyword hit on the same value


def _scan_pgpass(line: str, hits: dict[str, str]) -> None:
    found = _PGPASS_LINE.match(line)
    if found and _WRITTEN_OUT(found.group("value")):
        hits.setdefault(found.group("value"), "pgpass Password")


def _config_values(piece: str, filename: str) -> Iterator[str]:
    """The values a config file's (or a code file's) line assigns to names that say they hold a
    credential, in the syntaxes detect-secrets' keyword rules do not read."""
    if not is_config_file(filename):
        # Code assigns a credential as a string, or bare after `export` or in a Makefile.
        if '"' in piece or "'" in piece or "`" in piece or "export" in piece or _is_makefile(filename):
            yield from _code_values(piece, filename)
        return
    pairs = [m for m in (_CONFIG_ASSIGNMENT.match(piece) or _spaced_assignment(piece, filename),) if m]
    if "=" in piece:
        pairs.extend(_CONFIG_PAIR.finditer(piece, pairs[0].end() if pairs else 0))
    if "{" in piece or "," in piece:
        pairs.extend(_INLINE_PAIR.finditer(piece))
    for pair in pairs:
        name, value = pair.group("name"), _assigned(pair)
        if value is None or _NOT_A_VALUE.search(value) or _names_a_place(name, value):
            continue
        if _CONFIG_NAME.search(name) or _loose_secret(name, value):
            yield value


def _assigned(pair: re.Match[str]) -> str | None:
    """The value a config pair assigns, if it is long enough to be a credential: 8 characters, and a
    quoted value with blanks only when its first word is (a bare value is a word). A bare value that
    opens a prefixed string (`u"correct horse …"`, `b'…'`) is that string, to its closing quote."""
    quoted = pair.group("quoted") if "quoted" in pair.re.groupindex else None
    value = pair.group("value")
    if quoted is None and value and (opened := _PREFIXED_QUOTE.match(value)) is not None:
        start = pair.start("value") + opened.end()
        close = pair.string.find(opened.group(1), start)
        if close != -1:
            quoted = pair.string[start:close]
    if quoted is not None:
        return _assigned_quoted(quoted, pair.group("name"))
    value = value.rstrip("\"'") if value else ""
    return value if len(value) >= 8 else None


def _assigned_quoted(quoted: str, name: str) -> str | None:
    """A quoted value a config pair assigns to `name`: whole when it is one word of 8 characters or
    more, or a passphrase whose first word is, or any passphrase given to a password's name (as
    detect-secrets reads a plain quoted one); a sentence (a schema's description) is no credential, and
    only its first word is taken, as a bare value's would be. A passphrase of many words is still whole:
    a part of it hidden leaves the rest to read."""
    first = _FIRST_WORD.match(quoted)
    word = first.group() if first is not None else ""
    if not _BLANK.search(quoted):
        return quoted if len(quoted) >= 8 else None
    if len(word) < 8:
        return quoted if _passphrase(name, quoted) else None
    return word if _SENTENCE.search(quoted) else quoted


def _code_values(piece: str, filename: str) -> Iterator[str]:
    """The string literals a line of code gives to names that say they hold a credential, and a bare
    value `export` or a Makefile assigns to one, where the value looks like a key (`_code_value`)."""
    # Most lines the candidate pass gives hold no string after an operator at all: one search says so.
    found = list(_CODE_ASSIGNMENT.finditer(piece)) if _STRING_ASSIGNED.search(piece) else []
    bare = _EXPORT.match(piece) if "export" in piece else None
    if bare is None and _is_makefile(filename):
        bare = _MAKE_ASSIGNMENT.match(piece)
    if bare is not None:
        found.append(bare)
    if not found:
        return
    python = filename.endswith(".py")
    for match in found:
        name, value = match.group("name"), match.group("value")
        if python and match.re is _CODE_ASSIGNMENT and match.group("op") == ":" and not match.group("nq"):
            continue  # an annotation (`auth: "Saml2_Auth"`): in Python only a dict's quoted key takes `:`
        named = _code_name(name) or (python and _PY_NAME.search(name) is not None)
        if named and (_code_value(name, value) or _passphrase(name, value)):
            yield value


def _code_name(name: str) -> bool:
    """Whether a name in code ends in a credential's word (`_CODE_WORDS`): its last word, digits kept
    with it (`auth0` is a name of its own)."""
    words = [word.lower() for word in _CODE_NAME_WORDS.findall(name.rsplit(".", 1)[-1])]
    if not words:
        return False
    if words[-1] in _CODE_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_OWNERS


def _code_value(name: str, value: str) -> bool:
    """A value written out that looks like a key: 8 characters or more, letters and digits, no blank,
    not a name, a path, a URL, a pattern, a colour (`#f8f8f2`) or a stand-in that says what it is
    (`password1`); not where a credential is kept. An escaped quote or backslash is part of a key
    written in a string (`"Wd3f\\"9kL2"`), not a pattern's syntax."""
    if len(value) < 8 or _BLANK.search(value) or _COLOUR.fullmatch(value) or "password" in value.lower():
        return False
    unescaped = _ESCAPED_QUOTE.sub("", value) if "\\" in value else value
    return _random_value(unescaped) and written_value(value) and not _names_a_place(name, value)


def _passphrase(name: str, value: str) -> bool:
    """A passphrase written out for a name that ends in a password's word (`password`, `passphrase`,
    `secret`): a few words, not a sentence (`_SENTENCE`), not a placeholder. detect-secrets' keyword
    rules read such a string plain, not behind a prefix (`b"…"`) or an operator they lack (`:=`)."""
    words = _CODE_NAME_WORDS.findall(name.rsplit(".", 1)[-1])
    return (
        bool(words)
        and words[-1].lower() in _PASSPHRASE_WORDS
        and len(value) >= 8
        and _PHRASE.fullmatch(value) is not None
        and value.count(" ") <= _PASSPHRASE_BLANKS
        and _SENTENCE.search(value) is None
        and written_value(value)
    )


_PASSPHRASE_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret"})
# Words apart by single blanks, each holding a letter or a digit: not code quoted around an expression
# (`"Password=" + pw + ";"` gives the name `Password` the string `" + pw + "`).
_PHRASE = re.compile(r"[^\s]*[^\W_][^\s]*(?: [^\s]*[^\W_][^\s]*)+")
# The most blanks a passphrase holds (eight words): past them, a string is text.
_PASSPHRASE_BLANKS = 7
_ESCAPED_QUOTE = re.compile(r"""\\["'`\\]""")
_BLANK = re.compile(r"\s")
_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")
# The words of a name as code writes them, digits kept with the word they follow (`auth0`, `Saml2`).
_CODE_NAME_WORDS = re.compile(r"[A-Z]?[a-z][a-z0-9]*|[A-Z0-9]+(?![a-z])")


@lru_cache(maxsize=1024)  # asked for each line a scan reads
def _is_makefile(filename: str) -> bool:
    name = filename.rsplit("/", 1)[-1]
    return name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")


def _loose_secret(name: str, value: str) -> bool:
    return _loose_name(name) and _random_value(value) and not _public(name, value)


def _public(name: str, value: str) -> bool:
    """A signing key's fingerprint or id under a name that says so (`ENV GPG_KEY A035C8…`, as official
    images' Dockerfiles set it): public by what it is, not only by its name."""
    words = {word.lower() for word in _NAME_WORDS.findall(name)}
    return not words.isdisjoint(_PUBLIC_WORDS) and _FINGERPRINT.fullmatch(value) is not None


def _names_a_place(name: str, value: str) -> bool:
    """`DB_PASSWORD_FILE=/run/secrets/db`, `keystore.password.file /etc/keys/pass.txt`: where the
    credential is kept, not the credential (a value shaped as a path: base64 holds `/` too)."""
    words = _NAME_WORDS.findall(name)
    return bool(words) and words[-1].lower() in _PLACE_WORDS and _PATH.match(value) is not None


def _describes(piece: str, value: str) -> bool:
    """Whether the keyword rule's `value` is given to a name that describes a credential rather than
    holds one (`_DESCRIBING_WORDS`): what detect-secrets' keyword rule takes for a secret in
    `secret_type = 'AWS Access Key'`. Only where every place the value stands is so: the rule does not
    say which place it read, and `password_name = "x"; password = "x"` gives the password too."""
    at = piece.find(value)
    while at != -1:
        # Ending where the value starts (`\Z` at `endpos`), within a bounded reach: a piece's values
        # cost no more than its length.
        named = _NAMED_VALUE.search(piece, max(0, at - _NAMED_VALUE_REACH), at)
        if named is None:
            return False
        words = _CODE_NAME_WORDS.findall(named.group("name").rsplit(".", 1)[-1])
        if not words or words[-1].lower() not in _DESCRIBING_WORDS:
            return False
        at = piece.find(value, at + len(value))
    return True


def _config_candidates(filename: str, lines: Sequence[str]) -> Iterator[str]:
    """Lines the candidate pass does not take that the file's name says may hold a credential: a config
    file's that may name one with a loose word (`_LOOSE_WORDS`: the pass reads every file alike, and
    those words are common in code), and every line of a PostgreSQL password file (nothing on its lines
    names the password: their place does)."""
    if _is_pgpass(filename):
        yield from lines
    elif is_config_file(filename):
        yield from (line for line in lines if _LOOSE_HINT.search(line))


def _spaced_assignment(piece: str, filename: str) -> re.Match[str] | None:
    if _is_dockerfile(filename):
        return _DOCKER_ENV_SPACED.match(piece)
    return _PROPERTY_SPACED.match(piece) if filename.lower().endswith(".properties") else None


def _random_value(value: str) -> bool:
    """Whether a value a looser rule found looks like a key rather than a name or a pattern: digits and
    letters, not words joined by `_` or `.` (`litellm_a2a_key_hash`, `1.2.3`), no regex syntax."""
    return looks_random(value) and not _IDENTIFIER.fullmatch(value) and _PATTERN_CHARS.isdisjoint(value)


def _loose_name(name: str) -> bool:
    words = {word.lower() for word in _NAME_WORDS.findall(name)}
    if not words.isdisjoint(_LOOSE_WORDS - {"key"}):
        return True
    return "key" in words


def _keyword_rules_may_match(filename: str, piece: str) -> bool:
    """Whether one of the regexes detect-secrets' keyword plugin runs on this file's lines can match in
    the piece. Each needs some punctuation (a quote, `=`, `:`); most lines that name a password hold
    none of what the file type's regexes need (a call, a signature), and the plugin would try each
    regex at each of their keywords for nothing."""
    name = _keyword_filename(filename)
    return any(
        all(any(char in piece for char in need) for need in needs)
        for needs in _keyword_needs(os.path.splitext(name)[1])
    )


@lru_cache(maxsize=256)
def _keyword_needs(extension: str) -> tuple[tuple[frozenset[str], ...], ...]:
    """For each regex the keyword plugin runs on a file with this extension (it chooses by the
    extension alone), the characters of which a line must hold one of each (`required_characters`)."""
    from detect_secrets.plugins.keyword import QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, REGEX_BY_FILETYPE
    from detect_secrets.util.filetype import determine_file_type

    table = REGEX_BY_FILETYPE.get(
        determine_file_type("file" + extension), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
    )
    return tuple(required_characters(regex) for regex in table)


def _scan_wrapped(line: str, filename: str, hits: dict[str, str], depth: int) -> None:
    """A base64 token whose decoded text holds a secret is that secret, wrapped: it is a hit itself, of
    the wrapped secret's kind rather than a keyword rule's (`GITHUB_TOKEN = 'Z2hw…'`). A token that is
    a private key's DER encoding (`gate.redact.der`) is a private key, whole, also when it is wrapped
    into pieces on the line (`_der_pieces`)."""
    covered = 0  # the end of the last key found: the tokens before it are its pieces
    dead_ends: dict[int, int] = {}
    for m in _BASE64_TOKEN.finditer(line):
        token = m.group(0)
        if m.start() < covered:
            continue
        if token.startswith(der.OPENING):
            key = token if der.is_private_key(token) else _der_pieces(m, dead_ends)
            if key:
                hits[key] = PRIVATE_KEY_KIND
                covered = m.start() + len(key)
                continue
        if hits.get(token, _KEYWORD_KIND) != _KEYWORD_KIND or not looks_random(token):
            continue
        decoded = _decode(token[:MAX_WRAPPED_CHARS])
        if decoded is None:
            continue
        inner = [
            h
            for text in decoded.splitlines()
            for h in find_secrets(text, filename="wrapped.env", _depth=depth + 1)
        ]
        if inner:
            hits[token] = f"Base64-wrapped {inner[0].kind}"


def _der_pieces(opening: re.Match[str], dead_ends: dict[int, int]) -> str:
    """The text of a DER private key wrapped into pieces on one line, from the piece `opening` matched to
    the last, separators and all: a JSON string's `\\n` escapes (`json.dumps` of a wrapped body), a
    string in a string's `\\\\n`, blanks, a concatenation's `" + "` or `" "`, or a list's `", "`
    (`"".join([...])`). The first piece has a key's shape and declares its length; the pieces after it
    are read until they hold that many bytes. Empty when the first is no key's opening or the pieces end
    short of it (a PEM body's first line, alone on its line, is the block reader's).

    `dead_ends` holds, for the end of each piece a read that fell short passed, the base64 characters
    that follow it to where its pieces end: a later opening among those pieces is judged by it at once,
    and a line of many openings is read once, not once for each."""
    needed = der.key_chars(opening.group(0))
    if needed is None:
        return ""
    chars, end = len(opening.group(0).rstrip("=")), opening.end()
    passed: list[tuple[int, int]] = []
    while chars < needed:
        if end in dead_ends and chars + dead_ends[end] < needed:
            return ""
        passed.append((end, chars))
        piece = _DER_PIECE.match(opening.string, end)
        if piece is None:
            dead_ends.update((at, chars - before) for at, before in passed)
            return ""
        chars, end = chars + len(piece.group("piece").rstrip("=")), piece.end()
    return opening.string[opening.start() : end]


# The marks that join two strings: `+`, a list's `,`, PHP's `.`, Lua's `..`, SQL's `||`, Visual Basic's
# `&`, Elixir's `<>`, OCaml's `^`, Ruby's `<<`.
_JOIN = r"""(?:[+,&^]|\.\.?|\|\||<>|<<)"""
# A separator between two pieces of a wrapped base64 body on one line, and the piece after it.
_DER_PIECE = re.compile(
    rf"""(?:\\{{1,2}}r|\\{{1,2}}n|[ \t]|["'][ \t]*+(?:{_JOIN}[ \t]*+)?["'])++"""
    r"""(?P<piece>[A-Za-z0-9+/_-]++={0,2})"""
)


def _scan_notebook_source(line: str, hits: dict[str, str], depth: int) -> None:
    """A notebook's cell holds its code as JSON strings, a line of code each (`"os.environ[\\"API_KEY\\"]
    = \\"…\\"\\n",`): each is read as the line of code it stands for, and a value found there is a hit in
    the form the JSON line holds it (its quotes and backslashes escaped)."""
    found = _JSON_STRING_LINE.match(line)
    if found is None:
        return
    try:
        code = json.loads(f'"{found.group("string")}"')
    except ValueError:
        return
    for text in code.splitlines():
        for hit in find_secrets(text, filename=_NOTEBOOK_CODE, _depth=depth + 1):
            held = json.dumps(hit.value, ensure_ascii=False)[1:-1]
            if held in line:
                hits.setdefault(held, hit.kind)


# A line of a notebook's JSON that is one string of a list (a cell's `source`), as nbformat writes it,
# or a cell's whole `source` as one string, which nbformat's schema allows (`"source": "import os\\n…"`).
_JSON_STRING_LINE = re.compile(
    r"""^[ \t]*+(?:"source"[ \t]*+:[ \t]*+)?"(?P<string>(?:[^"\\\n]|\\.)*+)"[ \t]*+,?[ \t]*+$"""
)
# The name a cell's code is read under: Python's, the language of most notebooks.
_NOTEBOOK_CODE = "notebook_cell.py"


def _decode(token: str) -> str | None:
    """The text a base64 (or URL-safe base64) token stands for, when it is mostly printable text."""
    body = token.rstrip("=").replace("-", "+").replace("_", "/")
    body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if len(text) < MIN_SECRET_CHARS or len(_PRINTABLE.findall(text)) < 0.95 * len(text):
        return None
    return text


def _name_kind(filename: str) -> tuple[bool, bool, bool, bool, str]:
    """What of a file's name the rules read: whether it is a config file's, a netrc file's, a
    PostgreSQL password file's or a Dockerfile's, and the extension detect-secrets' keyword rules (and
    the Python and `.properties` rules) choose their patterns by."""
    extension = os.path.splitext(_keyword_filename(filename))[1]
    kinds = is_config_file(filename), _is_netrc(filename), _is_pgpass(filename), _is_dockerfile(filename)
    return (*kinds, extension)


def _is_netrc(filename: str) -> bool:
    return filename.rsplit("/", 1)[-1].lower() in _NETRC_NAMES


@lru_cache(maxsize=1024)  # asked for each line a scan reads
def _is_pgpass(filename: str) -> bool:
    """`.pgpass`, and the names it is kept or copied under (`pgpass.conf` on Windows, `pgpass.prod`)."""
    return filename.rsplit("/", 1)[-1].lower().startswith((".pgpass", "pgpass"))


@lru_cache(maxsize=1024)  # asked for each line a scan reads
def is_config_file(filename: str) -> bool:
    """Whether the secret scan reads a file's lines with config syntax (`NAME=value`, `name: value`), by
    its name: `.env` files, INI, YAML, TOML and JSON, Dockerfiles, shell scripts."""
    name = filename.rsplit("/", 1)[-1].lower()
    return name.startswith(".env") or name.endswith(_CONFIG_SUFFIXES) or _is_dockerfile(filename)


def _is_dockerfile(filename: str) -> bool:
    name = filename.rsplit("/", 1)[-1].lower()
    return name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile")


def _keyword_filename(filename: str) -> str:
    """detect-secrets reads unquoted values only in files it knows as config; .env files are config too."""
    name = filename.rsplit("/", 1)[-1].lower()
    if name.startswith(".env") or name.endswith(".env") or name.endswith((".envrc", ".conf")):
        return "settings.ini"
    return filename


def scan_lines(lines: Sequence[str], *, filename: str = "") -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for every secret in the lines: the same hits as find_secrets on each line, found by
    scanning the joined text once for candidate lines first. Lines `scan_files` already read under the
    same name are answered from that scan (a line's hits depend on nothing but its text and the name)."""
    with memory.only_credentials(filename == MESSAGE_FILENAME):
        placed = list(_placed_below(lines, filename))
    yield from placed
    seen = _seen(filename)
    if not seen:
        yield from _scan_lines(lines, filename)
        return
    fresh = [index for index, line in enumerate(lines) if line not in seen]
    found: dict[int, list[SecretHit]] = {}
    for at, hit in _scan_lines([lines[index] for index in fresh], filename):
        found.setdefault(fresh[at], []).append(hit)
    for index, line in enumerate(lines):
        for hit in _HITS.get((filename, line), ()) if line in seen else found.get(index, ()):
            yield index, hit


def _scan_lines(lines: Sequence[str], filename: str) -> Iterator[tuple[int, SecretHit]]:
    if len(lines) < _DEDUPE_FROM:
        indexes = candidate_lines(lines)
        if is_config_file(filename) or _is_pgpass(filename):
            named = set(_config_candidates(filename, lines))
            indexes = sorted({*indexes, *(i for i, line in enumerate(lines) if line in named)})
        plans = _plans([lines[index] for index in indexes if len(lines[index]) <= PIECE_CHARS])
        for index in indexes:
            for hit in find_secrets(lines[index], filename=filename, _plans=plans):
                yield index, hit
        return
    # Each distinct line once: a line's hits depend on its text and the file's name only, and a report
    # or a change repeats many of its lines.
    distinct = list(dict.fromkeys(lines))
    candidates = {distinct[i] for i in candidate_lines(distinct)}
    candidates.update(_config_candidates(filename, distinct))
    plans = _plans([line for line in candidates if len(line) <= PIECE_CHARS])
    found: dict[str, tuple[SecretHit, ...]] = {}
    for index, line in enumerate(lines):
        if line in candidates:
            hits = found.get(line)
            if hits is None:
                hits = found[line] = tuple(find_secrets(line, filename=filename, _plans=plans))
            for hit in hits:
                yield index, hit


# From this many lines, scan_lines reads each distinct line once (below, the set costs more than it saves).
_DEDUPE_FROM = 64


def scan_files(files: Sequence[tuple[str, Sequence[str]]]) -> Iterator[tuple[int, int, SecretHit]]:
    """(file index, line index, hit) for every secret in several files' lines, scanned as one text:
    one pass of each candidate pattern over the whole change instead of one per file.

    A file whose every line was scanned before under the same name (the run reads the change once up
    front, then the `secrets` stage reads its added lines) is answered from that scan: a line's hits
    depend on nothing but its text and the file's name."""
    found: list[list[tuple[int, SecretHit]]] = [[] for _ in files]
    fresh: list[int] = []
    for file_index, (name, file_lines) in enumerate(files):
        seen = _seen(name)
        if seen is None or not seen.issuperset(file_lines):
            fresh.append(file_index)
            continue
        if name not in _NAMES_WITH_HITS:
            continue
        for line_index, line in enumerate(file_lines):
            for hit in _HITS.get((name, line), ()):
                found[file_index].append((line_index, hit))
    # The candidate pass reads each distinct line of the fresh files once (no candidate pattern spans a
    # line), and each candidate line is scanned once per kind of file name: its hits depend on nothing
    # but its text, whether the name is a config file's, and the extension detect-secrets reads.
    unique = list(dict.fromkeys(chain.from_iterable(files[file_index][1] for file_index in fresh)))
    candidates = {unique[i] for i in candidate_lines(unique)} if unique else set()
    for file_index in fresh:
        candidates.update(_config_candidates(*files[file_index]))
    plans = _plans([line for line in candidates if len(line) <= PIECE_CHARS])
    scanned: dict[tuple[str, tuple[bool, bool, bool, bool, str]], tuple[SecretHit, ...]] = {}
    for file_index in fresh:
        name, file_lines = files[file_index]
        if candidates.isdisjoint(file_lines):
            continue
        kind = _name_kind(name)
        for line_index, line in enumerate(file_lines):
            if line not in candidates:
                continue
            hits = scanned.get((line, kind))
            if hits is None:
                hits = scanned[(line, kind)] = tuple(find_secrets(line, filename=name, _plans=plans))
            if hits:
                _HITS[(name, line)] = hits
                _NAMES_WITH_HITS.add(name)
                found[file_index].extend((line_index, hit) for hit in hits)
    for file_index in fresh:
        name, file_lines = files[file_index]
        for line_index, hit in _placed_below(file_lines, name):
            # A line's hits are kept once: a thousand lines alike would make each line's tuple longer.
            known = _HITS.get((name, file_lines[line_index]), ())
            if hit not in known:
                _HITS[(name, file_lines[line_index])] = (*known, hit)
            _NAMES_WITH_HITS.add(name)
            found[file_index].append((line_index, hit))
    if len(_HITS) > MAX_REMEMBERED_SCANS:
        # This scan's hits go too: none of its lines may be answered from the cache as holding none.
        forget_scans()
        fresh = []
    for file_index in fresh:
        name, file_lines = files[file_index]
        seen = _SCANNED.setdefault(name, set())
        if len(seen) < MAX_REMEMBERED_SCANS:
            seen.update(file_lines)
    for file_index, file_hits in enumerate(found):
        for line_index, hit in file_hits:
            yield file_index, line_index, hit


# What scan_files read, for the rest of the run: each file name's lines, and the hits of those that have
# any. Cleared when a run starts reading a new change (gate.redact.learn_changeset).
MAX_REMEMBERED_SCANS = 4_000_000
_SCANNED: dict[str, set[str]] = {}
# Lines another process read (`adopt_scans`), added to `_SCANNED` when their name is first asked for.
_PENDING: dict[str, Callable[[], Iterable[str]]] = {}
_HITS: dict[tuple[str, str], tuple[SecretHit, ...]] = {}
_NAMES_WITH_HITS: set[str] = set()  # the names in `_HITS`: a file without any is answered at once


def forget_scans() -> None:
    _SCANNED.clear()
    _PENDING.clear()
    _HITS.clear()
    _NAMES_WITH_HITS.clear()


# What `scan_files` read, as another process can take it over: the hits of the lines that have any, and
# the names of the files whose every line it read (their lines that other process has itself).
Hits = dict[tuple[str, str], tuple[SecretHit, ...]]
Scans = tuple[Hits, tuple[str, ...]]


def scans() -> Scans:
    """What this process's scans read, for a process forked from it to take over (`gate.worker`)."""
    return _HITS, (*_SCANNED, *_PENDING)


def adopt_scans(hits: Hits, files: Mapping[str, Callable[[], Iterable[str]]]) -> None:
    """Take over what another process's scans read of this run's change, beside what this process read:
    the hits it found, and `files`, for each name it read, its lines as this process holds them (read
    when the name is first asked for: a run that redacts none of a file's lines never sets them up). A
    line's hits depend on nothing but its text and the file's name, so those lines are answered as if
    read here (a prompt's rows, the report's strings) rather than scanned again. Past the cache's
    bound, nothing is taken over: those lines are scanned again when asked."""
    # Every value found is remembered, here as where it was scanned: hidden wherever it appears again.
    memory.remember(hit.value for found in hits.values() for hit in found)
    if len(_HITS) + len(hits) > MAX_REMEMBERED_SCANS:
        return
    _HITS.update(hits)
    _NAMES_WITH_HITS.update(name for name, _ in hits)
    _PENDING.update(files)


def hits_of(name: str, lines: Iterable[str]) -> Hits | None:
    """The remembered hits of `lines` read under `name`, for another process to take over with them
    (`adopt_scans`); None when not every one of them is remembered as read."""
    lines = set(lines)
    seen = _seen(name)
    if seen is None or not seen.issuperset(lines):
        return None
    if name not in _NAMES_WITH_HITS:
        return {}
    return {(name, line): _HITS[(name, line)] for line in lines if (name, line) in _HITS}


def _seen(name: str) -> set[str] | None:
    """The lines read under `name`, those taken over from another process included."""
    pending = _PENDING.pop(name, None)
    if pending is not None:
        _SCANNED.setdefault(name, set()).update(pending())
    return _SCANNED.get(name)


# YAML that names a credential on one line and gives its value below it: a Kubernetes container's
# `- name: DB_PASSWORD` then `value: ...`, a block scalar, `password: |` then its indented lines, and a
# plain scalar on the next line, `password:` then the value indented. A line's hits otherwise depend on
# that line alone; these are found over a file's lines in order, and kept as the value line's hits.
_YAML_SUFFIXES = (".yml", ".yaml")
_ENV_NAME = re.compile(
    r"""^(?P<indent>[ \t]*)-[ \t]+name:[ \t]*["']?(?P<name>[A-Za-z0-9_.\-]{1,120})["']?[ \t]*$"""
)
_ENV_VALUE = re.compile(r"""^[ \t]+value:[ \t]*["']?(?P<value>[^\s"'#]{8,})""")
# A key with nothing after its colon but a block scalar's indicator (`|`, `>-`) or none. Runs of blanks
# are taken whole: two runs around the optional indicator could share a line's blanks, at the square of
# their number when the line ends in something else.
_KEY_ABOVE = re.compile(
    r"""^(?P<indent>[ \t]*+)(?:-[ \t]++)?["']?(?P<name>[A-Za-z0-9_.\-]{1,120}+)["']?"""
    r"""[ \t]*+:[ \t]*+(?P<block>[|>][-+0-9]*+)?[ \t]*+$"""
)
# A plain or quoted scalar as the same-line config rule reads a value (`_CONFIG_ASSIGNMENT`); a line
# that is a key of its own, a list item, a comment, an alias (`*default`), a tag or a flow collection
# is not one.
_SCALAR_BELOW = re.compile(
    r"""^[ \t]+(?P<q>["']?)(?P<value>[^\s"'#,;:\-!&*|>{}\[\]%@`][^\s"'#,;]{7,})(?<!:)(?P=q)[ \t]*$"""
)
# Lines below a name that are read for its value (removed and added lines of a hunk come between).
_BELOW = 8


def _placed_below(lines: Sequence[str], filename: str) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each credential named on one line and held on a line below: a wrapped call's
    default (`_defaults_below`), a Terraform variable's default (`_terraform_defaults`), and a YAML
    file's value below its key, and a string value a formatter wrapped below its name
    (`gate.redact.wrapped`)."""
    text = "\n".join(lines)
    keys: list[tuple[int, int]] = []  # the lines each DER key wrapped over lines stands on
    for index, hit, last in _der_keys_below(lines, text):
        keys.append((index, last))
        yield index, hit
    yield from _defaults_below(lines, text)
    yield from _wallet_keys_below(lines, text)
    for index, hit in _wrapped_below(lines, filename, text):
        if hit.kind != PRIVATE_KEY_KIND or not any(first <= index <= last for first, last in keys):
            yield index, hit  # a key's pieces a formatter wrapped below its name are that one key
    if filename.lower().endswith(_NAME_VALUE_SUFFIXES):
        yield from _values_below_names(lines, text)
    if filename.lower().endswith(".tf"):
        yield from _terraform_defaults(lines)
        return
    if not filename.lower().endswith(_YAML_SUFFIXES):
        return
    values: list[str] = []
    for index, line in enumerate(lines):
        if ":" not in line:
            continue
        named = _ENV_NAME.match(line) or _KEY_ABOVE.match(line)
        if named is None or not _CONFIG_NAME.search(named.group("name")):
            continue
        indent = len(named.group("indent"))
        for below in range(index + 1, min(len(lines), index + 1 + _BELOW)):
            text = lines[below]
            if not text.strip():
                continue
            if len(text) - len(text.lstrip()) <= indent:
                break
            value = _value_below(named, text)
            if value is not None and not _NOT_A_VALUE.search(value) and "://" not in value:
                values.append(value)
                yield below, SecretHit(kind="Secret Keyword", value=value)
            if named.re is _KEY_ABOVE and not named.group("block"):
                break  # a plain scalar is the first line below, or there is none
    memory.remember(values)


# A variable given as a name and a value on lines of their own, in JSON, HCL and TOML: an ECS task
# definition's `"name": "DB_PASSWORD",` then `"value": "…"`, a Postman collection's `"key": "apiKey",`,
# a Terraform block's `name = "DB_PASSWORD"` then `value = "…"`. The name's line and the value's are
# read joined, by the format that reads the pair on one line; other keys of the object may stand
# between them (`"type": "string"`), up to the object's end. An object's keys have no order: the value
# may stand above the name as well, down to the object's opening.
_NAME_VALUE_SUFFIXES = (".json", ".tf", ".tfvars", ".hcl", ".toml")
_NAME_ABOVE = re.compile(
    r"""^[ \t]*+(?:[{\[][ \t]*+)?(?P<nq>["']?)(?:name|key|Name|Key)(?P=nq)[ \t]*+[:=][ \t]*+"""
    r""""(?P<name>[A-Za-z0-9_.\-]{1,120}+)"[ \t]*+,?[ \t]*+$""",
    re.MULTILINE,
)
_VALUE_BELOW = re.compile(r"""^[ \t]*+(?P<vq>["']?)(?:value|Value)(?P=vq)[ \t]*+[:=]""")
_NAME_VALUE, _VALUE_NAME = (fmt for fmt in KEY_FORMATS if fmt.kind == NAME_VALUE_KIND)


def _values_below_names(lines: Sequence[str], text: str) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each value given on a line below a credential's name (`_NAME_ABOVE`), in the
    same object: from the name's line to the first line that closes the object or names another; and
    for each given above it, from the name's line up to the line that opens the object (or closes the
    one before, or names another)."""
    values: list[str] = []
    index, at = 0, 0
    for named in _NAME_ABOVE.finditer(text):
        index += text.count("\n", at, named.start())
        at = named.start()
        if not CREDENTIAL_NAME.fullmatch(named.group("name")):
            continue
        line = lines[index]
        for below in range(index + 1, min(len(lines), index + 1 + _BELOW)):
            text_below = lines[below]
            stripped = text_below.strip()
            if not stripped:
                continue
            if stripped[0] in "}]" or _NAME_ABOVE.match(text_below):
                break
            if _VALUE_BELOW.match(text_below) is None:
                continue
            # Read on past it: a hunk's rows hold a value removed above the one added.
            joined = f"{line.rstrip().rstrip(',')}, {stripped}"
            for match in _NAME_VALUE.finditer(joined):
                if match.start("value") > len(line):
                    values.append(match.group("value"))
                    yield below, SecretHit(kind=NAME_VALUE_KIND, value=match.group("value"))
        for above, value in _values_above(lines, index):
            values.append(value)
            yield above, SecretHit(kind=NAME_VALUE_KIND, value=value)
    memory.remember(values)


def _values_above(lines: Sequence[str], index: int) -> Iterator[tuple[int, str]]:
    """(index, value) for each value given above the credential's name on line `index`, in its object:
    the lines up to the object's opening `{` (`{ "value": "…",` holds one too), a table's `[[env]]`
    header, the end of the object before, or another name."""
    name = lines[index].strip()
    for above in range(index - 1, max(-1, index - 1 - _BELOW), -1):
        stripped = lines[above].strip()
        if not stripped:
            continue
        opening = stripped[0] in "{["
        if opening:
            stripped = stripped.lstrip("{[ \t")
        if stripped[:1] in ("}", "]") or stripped.endswith(("{", "[")) or _NAME_ABOVE.match(stripped):
            break
        if _VALUE_BELOW.match(stripped) is not None:
            joined = f"{stripped.rstrip(',')}, {name}"
            for match in _VALUE_NAME.finditer(joined):
                if match.end("value") <= len(stripped):
                    yield above, match.group("value")
        if opening:
            break


# A Terraform variable that names a credential, its block's lines below it, and its `default` among
# them: `variable "db_password" {` / `sensitive = true` / `default = "…"` / `}`. A variable's default on
# its own line is a key format's (`Terraform Variable Default`), of the same kind.
_TF_VARIABLE = re.compile(r"""^[ \t]*+variable[ \t]++"(?P<name>[A-Za-z0-9_\-]{1,120}+)"[ \t]*+\{[ \t]*+$""")
_TF_DEFAULT = re.compile(
    r"""^[ \t]*+default[ \t]*+=[ \t]*+(?P<q>["'])(?P<value>(?:[^"'\\\n]|\\.|(?!(?P=q))["']){1,200}+)(?P=q)"""
)
_TF_KIND = "Terraform Variable Default"
_TF_BLOCK_LINES = 16


def _terraform_defaults(lines: Sequence[str]) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each default a Terraform variable that names a credential holds on a line of its
    block below its name (a hunk's removed and added defaults both)."""
    values: list[str] = []
    for index, line in enumerate(lines):
        if "variable" not in line:
            continue
        named = _TF_VARIABLE.match(line)
        if named is None or not _CONFIG_NAME.search(named.group("name")):
            continue
        indent = len(line) - len(line.lstrip())
        for below in range(index + 1, min(len(lines), index + 1 + _TF_BLOCK_LINES)):
            text = lines[below]
            # The block's own `}`, not a nested `validation { … }`'s.
            if (text.strip() == "}" and len(text) - len(text.lstrip()) <= indent) or _TF_VARIABLE.match(text):
                break
            found = _TF_DEFAULT.match(text)
            if found is not None and written_value(found.group("value")):
                values.append(found.group("value"))
                yield below, SecretHit(kind=_TF_KIND, value=found.group("value"))
    memory.remember(values)


# Code that reads a credential from the environment with its default on a line below: black, prettier
# and rubocop put a long call's arguments on lines of their own (`os.getenv(` / `"DB_PASSWORD", "…"` /
# `)`), or break before its `or` / `||`. The call's line and the next few are read joined, by the
# same formats that read the call on one line.
_ENV_READ = re.compile(r"(?:getenv|environ\.get|environ\.setdefault|ENV\.fetch)\(|process\.env\b")
# A literal that every match of `_ENV_READ` holds.
_ENV_LITERALS = ("getenv(", "environ.", "ENV.fetch(", "process.env")
_ENV_DEFAULTS = tuple(fmt for fmt in KEY_FORMATS if fmt.kind == "Environment Default Credential")
_WRAPPED_LINES = 6
# The longest line read as part of a wrapped call: a formatter's lines are short, a default is 200
# characters at most; each line is read joined six times, so megabyte lines are not.
_WRAPPED_LINE_CHARS = 1_000


# A line that opens with a 64-hex string, found from the line break before it (a literal the regex
# engine skips ahead to); whether the line above opens a loader's call or a list is `WALLET_OPENED`'s to
# say, whatever blanks or comment end it.
_HEX_KEY_BELOW = re.compile(r"""\n[ \t]*+["'`](?:0[xX])?[0-9a-fA-F]{64}["'`]""")


def _wallet_keys_below(lines: Sequence[str], text: str) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each wallet key a formatter wrapped below the call that loads it or the list
    that holds it (`gate.redact.formats.WALLET_OPENED`): the first argument of a loader's call, every key
    of a list, each on a line of its own; blank lines and comments alone (`_BETWEEN_PIECES`), however
    many, may stand before a key. Each such line is read once: the walk up from a key stops at the
    first other line, and a list's walk down at the first line that is neither."""
    index, at = 0, 0
    for match in _HEX_KEY_BELOW.finditer(text):
        index += text.count("\n", at, match.start())
        at = match.start()
        opener = index
        while opener > 0 and _BETWEEN_PIECES.fullmatch(lines[opener]):
            opener -= 1
        above = lines[opener]
        # The line above holds a `(` or a `[`, or it opens nothing (a list of digests).
        opened = WALLET_OPENED.search(above) if "(" in above or "[" in above else None
        if opened is None or not starts_whole(WALLET_NOT_AFTER, above, opened.start()):
            continue
        for below in range(opener + 1, len(lines)):
            key = WALLET_KEY_LINE.match(lines[below])
            if key is None:
                if _BETWEEN_PIECES.fullmatch(lines[below]):
                    continue
                break
            if unpublished_key(key.group("value")):
                yield below, SecretHit(kind=WALLET_KIND, value=key.group("value"))
            if opened.group("loader") and not opened.group("loader").endswith("["):
                break  # a call's key is its first argument (but a list's: `HDWalletProvider([`)


def _defaults_below(lines: Sequence[str], text: str | None = None) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each environment default a call wrapped over lines holds below the call's line
    (one on the call's own line is that line's own hit). A hunk's rows hold the removed lines amid the
    added ones (`"DB_PASSWORD", "old"` then `"DB_PASSWORD", "new"` below the call's line): the lines
    are read joined, and again without each one of them in turn. `text` is the lines joined, when the
    caller has it."""
    values: list[str] = []
    for index in _lines_reading_env(lines, "\n".join(lines) if text is None else text):
        line = lines[index]
        if len(line) > _WRAPPED_LINE_CHARS:
            continue  # a formatter wraps a call at a line's length: this one it did not wrap
        below = list(
            takewhile(
                lambda text: len(text) <= _WRAPPED_LINE_CHARS,
                (text.strip() for text in lines[index + 1 : index + _WRAPPED_LINES]),
            )
        )
        found: dict[tuple[int, str], str] = {}
        for left_out in range(len(below) + 1):
            kept = [n for n in range(len(below)) if n != left_out]
            parts = [line.rstrip(), *(below[n] for n in kept)]
            starts = list(accumulate(map((1).__add__, map(len, parts)), initial=0))
            joined = " ".join(parts)
            for fmt in _ENV_DEFAULTS:
                for match in fmt.finditer(joined):
                    if match.start() >= starts[1]:
                        break  # a call of a line below: that line's own
                    part = bisect.bisect_right(starts, match.start("value")) - 1
                    if part and match.end("value") <= starts[part] + len(parts[part]):
                        found[(index + 1 + kept[part - 1], match.group("value"))] = fmt.kind
        for (at, value), kind in found.items():
            values.append(value)
            yield at, SecretHit(kind=kind, value=value)
    memory.remember(values)


def _lines_reading_env(lines: Sequence[str], text: str) -> list[int]:
    """The indexes of the lines (joined as `text`) that read the environment (`_ENV_READ`), in order:
    found by the literals its matches hold in the whole text, passes in C rather than a look at each
    line in turn."""
    indexes: list[int] = []
    index, at = 0, 0
    for found in sorted({at for literal in _ENV_LITERALS for at in _every(text, literal)}):
        if found < at:
            continue  # on a line already read
        index += text.count("\n", at, found)
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end == -1 else end
        if _ENV_READ.search(text, start, end) is not None:
            indexes.append(index)
        index += 1 if end < len(text) else 0
        at = end + 1
    return indexes


def _every(text: str, literal: str) -> Iterator[int]:
    at = text.find(literal)
    while at != -1:
        yield at
        at = text.find(literal, at + 1)


def _wrapped_below(lines: Sequence[str], filename: str, text: str) -> Iterator[tuple[int, SecretHit]]:
    """(index, hit) for each string of a value wrapped below its name (`gate.redact.wrapped`)."""
    values: list[str] = []
    for index, kind, value in wrapped_strings(lines, text, filename, _kinds_and_values):
        values.append(value)
        yield index, SecretHit(kind=kind, value=value)
    memory.remember(values)


# A DER key written over lines of code: `"MIIE…" +` then `"…" +` in Java, `.` in PHP, `..` in Lua, `||`
# in SQL, `& _` in Visual Basic, Python's strings in parentheses, a JSON array, a YAML list, bare lines,
# or one string added to line by line (`key += "…"`, `$key .= "…";`, `key = key .. "…"`). Its first piece
# is the last run of its line (but quotes, escaped line ends, the marks that join it to the next, `+` `,`
# `.` `|` `&` `_` `\\`, CRLF's `\r`, and a comment: `//`, `#`, `--`, `/* … */`), and each line below
# holds one piece and nothing else but its joining marks or the assignment that adds it; a blank line or
# a comment alone may stand between two pieces.
_PIECE_TRAIL = r"""(?:\\{1,2}[nr]|[ \t\r"'`,;+.|&_<>^\\)\]])*+(?:(?://|#|--|/\*)[^\n]*+)?"""
# What adds a piece to a string: an assignment (`key += `, `$key .= `, `$this->key .= `, `self::$key .= `,
# `this.#key += `, `key &= `, `key = key .. `, `key := key || `, T-SQL's `SET @key += `), Ruby's
# `key << `, or a call that takes it (`sb.append(`, `.append(`, `sb .append (`, or parentheses alone:
# `key += ("…")`).
_ADDED_TO = (
    r"""(?:(?:(?:SET|set)[ \t]++)?[$@]?[A-Za-z_](?:[\w$.\[\]'"#]|::|[ \t]*+->[ \t]*+)*+[ \t]*+"""
    r"""(?:(?:[+.&]|\|\|)?=|:=|<<)[ \t]*+(?:[$@]?[A-Za-z_](?:[\w$.#]|::|->)*+[ \t]*+(?=[+.&|<^]))?)?"""
    r"""(?:(?:[A-Za-z_$.][\w$]*+(?:[ \t]*+\.[ \t]*+[A-Za-z_$][\w$]*+)*+[ \t]*+)?\([ \t]*+)?"""
)
_DER_OPENING = re.compile(rf"""M[A-Za-z0-9+/_-]{{{der.MIN_PIECE_CHARS - 1},}}+={{0,2}}""")
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_AT_LINE_END = re.compile(rf"""{_PIECE_TRAIL}$""", re.MULTILINE)
# A piece's line: its indent, a JSON string's quote around a line of code (a notebook cell's
# `"    \\"…\\"\\n",`), the mark that joins it to the one before, a string's prefix (`b`, `f`, T-SQL's `N`,
# C#'s `@`, C++'s `L` and `u8`) and quote (escaped in JSON), or a YAML list's `- `.
_DER_PIECE_LINE = re.compile(
    r"""[ \t]*+(?:"[ \t]*+)?"""
    + _ADDED_TO
    + rf"""(?:(?:{_JOIN}[ \t]*+)?(?:u8|[bBuUrRfFNnL@$]{{0,2}})\\?["'`]|-[ \t]++)?"""
    r"""(?P<piece>[A-Za-z0-9+/_-]++={0,2})""" + _PIECE_TRAIL
)
_BETWEEN_PIECES = re.compile(r"""[ \t\r]*+(?:(?://|#|/\*|\*|--)[^\n]*+)?""")
_MAX_BETWEEN = 2  # lines in a row between two pieces
_MIN_LETTER_PIECE = 12  # the shortest piece of letters alone that is remembered


def _der_keys_below(lines: Sequence[str], text: str) -> Iterator[tuple[int, SecretHit, int]]:
    """(index, hit, last index) for each DER private key wrapped over lines (`_openings_at_line_ends`):
    its pieces are read joined until they hold the length the key's opening declares. One hit on the
    first piece's line; every piece is remembered, so that each is hidden wherever it stands. A PEM body
    is the block reader's (`gate.redact.blocks`): a run under a BEGIN line is not read here."""
    if "M" not in text:
        return
    starts: list[int] | None = None
    last = -1  # the line of the last piece of the key read last: an opening among its pieces is one
    dead_ends: dict[int, int] = {}
    for run, at in _openings_at_line_ends(text):
        if der.is_private_key(run):
            continue  # the whole key on its line: the line's own scan reads it
        if starts is None:
            starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        index = bisect.bisect_right(starts, at) - 1
        if index <= last or (index > 0 and opens_block(lines[index - 1])):
            continue
        read = _der_pieces_below(lines, index, run, dead_ends)
        if read is not None:
            pieces, last = read
            # Remembered as values found there are (in prose or on a line the change does not add, those
            # shaped as a credential only), and those that read as key bytes as a PEM body's lines do,
            # though they hold no digit (one of a 2048-bit RSA key's 64-character lines in about two
            # thousand); a piece of letters alone only when long, as a word is not (a key made up to hide
            # `return` from every prompt).
            kept = tuple(p for p in pieces if not p.isalpha() or len(p) >= _MIN_LETTER_PIECE)
            memory.remember((p for p in kept if worth_remembering(p)), any_shape=True)
            with memory.only_credentials():  # the text may be prose: `learn_changeset` takes the rest
                memory.remember(kept)
            yield index, SecretHit(kind=PRIVATE_KEY_KIND, value=run, pieces=kept), last


def _openings_at_line_ends(text: str) -> Iterator[tuple[str, int]]:
    """(run, offset) for each base64 run that opens with `M` (where a run starts, not inside one) and
    ends its line but for `_PIECE_TRAIL`. Each run is read once, from its first `M` to its end: a search
    that tried each `M` inside a long run to its end cost the square of the run's length."""
    at = 0
    while (m := _DER_OPENING.search(text, at)) is not None:
        at = m.end()
        if m.start() and text[m.start() - 1] in _BASE64_CHARS:
            continue  # inside a longer run (checked here: a look-behind would cost the search its literal)
        if end := _AT_LINE_END.match(text, m.end()):
            at = end.end()  # the line's end: a run after it on its line is in its comment
            yield m.group(), m.start()


def _der_pieces_below(
    lines: Sequence[str], index: int, run: str, dead_ends: dict[int, int]
) -> tuple[list[str], int] | None:
    """The pieces of a key whose first piece `run` ends line `index`, and the index of the line of its
    last; None when the pieces below are no key's or end short of its declared length.

    `dead_ends` holds, for each piece line a read that fell short passed, the characters from it to where
    its pieces ended: a later opening among those lines is judged by it at once (each line of a
    thousand heads, a key's length short, was read to the end again)."""
    pieces, chars, needed, between = [run], len(run.rstrip("=")), 0, 0
    passed: list[tuple[int, int]] = []  # (a piece's line, the characters read before it)
    tail = 0  # characters past where this read stopped, known from an earlier read
    at = index + 1
    while at < len(lines):
        if not needed and chars >= der.HEAD_CHARS:
            needed = der.key_chars("".join(pieces)) or 0
            if not needed:
                return None
        if needed and chars >= needed:
            return pieces, at - 1 - between
        if needed and at in dead_ends and chars + dead_ends[at] < needed:
            tail = dead_ends[at]
            break
        piece = _DER_PIECE_LINE.fullmatch(lines[at])
        if piece is None:
            if between < _MAX_BETWEEN and _BETWEEN_PIECES.fullmatch(lines[at]):
                between += 1
                at += 1
                continue
            tail = 0
            break
        between = 0
        passed.append((at, chars))
        pieces.append(piece.group("piece"))
        chars += len(pieces[-1].rstrip("="))
        at += 1
    else:
        tail = 0
        if needed and chars >= needed:
            return pieces, at - 1 - between
    dead_ends.update((line, chars - before + tail) for line, before in passed)
    return None


def remember_der_keys(lines: Sequence[str]) -> None:
    """Remember the pieces shaped as a credential or as key bytes of each DER private key the lines hold
    wrapped over lines (`_der_keys_below`): text being redacted may be prose (a PR's body in a prompt),
    where a key made up of code's names would hide them from the rest of the run; the change's own keys
    are learnt whole before any text is redacted."""
    for _ in _der_keys_below(lines, "\n".join(lines)):
        pass


def _kinds_and_values(line: str, filename: str) -> Iterator[tuple[str, str]]:
    return ((hit.kind, hit.value) for hit in find_secrets(line, filename=filename))


def remember_values_below(filename: str, lines: Sequence[str]) -> None:
    """Remember each credential a YAML file's lines hold below its name (`_placed_below`), so that it is
    hidden in rows shown without the line that names it."""
    for _ in _placed_below(lines, filename):
        pass


def _value_below(named: re.Match[str], text: str) -> str | None:
    """The value that `text`, a line below the name `named` matched, holds for it, if any."""
    if named.re is _ENV_NAME:
        found = _ENV_VALUE.match(text)
        return found.group("value") if found else None
    if named.group("block"):
        # One token a line: a key's body, not prose (`auth_help: |` then a sentence).
        value = text.strip()
        return None if value.startswith("-----") or len(value) < MIN_SECRET_CHARS or " " in value else value
    found = _SCALAR_BELOW.match(text)
    if found is None or _names_a_place(named.group("name"), found.group("value")):
        return None
    return found.group("value")


def _token(match: re.Match[str]) -> str:
    """The secret a detector's pattern matched: its longest group, or, for a pattern without groups, the
    whole match less the marks it takes around the token (Artifactory's `(?:\\s|=|:|"|^)AP…(?:\\s|"|$)`).
    Remembered with a space around it, a value would be hidden only where the same spaces stand around it
    again."""
    if not match.re.groups:
        return _BARE.sub("", match.group(0)) or match.group(0)
    groups = [g for g in match.groups() if g]
    best = max(groups, key=len) if groups else match.group(0)
    return best if len(best) >= 8 else match.group(0)


_BARE = re.compile(r"""^[\s=:"]+|[\s"]+$""")


def _extend(line: str, value: str, match: re.Match[str]) -> str:
    """The value run on to the end of its token, when the pattern matched the token's start only."""
    if value != match.group(0) or not value or (not value[-1].isalnum() and value[-1] not in "._-"):
        return value
    tail = _TOKEN_TAIL.match(line, match.end())
    return value + tail.group(0) if tail else value
