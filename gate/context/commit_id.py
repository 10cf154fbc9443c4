"""How long a commit id is: in full, as git names an object, and shortened, as the report shows one."""

from __future__ import annotations

# A full commit id is the hex of the object's hash: SHA-1 in git's default repositories, SHA-256 in
# those made with `git init --object-format=sha256`.
SHA1_HEX_CHARS = 40
SHA256_HEX_CHARS = 64
FULL_COMMIT_ID_CHARS = (SHA1_HEX_CHARS, SHA256_HEX_CHARS)
# What a person reads: `git log --abbrev=12`, unique in repositories far larger than most.
SHORT_COMMIT_ID_CHARS = 12


def is_full_commit_id(ref: str) -> bool:
    """Whether `ref` has the length of a full commit id (a branch name or an abbreviation has not)."""
    return len(ref) in FULL_COMMIT_ID_CHARS


def short_id(sha: str) -> str:
    """A commit id as the report shows it."""
    return sha[:SHORT_COMMIT_ID_CHARS]
