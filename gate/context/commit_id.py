"""How long a commit id is: in full, as git names an object, and shortened, as the report shows one.

It imports nothing, so every layer may name these lengths (the review state's schema among them)."""

from __future__ import annotations

# A full commit id is the hex of the object's hash: SHA-1 in git's default repositories, SHA-256 in
# those made with `git init --object-format=sha256`.
SHA1_HEX_CHARS = 40
SHA256_HEX_CHARS = 64
FULL_COMMIT_ID_CHARS = (SHA1_HEX_CHARS, SHA256_HEX_CHARS)
# A full commit id as a pattern (lowercase hex, as git prints it), anchored for a validator that searches.
FULL_COMMIT_ID_PATTERN = "|".join(f"^[0-9a-f]{{{n}}}$" for n in FULL_COMMIT_ID_CHARS)
# The same, unanchored and grouped, for a pattern that finds an id inside a longer line.
FULL_COMMIT_ID_GROUP = "(" + "|".join(f"[0-9a-f]{{{n}}}" for n in FULL_COMMIT_ID_CHARS) + ")"
# What a person reads: `git log --abbrev=12`, unique in repositories far larger than most.
SHORT_COMMIT_ID_CHARS = 12


def is_full_commit_id(ref: str) -> bool:
    """Whether `ref` has the length of a full commit id (a branch name or an abbreviation has not)."""
    return len(ref) in FULL_COMMIT_ID_CHARS


def short_id(sha: str) -> str:
    """A commit id as the report shows it."""
    return sha[:SHORT_COMMIT_ID_CHARS]
