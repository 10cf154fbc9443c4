"""Closing keywords: which issues a PR says it resolves, read from its description and commit messages.

GitHub's keywords (close, closes, closed, fix, fixes, fixed, resolve, resolves, resolved; any case,
an optional colon) followed by `#N`, `owner/repo#N` or a full issue URL on the server. Text is data:
the scan is one linear regular-expression pass with bounded tokens, and at most `MAX_REFS` distinct
issues are kept, so a description listing thousands of them costs no more than a few.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_REFS = 20  # distinct linked issues read per change; more are named in a note, never fetched
MAX_SCAN_CHARS = 200_000  # of each text scanned for keywords

_KEYWORD = r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)"
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPO = r"[A-Za-z0-9._-]{1,100}"
_NUMBER = r"[0-9]{1,9}"
_REF = re.compile(
    rf"(?<![A-Za-z0-9_]){_KEYWORD}:?[ \t]+"
    rf"(?:(?P<url>https?://[^\s/]{{1,200}}/(?P<uowner>{_OWNER})/(?P<urepo>{_REPO})/issues/(?P<unum>{_NUMBER}))"
    rf"|(?:(?P<owner>{_OWNER})/(?P<repo>{_REPO}))?#(?P<num>{_NUMBER}))(?![A-Za-z0-9_])",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class IssueRef:
    """An issue a PR links: `owner/repo#number`; `repository` is "" for the PR's own repository."""

    repository: str
    number: int

    def shown(self, own: str = "") -> str:
        return f"#{self.number}" if not self.repository or self.repository == own else f"{self}"

    def __str__(self) -> str:
        return f"{self.repository}#{self.number}" if self.repository else f"#{self.number}"


@dataclass(frozen=True)
class Found:
    refs: tuple[IssueRef, ...]
    dropped: int  # distinct refs past MAX_REFS


def closing_refs(texts: Iterable[str], *, repository: str = "", server_url: str = "") -> Found:
    """The distinct issues the texts close, in order of first mention. `repository` (owner/name) is the
    PR's own: a ref to it is kept as a plain `#N`. A URL on another host than `server_url` (when given)
    links nothing, as on GitHub."""
    own = repository.lower()
    host = urlsplit(server_url).netloc.lower() if server_url else ""
    seen: dict[IssueRef, None] = {}
    dropped: set[IssueRef] = set()
    for text in texts:
        for m in _REF.finditer(text[:MAX_SCAN_CHARS]):
            if m.group("url"):
                if host and urlsplit(m.group("url")).netloc.lower() != host:
                    continue
                repo, number = f"{m.group('uowner')}/{m.group('urepo')}", m.group("unum")
            elif m.group("owner"):
                repo, number = f"{m.group('owner')}/{m.group('repo')}", m.group("num")
            else:
                repo, number = "", m.group("num")
            if repo.lower() == own:
                repo = ""
            ref = IssueRef(repo, int(number))
            if ref.number == 0 or ref in seen:
                continue
            if len(seen) < MAX_REFS:
                seen[ref] = None
            else:
                dropped.add(ref)
    return Found(tuple(seen), len(dropped))
