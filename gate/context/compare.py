"""Which lines changed between two heads of a change: by git when the repository has both, else by a
fallback the entry point gives (GitHub's compare API). An incremental review starts from it."""

from __future__ import annotations

from gate.context.commit_id import short_id
from gate.context.git import Git
from gate.context.git_diff import git_diff
from gate.context.model import ChangeSet
from gate.context.revisions import GitRevisions
from gate.diff.model import Diff
from gate.run import HeadDiff


class NotComparable(Exception):
    """The previous head cannot be compared with this one (gone, rebased, too large to list)."""


def git_heads(git: Git) -> HeadDiff:
    def compare(old: str, new: str) -> Diff:
        if not git.exists(old):
            raise NotComparable(f"the previous head {short_id(old)} is not in the repository")
        if git.text("merge-base", old, new).strip() != old:
            raise NotComparable(
                f"the previous head {short_id(old)} is not an ancestor (rebased or force-pushed)"
            )
        return git_diff(git, old, new, "-U0", source=f"git diff {short_id(old)} {short_id(new)}")

    return compare


def head_diff(changeset: ChangeSet, fallback: HeadDiff | None) -> HeadDiff | None:
    """Git when the change's repository has the previous head, else the fallback (GitHub's API)."""
    revisions = changeset.revisions
    if not isinstance(revisions, GitRevisions):
        return fallback
    by_git = git_heads(revisions.git)
    if fallback is None:
        return by_git

    def compare(old: str, new: str) -> Diff:
        return by_git(old, new) if revisions.git.exists(old) else fallback(old, new)

    return compare
