"""Files GitHub shows no patch for, read from their contents and diffed here.

GitHub gives no patch, in the diff media type and in the files lists, for a file it shows as binary
(also one the pull request's own `.gitattributes` marks `-diff` or `binary`) and for a file whose diff
is too large to show. Left so, such a file has no added line, and every analyzer passes it unread: a
`*.py -diff` line would hide any secret, import or weakened test. So each one is read at both
revisions and its hunks are made from the two texts. A file that is not UTF-8 text (an image, an
archive) stays binary, a gap in the coverage; a NUL byte alone does not make it binary.

One reader serves the run (the PR's diff, then each commit's for line attribution): each file version
is asked for once and each blob read once, and the run's reads and bytes are bounded, so a PR of many
such files across many commits cannot spend the API's rate limit. A file past the bounds stays binary,
with a note saying it was not read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from gate.context.binary_formats import binary_format
from gate.context.git_diff import (
    MAX_DIFFED_LINES,
    MAX_DIFFED_LINES_A_RUN,
    MAX_TEXT_BINARY_BYTES,
    patch_of,
    text_of,
)
from gate.diff.model import Diff, FileChange, FileStatus
from gate.diff.parser import parse_diff
from gate.errors import InputError
from gate.github.client import GitHubClient, RepoFile

NO_PATCH = "GitHub gave no patch (binary, or too large to show)"
# File versions read from GitHub in a run, and their bytes, for the PR's diff and then each commit's:
# a read is one request, two for a file past 1 MB, and they count against the API's rate limit (1,000
# requests an hour for a repository's GITHUB_TOKEN) while a PR chooses how many such files it hides in
# how many commits. Past either bound a file is not read: it stays binary, a gap, and its note says so.
# https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions
MAX_UNSHOWN_READS = 200
MAX_UNSHOWN_READ_BYTES = 5 * MAX_TEXT_BINARY_BYTES
# A blob name GitHub gives (git's all-zero name means none).
_BLOB_NAME = re.compile(r"^(?!0+$)[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class Unread:
    """Why a version of a file was not read as text."""

    why: str
    bounded: bool = False  # the run's bounds refused it: its text may hold anything
    # Read, and not text to the gate, but of no binary format it knows (`binary_format`): it may be text.
    maybe_text: bool = False


class UnshownReader:
    """Reads the files GitHub shows no patch for, for one run: the PR's diff, then each commit's.

    A file version is asked for once (by path and commit) and a blob read once (by its name), however
    many commits show it; the run's reads, bytes and diffed lines are bounded, not each diff's.
    """

    def __init__(self, client: GitHubClient) -> None:
        self._client = client
        self._at: dict[tuple[str, str], str | Unread] = {}  # (path, commit) -> text, or why not
        self._blobs: dict[str, str | Unread] = {}  # blob name -> text, or why not
        self._reads_left = MAX_UNSHOWN_READS
        self._bytes_left = MAX_UNSHOWN_READ_BYTES
        self._lines_left = MAX_DIFFED_LINES_A_RUN
        self.refused: set[tuple[str, str]] = set()  # (path, commit) the run's bounds left unread

    def read(
        self, diff: Diff, *, base: str, head: str, source: str, blobs: Mapping[str, str] | None = None
    ) -> Diff:
        """`diff` with each file GitHub gave no patch for rebuilt from its text at `base` and `head`; the
        notes name the files read so, and each one left unread with why. `blobs`: the blob of each path
        at `head` where GitHub's listing names it, so a blob read before is not asked for again."""
        if not any(_unshown(c) for c in diff.files):
            return diff
        files: list[FileChange] = []
        read: list[str] = []
        notes: list[str] = []
        maybe_text: list[str] = []
        for change in diff.files:
            if not _unshown(change):
                files.append(change)
                continue
            rebuilt, unread = self._rebuilt(change, base, head, source, (blobs or {}).get(change.path))
            files.append(rebuilt)
            if unread is not None:
                notes.append(unread.why)
                if unread.maybe_text:
                    maybe_text.append(change.path)
            else:
                read.append(change.path)
        if read:
            notes.insert(
                0, f"{source}: read from the files' contents, as GitHub showed no patch: {', '.join(read)}"
            )
        return replace(
            diff,
            files=tuple(files),
            notes=(*diff.notes, *notes),
            maybe_text=(*diff.maybe_text, *maybe_text),
        )

    def _rebuilt(
        self, change: FileChange, base: str, head: str, source: str, blob: str | None
    ) -> tuple[FileChange, Unread | None]:
        """The change with hunks made from its two texts; or, when its head version is not text or
        cannot be read, the change still binary and why (also its last note)."""
        new = self._text(change.path, head, blob)
        if isinstance(new, Unread):
            why = f"{change.path}: {NO_PATCH}, and its head version {new.why}"
            return replace(change, notes=(*change.notes, why)), replace(new, why=why)
        notes = [f"{change.path}: {NO_PATCH}; its lines were read from its contents"]
        old = ""
        if change.status in (FileStatus.MODIFIED, FileStatus.RENAMED):
            was = self._text(change.old_path or change.path, base)
            if isinstance(was, Unread):
                # Every line of the head counts as added: more is read, never less.
                notes.append(f"{change.path}: its base version {was.why}; every line is taken as added")
            elif max(was.count("\n"), new.count("\n")) > MAX_DIFFED_LINES or self._lines_left <= 0:
                notes.append(
                    f"{change.path}: too many lines to compare with its base; every line is taken as added"
                )
            else:
                old = was
                self._lines_left -= was.count("\n") + new.count("\n")
        try:
            parsed = parse_diff(patch_of(old, new, change.status), source=f"{source}: {change.path}")
        except InputError:
            why = f"{change.path}: {NO_PATCH}, and its text could not be diffed"
            return replace(change, notes=(*change.notes, why)), Unread(why, maybe_text=True)
        if not parsed.files:  # the same text at both revisions (a rename, a mode change)
            return replace(change, is_binary=False, notes=(*change.notes, *notes)), None
        made = parsed.files[0]
        # The parser names the placeholder; its notes (CRLF line ends) are about this file.
        notes.extend(change.path + n[len(made.path) :] if n.startswith(made.path) else n for n in made.notes)
        rebuilt = replace(
            change, hunks=made.hunks, is_binary=False, shown=False, notes=(*change.notes, *notes)
        )
        return rebuilt, None

    def _text(self, path: str, ref: str, blob: str | None = None) -> str | Unread:
        """The file's text at `ref`, from what the run has read when it can."""
        known = self._blobs.get(blob) if blob is not None else None
        if known is not None:
            self._at[(path, ref)] = known
        else:
            known = self._at.get((path, ref))
            if known is None:
                known = self._at[(path, ref)] = self._download(path, ref)
        if isinstance(known, Unread) and known.bounded:
            self.refused.add((path, ref))
        return known

    def _download(self, path: str, ref: str) -> str | Unread:
        if self._reads_left <= 0:
            return Unread(
                f"was not read: the run reads at most {MAX_UNSHOWN_READS:,} such file versions", bounded=True
            )
        self._reads_left -= 1
        found = self._client.file(path, ref)
        if found is None:
            return Unread(f"could not be read at {ref[:12]}")
        named = _BLOB_NAME.match(found.sha) is not None
        known = self._blobs.get(found.sha) if named else None
        if known is None:
            known = self._decoded(found)
            if named:
                self._blobs[found.sha] = known
        return known

    def _decoded(self, found: RepoFile) -> str | Unread:
        if found.size > MAX_TEXT_BINARY_BYTES:
            return Unread(
                f"is {found.size:,} bytes, past the {MAX_TEXT_BINARY_BYTES:,}-byte limit for reading it"
            )
        if found.size > self._bytes_left:
            return Unread(
                f"was not read: the run reads at most {MAX_UNSHOWN_READ_BYTES:,} bytes of such files",
                bounded=True,
            )
        self._bytes_left -= found.size
        data = found.data if found.data is not None else self._client.blob(found.sha)
        text = text_of(data)
        if text is None:
            return Unread("is binary (its content is not text)", maybe_text=binary_format(data) is None)
        return text


def _unshown(change: FileChange) -> bool:
    return change.is_binary and not change.hunks and change.status is not FileStatus.DELETED
