"""A local git range as a ChangeSet: the final diff, the commits, and who last added each line.

Attribution: a file touched by one commit of the range owes all its added lines to that commit; a
file touched by several is blamed within the range, whitespace aside (-w): a commit that only
re-indents or re-spaces a line does not become its author, and the line keeps its number in the file
of the commit that wrote it, where line-level records number it. A line the base already had, but for
whitespace, is tied to the commit before the range that blame names: no commit of the range wrote it.
A commit that moves lines into another file or re-adds them is their last author here; provenance
reads the commits' own lines (`commit_lines`) to tell the lines an AI commit wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gate.context.commit_id import is_full_commit_id
from gate.context.commit_lines import GitCommitLines
from gate.context.git import Git
from gate.context.git_diff import git_diff
from gate.context.git_objects import commits_and_files, read_commits
from gate.context.ignore import apply_ignore
from gate.context.links import git_head_tree, may_hold_links, unread_links
from gate.context.model import ChangeSet, Commit, with_added_counts
from gate.context.refs import unambiguous
from gate.context.revisions import GitRevisions
from gate.diff.model import Diff
from gate.errors import GitError

# In full: a short name is read through git's lookup order, where a tag named `origin/main` comes before
# the remote-tracking branch (`gate.context.refs`).
_DEFAULT_BRANCHES = (
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
    "refs/heads/main",
    "refs/heads/master",
)
BLAME_WORKERS = 4


def default_base(git: Git, head: str) -> str:
    """The default branch to compare with, by its full name: origin's HEAD, else main or master."""
    out = git.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False).decode().strip()
    candidates = ([out] if out else []) + list(_DEFAULT_BRANCHES)
    for ref in candidates:
        if git.exists(ref):
            return ref
    raise GitError("cannot tell the default branch", "pass --base REF")


@dataclass(frozen=True)
class GitRange:
    """The range `base...head` that is gated, its ends resolved to commits once for the whole run.

    A branch can move while the gate works (a CI job's fetch, a push): read again by name, the config
    would come from one commit of the base and the diff from another, and the report would name the
    wrong one. So the names are read once, here, and every later read goes by these commits."""

    base_name: str  # as given, or the default branch's full ref
    head_name: str  # as given, or HEAD
    base_sha: str  # the base's tip, where its config is read
    merge_base: str  # where the change forked: the diff's base
    head_sha: str


def resolve_range(git: Git, base: str | None, head: str | None) -> GitRange:
    """The range `base...head`: the base's name (the default branch's when not given) and tip, the
    merge base, and head's commit. A name given that more than one ref answers to is refused
    (`gate.context.refs`)."""
    head_name = unambiguous(git, head, "--head") if head else "HEAD"
    head_sha = git.resolve(head_name)
    base_name = unambiguous(git, base, "--base") if base else default_base(git, head_sha)
    base_sha = git.resolve(base_name)
    merge_base = git.run("merge-base", base_sha, head_sha, check=False).decode().strip()
    if not merge_base:
        raise GitError(f"'{base_name}' and '{head_name}' have no common ancestor", "pass --base REF")
    return GitRange(base_name, head_name, base_sha, merge_base, head_sha)


def load_git_changeset(
    repo: Path,
    base: str | None,
    head: str | None,
    ignore: Sequence[str] = (),
    on_diff: Callable[[Diff], object] | None = None,
    *,
    default_ignore: Sequence[str] = (),
    offline: bool = False,
) -> ChangeSet:
    """The change `base...head` of the repository at `repo` (`load_range_changeset`)."""
    git = Git.open(repo, offline=offline)
    return load_range_changeset(
        git, resolve_range(git, base, head), ignore, on_diff, default_ignore=default_ignore
    )


def load_range_changeset(
    git: Git,
    span: GitRange,
    ignore: Sequence[str] = (),
    on_diff: Callable[[Diff], object] | None = None,
    *,
    default_ignore: Sequence[str] = (),
) -> ChangeSet:
    """`on_diff` is told the diff as soon as git has given it, before the commits and line origins.
    `default_ignore`: the patterns of `ignore` that are the gate's defaults (`gate.context.ignore`)."""
    merge_base, head_sha = span.merge_base, span.head_sha
    diff = git_diff(git, merge_base, head_sha, source=f"git diff {span.base_name}...{span.head_name}")
    if on_diff is not None:
        on_diff(diff)
    commits, touched = _commits(git, merge_base, head_sha)
    all_origins, numbers = _origins(git, diff, commits, touched, merge_base, head_sha)
    revisions = GitRevisions(git, merge_base, head_sha)
    diff, origins = apply_ignore(diff, all_origins, ignore, revisions, defaults=default_ignore)
    unread = unread_links(diff, *git_head_tree(git, head_sha, revisions)) if may_hold_links(diff) else ()
    return ChangeSet(
        source="git",
        diff=diff,
        commits=with_added_counts(commits, origins),
        line_origins=origins,
        line_origin_numbers={p: n for p, n in numbers.items() if p in origins},
        revisions=revisions,
        commit_lines=GitCommitLines(git, {c.sha: c.parents for c in commits}),
        base_ref=merge_base,
        head_ref=head_sha,
        unread=unread,
    )


def _commits(git: Git, base: str, head: str) -> tuple[tuple[Commit, ...], dict[str, list[str]]]:
    """Commits of base..head, oldest first, and for each path the commits that touched it."""
    listing = commits_and_files(git, base, head)
    commits = read_commits(git, [sha for sha, _ in listing])
    touched: dict[str, list[str]] = defaultdict(list)
    for sha, files in listing:
        for entry in files:
            if entry.status in "RC" and entry.old_path is not None:
                # A rename carries the history of the old path along.
                touched[entry.path].extend(touched.get(entry.old_path, []))
            touched[entry.path].append(sha)
    return tuple(commits), touched


def _origins(
    git: Git, diff: Diff, commits: Sequence[Commit], touched: dict[str, list[str]], base: str, head: str
) -> tuple[dict[str, dict[int, str]], dict[str, dict[int, int]]]:
    """Each added line's commit, and (for blamed files) its line number in that commit's file."""
    has_merges = any(c.is_merge for c in commits)
    origins: dict[str, dict[int, str]] = {}
    numbers: dict[str, dict[int, int]] = {}
    to_blame: list[str] = []
    for change in diff.files:
        added = [line.new_no for line in change.added_lines() if line.new_no is not None]
        if not added:
            continue
        shas = list(dict.fromkeys(touched.get(change.path, [])))
        if len(shas) == 1 and not has_merges:
            origins[change.path] = dict.fromkeys(added, shas[0])
        elif shas or has_merges:
            to_blame.append(change.path)
    if to_blame:
        in_range = {c.sha for c in commits}
        with ThreadPoolExecutor(max_workers=BLAME_WORKERS) as pool:
            for path, (lines, orig) in zip(
                to_blame, pool.map(lambda p: _blame(git, p, base, head), to_blame), strict=True
            ):
                wanted = {line.new_no for line in diff.by_path[path].added_lines()}
                origins[path] = {n: sha for n, sha in lines.items() if n in wanted}
                numbers[path] = {n: orig[n] for n, sha in origins[path].items() if sha in in_range}
    return origins, numbers


def _blame(git: Git, path: str, base: str, head: str) -> tuple[dict[int, str], dict[int, int]]:
    out = git.run("blame", "-w", "--incremental", f"{base}..{head}", "--", path, check=False).decode(
        "utf-8", "replace"
    )
    lines: dict[int, str] = {}
    orig: dict[int, int] = {}  # final line -> the line's number in the blamed commit's file
    for row in out.split("\n"):
        head_fields = row.split(" ")
        if len(head_fields) == 4 and is_full_commit_id(head_fields[0]):
            sha = head_fields[0]
            source, start, count = int(head_fields[1]), int(head_fields[2]), int(head_fields[3])
            for k in range(count):
                lines[start + k] = sha
                orig[start + k] = source + k
    return lines, orig
