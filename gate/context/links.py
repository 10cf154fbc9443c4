"""Symbolic links a change adds or changes under a source file's name, and whether the gate read what
they lead to.

Git stores a symbolic link as the path it points to. So a link `app/net.py -> ../data/impl.txt` shows
in the diff as one added line, `../data/impl.txt`, while Python follows the link and runs the text of
`data/impl.txt`, a file no check reads as Python. A link named as source counts as read only when it
leads, at head and inside the repository, to a file the gate reads as what the link's name makes it:
a Python name to what the analyzers read as Python (`gate.context.file_kinds`, so `impl.PY` is not), a
JavaScript or TypeScript name to either, a name the secret scan reads with config syntax (`.env`, YAML,
a Dockerfile, a shell script) to a file it reads so too or to a script a shell runs, and any other
source name to a text file. The file there is read in its own right when it changes; any other link
is source the gate did not read.

The analyzers leave every changed link unread (`LINK_SKIPPED`), and the policy counts that skip as
judged here only for the links this module judges (`judged_here`): a link under another name an
analyzer meant to read stays a part of the change not read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from gate.context.file_kinds import BYTE_ORDER_MARK, first_line_decides, is_python_source, runs_shell
from gate.context.git import Git
from gate.context.git_objects import decode_name
from gate.context.model import SYMLINK_MODE, RevisionReader, is_source_name, unread_files
from gate.context.suffixes import JS_SUFFIXES, PYTHON_SUFFIXES
from gate.diff.model import Diff, FileChange, FileStatus
from gate.redact.detect import is_config_file

# Why an analyzer leaves a changed link unread: where it leads decides (`unread_links`), not the link,
# for the links judged here (`judged_here`).
LINK_SKIPPED = "symbolic link"
# Links followed in one lookup before it counts as a loop: Linux's own limit (MAXSYMLINKS).
MAX_LINKS_FOLLOWED = 40


@dataclass(frozen=True)
class HeadTree:
    """What the resolver needs of the head revision: which paths are files, where a link points, and
    what a file holds."""

    files: Collection[str]
    link_target: Callable[[str], str | None]  # a link's target, None for a path that is no link
    text: Callable[[str], str | None]  # a file's text, None when it is binary or the run cannot read it


def is_link(change: FileChange) -> bool:
    return change.new_mode == SYMLINK_MODE


def judged_here(path: str) -> bool:
    """Whether a changed link of this name is judged by where it leads: one named as source, or as a
    file the secret scan reads with config syntax (`.env.local`, `Dockerfile.prod`)."""
    return is_source_name(path) or is_config_file(path)


def unread_links(diff: Diff, tree: HeadTree, links: Collection[str]) -> tuple[str, ...]:
    """`ChangeSet.unread`'s words for the changed files judged here that are links (`links`, at head)
    to anything but a file in the repository, outside the paths the config ignores, that the gate reads
    as what the link's name makes it: none when there are none."""
    paths = _unread_link_paths(diff, tree, links)
    if not paths:
        return ()
    what = "a symbolic link" if len(paths) == 1 else "symbolic links"
    return (unread_files(paths, f"named as source code but {what} to a file not read as code"),)


def may_hold_links(diff: Diff) -> bool:
    """Whether any changed file judged here may be a link at head: one the diff says is, or one renamed
    whole, whose diff says nothing of its mode (moved, a relative link leads elsewhere)."""
    return any(
        judged_here(c.path) and (is_link(c) or (c.status is FileStatus.RENAMED and c.new_mode is None))
        for c in diff.files
    )


def _unread_link_paths(diff: Diff, tree: HeadTree, links: Collection[str]) -> list[str]:
    """The paths `unread_links` speaks of."""
    ignored = set(diff.ignored_paths)
    out: list[str] = []
    for change in diff.files:
        if change.status is FileStatus.DELETED or change.path not in links or not judged_here(change.path):
            continue
        target = resolve(change.path, tree)
        if target is None or target in ignored or not _read_as_named(change.path, target, tree):
            out.append(change.path)
    return out


def _read_as_named(link: str, target: str, tree: HeadTree) -> bool:
    """Whether the file a link leads to is read as what the link's name makes it."""
    if link.endswith(PYTHON_SUFFIXES):  # what Python imports or runs through the link
        return is_python_source(target, _first_line(target, tree) if first_line_decides(target) else None)
    if link.endswith(JS_SUFFIXES):
        return target.endswith(JS_SUFFIXES)
    if is_config_file(link):
        return is_config_file(target) or runs_shell(_first_line(target, tree) or "")
    return tree.text(target) is not None


def _first_line(path: str, tree: HeadTree) -> str | None:
    text = tree.text(path)
    return None if text is None else text.removeprefix(BYTE_ORDER_MARK).split("\n", 1)[0]


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

    return HeadTree(frozenset(files), target, lambda path: revisions.read("head", path)), frozenset(links)


def diff_head_tree(
    diff: Diff, head_files: Iterable[str] = (), read_head: Callable[[str], str | None] | None = None
) -> tuple[HeadTree, frozenset[str]]:
    """The head tree as far as a diff shows it (with `head_files`, the paths at head, and `read_head`,
    a file's text there, when known): a link is one the diff adds or changes, its target the text of
    its added line; a file's text is whole in the diff when the diff adds it."""
    changed = [c for c in diff.files if c.status is not FileStatus.DELETED]
    targets = {c.path: "".join(line.text for line in c.added) for c in changed if is_link(c)}
    files = {*head_files, *(c.path for c in changed)} - targets.keys()
    added = {c.path: c for c in changed if c.status is FileStatus.ADDED and not is_link(c)}

    def text(path: str) -> str | None:
        change = added.get(path)
        if change is not None:
            return None if change.is_binary else "".join(line.text + "\n" for line in change.added)
        return read_head(path) if read_head is not None else None

    return HeadTree(frozenset(files), targets.get, text), frozenset(targets)
