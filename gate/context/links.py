"""Symbolic links a change adds or changes under a source file's name, and whether the gate read what
they lead to.

Git stores a symbolic link as the path it points to. So a link `app/net.py -> ../data/impl.txt` shows
in the diff as one added line, `../data/impl.txt`, while Python follows the link and runs the text of
`data/impl.txt`, a file no check reads as Python. A link named as source counts as read only when it
leads, at head and inside the repository, to a file of the same kind (`app/net.py` to another `.py`),
which the gate reads as such when it changes; any other is source the gate did not read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from gate.context.git import Git
from gate.context.git_objects import decode_name
from gate.context.model import SOURCE_NAMES, SOURCE_SUFFIXES, RevisionReader, is_source_name, unread_files
from gate.diff.model import Diff, FileChange, FileStatus

SYMLINK_MODE = "120000"
# Why an analyzer leaves a changed link unread: where it leads decides (`unread_links`), not the link.
LINK_SKIPPED = "symbolic link"
# Links followed in one lookup before it counts as a loop: Linux's own limit (MAXSYMLINKS).
MAX_LINKS_FOLLOWED = 40


@dataclass(frozen=True)
class HeadTree:
    """What the resolver needs of the head revision: which paths are files, and where a link points."""

    files: Collection[str]
    link_target: Callable[[str], str | None]  # a link's target, None for a path that is no link


def is_link(change: FileChange) -> bool:
    return change.new_mode == SYMLINK_MODE


def unread_links(diff: Diff, tree: HeadTree, links: Collection[str]) -> tuple[str, ...]:
    """`ChangeSet.unread`'s words for the changed files named as source that are links (`links`, at
    head) to anything but a file of their own kind in the repository, outside the paths the config
    ignores: none when there are none."""
    paths = _unread_link_paths(diff, tree, links)
    if not paths:
        return ()
    what = "a symbolic link" if len(paths) == 1 else "symbolic links"
    return (unread_files(paths, f"named as source code but {what} to a file not read as code"),)


def may_hold_links(diff: Diff) -> bool:
    """Whether any changed file named as source may be a link at head: one the diff says is, or one
    renamed whole, whose diff says nothing of its mode (moved, a relative link leads elsewhere)."""
    return any(
        is_source_name(c.path) and (is_link(c) or (c.status is FileStatus.RENAMED and c.new_mode is None))
        for c in diff.files
    )


def _unread_link_paths(diff: Diff, tree: HeadTree, links: Collection[str]) -> list[str]:
    """The paths `unread_links` speaks of."""
    ignored = set(diff.ignored_paths)
    out: list[str] = []
    for change in diff.files:
        if change.status is FileStatus.DELETED or change.path not in links or not is_source_name(change.path):
            continue
        target = resolve(change.path, tree)
        if target is None or target in ignored or _kind(target) != _kind(change.path):
            out.append(change.path)
    return out


def resolve(path: str, tree: HeadTree) -> str | None:
    """The file `path` leads to at head, following links as the operating system does (each relative
    to the folder that holds it, `..` taken after the link is followed); None when it leads out of the
    repository (an absolute target, or above its root), to no file, or round a loop."""
    resolved: list[str] = []
    pending = path.split("/")[::-1]  # the parts still to walk, the next one last
    followed = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
            continue
        target = tree.link_target("/".join([*resolved, part]))
        if target is None:
            resolved.append(part)
            continue
        followed += 1
        if followed > MAX_LINKS_FOLLOWED or target.startswith("/"):
            return None
        pending.extend(target.split("/")[::-1])
    found = "/".join(resolved)
    return found if found in tree.files else None


def _kind(path: str) -> str | None:
    """What a file's name says it is: its source suffix (the longest one), or its whole source name."""
    lowered = path.lower()
    suffixes = [s for s in SOURCE_SUFFIXES if lowered.endswith(s)]
    if suffixes:
        return max(suffixes, key=len)
    name = lowered.rsplit("/", 1)[-1]
    return name if name in SOURCE_NAMES else None


def git_head_tree(git: Git, head: str, revisions: RevisionReader) -> tuple[HeadTree, frozenset[str]]:
    """The head tree as git stores it, and the paths in it that are links."""
    files: set[str] = set()
    links: set[str] = set()
    out = git.run("ls-tree", "-r", "-z", "--full-tree", head)
    for entry in out.split(b"\0"):
        info, _, name = entry.partition(b"\t")
        fields = info.split()
        if len(fields) == 3 and fields[1] == b"blob":
            (links if fields[0] == SYMLINK_MODE.encode() else files).add(decode_name(name))

    def target(path: str) -> str | None:
        return revisions.read("head", path) if path in links else None

    return HeadTree(frozenset(files), target), frozenset(links)


def diff_head_tree(diff: Diff, head_files: Iterable[str] = ()) -> tuple[HeadTree, frozenset[str]]:
    """The head tree as far as a diff shows it (with `head_files`, the paths at head when known): a
    link is one the diff adds or changes, its target the text of its added line."""
    changed = [c for c in diff.files if c.status is not FileStatus.DELETED]
    targets = {c.path: "".join(line.text for line in c.added) for c in changed if is_link(c)}
    files = {*head_files, *(c.path for c in changed)} - targets.keys()
    return HeadTree(frozenset(files), targets.get), frozenset(targets)
