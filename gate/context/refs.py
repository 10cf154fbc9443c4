"""The revision a user names (`--base`, `--head`), taken only when its name means one thing to git.

git reads a short name such as `origin/main` by trying, in order, the name itself, then `refs/NAME`,
`refs/tags/NAME`, `refs/heads/NAME`, `refs/remotes/NAME` and `refs/remotes/NAME/HEAD`, and takes the
first that exists; a hex name that is also a ref is the ref, not the commit it abbreviates (`git help
revisions`). So a tag comes before a branch and before a remote-tracking branch: whoever can push a tag
to the repository the gate reads can make `origin/main` mean the head of their own change, whose range
then holds nothing and whose config is theirs. git only warns that the name is ambiguous, on a stream the
gate does not read, so a name that more than one ref answers to is refused, naming the refs it could mean.
"""

from __future__ import annotations

import re

from gate.context.commit_id import is_full_commit_id
from gate.context.git import Git
from gate.errors import GitError

# Where git looks for a short name, after the name itself (refs.c, ref_rev_parse_rules).
_RULES = ("refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}", "refs/remotes/{}/HEAD")
# What may follow the name in a revision: `~2`, `^{commit}`, `:path`, `@{upstream}`. None of these can be
# part of a ref's name (git check-ref-format).
_AFTER_NAME = re.compile(r"[~^:]|@\{")
_HEX = re.compile(r"[0-9a-fA-F]+")
# The shortest abbreviation git reads as an object name (MINIMUM_ABBREV).
_ABBREVIATION = re.compile(r"[0-9a-fA-F]{4,}")


def ref_name(revision: str) -> str:
    """The name a revision starts with: `origin/main` of `origin/main~2` or of `origin/main^{commit}`."""
    after = _AFTER_NAME.search(revision)
    return revision[: after.start()] if after else revision


def meanings(git: Git, revision: str) -> list[str]:
    """Every ref, and every commit by abbreviation, that the name `revision` starts with could mean.

    A pseudo-ref such as `HEAD` comes first in git's order and is local to the clone, so a ref of the
    same name under refs/ cannot take its place and is not counted against it; nor is a ref against
    a full commit id, which git reads as the commit."""
    name = ref_name(revision)
    if not name or name == "@" or (is_full_commit_id(name) and _HEX.fullmatch(name)):
        return []
    candidates = [rule.format(name) for rule in _RULES]
    if name.startswith("refs/"):
        candidates.insert(0, name)
    # for-each-ref matches its patterns as globs and as prefixes up to a slash; only an exact name counts.
    # A ref's name holds no glob character and no newline (git check-ref-format).
    listed = set(git.lines("for-each-ref", "--format=%(refname)", *candidates))
    found = [ref for ref in candidates if ref in listed]
    if found and _ABBREVIATION.fullmatch(name):
        found += _commits_abbreviated(git, name)
    return found


def _commits_abbreviated(git: Git, prefix: str) -> list[str]:
    """The commits whose ids start with `prefix`."""
    objects = git.run("rev-parse", f"--disambiguate={prefix.lower()}", check=False)
    if not objects.strip():
        return []
    kinds = git.run("cat-file", "--batch-check=%(objectname) %(objecttype)", input=objects).decode()
    return [line.split(" ")[0] for line in kinds.splitlines() if line.endswith(" commit")]


def unambiguous(git: Git, revision: str, option: str) -> str:
    """`revision` as given, once its name is known to mean at most one ref or commit."""
    found = meanings(git, revision)
    if len(found) > 1:
        name = ref_name(revision)
        raise GitError(
            f"{option} '{name}' is ambiguous: it names {' and '.join(found)}",
            f"pass the one you mean in full, e.g. {option} {found[-1]}",
        )
    return revision
