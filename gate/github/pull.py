"""Read a pull request into a ChangeSet: the workspace's git when it has the commits, else the REST API.

The workspace checkout is preferred because it is complete (no 250-commit or 300-file limits) and
costs no API requests. Through the API: the diff media type, falling back to the files list when
GitHub answers 406 (too large); the commits list; per-commit patches to tell which commit last added
each line (of the commits that change files, up to `limits.COMMIT_PATCH_FETCH_MAX`); file contents at
head through the contents API, read lazily. A line whose commit the API did not show is of unknown
origin, never guessed (`ChangeSet.origins_exhaustive`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from gate.context.compare import NotComparable
from gate.context.git import Git
from gate.context.ignore import apply_ignore
from gate.context.links import diff_head_tree, may_hold_links, unread_links
from gate.context.local_git import load_git_changeset
from gate.context.model import (
    API_COULD_NOT_READ,
    TOO_LARGE,
    ChangeSet,
    Commit,
    Person,
    unread_files,
    with_added_counts,
)
from gate.context.revisions import MAX_FILE_BYTES, GitRevisions, as_text
from gate.context.series import SeriesLines, replay
from gate.diff.model import Diff, FileChange, FileStatus, LineKind
from gate.diff.parser import parse_diff
from gate.errors import GateError, GitError, InputError
from gate.github import limits
from gate.github.client import DiffTooLarge, GitHubClient, PullCommit, PullFile
from gate.github.event import PullRequestEvent, require_head
from gate.github.unshown import MAX_UNSHOWN_READ_BYTES, MAX_UNSHOWN_READS, NO_PATCH, UnshownReader
from gate.run import HeadDiff

# Files the API reader keeps: each is a contents request, so more than git's reader
# (`gate.context.revisions.FILES_CACHED`); past this the oldest is requested again.
API_FILES_CACHED = 1024
LISTINGS_CACHED = 4  # one per revision (base and head), with room for a caller's own
SUPERSEDED = "GitHub serves the PR's diff and commits for the new head, so this run gated and posted nothing"

_STATUS = {
    "added": FileStatus.ADDED,
    "removed": FileStatus.DELETED,
    "renamed": FileStatus.RENAMED,
    "copied": FileStatus.ADDED,
}


def open_workspace(workspace: Path | None, *shas: str) -> Git | None:
    """The workspace's git repository when it has every commit named, else None."""
    if workspace is None or not (workspace / ".git").exists():
        return None
    try:
        git = Git.open(workspace)
        return git if all(git.exists(sha) for sha in shas if sha) else None
    except GitError:
        return None


def load_pull_changeset(
    client: GitHubClient,
    event: PullRequestEvent,
    workspace: Path | None,
    ignore: Sequence[str],
    *,
    default_ignore: Sequence[str] = (),
) -> ChangeSet:
    """`default_ignore`: the patterns of `ignore` that are the gate's defaults (`gate.context.ignore`).

    Through the API, raises Superseded when the PR's head is not the event's, before the reads or after
    them: GitHub serves a PR's diff, files and commits for the head it has when asked, so they would be
    another commit's change gated in the event's name. A checkout that holds both commits is read at
    them, whatever the PR's head is now (its commits list gives logins only, by SHA).
    """
    git = open_workspace(workspace, event.base_sha, event.head_sha)
    if git is None:
        require_head(client, event.number, event.head_sha, what=SUPERSEDED)
    # Read once: git has no author logins (a provenance signal for bot accounts), the API reader needs
    # the commits themselves.
    pull_commits = client.pull_commits(event.number)
    if git is not None:
        try:
            return _from_workspace(event, pull_commits, git, ignore, default_ignore)
        except GitError as exc:
            # A shallow checkout can hold both ends without their merge base: read through the API.
            changeset = _from_api(client, event, pull_commits, workspace, ignore, default_ignore)
            return replace(changeset, notes=(*changeset.notes, f"workspace git not usable ({exc.message})"))
    return _from_api(client, event, pull_commits, workspace, ignore, default_ignore)


def _from_workspace(
    event: PullRequestEvent,
    pull_commits: Sequence[PullCommit],
    git: Git,
    ignore: Sequence[str],
    default_ignore: Sequence[str],
) -> ChangeSet:
    logins = {c.sha: c.author_login for c in pull_commits if c.author_login}
    changeset = load_git_changeset(
        git.root, event.base_sha, event.head_sha, ignore, default_ignore=default_ignore
    )
    return replace(
        changeset,
        source="github",
        pr=event.info(logins),
        notes=(*changeset.notes, "read the change from the workspace checkout's git"),
    )


def _from_api(
    client: GitHubClient,
    event: PullRequestEvent,
    pull_commits: Sequence[PullCommit],
    workspace: Path | None,
    ignore: Sequence[str],
    default_ignore: Sequence[str],
) -> ChangeSet:
    notes: list[str] = []
    unread: list[str] = []  # what of the change could not be read: no verdict over the rest is a pass
    unlisted = 0
    unshown = UnshownReader(client)
    listed: Mapping[str, str] = {}  # each file's blob at head, when the files list was read
    unlisted_commits = (event.commit_count or 0) - len(pull_commits)
    if unlisted_commits > 0:
        notes.append(
            f"GitHub lists at most {limits.PR_COMMITS_MAX} commits of a PR; "
            f"{unlisted_commits} later commits were not read, so which commit added each line is unknown "
            "(check out with fetch-depth: 0 to read them all from git)"
        )
    try:
        diff = parse_diff(client.pull_diff(event.number), source=f"the diff of PR #{event.number}")
    except (DiffTooLarge, InputError) as exc:
        # Past the diff limit, or a diff whose file headers cannot be told apart (a name with a space
        # and " b/" in it): the files list names each file as a field, never as patch text.
        if isinstance(exc, InputError):
            notes.append("the PR's diff has file headers that cannot be read apart; read the files list")
        files = client.pull_files(event.number)
        listed = {f.path: f.sha for f in files}
        diff = diff_from_files(files, source=f"PR #{event.number}")
        if isinstance(exc, DiffTooLarge):
            notes.append(
                f"the PR is past GitHub's diff limit ({limits.DIFF_MAX_FILES} files or "
                f"{limits.DIFF_MAX_LINES} lines); read it from the files list"
            )
        if event.changed_files is not None and event.changed_files > len(files):
            unlisted = event.changed_files - len(files)
            words = f"{unlisted} file{' was' if unlisted == 1 else 's were'} not read"
            notes.append(f"GitHub lists at most {limits.PR_FILES_MAX} files of a PR; {words}")
            unread.append(f"{words}, past the {limits.PR_FILES_MAX:,} files GitHub lists of a PR")
    # The last read that follows the PR's head: the head checked before the reads is checked again, so
    # that a push during them is not read as the event's change. What is read later names its commits.
    require_head(client, event.number, event.head_sha, what=SUPERSEDED)
    diff = unshown.read(
        diff, base=event.base_sha, head=event.head_sha, source=f"PR #{event.number}", blobs=listed
    )
    commits = tuple(_to_commit(c) for c in pull_commits)
    if unlisted_commits <= 0:
        trees = {c.sha: c.tree for c in pull_commits if c.tree}
        origins, commit_lines = _line_origins(client, unshown, diff, commits, trees, notes)
    else:
        # The patches of the listed commits alone would number lines as they stood before the later
        # commits moved them: every line's commit is left unknown.
        origins, commit_lines = {}, None
    if unshown.refused:
        notes.append(
            f"{len(unshown.refused)} versions of files GitHub showed no patch for were not read, past the "
            f"run's bounds ({MAX_UNSHOWN_READS:,} versions, {MAX_UNSHOWN_READ_BYTES:,} bytes): a file "
            "of the PR's diff left so is not checked (see its note), and a commit's leaves the commit "
            "of its lines unknown"
        )
    diff, origins = apply_ignore(diff, origins, ignore, defaults=default_ignore)
    # The PR's files past those bounds, but those the config ignores.
    kept = {c.path for c in diff.files}
    past = tuple(sorted(path for path, ref in unshown.refused if ref == event.head_sha and path in kept))
    if past:
        unread.append(unread_files(past, "GitHub showed no patch for, past the run's bounds on reading them"))
    ws = open_workspace(workspace, event.head_sha)
    revisions: ApiRevisions | GitRevisions
    if ws is not None:
        revisions = GitRevisions(ws, event.base_sha, event.head_sha)
    else:
        revisions = ApiRevisions(client, event.base_sha, event.head_sha, diff)
    if may_hold_links(diff):
        # The diff says which files are links and where they point; the tree, which files are at head.
        tree = diff_head_tree(diff, revisions.list_files("head"), lambda path: revisions.read("head", path))
        unread.extend(unread_links(diff, *tree))
        if (why := revisions.why_unlisted("head")) is not None:
            unread.append(f"the list of files at head, which {why}: where the PR's links lead is unknown")
    return ChangeSet(
        source="github",
        diff=diff,
        commits=with_added_counts(commits, origins),
        line_origins=origins,
        origins_exhaustive=True,
        pr=event.info({c.sha: c.author_login for c in pull_commits if c.author_login}),
        revisions=revisions,
        commit_lines=commit_lines,
        base_ref=event.base_sha,
        head_ref=event.head_sha,
        notes=tuple(notes),
        unread=tuple(unread),
        refused=past,
        unlisted=unlisted,
    )


def _to_commit(c: PullCommit) -> Commit:
    return Commit(
        sha=c.sha,
        author=Person(c.author_name, c.author_email),
        committer=Person(c.committer_name, c.committer_email),
        message=c.message,
        parents=c.parents,
    )


def _line_origins(
    client: GitHubClient,
    unshown: UnshownReader,
    diff: Diff,
    commits: Sequence[Commit],
    trees: Mapping[str, str],
    notes: list[str],
) -> tuple[dict[str, Mapping[int, str]], SeriesLines | None]:
    """Which commit last added each added line: one commit that changes files owns all; several are
    replayed patch by patch, and then the lines each patch added are kept too. A line no patch read
    added has no origin: its commit is unknown."""
    added = {f.path: [line.new_no for line in f.added_lines() if line.new_no is not None] for f in diff.files}
    own = [c for c in commits if not c.is_merge and _changes_files(c, trees)]
    if not own:
        return {}, None
    if len(own) == 1:
        return {path: dict.fromkeys(lines, own[0].sha) for path, lines in added.items() if lines}, None
    if len(own) > limits.COMMIT_PATCH_FETCH_MAX:
        # A guess (the last commit, say) would let one commit stand for every other: none is made.
        notes.append(
            f"{len(own)} commits change files, more than the {limits.COMMIT_PATCH_FETCH_MAX} whose "
            "patches the gate reads through the API: which commit added each line is unknown (a run on a "
            "checkout with fetch-depth: 0 reads every commit from git)"
        )
        return {}, None
    series = [(c.sha, _commit_diff(client, unshown, c)) for c in own]
    replayed = replay(series).line_origins
    origins: dict[str, Mapping[int, str]] = {}
    for path, lines in added.items():
        known = replayed.get(path, {})
        mapped = {n: known[n] for n in lines if n in known}
        if mapped:
            origins[path] = mapped
    return origins, SeriesLines.of(series)


def _changes_files(commit: Commit, trees: Mapping[str, str]) -> bool:
    """False for a commit whose tree is its parent's (an empty commit, which adds no line), told from the
    commits list without a request; True when its tree differs or the list cannot tell."""
    tree = trees.get(commit.sha)
    return not tree or not commit.parents or trees.get(commit.parents[0]) != tree


def _commit_diff(client: GitHubClient, unshown: UnshownReader, commit: Commit) -> Diff:
    """The files one commit changed, with those GitHub shows no patch for read from their contents."""
    source = f"commit {commit.sha[:12]}"
    files = client.commit_files(commit.sha)
    diff = diff_from_files(files, source=source)
    if not commit.parents:
        return diff
    blobs = {f.path: f.sha for f in files}
    return unshown.read(diff, base=commit.parents[0], head=commit.sha, source=source, blobs=blobs)


def diff_from_files(files: Sequence[PullFile], *, source: str) -> Diff:
    """A Diff from GitHub's files list, whose `patch` fields are the hunks without file headers. A file
    with no patch is binary here until its contents are read (`gate.github.unshown`)."""
    changes: list[FileChange] = []
    for f in files:
        status = _STATUS.get(f.status, FileStatus.MODIFIED)
        old_path = f.previous_path if status is FileStatus.RENAMED else None
        if not f.patch:
            changes.append(
                FileChange(
                    path=f.path,
                    old_path=old_path,
                    status=status,
                    is_binary=True,
                    notes=(f"{f.path}: {NO_PATCH}",),
                )
            )
            continue
        # Placeholder names: the header only has to parse; the real names (which may hold spaces,
        # tabs, quotes or newlines) are set from the listing below, never read back from patch text.
        a = "/dev/null" if status is FileStatus.ADDED else "a/file"
        b = "/dev/null" if status is FileStatus.DELETED else "b/file"
        patch = f.patch if f.patch.endswith("\n") else f.patch + "\n"
        try:
            parsed = parse_diff(f"--- {a}\n+++ {b}\n{patch}", source=f"{source}: {f.path}")
        except InputError:
            changes.append(
                FileChange(
                    path=f.path, old_path=old_path, status=status, notes=(f"{f.path}: unreadable patch",)
                )
            )
            continue
        for change in parsed.files:
            notes = tuple(
                f.path + n[len(change.path) :] if n.startswith(change.path) else n for n in change.notes
            )
            changes.append(replace(change, path=f.path, old_path=old_path, status=status, notes=notes))
    return Diff(files=tuple(changes))


class ApiRevisions:
    """RevisionReader through the contents and trees APIs, for runs without a usable checkout.

    A file the PR adds is whole in the diff, so its head text costs no request; others are read once
    each (cached), so requests grow with the files an analyzer asks for, never with their lines.
    """

    def __init__(self, client: GitHubClient, base: str, head: str, diff: Diff | None = None) -> None:
        self._client = client
        self._revs = {"base": base, "head": head}
        self._diff = diff
        self._unread: dict[tuple[str, str], str] = {}  # (revision, path) -> why, for `why_unread`
        self._unlisted: dict[str, str] = {}  # revision -> why, for `why_unlisted`
        # Per reader, so per run: each file read once (a request each), each listing once.
        self.read = lru_cache(maxsize=API_FILES_CACHED)(self._read)  # type: ignore[method-assign]
        self.list_files = lru_cache(maxsize=LISTINGS_CACHED)(self._list_files)  # type: ignore[method-assign]

    def read(self, revision: str, path: str) -> str | None:
        return self._read(revision, path)

    def list_files(self, revision: str) -> tuple[str, ...]:
        return self._list_files(revision)

    def why_unread(self, revision: str, path: str) -> str | None:
        return self._unread.get((revision, path))

    def why_unlisted(self, revision: str) -> str | None:
        return self._unlisted.get(revision)

    def _read(self, revision: str, path: str) -> str | None:
        if revision in ("head", self._revs["head"]) and (text := self._added_text(path)) is not None:
            return text
        try:
            found = self._client.file(path, self._revs.get(revision, revision))
            if found is None:
                return None
            if found.data is None and found.size > MAX_FILE_BYTES:
                self._unread[revision, path] = TOO_LARGE
                return None
            # Past the 1 MB the contents API gives, the blob API gives it, up to git mode's limit.
            data = found.data if found.data is not None else self._client.blob(found.sha)
        except GateError:  # the API failed, which is not a file found absent (that is None)
            self._unread[revision, path] = API_COULD_NOT_READ
            return None
        return as_text(data)

    def _added_text(self, path: str) -> str | None:
        change = self._diff.by_path.get(path) if self._diff is not None else None
        if change is None or change.status is not FileStatus.ADDED or len(change.hunks) != 1:
            return None
        hunk = change.hunks[0]
        if hunk.new_start != 1 or any(line.kind is not LineKind.ADDED for line in hunk.lines):
            return None
        text = hunk.added_text()
        return text[:-1] if hunk.new_missing_newline and text.endswith("\n") else text

    def _list_files(self, revision: str) -> tuple[str, ...]:
        try:
            return self._client.tree_paths(self._revs.get(revision, revision))
        except GateError:  # a listing not given is no empty tree: the stages that list it say so
            self._unlisted[revision] = API_COULD_NOT_READ
            return ()


def api_heads(client: GitHubClient) -> HeadDiff:
    """Which lines changed from one PR head to the next, through the compare API: for runs whose
    checkout lacks the previous head (the default shallow checkout)."""

    def compare(old: str, new: str) -> Diff:
        status, files = client.compare(old, new)
        if status not in ("ahead", "identical"):
            raise NotComparable(
                f"the previous head {old[:12]} is not an ancestor ({status or 'unknown'}: rebased or "
                "force-pushed)"
            )
        if len(files) >= limits.DIFF_MAX_FILES:
            raise NotComparable(f"{len(files)}+ files changed since the previous head: too many to list")
        return diff_from_files(files, source=f"compare {old[:12]}...{new[:12]}")

    return compare
