"""What every source of a change produces: the final diff, the commits, and who wrote each added line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from gate.diff.model import Diff, FileStatus


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True)
class Commit:
    """One commit of the change, oldest first in a ChangeSet."""

    sha: str
    author: Person
    committer: Person | None
    message: str
    parents: tuple[str, ...] = ()
    # Text of the commit's git note under refs/notes/ai (git-ai line-level authorship), if any.
    ai_note: str | None = None
    # Lines this commit added (path -> count), for the report; filled by the source.
    added_lines: int = 0

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class PullRequestInfo:
    """PR-level signals: filled from a GitHub event or API, or left empty for local runs."""

    number: int | None = None
    title: str = ""
    body: str = ""
    author_login: str = ""
    labels: tuple[str, ...] = ()
    head_branch: str = ""
    base_branch: str = ""
    head_sha: str = ""
    base_sha: str = ""
    draft: bool = False
    # Commit author logins by sha, when the platform knows them (GitHub's commit.author.login).
    commit_logins: Mapping[str, str] = field(default_factory=dict)


# Why a file that is there was not read (`RevisionReader.why_unread`): its source could not give it.
# Git: a partial clone (`--filter=blob:none`) lacks its blob and the promisor remote is out of reach (or
# the run is offline), or git itself failed. Not "no such file": what a stage needed of it is unknown.
GIT_COULD_NOT_READ = "git could not read it"
API_COULD_NOT_READ = "the GitHub API could not read it"
COULD_NOT_READ = (GIT_COULD_NOT_READ, API_COULD_NOT_READ)
# Why a file that is there was not read whole: it is larger than the reader takes (git's reader and the
# analyzers' each have a limit). One wording for both, so the verdict counts it wherever it was met.
TOO_LARGE = "over the size limit of a file read"


class RevisionReader(Protocol):
    """Reads files at the base or head revision of the change, when the source has them."""

    def read(self, revision: str, path: str) -> str | None:
        """The file's text at the revision ("base" or "head"), or None if it does not exist there or was
        not read (`why_unread` tells which)."""
        ...

    def list_files(self, revision: str) -> tuple[str, ...]:
        """Every file path at the revision; none when the source could not list them (`why_unlisted`)."""
        ...

    def why_unread(self, revision: str, path: str) -> str | None:
        """Why `read` gave None for a file that is there (the source could not give it, or it is too
        large); None when it was read or is not there. No file it names is taken for an absent one."""
        ...

    def why_unlisted(self, revision: str) -> str | None:
        """Why `list_files` gave no file: a listing the source could not give, which is no empty tree;
        None when it was listed."""
        ...


class CommitLineReader(Protocol):
    """Reads the lines commits of the range added, as each commit's own diff shows them: lines a later
    commit changed or removed included. Provenance uses them to tell AI-written lines that a later
    commit only reformatted, moved, reapplied or lightly edited."""

    def added_texts(self, shas: Collection[str]) -> Iterable[tuple[str, str]]:
        """(sha, text) for every line each named commit added, in the order named; a merge commit adds
        the lines none of its parents has, as its `diffs` read them (one that `diffs` leaves out, none)."""
        ...

    def added_total(self, shas: Collection[str]) -> int | None:
        """How many lines the named commits that are not merges add in their own diffs, together: never
        fewer than the change's diff shows added, and more when some line one of them added is gone at
        head; None when some file's lines are not counted (binary to the source)."""
        ...

    def start_added_total(self, shas: Collection[str]) -> None:
        """Start working out `added_total(shas)` now, where a process of its own does it (git); nothing
        otherwise. The count then waits less, or not at all."""
        ...

    def added_lines(self, shas: Collection[str]) -> Iterable[tuple[str, str, str]]:
        """(sha, path, text) for every line each named commit that is not a merge added, in the order
        named, with the path of the file it added the line to."""
        ...

    def binary_changes(self, shas: Collection[str]) -> set[str]:
        """The named commits whose own diff of some file stays binary, its lines not shown."""
        ...

    def diffs(self, shas: Sequence[str]) -> Iterable[tuple[str, Diff]]:
        """(sha, the commit's own diff) for each named commit, in the order given, renames followed. A
        source that reads merges gives a merge's diff against each of its parents, one after the other,
        with only the lines none of its parents has as added lines (the others unchanged), and a merge
        of more than `MERGE_PARENTS_READ` parents against its first parent only, every line the first
        parent has not as an added line; one that does not read merges leaves them out."""
        ...


# A merge of more parents than this is read against its first parent only (`CommitLineReader.diffs`):
# against each, its diff repeats a file one side added once for every other parent.
MERGE_PARENTS_READ = 2


# Names of files that are text by what they are: code, the configuration a change sets, and the files
# that hold credentials as text (PEM keys, a package manager's or a tool's credentials, Terraform state).
# A Keynote deck is a binary `.key` file too: rare in a repository, and no key can hide behind its name.
SOURCE_SUFFIXES = (
    ".py", ".pyi", ".pyw", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte",
    ".go", ".rs", ".java", ".kt", ".kts", ".scala", ".rb", ".php", ".cs", ".c", ".h", ".cc", ".cpp", ".hpp",
    ".swift", ".sh", ".bash", ".env", ".ini", ".cfg", ".conf", ".toml", ".yml", ".yaml", ".json",
    ".properties", ".tf", ".tfvars", ".xml", ".config", ".pem", ".key", ".tfstate", ".npmrc", ".netrc",
    ".pypirc", ".pgpass", ".htpasswd", ".git-credentials", ".ps1", ".psm1", ".psd1", ".bat", ".cmd", ".sql",
    ".pl", ".lua", ".r", ".dart", ".m", ".groovy", ".gradle", ".zsh", ".fish",
)  # fmt: skip
# The same by the whole name, for files named without a suffix.
SOURCE_NAMES = frozenset({"dockerfile", "makefile", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
# Git's mode of an executable file: a script, whatever its name, unless it is a program built elsewhere.
EXECUTABLE_MODE = "100755"
SYMLINK_MODE = "120000"  # git stores a symbolic link as a blob of its target's path


@dataclass(frozen=True)
class ChangeSet:
    """A change to gate: the final diff, the commits in it, and the commit that last added each line."""

    source: str  # "git" | "diff" | "mbox" | "github"
    diff: Diff
    commits: tuple[Commit, ...] = ()
    # path -> new-side line number -> sha of the commit in the range that last introduced the line, or
    # of a commit before the range when the base already had the line but for whitespace (blame -w).
    line_origins: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    # True when the source gives every added line it can tie to a commit its origin, and leaves out only
    # the lines it could not (the API reader: a commit it did not read, a file GitHub did not list). Such
    # a line's commit is unknown: it is not guessed from its file's other lines, nor counted human.
    # Otherwise a line without an origin belongs to its file's last commit, or to no commit (a plain
    # diff).
    origins_exhaustive: bool = False
    # path -> new-side line number -> the line's number in the file of the commit that introduced it
    # (blame's original line, or the replayed patch's new line). Line-level records such as git-ai
    # notes are numbered per commit; without this they are read at head numbers.
    line_origin_numbers: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    pr: PullRequestInfo | None = None
    revisions: RevisionReader | None = None
    commit_lines: CommitLineReader | None = None
    base_ref: str = ""
    head_ref: str = ""
    notes: tuple[str, ...] = ()
    # Parts of the change the reader could not read (files past GitHub's listing, text past the run's
    # bounds), each said in a few words: whatever they hold was not checked, so no verdict is a pass.
    unread: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # the files among them the reader's bounds left binary, by path
    # The files among them that the analyzers read as other text than what they hold (a coding line), or
    # could not read as what they are (a name that is not UTF-8, a submodule, a notebook:
    # `gate.context.opaque`), by path, with why: the coverage names each as not analysed, whatever the
    # analyzers made of it.
    misread: Mapping[str, str] = field(default_factory=dict)
    # Files of a pull request that GitHub did not list (past its 3,000), so neither read nor named.
    unlisted: int = 0

    @property
    def commit_by_sha(self) -> dict[str, Commit]:
        return {c.sha: c for c in self.commits}

    @property
    def hidden_sources(self) -> tuple[str, ...]:
        """Files left binary, unread, though their names say source code, configuration or credentials,
        or their executable bit says they are scripts: a NUL byte or `-diff` makes git call a file
        binary, and one that is not text even so (a few bytes of another encoding in a file too short
        to read past them, a key padded with bytes no text holds) may hold anything an analyzer looks
        for."""
        return tuple(
            f.path
            for f in self.diff.files
            if f.is_binary
            and f.status is not FileStatus.DELETED
            and (is_source_name(f.path) or f.new_mode == EXECUTABLE_MODE)
            and f.path not in self.refused  # said once, as unread past the bounds
        )


def unread_files(paths: Sequence[str], why: str) -> str:
    """`ChangeSet.unread`'s words for files left unread: `2 files <why> (a.py, b.py)`, five named."""
    named = ", ".join(paths[:5]) + (", ..." if len(paths) > 5 else "")
    return f"{len(paths)} file{'s' if len(paths) != 1 else ''} {why} ({named})"


def is_source_name(path: str) -> bool:
    """Whether a file's name says it is text by what it is (`SOURCE_SUFFIXES`, `SOURCE_NAMES`)."""
    lowered = path.lower()
    return lowered.endswith(SOURCE_SUFFIXES) or lowered.rsplit("/", 1)[-1] in SOURCE_NAMES


def with_added_counts(
    commits: Iterable[Commit], line_origins: Mapping[str, Mapping[int, str]]
) -> tuple[Commit, ...]:
    """The commits with `added_lines` filled: how many added lines of the final diff each last added."""
    counts: Counter[str] = Counter()
    for lines in line_origins.values():
        counts.update(lines.values())
    return tuple(replace(c, added_lines=counts.get(c.sha, 0)) for c in commits)
