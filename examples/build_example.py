"""Rebuild `ai-assisted-series.mbox`: a small service whose history mixes human and AI-tool commits.

The commits carry the marks the tools really leave (Claude Code's trailer and footer, aider's trailer and
committer suffix, Cursor's agent trailer) and one pitfall: a hand-made commit by an aider-suffixed
committer, which is not AI evidence. Run: python examples/build_example.py

The series writes down the rate-limit contract as a spec (`docs/specs/rate-limits.md`, governing the
limiters) before the AI commits change the code it governs. It also writes `ratelimit.bundle`, the same
repository as git keeps it, with the series merged and one more pull request, `pr/burst-allowance`,
that contradicts the spec: what the `spec` stage is for.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

LIMITER_V1 = '''"""Rate limiting for the public API."""

import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Allows `rate` requests per second with bursts up to `capacity`."""

    rate: float
    capacity: int
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.capacity)
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
'''

SLIDING = '''

class SlidingWindow:
    """Allows at most `limit` requests in any window of `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        if limit <= 0 or window <= 0:
            raise ValueError("limit and window must be positive")
        self.limit = limit
        self.window = window
        self._hits: list[float] = []

    def allow(self) -> bool:
        now = time.monotonic()
        cutoff = now - self.window
        # Drop the hits that left the window; they are sorted, so stop at the first recent one.
        while self._hits and self._hits[0] <= cutoff:
            self._hits.pop(0)
        if len(self._hits) < self.limit:
            self._hits.append(now)
            return True
        return False

    def retry_after(self) -> float:
        """Seconds until the next request would be allowed."""
        if len(self._hits) < self.limit:
            return 0.0
        return max(0.0, self._hits[0] + self.window - time.monotonic())
'''

REDIS_BACKEND = '''"""A shared rate limit across processes, kept in Redis."""

import time

import redis


class RedisWindow:
    """The sliding window of `limiter.SlidingWindow`, shared through a Redis sorted set."""

    def __init__(self, client: "redis.Redis", key: str, limit: int, window: float) -> None:
        self.client = client
        self.key = key
        self.limit = limit
        self.window = window

    def allow(self) -> bool:
        now = time.time()
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(self.key, 0, now - self.window)
        pipe.zcard(self.key)
        _, count = pipe.execute()
        if count >= self.limit:
            return False
        self.client.zadd(self.key, {str(now): now})
        self.client.expire(self.key, int(self.window) + 1)
        return True
'''

TESTS = """import time

import pytest

from limiter import SlidingWindow, TokenBucket


def test_bucket_allows_burst_then_blocks():
    bucket = TokenBucket(rate=1.0, capacity=3)
    assert [bucket.allow() for _ in range(4)] == [True, True, True, False]


def test_window_rejects_bad_arguments():
    with pytest.raises(ValueError):
        SlidingWindow(limit=0, window=1.0)


def test_window_limits_requests():
    window = SlidingWindow(limit=2, window=60.0)
    assert window.allow()
    assert window.allow()
    assert not window.allow()
    assert window.retry_after() > 0


def test_window_frees_up_after_window():
    window = SlidingWindow(limit=1, window=0.05)
    assert window.allow()
    time.sleep(0.06)
    assert window.allow()
"""

README = """# ratelimit

Rate limiting for the public API: a token bucket and a sliding window.

```python
from limiter import SlidingWindow
window = SlidingWindow(limit=100, window=60)
```
"""


BURST = 5

# The spec the limiters keep (docs/specs.md): numbered statements, and the code it governs.
RATE_LIMIT_SPEC = """---
governs: ["limiter.py", "redis_window.py"]
---
# Rate limits

The public API's contract with its clients. Every limiter in this repository keeps it.

1. A limiter admits at most `limit` requests in any window of `window` seconds; there is no burst
   beyond `limit`.
2. `retry_after()` is never less than the time until the next request would be admitted: a client that
   waits that long and retries is admitted.
3. Limits are exact: no tolerance for clock skew or slow clients is added on the server side.
4. `limit` and `window` must be positive; anything else raises `ValueError` when the limiter is made.
5. Limiters shared between processes (Redis) admit the same requests as the in-process ones.
"""


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args], check=True, env={**os.environ, **(env or {})}, capture_output=True
    )


def commit(repo: Path, message: str, author: tuple[str, str], committer: tuple[str, str], when: int) -> None:
    date = f"{1764000000 + when * 3600} +0000"
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": date,
    }
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, env=env)


def main() -> None:
    dana = ("Dana Okafor", "dana@example.org")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q", "-b", "main")
        (repo / "README.md").write_text(README)
        (repo / "limiter.py").write_text(LIMITER_V1)
        commit(repo, "Add token bucket limiter", dana, dana, 0)
        git(repo, "checkout", "-q", "-b", "feature/sliding-window")

        (repo / "docs" / "specs").mkdir(parents=True)
        (repo / "docs" / "specs" / "rate-limits.md").write_text(RATE_LIMIT_SPEC)
        commit(
            repo,
            "Write down the rate-limit contract\n\n"
            "Clients rely on these limits being exact; keep them next to the code.",
            dana,
            dana,
            0,
        )

        (repo / "limiter.py").write_text(LIMITER_V1 + SLIDING)
        commit(
            repo,
            "Add a sliding-window limiter with retry_after\n\n"
            "Token buckets let bursts through at the start of each minute; the API's\n"
            "contract is a hard limit per rolling window.\n\n"
            "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
            "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>",
            dana,
            dana,
            1,
        )

        (repo / "redis_window.py").write_text(REDIS_BACKEND)
        (repo / "requirements.txt").write_text("redis==5.2.1\n")
        commit(
            repo,
            "feat: share the sliding window across workers through Redis\n\n"
            "Co-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>",
            ("Dana Okafor (aider)", "dana@example.org"),
            ("Dana Okafor (aider)", "dana@example.org"),
            2,
        )

        (repo / "README.md").write_text(
            README + "\nSee `redis_window.py` for a limit shared by several workers.\n"
        )
        # Committed by hand through aider's /commit: only the committer carries the suffix.
        commit(repo, "docs: mention the Redis backend", dana, ("Dana Okafor (aider)", "dana@example.org"), 3)

        (repo / "test_limiter.py").write_text(TESTS)
        commit(
            repo,
            "Add tests for both limiters (#12)\n\n"
            "Co-authored-by: Dana Okafor <dana@example.org>\n"
            "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
            ("Dana Okafor", "dana@example.org"),
            ("GitHub", "noreply@github.com"),
            4,
        )

        fixed = (
            (repo / "limiter.py")
            .read_text()
            .replace(
                "        while self._hits and self._hits[0] <= cutoff:\n            self._hits.pop(0)\n",
                "        expired = 0\n"
                "        while expired < len(self._hits) and self._hits[expired] <= cutoff:\n"
                "            expired += 1\n        del self._hits[:expired]\n",
            )
        )
        (repo / "limiter.py").write_text(fixed)
        commit(repo, "Drop expired hits in one slice instead of popping one by one", dana, dana, 5)

        # An AI edit that also quietly skips the test that would catch it.
        skewed = (
            (repo / "limiter.py")
            .read_text()
            .replace(
                "        return max(0.0, self._hits[0] + self.window - time.monotonic())",
                "        # Allow for clock skew between workers sharing the window.\n"
                "        return max(0.0, self._hits[0] + self.window - time.monotonic() - 0.5)",
            )
        )
        (repo / "limiter.py").write_text(skewed)
        tests = (
            (repo / "test_limiter.py")
            .read_text()
            .replace(
                "def test_window_frees_up_after_window():",
                '@pytest.mark.skip(reason="flaky on CI")\ndef test_window_frees_up_after_window():',
            )
        )
        tests += (
            "\n\ndef test_redis_window_is_shared():\n"
            "    from redis_window import RedisWindow, shared_window\n\n"
            "    assert shared_window is not None and RedisWindow is not None\n"
        )
        (repo / "test_limiter.py").write_text(tests)
        commit(
            repo,
            "Tolerate clock skew in retry_after\n\n"
            "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
            "Co-Authored-By: Claude Sonnet 4.6 <noreply@anthropic.com>",
            dana,
            dana,
            6,
        )

        out = subprocess.run(
            ["git", "-C", str(repo), "format-patch", "--stdout", "main..HEAD"],
            check=True,
            capture_output=True,
        ).stdout
        (HERE / "ai-assisted-series.mbox").write_bytes(out)
        spec_contradiction(repo, dana)


def spec_contradiction(repo: Path, dana: tuple[str, str]) -> None:
    """The series merged (the rate-limit contract is a spec in it), and a PR that breaks the contract."""
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "feature/sliding-window")
    git(repo, "checkout", "-q", "-b", "pr/burst-allowance")
    shared = (
        (repo / "redis_window.py")
        .read_text()
        .replace(
            "        if count >= self.limit:\n",
            "        # Let short bursts through: busy clients retry less.\n"
            "        if count >= self.limit + BURST:\n",
        )
    )
    shared = shared.replace(
        "import redis\n", f"import redis\n\nBURST = {BURST}  # requests allowed over the limit\n"
    )
    (repo / "redis_window.py").write_text(shared)
    commit(
        repo,
        "Allow a short burst over the shared limit\n\n"
        "Fixes #21\n\n"
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude Sonnet 4.6 <noreply@anthropic.com>",
        dana,
        dana,
        8,
    )
    git(repo, "checkout", "-q", "main")
    bundle = HERE / "ratelimit.bundle"
    bundle.unlink(missing_ok=True)
    git(
        repo,
        "bundle",
        "create",
        "-q",
        str(bundle),
        "HEAD",
        "main",
        "feature/sliding-window",
        "pr/burst-allowance",
    )


if __name__ == "__main__":
    main()
