"""Make text inert wherever the gate writes it: posted on GitHub, printed, or written to a file.

Model output, file names, commit messages and PR text are untrusted. Before any of it is posted:
- @-mentions do not notify: a word joiner (U+2060) goes between `@` and the name, so `@org/team`
  and `@user` render as text without pinging anyone, wherever the `@` stands (after a backtick or a
  code span the renderer may close early too); only an `@` inside a word (an email address) is left;
- issue and pull request references (`#12`, `GH-12`, `owner/repo#12`) do not cross-reference: a word
  joiner follows the `#` or `GH-`;
- raw HTML is escaped (`<`, `>`, `&`), so no hidden comments, images or tags reach the page;
- links go only to the repository: markdown links and bare URLs (with a scheme or starting `www.`)
  to anywhere else keep their text and lose the link (the host is shown, defanged as
  `hxxps://example[.]com/...`, `www[.]example[.]com`); no image is kept, and a `](`, `]:` or `![`
  the patterns did not read as a link gets a word joiner, so that it makes none;
- control characters and the invisible and bidi characters of `gate.invisible` are removed (they can
  hide text from reviewers);
- the length is bounded, with a visible `…(truncated)` marker; a text that has to be cut is redacted
  first, so that no secret is cut into a piece no later redaction recognises.

Everything the gate prints or writes as text also goes through `no_commands`: no line can start a GitHub
Actions workflow command (`::error ...` at the start of a line, after any spaces) or hold a legacy one
(`##[...]` anywhere in a line), whatever a file name or title holds. Terminal text shows hidden
characters escaped (`visible`), and JSON keeps every value exact (`json_inert` only re-spells `#`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gate import invisible
from gate.fence import fence

WORD_JOINER = "\u2060"
DEFAULT_MAX_CHARS = 4000
TRUNCATED = "…(truncated)"

# GitHub mentions `@name` after any character that is not an ASCII letter, digit or underscore.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])")
_REFERENCE = re.compile(r"#(?=[0-9])|(?<![A-Za-z0-9_])GH-(?=[0-9])", re.IGNORECASE)
# A link or image whose text holds no bracket: the innermost, which CommonMark makes a link of whatever
# brackets enclose it (so an image inside a kept link's text would be an image).
_MD_LINK = re.compile(r"(!?)\[([^\[\]\n]{0,500})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
# URLs as GitHub finds them: a scheme after anything but a letter (`_https://` and `1https://` are links),
# and `www.` after anything but a letter, digit or `.@/-` (`_www.` is a link).
_URL = re.compile(r"(?<![A-Za-z])(?:https?|ftp)://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_WWW = re.compile(r"(?<![A-Za-z0-9.@/-])www\.[^\s<>()\[\]\"'`]+", re.IGNORECASE)
# Where GitHub starts a link in text (see `_URL` and `_WWW`), to break inside a URL already defanged.
_LINK_START = re.compile(r"(?<![A-Za-z])(?:https?|ftp)(?=://)|www\.", re.IGNORECASE)
# A `]` that would close a link's text or a reference definition's label, and the mark (a control
# character, so none in the text) that a link to the repository, kept, carries while the others lose it.
_LINK_TAIL = re.compile(r"\](?=[(:])")
_IMAGE_OPEN = re.compile(r"!(?=\[)")
_KEPT_LINK = "\x02"
# A workflow command: `::name ...::` at the start of a line after spaces, or the legacy `##[name]` anywhere.
_COMMAND_START = re.compile(r"^([ \t\f\v]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"#(?=#\[)")
# Control characters (tab, LF and CR are kept) and every invisible or bidi character of the one table
# that the injection analyzer reports.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|" + invisible.INVISIBLE.pattern)


def sanitize(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    return _bounded(text, max_chars, lambda t: _escape_html(_inert(t, repo_url)))


def plain(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """For fields GitHub shows as plain text (check-run annotations): HTML is not rendered there, so it
    is left as written, but hidden characters, foreign links and mentions are made inert all the same."""
    return _bounded(text, max_chars, lambda t: _inert(t, repo_url))


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bounded(text: str, max_chars: int, render: Callable[[str], str]) -> str:
    """`render(text)` within `max_chars` characters. A text that has to be cut is redacted before it is
    rendered and cut: a secret cut short is a piece that no redaction of the written text recognises."""
    out = render(text)
    if len(out) <= max_chars:
        return out
    from gate.redact import redact

    return truncate(render(redact(text)), max_chars)


def _inert(text: str, repo_url: str | None) -> str:
    out = _INVISIBLE.sub("", text or "")
    out = _MD_LINK.sub(lambda m: _link(m, repo_url), out)
    # What the pattern did not read as a link (brackets nested in the text, a text past its length) or
    # a reference definition (`[r]: //host`, which makes a later `[text][r]` a link) is kept from being
    # one by a word joiner after its `]`, and from being an image by one after its `!`: CommonMark may
    # pair brackets otherwise than the pattern (a `[` escaped or in a code span), and no image is kept.
    out = _LINK_TAIL.sub("]" + WORD_JOINER, out).replace(_KEPT_LINK, "")
    out = _IMAGE_OPEN.sub("!" + WORD_JOINER, out)
    out = _URL.sub(lambda m: _bare_url(m.group(0), repo_url), out)
    out = _WWW.sub(lambda m: _defang(m.group(0)), out)
    out = _REFERENCE.sub(lambda m: m.group(0) + WORD_JOINER, out)
    return no_commands(_MENTION.sub("@" + WORD_JOINER, out))


def no_commands(text: str) -> str:
    """`text` with no line that the Actions runner would read as a workflow command: a `::` that starts
    a line (after spaces) gets a word joiner between its colons, and `##[` becomes `#` + joiner + `#[`."""
    out = _COMMAND_START.sub(lambda m: m.group(1) + ":" + WORD_JOINER, text)
    return _LEGACY_COMMAND.sub("#" + WORD_JOINER, out)


def json_inert(text: str) -> str:
    """Serialised JSON (or JSON lines) with `##[` spelled `\\u0023#[`: the same value once decoded, and
    no legacy workflow command when the text is printed in a workflow log. A JSON line cannot start
    with `::` (it starts with a bracket, a brace, a quote or spaces), so nothing else changes."""
    return text.replace("##[", "\\u0023#[")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|" + invisible.INVISIBLE.pattern)


def visible(text: str) -> str:
    """One line of text with every control, line-breaking, invisible and bidi character shown as its
    escape (`\\n`, `\\x1b`, `\\u202e`), for text printed to a terminal or a log."""
    return _CONTROL.sub(_escape_char, text or "")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return invisible.escape(char)


def truncate(text: str, max_chars: int) -> str:
    """Redacted `text` cut to `max_chars` characters with the marker, never through a [REDACTED]."""
    if len(text) <= max_chars:
        return text
    from gate.redact import redacted_prefix

    return redacted_prefix(text, max(0, max_chars - len(TRUNCATED))) + TRUNCATED


def _allowed(url: str, repo_url: str | None) -> bool:
    if not repo_url:
        return False
    base = repo_url.rstrip("/")
    return (
        url == base or url.startswith(base + "/") or url.startswith(base + "#") or url.startswith(base + "?")
    )


def _defang(url: str) -> str:
    """The URL as text: `hxxps://example[.]com/...`, and no scheme or `www.` further on (in the path, or
    in what the match took in before the scheme) that GitHub would make a link of its own."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host, slash, path = rest.partition("/")
    return _no_link_start(f"{scheme}{sep}{host.replace('.', '[.]')}{slash}{path}")


def _no_link_start(text: str) -> str:
    return _LINK_START.sub(_unlinked, text)


def _unlinked(match: re.Match[str]) -> str:
    said = match.group(0).lower()
    return "www[.]" if said == "www." else said.replace("t", "x")


def _link(match: re.Match[str], repo_url: str | None) -> str:
    bang, label, url = match.groups()
    if not bang and _allowed(url, repo_url):
        return match.group(0).replace("](", "]" + _KEPT_LINK + "(", 1)
    return f"{label} ({_defang(url)})" if label else _defang(url)


def _bare_url(url: str, repo_url: str | None) -> str:
    return url if _allowed(url, repo_url) else _defang(url)


def code_block(code: str, lang: str = "", *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """A fenced block that the code cannot break out of (mentions and HTML do not render inside it)."""
    return fence(_bounded(code, max_chars, lambda t: _INVISIBLE.sub("", t)), lang)
