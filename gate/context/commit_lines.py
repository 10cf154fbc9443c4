"""The lines commits of a local range added, and their own diffs, read from git on demand (a
CommitLineReader).

Provenance asks only for the AI commits of a change, and only when a commit with no AI marks owns some
of its lines, so most runs never start this git process. The patches are read with no context lines,
and each hunk's lines are counted from its header: a hunk line that looks like a file header (an
added `++ x` prints as `+++ x`) or a commit separator is still read as the hunk line it is. The whole
diffs (`diffs`) are asked for only when some line an AI commit added is no longer its own at head; they
follow renames, as `git format-patch` does, so that both sources pair the same lines. A merge's is read
against each of its parents, with only its own lines as added (`_merge_diffs`); a merge of more than
two parents against its first parent only (`_OCTOPUS_OPTIONS`).

Git prints a file as "Binary files differ" when a side of it holds a NUL byte in its first 8,000 bytes,
and shows none of its lines. One NUL a person adds in one commit and removes in the next would hide
every line that commit changed, so each file a commit printed so is read again with `--text`, that
file alone, when it is text on every side and no larger than `MAX_TEXT_BINARY_BYTES`, the bounds the
final diff reads such files under (`_text_files`): an image in the same commit hides no NUL-byte file
beside it. A file that stays binary (too large, a real binary, UTF-16) keeps its binary change
(`binary_changes`): provenance counts the lines of its file after it as possibly AI.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import groupby
from operator import itemgetter

from gate.context.git import Git
from gate.context.git_diff import MAX_TEXT_BINARY_BYTES, TextKind, text_blobs
from gate.context.model import MERGE_PARENTS_READ
from gate.diff.model import Diff, DiffLine, FileChange, LineKind
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import InputError

_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
# Each commit's patch opens with a line of its sha and its parents' after a NUL, a byte no text patch
# line holds.
_LOG_OPTIONS = (
    "log",
    "--no-walk=unsorted",
    "--stdin",
    "--format=%x00%H %P",
    "--patch",
    "--unified=0",
    "--diff-merges=off",
    "--no-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
)


# A merge's own diff is read against each of its parents: a person who edits lines while merging (`git
# merge --no-commit`) owns those lines at head, as with any commit, and the lines they edited may have
# come from either side. Each commit opens with its sha and its parents', once for each parent diff.
_DIFF_OPTIONS = (
    *(o for o in _LOG_OPTIONS if o not in {"--no-renames", "--diff-merges=off"}),
    "--diff-merges=separate",
    "-M",
)
# A merge of more than two parents (an octopus) is read against its first parent only. Against each,
# its diff repeats a file one side added once for every other parent: a hundred parents and one file of
# 20,000 lines were 13 MB of output. Against the first, the lines it has that the first parent has not
# are all its own, as a commit's; which of them it took from its other parents and which it wrote is not
# told, so the lines it owns at head that no AI mark claims are of unknown origin (`gate.provenance.
# estimate`): counted as possibly AI, never as a person's.
_OCTOPUS_OPTIONS = (
    *(o for o in _DIFF_OPTIONS if o != "--diff-merges=separate"),
    "--diff-merges=first-parent",
)
_PARENTS_OPTIONS = ("log", "--no-walk=unsorted", "--stdin", "--format=%H %P")
# Each commit's lines added and removed per file (`-z`: `ADDED\tREMOVED\tPATH\0`, `-\t-\t` for a binary
# file). Renames are not followed: a file's lines count as added wherever they go, so that no commit
# counts fewer lines than the change's own diff shows added (`gate.analyzers.secrets`).
_NUMSTAT_OPTIONS = (
    "log",
    "--no-walk=unsorted",
    "--stdin",
    "--format=",
    "--numstat",
    "-z",
    "--diff-merges=off",
    "--no-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
)
# Each commit's own patch, renames followed as the change's diff follows them: a file a commit only
# renamed adds no line.
_ADDED_OPTIONS = (*(o for o in _LOG_OPTIONS if o != "--no-renames"), "-M")


def _named(shas: Collection[str]) -> bytes:
    """The commits as `git log --stdin` reads them: one a line, each once, in order."""
    return "".join(f"{sha}\n" for sha in dict.fromkeys(shas)).encode()


_COMMIT_START = re.compile(r"(?:\A|\n)\0")
# A file git printed as binary: a header line, which no hunk line (` `, `+`, `-`, `\`) starts with.
_BINARY_FILE = re.compile(r"^Binary files ", re.MULTILINE)


class GitCommitLines:
    def __init__(self, git: Git, parents: Mapping[str, Sequence[str]] | None = None) -> None:
        """`parents`: each commit's parents, when the caller has read them already (a range's commits);
        git is asked only for those of a commit not among them."""
        self._git = git
        self._parents = dict(parents or {})
        # What the files git printed as binary were, kept for the run: `added_texts` and `diffs` read the
        # same commits. A blob's name is its content's, so its kind never changes.
        self._blob_of: dict[str, str] = {}  # "REV:PATH" -> its blob, when a blob of at most the bound
        self._missing: set[str] = set()  # "REV:PATH" of no such file: a side the change added or deleted
        self._not_text: set[str] = set()  # "REV:PATH" too large, or not a blob
        self._kinds: dict[str, TextKind | None] = {}  # blob -> its kind, None for a real binary
        # The commits read so far, and those whose diff of some file stays binary even so.
        self._read_shas: set[str] = set()
        self._binary: set[str] = set()

    def added_texts(self, shas: Collection[str]) -> Iterator[tuple[str, str]]:
        if not shas:
            return
        shas = list(dict.fromkeys(shas))
        added: dict[str, list[str]] = {}
        for sha, line in added_lines_of_log(self._log(shas, _LOG_OPTIONS)):
            added.setdefault(sha, []).append(line)
        # A merge prints no patch here; the lines it wrote itself (a conflict resolved, lines no parent
        # has) are its added lines, read from its diffs as `diffs` reads them. An octopus's diff against
        # its first parent tells its own lines from its other parents' by none: it adds none.
        counts = self._parent_counts(shas)
        merges = [sha for sha in shas if 1 < counts.get(sha, 0) <= MERGE_PARENTS_READ]
        for sha, diffs in self._read(merges, _DIFF_OPTIONS):
            added[sha] = [line.text for change in diffs[0].files for line in change.added] if diffs else []
        for sha in shas:
            for line in added.get(sha, ()):
                yield sha, line

    def added_total(self, shas: Collection[str]) -> int | None:
        """How many lines the named commits that are not merges add in their own diffs, files renamed or
        not; None when git counts no lines for some file (binary to it, though it may be text the change's
        diff reads). Git counts them (`--numstat`): no line is sent here."""
        if not shas:
            return 0
        out = self._git.run(*_NUMSTAT_OPTIONS, input=_named(shas))
        total = 0
        for field in out.split(b"\0"):
            added, tab, _ = field.lstrip(b"\n").partition(b"\t")
            if not tab:
                continue
            if not added.isdigit():
                return None  # `-`: a file git calls binary
            total += int(added)
        return total

    def start_added_total(self, shas: Collection[str]) -> None:
        """Have git start counting what `added_total(shas)` asks (`Git.start`)."""
        if shas:
            self._git.start(*_NUMSTAT_OPTIONS, input=_named(shas))

    def added_lines(self, shas: Collection[str]) -> Iterator[tuple[str, str, str]]:
        """(sha, path, text) for every line each named commit added, in the order named, renames
        followed; a merge adds none here (its own lines are `added_texts`')."""
        if not shas:
            return
        for head, patch in self._log(list(dict.fromkeys(shas)), _ADDED_OPTIONS):
            sha = head.split(" ", 1)[0]
            for section in _sections(patch):
                hunks = section.find("\n@@ ")
                if hunks == -1:
                    continue  # no lines: a mode change, a binary file, what precedes the first file
                path = _file_of(section[: hunks + 1])[1]
                for _, text in added_lines_of_log(((sha, section[hunks + 1 :]),)):
                    yield sha, path, text

    def binary_changes(self, shas: Collection[str]) -> set[str]:
        """The commits of `shas` whose own diff of some file stays binary, read as text or not."""
        unread = [sha for sha in dict.fromkeys(shas) if sha not in self._read_shas]
        if unread:
            self._log(unread, _LOG_OPTIONS)
            self._read_shas.update(unread)  # a merge prints no patch here: its diffs tell
        return self._binary.intersection(shas)

    def diffs(self, shas: Sequence[str]) -> Iterator[tuple[str, Diff]]:
        shas = list(dict.fromkeys(shas))
        if not shas:
            return
        octopus = self._octopus_merges(shas)
        order = {sha: i for i, sha in enumerate(shas)}
        # Both reads follow the order given: merged by it, the commits come in that order.
        reads = (
            self._read([sha for sha in shas if sha not in octopus], _DIFF_OPTIONS),
            self._read([sha for sha in shas if sha in octopus], _OCTOPUS_OPTIONS),
        )
        for sha, diffs in heapq.merge(*reads, key=lambda read: order.get(read[0], len(order))):
            for diff in diffs:
                yield sha, diff

    def _octopus_merges(self, shas: Sequence[str]) -> set[str]:
        """The merges of more than `MERGE_PARENTS_READ` parents among `shas`."""
        return {sha for sha, count in self._parent_counts(shas).items() if count > MERGE_PARENTS_READ}

    def _parent_counts(self, shas: Sequence[str]) -> dict[str, int]:
        counts = {sha: len(self._parents[sha]) for sha in shas if sha in self._parents}
        unknown = [sha for sha in shas if sha not in counts]
        if unknown:
            out = self._git.run(*_PARENTS_OPTIONS, input="".join(f"{sha}\n" for sha in unknown).encode())
            for sha, *parents in map(str.split, out.decode().splitlines()):
                self._parents[sha] = parents
                counts[sha] = len(parents)
        return counts

    def _read(self, shas: Sequence[str], options: Sequence[str]) -> Iterator[tuple[str, list[Diff]]]:
        """(sha, its diffs) for each commit, in the order given."""
        if not shas:
            return
        for head, commit in groupby(self._log(shas, options), key=itemgetter(0)):
            sha, *parents = head.split()
            diffs = [parse_diff(patch, source=f"commit {sha[:12]}") for _, patch in commit if patch.strip()]
            if 1 < len(parents) <= MERGE_PARENTS_READ:
                diffs = _merge_diffs(diffs, len(parents))
            yield sha, diffs

    def _log(self, shas: Sequence[str], options: Sequence[str]) -> list[tuple[str, str]]:
        """`git log OPTIONS` of the commits, as (head, patch) for each commit (for a merge, each of its
        parent diffs): the head its sha and its parents'. A file a commit printed as binary is read
        again with `--text` when it is text on every side (`_text_files`); the others keep their
        binary change."""
        out = decode_patch(self._git.run(*options, input="".join(f"{sha}\n" for sha in shas).encode()))[0]
        # Each commit opens with a NUL at a line's start, its sha and its parents'. A text patch's line
        # starts with its kind (` `, `+`, `-`, `\`) or a header word, never a NUL, though it may hold one
        # past the 8,000 bytes git reads to call a file binary.
        parts = [(head, patch) for head, _, patch in map(_head, _COMMIT_START.split(out)[1:])]
        self._read_shas.update(shas)
        binary: dict[str, tuple[list[str], set[tuple[str, str]]]] = {}
        for head, patch in parts:
            if _BINARY_FILE.search(patch):
                sha, *parents = head.split()
                binary.setdefault(sha, (parents, set()))[1].update(_binary_files(patch))
        if not binary:
            return parts
        merges = {sha for sha, (parents, _) in binary.items() if len(parents) > 1}
        again = self._read_again(self._text_files(binary), merges, options)
        kept: list[tuple[str, str]] = []
        for sha, commit in groupby(parts, key=lambda part: part[0].split(" ", 1)[0]):
            for n, (head, patch) in enumerate(commit):
                if (texts := again.get((sha, n))) and _BINARY_FILE.search(patch):
                    patch = "".join(texts.get(_file_of(section), section) for section in _sections(patch))
                if _BINARY_FILE.search(patch):
                    self._binary.add(sha)
                kept.append((head, patch))
        return kept

    def _read_again(
        self, texts: dict[str, frozenset[tuple[str, str]]], merges: Collection[str], options: Sequence[str]
    ) -> dict[tuple[str, int], dict[tuple[str, str], str]]:
        """The text files of each commit (`texts`: sha -> their (old, new) paths) read with `--text`,
        those only: a real binary beside them is not printed as text. For each (commit, its n-th parent
        diff), each file's patch. The commits of one parent are read by one process, whatever their
        files (each keeps its own); the `merges` with the same files by one process each, as a parent's
        diff that touches none of the files named is not printed, and which parent's a diff is must stay
        known."""
        groups: dict[frozenset[tuple[str, str]], list[str]] = {}
        for sha, files in texts.items():
            if files:
                key = files if sha in merges else frozenset()
                groups.setdefault(key, []).append(sha)
        read: dict[tuple[str, int], dict[tuple[str, str], str]] = {}
        for key, group in groups.items():
            named = key or frozenset(file for sha in group for file in texts[sha])
            pathspec = sorted({f":(literal){path}" for file in named for path in file})
            # The files go on git's command line, which the system bounds (a PR can name thousands of
            # files of long paths): the commits of one parent are read a share of their files at a
            # time; a merge's files are read in one go, or not again (they stay binary), since a parent's
            # diff that touches none of the files named is not printed.
            chunks = list(_bounded(pathspec))
            if key and len(chunks) > 1:
                continue
            for chunk in chunks:
                out = self._git.run(
                    *options, "--text", "--", *chunk, input="".join(f"{sha}\n" for sha in group).encode()
                )
                parts = (_head(part) for part in _COMMIT_START.split(decode_patch(out)[0])[1:])
                for sha, commit in groupby(parts, key=lambda part: part[0].split(" ", 1)[0]):
                    for n, (_, _, patch) in enumerate(commit):
                        sections = ((_file_of(section), section) for section in _sections(patch))
                        # A commit's last section ends with no line break: read in shares, it may
                        # stand before another file's in the commit's patch.
                        read.setdefault((sha, n), {}).update(
                            (file, section if section.endswith("\n") else section + "\n")
                            for file, section in sections
                            if file in texts.get(sha, ()) and not _BINARY_FILE.search(section)
                        )
        return read

    def _text_files(
        self, binary: dict[str, tuple[list[str], set[tuple[str, str]]]]
    ) -> dict[str, frozenset[tuple[str, str]]]:
        """For each commit of `binary` (sha -> its parents, and the (old, new) paths of the files it
        printed as binary), those of its files that are, on each side that has them, blobs of text
        (`TextKind.AS_IS`) of at most `MAX_TEXT_BINARY_BYTES`: read with `--text`, their lines show. A
        file of more, or a real binary, stays binary; so does a file named with a newline, which the
        batch cannot ask for, and one none of whose sides is found, named otherwise than git stores it
        (C-quoted)."""
        sides = {  # sha -> each file's sides, "REV:PATH"
            sha: {(old, new): [f"{sha}:{new}", *(f"{p}:{old}" for p in parents)] for old, new in files}
            for sha, (parents, files) in binary.items()
        }
        asked = self._blob_of.keys() | self._missing | self._not_text
        specs = sorted(
            {s for found in sides.values() for file in found.values() for s in file if "\n" not in s} - asked
        )
        if specs:
            out = self._git.run("cat-file", "--batch-check", input="".join(f"{s}\n" for s in specs).encode())
            # Each answer is "<blob> blob <size>", or the spec and "missing" (a side with no such file).
            for spec, line in zip(specs, out.decode("utf-8", "replace").split("\n"), strict=False):
                fields = line.split()
                if line == f"{spec} missing":
                    self._missing.add(spec)
                elif len(fields) == 3 and fields[1] == "blob" and fields[2].isdigit():
                    if int(fields[2]) <= MAX_TEXT_BINARY_BYTES:
                        self._blob_of[spec] = fields[0]
                    else:
                        self._not_text.add(spec)
                else:
                    self._not_text.add(spec)
        blobs = sorted({self._blob_of[s] for s in specs if s in self._blob_of} - self._kinds.keys())
        kinds = text_blobs(self._git, blobs)
        self._kinds.update((blob, kinds.get(blob)) for blob in blobs)

        def text(spec: str) -> bool:
            blob = self._blob_of.get(spec)
            return spec in self._missing or (blob is not None and self._kinds.get(blob) is TextKind.AS_IS)

        return {
            sha: frozenset(
                file
                for file, specs in found.items()
                if any(s in self._blob_of for s in specs) and all(map(text, specs))
            )
            for sha, found in sides.items()
        }


def _head(part: str) -> tuple[str, str, str]:
    return part.partition("\n")


# Where each file's patch begins in a commit's: its header line, which no hunk line (` `, `+`, `-`,
# `\`) starts with.
_FILE_START = re.compile(r"^(?=diff --git )", re.MULTILINE)


def _sections(patch: str) -> list[str]:
    """A commit's patch cut before each file's header: what comes before the first (a blank line) is a
    section of its own, that names no file."""
    return _FILE_START.split(patch)


def _file_of(section: str) -> tuple[str, str]:
    """The (old, new) paths of the file of one section of a commit's patch; when it names none, a name
    no file has."""
    try:
        files = parse_diff(section, source="commit").files
    except InputError:
        return ("\n", "\n")
    return (files[0].old_path or files[0].path, files[0].path) if len(files) == 1 else ("\n", "\n")


def _binary_files(patch: str) -> set[tuple[str, str]]:
    """The (old, new) paths of the files a commit's patch printed as binary; when it cannot be parsed, a
    name no side can be asked for, so that the commit stays as git printed it."""
    try:
        files = parse_diff(patch, source="commit").files
    except InputError:
        return {("\n", "\n")}
    return {(f.old_path or f.path, f.path) for f in files if f.is_binary}


def _merge_diffs(diffs: Sequence[Diff], parents: int) -> list[Diff]:
    """A merge's diffs against its parents (git prints none against a parent whose tree it is), with
    only the lines the merge wrote itself, those that none of its parents has, as added lines: the
    others, taken from one side, are unchanged lines there."""
    own: set[tuple[str, int | None]] = set()
    if len(diffs) == parents:
        own = set.intersection(*({(f.path, line.new_no) for f in d.files for line in f.added} for d in diffs))
    return [Diff(files=tuple(_own_lines(change, own) for change in diff.files)) for diff in diffs]


def _own_lines(change: FileChange, own: Collection[tuple[str, int | None]]) -> FileChange:
    hunks = []
    for hunk in change.hunks:
        lines = tuple(
            line
            if line.kind is not LineKind.ADDED or (change.path, line.new_no) in own
            else DiffLine(LineKind.CONTEXT, None, line.new_no, line.text)
            for line in hunk.lines
        )
        hunks.append(replace(hunk, lines=lines))
    return replace(change, hunks=tuple(hunks))


def added_lines_of_log(parts: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(sha, text) for each added line of `git log --format=%x00%H %P --patch --unified=0` output, as
    (head, patch) for each commit."""
    for head, patch in parts:
        sha = head.split(" ", 1)[0]
        left = 0  # hunk lines still to read: removed and added lines as the header counts them
        for line in patch.split("\n"):
            if left:
                if line.startswith("\\"):
                    continue  # "\ No newline at end of file" follows a hunk line and is not counted
                left -= 1
                if line.startswith("+"):
                    yield sha, line[1:]
            elif line.startswith("@@ ") and (m := _HUNK.match(line)):
                left = int(m.group(1) or 1) + int(m.group(2) or 1)


# The most characters of paths one git process is given on its command line: far under the system's bound
# on a command's arguments (2 MiB on Linux, environment included).
MAX_ARGUMENT_CHARS = 256_000


def _bounded(args: Sequence[str]) -> Iterator[list[str]]:
    """`args` in runs of at most MAX_ARGUMENT_CHARS characters in all (one at least in each)."""
    run: list[str] = []
    size = 0
    for arg in args:
        if run and size + len(arg) + 1 > MAX_ARGUMENT_CHARS:
            yield run
            run, size = [], 0
        run.append(arg)
        size += len(arg) + 1
    if run:
        yield run
