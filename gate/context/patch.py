"""A patch file as a ChangeSet: a plain unified diff, or a `git format-patch` mbox series.

For a series, each message is one commit (author, message, trailers and `Notes (ai):` kept), and
replaying the patches in order gives the combined diff and the commit that last added each line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from gate.context.commit_id import FULL_COMMIT_ID_GROUP
from gate.context.ignore import apply_ignore
from gate.context.links import diff_head_tree, unread_links
from gate.context.mail import (
    C_SPACE,
    author_of,
    decode_encoded_words,
    from_line_starts,
    is_mbox,
    read_mail,
    split_mbox,
)
from gate.context.model import ChangeSet, Commit, Person, unread_files, with_added_counts
from gate.context.patch_binaries import (
    DELTA_UNREAD,
    MAX_CHECKED_BINARY_BYTES_A_RUN,
    UNCHECKED_UNREAD,
    read_binaries,
)
from gate.context.series import SeriesLines, replay
from gate.diff.model import Diff, FileStatus
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import InputError

MAX_PATCH_BYTES = 512 << 20
# The commit's full id on the `From ` line that opens a message: SHA-1 or SHA-256, as the repository uses.
_FROM_SHA = re.compile(f"From {FULL_COMMIT_ID_GROUP} ")
_SUBJECT_PREFIX = re.compile(r"^\s*(\[[^\]]*\]\s*)+")
_DIFF_START = re.compile(r"^diff --git |^--- ", re.MULTILINE)
# The lines that may end a message (mailinfo.c patchbreak() decides).
_BREAK_START = re.compile(r"^(?:diff -|Index: |---)", re.MULTILINE)


def load_patch_changeset(
    data: bytes, name: str, ignore: Sequence[str] = (), *, default_ignore: Sequence[str] = ()
) -> ChangeSet:
    """`default_ignore`: the patterns of `ignore` that are the gate's defaults (`gate.context.ignore`)."""
    if len(data) > MAX_PATCH_BYTES:
        raise InputError(f"{name}: larger than {MAX_PATCH_BYTES >> 20} MiB")
    if b"\0" in data[:65536]:
        raise InputError(
            f"{name}: binary data, not a patch", "give a unified diff or git format-patch output"
        )
    text, notes = decode_patch(data)
    mail = text.lstrip(C_SPACE)
    if is_mbox(mail):
        # `git mailsplit` drops the CR of CRLF line ends unless told to keep them.
        messages = split_mbox(mail.replace("\r\n", "\n") if "\r" in mail else mail)
        return _mbox(messages, name, notes, ignore, default_ignore)
    if from_line_starts(text):
        # `git am` would not take this file for a mailbox, nor `git apply` the messages in it.
        raise InputError(
            f"{name}: holds mbox messages but does not open with one",
            "give the whole `git format-patch` output, or a plain unified diff",
        )
    read = read_binaries(parse_diff(text, source=name), name)
    diff, _ = apply_ignore(read.diff, {}, ignore, defaults=default_ignore)
    return ChangeSet(
        source="diff",
        diff=replace(diff, notes=(*notes, *diff.notes)),
        unread=(
            *_binaries_unread(read.deltas, read.unchecked, diff),
            *unread_links(diff, *diff_head_tree(diff)),
        ),
    )


def _binaries_unread(deltas: Sequence[str], unchecked: Sequence[str], diff: Diff) -> tuple[str, ...]:
    """The files binary deltas change, and those of literals too large to check, that the final diff
    still has (paths.ignore can leave one out, and a later patch of a series delete it), in
    `ChangeSet.unread`'s words, under the name the final diff gives them (a later patch may rename one)."""
    present: dict[str, str] = {}
    for f in diff.files:
        if f.status is not FileStatus.DELETED:
            present.setdefault(f.path, f.path)
            if f.old_path:
                present.setdefault(f.old_path, f.path)
    said = []
    for found, why in ((deltas, DELTA_UNREAD), (unchecked, UNCHECKED_UNREAD)):
        paths = list(dict.fromkeys(present[path] for path in found if path in present))
        said += [unread_files(paths, why)] if paths else []
    return tuple(said)


def _mbox(
    messages: list[str],
    name: str,
    notes: tuple[str, ...],
    ignore: Sequence[str],
    default_ignore: Sequence[str],
) -> ChangeSet:
    commits: list[Commit] = []
    series = []
    deltas: list[str] = []
    unchecked: list[str] = []
    checked_left = MAX_CHECKED_BINARY_BYTES_A_RUN
    maybe_text: list[str] = []
    said = dict.fromkeys(notes)  # each note once, in the order said: a series of thousands of patches
    for i, message in enumerate(messages):
        commit, patch_text, mail_notes = _message(message, i, name)
        said.update(dict.fromkeys(mail_notes))
        source = f"{name}: patch {i + 1}"
        # Each patch's binary files are read before the replay, which keeps only their hunks.
        read = (
            read_binaries(parse_diff(patch_text, source=source), source, checked_left)
            if patch_text.strip()
            else None
        )
        checked_left = read.checked_left if read is not None else checked_left
        diff = read.diff if read is not None else Diff(files=())
        deltas.extend(read.deltas if read is not None else ())
        unchecked.extend(read.unchecked if read is not None else ())
        maybe_text.extend(diff.maybe_text)
        commits.append(commit)
        series.append((commit.sha, diff))
        # What the reader said of each patch (a prefix it dropped); the replay keeps only the files.
        said.update(dict.fromkeys(diff.notes))
    notes = tuple(said)
    dupes = [sha for sha, n in Counter(c.sha for c in commits).items() if n > 1]
    if dupes:
        raise InputError(f"{name}: commit {dupes[0][:12]} appears twice in the series")
    try:
        result = replay(series)
    except InputError as exc:
        raise InputError(f"{name}: {exc.message}", exc.hint) from None
    # A file a patch made of bytes that may be text, and that the series leaves binary.
    binary = {f.path for f in result.diff.files if f.is_binary}
    replayed = replace(result.diff, maybe_text=tuple(p for p in dict.fromkeys(maybe_text) if p in binary))
    diff, origins = apply_ignore(replayed, result.line_origins, ignore, defaults=default_ignore)
    # The replayed diff's own notes are not the reader's; what the ignore step adds after them is.
    return ChangeSet(
        source="mbox",
        diff=replace(diff, notes=(*notes, *diff.notes[len(result.diff.notes) :])),
        commits=with_added_counts(commits, origins),
        line_origins=origins,
        line_origin_numbers={p: n for p, n in result.line_origin_numbers.items() if p in origins},
        commit_lines=SeriesLines.of(series),
        unread=(*_binaries_unread(deltas, unchecked, diff), *unread_links(diff, *diff_head_tree(diff))),
    )


# The headers a body may open with (mailinfo.c header[]), and format-patch's separator line.
_IN_BODY_HEADERS = ("from", "subject", "date")
_SEPARATOR = re.compile(r">From [0-9a-f]{40} Mon Sep 17 00:00:00 2001")


def _in_body_headers(body: str) -> tuple[dict[str, str], str]:
    """The headers that open a message's body, by lower-cased name, and the body after them, as
    mailinfo.c check_inbody_header() reads them: empty lines first are skipped; then each of `From`,
    `Subject` and `Date` (any case, a colon right after the name, blanks after it optional) once, a
    folded line (a blank first) continuing the one before, a `[PATCH] …` line as the subject, and
    format-patch's `>From <sha> …` separator line, until an empty line after a header (dropped) or any
    other line (the message's first)."""
    found: dict[str, list[str]] = {}  # each header's line and the lines folded onto it
    current = ""  # the header being read, which a folded line continues and an empty line ends
    at = 0
    while at < len(body):
        end = body.find("\n", at)
        end = len(body) if end == -1 else end
        line = body[at:end]
        if not line:
            at = end + 1
            if current:
                break
            continue  # before any header, or after a `[PATCH]` or separator line: skipped
        if current and line[0] in " \t":
            found[current].append(line)
        elif line.startswith("[PATCH]") and (len(line) == 7 or line[7] in C_SPACE):
            current = ""
            found["subject"] = [line]
        elif _SEPARATOR.fullmatch(line):
            current = ""
        else:
            current = next(
                (
                    name
                    for name in _IN_BODY_HEADERS
                    if name not in found
                    and line[: len(name)].lower() == name
                    and line[len(name) : len(name) + 1] == ":"
                ),
                "",
            )
            if not current:
                break
            found[current] = [line[len(current) + 1 :].lstrip(C_SPACE)]
        at = end + 1
    return {name: "".join(lines) for name, lines in found.items()}, body[at:]


def _message(text: str, index: int, name: str) -> tuple[Commit, str, tuple[str, ...]]:
    """One format-patch message: its commit, the diff text and the notes of reading its body."""
    where = f"{name}: patch {index + 1}"
    mail = read_mail(text, where)
    m = _FROM_SHA.match(mail.from_line)
    sha = m.group(1) if m else f"patch-{index + 1:04d}"
    headers = mail.headers
    author_name, author_email = author_of(decode_encoded_words(headers.get("from", ""), where))
    subject = _SUBJECT_PREFIX.sub("", decode_encoded_words(headers.get("subject", ""), where)).strip()
    # The body may open with headers of its own: a "From:" that names the author when the sender
    # differs, a "Subject:" for the commit's title.
    in_body, body = _in_body_headers(mail.body)
    if "from" in in_body:
        author_name, author_email = author_of(decode_encoded_words(in_body["from"], where))
    if "subject" in in_body:
        subject = _SUBJECT_PREFIX.sub("", decode_encoded_words(in_body["subject"], where)).strip()
    # The first patch break ends the message, as `git am` records it: format-patch writes a `---` line
    # before the diffstat and the notes (whose lines it indents), and a `---` line of the message's own
    # ends it there too.
    end = _message_end(body)
    message_part, rest = body[:end], body[end:]
    diff_at = _DIFF_START.search(rest)
    after = rest[: diff_at.start()] if diff_at else rest
    patch_text = _strip_signature(rest[diff_at.start() :] if diff_at else "")
    cut_off = ""
    if after.startswith("---"):
        # What a `---` line of the message's own cut off, up to format-patch's (the last one), is kept
        # below the message after an empty line: the trailers the commit was written with are read,
        # and those of the message `git am` records stay in a paragraph of their own.
        own, separator, notes_part = after.rpartition("\n---\n")
        if separator:
            cut_off, after = own.partition("\n")[2].strip("\n"), notes_part
    message = subject + "".join(f"\n\n{part}" for part in (message_part.strip("\n"), cut_off) if part.strip())
    commit = Commit(
        sha=sha,
        author=Person(author_name, author_email),
        committer=None,
        message=message,
        ai_note=_notes(after),
    )
    return commit, patch_text, mail.notes


def _message_end(body: str) -> int:
    """Where the first line that `git mailinfo` ends a message at begins (mailinfo.c patchbreak()): a
    `diff -` or `Index: ` line, `--- ` and a file name, or `---` and white space only."""
    for m in _BREAK_START.finditer(body):
        line = body[m.start() : body.find("\n", m.start()) + 1 or len(body)]
        if line.startswith("diff -") or line.startswith("Index: "):
            return m.start()
        if len(line) < 4:
            continue
        if line[3] == " " and (len(line) == 4 or line[4] not in C_SPACE):
            return m.start()
        if line[3:].lstrip(" \t\r")[:1] == "\n":  # git's isspace() up to the line's end
            return m.start()
    return len(body)


def _strip_signature(patch: str) -> str:
    cut = patch.rfind("\n-- \n")
    if cut != -1 and "\n@@" not in patch[cut:] and "diff --git" not in patch[cut:]:
        return patch[: cut + 1]
    return patch


def _notes(after_separator: str) -> str | None:
    """The `Notes (ai):` section that `git format-patch --notes=ai` puts after the `---` line."""
    lines = after_separator.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == "Notes (ai):":
            out = []
            for row in lines[i + 1 :]:
                if row.startswith("    "):
                    out.append(row[4:])
                elif (row.strip() == "" and out) or row.strip():
                    break
            return "\n".join(out).strip("\n") or None
    return None
