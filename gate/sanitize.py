"""Make text safe to post where people look (PR comments, check runs, statuses, job summaries).

Model output and PR text are untrusted. Before any of it is posted:
- @-mentions do not notify: a word joiner (U+2060) goes between `@` and the name, so `@org/team`
  and `@user` render as text without pinging anyone;
- raw HTML is escaped (`<`, `>`, `&`), so no hidden comments, images or tags reach the page;
- links go only to the repository: markdown links and bare URLs to anywhere else keep their text
  and lose the link (the host is shown, defanged as `hxxps://example[.]com/...`);
- control characters and the invisible and bidi characters of `gate.invisible` are removed (they can
  hide text from reviewers);
- the length is bounded, with a visible `…(truncated)` marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gate import invisible

WORD_JOINER = "\u2060"
DEFAULT_MAX_CHARS = 4000
TRUNCATED = "…(truncated)"

_MENTION = re.compile(r"(?<![\w`/.@-])@(?=[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9_.-]+)?)")
_MD_LINK = re.compile(r"(!?)\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
# Control characters (tab, LF and CR are kept) and every invisible or bidi character of the one table
# that the injection analyzer reports.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|" + invisible.INVISIBLE.pattern)


@dataclass(frozen=True)
class Sanitizer:
    """`repo_url` is the one link prefix allowed, e.g. "https://github.com/org/repo"."""

    repo_url: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS

    def __call__(self, text: str) -> str:
        return sanitize(text, repo_url=self.repo_url, max_chars=self.max_chars)


def sanitize(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    out = _inert(text, repo_url).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return truncate(out, max_chars)


def plain(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """For fields GitHub shows as plain text (check-run annotations): HTML is not rendered there, so it
    is left as written, but hidden characters, foreign links and mentions are made inert all the same."""
    return truncate(_inert(text, repo_url), max_chars)


def _inert(text: str, repo_url: str | None) -> str:
    out = _INVISIBLE.sub("", text or "")
    out = _MD_LINK.sub(lambda m: _link(m, repo_url), out)
    out = _URL.sub(lambda m: _bare_url(m.group(0), repo_url), out)
    return _MENTION.sub("@" + WORD_JOINER, out)


def truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    keep = max(0, max_chars - len(TRUNCATED))
    return text[:keep] + TRUNCATED


def _allowed(url: str, repo_url: str | None) -> bool:
    if not repo_url:
        return False
    base = repo_url.rstrip("/")
    return (
        url == base or url.startswith(base + "/") or url.startswith(base + "#") or url.startswith(base + "?")
    )


def _defang(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    scheme = scheme.lower().replace("t", "x", 2) if sep else scheme
    return f"{scheme}{sep}{host.replace('.', '[.]')}{slash}{path}"


def _link(match: re.Match[str], repo_url: str | None) -> str:
    bang, label, url = match.groups()
    if not bang and _allowed(url, repo_url):
        return match.group(0)
    return f"{label} ({_defang(url)})" if label else _defang(url)


def _bare_url(url: str, repo_url: str | None) -> str:
    return url if _allowed(url, repo_url) else _defang(url)


def code_block(code: str, lang: str = "", *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """A fenced block that the code cannot break out of (mentions and HTML do not render inside it)."""
    body = truncate(_INVISIBLE.sub("", code), max_chars)
    longest = max((len(m.group(0)) for m in re.finditer(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{body.rstrip(chr(10))}\n{fence}"
