"""One file as a checkout of a commit would hold it, read from git's objects alone.

The working tree is never read: in CI it is the change's own checkout, where a symbolic link (a folder
moved away and linked back, a linked file) or any later edit makes a path hold whatever the change
wants. Symbolic links on the path are followed inside the commit's tree, as a checkout of that commit
would follow them; one that leads out of the tree cannot be read from git and is an error.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from gate.context.git import Git
from gate.context.git_objects import decode_name
from gate.context.model import SYMLINK_MODE
from gate.errors import GitError

# Links followed on one path before giving up: Linux's MAXSYMLINKS, the limit a checkout would meet.
MAX_LINKS = 40


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    oid: str


def read_committed(git: Git, rev: str, path: str) -> bytes | None:
    """The bytes of `path` in a checkout of `rev`, or None when no file is there (nothing at that path,
    a folder, or a submodule on the way). Raises GitError when a link leaves the tree or links loop."""
    root = git.run("rev-parse", "--verify", "--end-of-options", f"{rev}^{{tree}}").decode().strip()
    folders: list[str] = [root]  # the trees walked into, the repository's root first
    todo = deque(path.split("/"))
    links = 0
    while todo:
        name = todo.popleft()
        if name in ("", "."):
            continue
        if name == "..":
            if len(folders) == 1:
                raise GitError(f"{path} at {rev[:12]}: a symbolic link on it leads out of the repository")
            folders.pop()
            continue
        entry = _entry(git, folders[-1], name)
        if entry is None:
            return None
        if entry.mode == SYMLINK_MODE:
            links += 1
            if links > MAX_LINKS:
                raise GitError(f"{path} at {rev[:12]}: too many symbolic links on it")
            target = decode_name(git.run("cat-file", "blob", entry.oid))
            if target.startswith("/"):
                raise GitError(f"{path} at {rev[:12]}: a symbolic link on it leads out of the repository")
            todo.extendleft(reversed(target.split("/")))
        elif not todo:
            return git.run("cat-file", "blob", entry.oid) if entry.kind == "blob" else None
        elif entry.kind == "tree":
            folders.append(entry.oid)
        else:
            return None  # a file or a submodule where the path needs a folder
    return None  # the path names the root folder itself


def _entry(git: Git, tree: str, name: str) -> _Entry | None:
    """The entry `name` of one tree. The tree is listed whole and the name compared exactly: a name
    given to git as a path would be read as a pattern."""
    for record in git.run("ls-tree", "-z", tree).split(b"\0"):
        meta, tab, raw = record.partition(b"\t")
        if tab and decode_name(raw) == name:
            mode, kind, oid = meta.decode().split(" ")
            return _Entry(mode, kind, oid)
    return None
