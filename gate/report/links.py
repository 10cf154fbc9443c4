"""Links from a summary to the lines of the head commit, on the server the event names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from gate.context.commit_id import FULL_COMMIT_ID_PATTERN

# A repository's web address: scheme, host (and port), an optional path prefix, owner and name; nothing
# else goes into a link the gate builds.
_REPO_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._-]+)*/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+"
)
_SHA = re.compile(FULL_COMMIT_ID_PATTERN)
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+")


def repo_url(server_url: str | None, repository: str | None) -> str | None:
    """`<server>/<owner>/<repo>`, or None when either part is missing or malformed."""
    if not server_url or not repository or not _REPOSITORY.fullmatch(repository):
        return None
    url = f"{server_url.rstrip('/')}/{repository}"
    return url if _REPO_URL.fullmatch(url) else None


@dataclass(frozen=True)
class BlobLinks:
    """`<repo_url>/blob/<sha>/<path>#L<a>-L<b>`, the path percent-encoded (GitHub Enterprise Server too)."""

    repo_url: str
    sha: str

    @classmethod
    def make(cls, repo_url: str | None, sha: str | None) -> BlobLinks | None:
        """Links when both parts are well formed, else None (the summary then names the lines only)."""
        if not repo_url or not sha:
            return None
        repo_url = repo_url.rstrip("/")
        if not _REPO_URL.fullmatch(repo_url) or not _SHA.fullmatch(sha):
            return None
        return cls(repo_url, sha)

    def to(self, path: str, start: int, end: int | None) -> str:
        span = f"L{start}" if end in (None, start) else f"L{start}-L{end}"
        return f"{self.repo_url}/blob/{self.sha}/{quote(path, safe='/')}#{span}"
