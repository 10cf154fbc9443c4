"""A patch file as a ChangeSet: a plain unified diff, or a `git format-patch` mbox series.

For a series, each message is one commit (author, message, trailers and `Notes (ai):` kept), and
replaying the patches in order gives the combined diff and the commit that last added each line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import parseaddr

from gate.context.commit_id import FULL_COMMIT_ID_GROUP
from gate.context.ignore import apply_ignore
from gate.context.links import diff_head_tree, unread_links
from gate.context.model import ChangeSet, Commit, Person, with_added_counts
from gate.context.series import SeriesLines, replay
from gate.diff.model import Diff
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import InputError

MAX_PATCH_BYTES = 512 << 20
# The line that opens each message, with the commit's full id: SHA-1 or SHA-256, as the repository uses.
_FROM_LINE = re.compile(f"^From {FULL_COMMIT_ID_GROUP} Mon Sep 17 00:00:00 2001$", re.MULTILINE)
# The same line after a line break: a pattern that opens with a literal is searched for that literal
# first, while `^` has the pattern tried at every position of the text.
_NEXT_FROM_LINE = re.compile(f"\nFrom {FULL_COMMIT_ID_GROUP} Mon Sep 17 00:00:00 2001$", re.MULTILINE)
_SUBJECT_PREFIX = re.compile(r"^\s*(\[[^\]]*\]\s*)+")
_DIFF_START = re.compile(r"^diff --git |^--- ", re.MULTILINE)


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
    starts = _message_starts(text)
    if starts or text.startswith("From: "):
        return _mbox(text, starts or [0], name, notes, ignore, default_ignore)
    diff = parse_diff(text, source=name)
    diff, _ = apply_ignore(diff, {}, ignore, defaults=default_ignore)
    return ChangeSet(
        source="diff",
        diff=replace(diff, notes=(*notes, *diff.notes)),
        unread=unread_links(diff, *diff_head_tree(diff)),
    )


def _message_starts(text: str) -> list[int]:
    """Where each `git format-patch` message starts: at its `From <sha> ...` line."""
    first = [0] if _FROM_LINE.match(text) else []
    return first + [m.start() + 1 for m in _NEXT_FROM_LINE.finditer(text)]


def _mbox(
    text: str,
    starts: list[int],
    name: str,
    notes: tuple[str, ...],
    ignore: Sequence[str],
    default_ignore: Sequence[str],
) -> ChangeSet:
    commits: list[Commit] = []
    series = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        commit, patch_text = _message(text[start:end], index=i)
        diff = (
            parse_diff(patch_text, source=f"{name}: patch {i + 1}") if patch_text.strip() else Diff(files=())
        )
        commits.append(commit)
        series.append((commit.sha, diff))
    dupes = [sha for sha, n in Counter(c.sha for c in commits).items() if n > 1]
    if dupes:
        raise InputError(f"{name}: commit {dupes[0][:12]} appears twice in the series")
    try:
        result = replay(series)
    except InputError as exc:
        raise InputError(f"{name}: {exc.message}", exc.hint) from None
    diff, origins = apply_ignore(result.diff, result.line_origins, ignore, defaults=default_ignore)
    # The replayed diff's own notes are not the reader's; what the ignore step adds after them is.
    return ChangeSet(
        source="mbox",
        diff=replace(diff, notes=(*notes, *diff.notes[len(result.diff.notes) :])),
        commits=with_added_counts(commits, origins),
        line_origins=origins,
        line_origin_numbers={p: n for p, n in result.line_origin_numbers.items() if p in origins},
        commit_lines=SeriesLines.of(series),
        unread=unread_links(diff, *diff_head_tree(diff)),
    )


def _decode_header(value: str) -> str:
    """A header with its MIME encoded words decoded; as written when one cannot be (an unknown or
    non-text charset, or an encoded word whose base64 is broken)."""
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, HeaderParseError):
        return value


def _message(msg: str, index: int) -> tuple[Commit, str]:
    """One format-patch message: its commit and the diff text."""
    first, _, rest = msg.partition("\n")
    m = _FROM_LINE.match(first)
    sha = m.group(1) if m else f"patch-{index + 1:04d}"
    if not m:
        rest = msg
    header_text, _, body = rest.partition("\n\n")
    headers: dict[str, str] = {}
    last = ""
    for line in header_text.split("\n"):
        if line[:1] in (" ", "\t") and last:
            headers[last] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            last = key.strip().lower()
            headers[last] = value.strip()
    author_name, author_email = parseaddr(_decode_header(headers.get("from", "")))
    subject = _SUBJECT_PREFIX.sub("", _decode_header(headers.get("subject", ""))).strip()
    # An in-body "From:" line names the author when the sender differs.
    if body.startswith("From: "):
        in_body, _, body = body.partition("\n")
        author_name, author_email = parseaddr(_decode_header(in_body[6:]))
        body = body.lstrip("\n")
    diff_at = _DIFF_START.search(body)
    message_part = body[: diff_at.start()] if diff_at else body
    patch_text = body[diff_at.start() :] if diff_at else ""
    patch_text = _strip_signature(patch_text)
    # The last `---` line ends the message: format-patch writes it before the diffstat and the notes
    # (whose lines it indents), and a message may hold `---` lines of its own above its trailers.
    msg_body, sep, after = message_part.rpartition("\n---\n")
    if not sep:
        msg_body, after = (
            (message_part, "") if not message_part.startswith("---\n") else ("", message_part[4:])
        )
    note = _notes(after)
    message = subject + ("\n\n" + msg_body.strip("\n") if msg_body.strip() else "")
    commit = Commit(
        sha=sha,
        author=Person(author_name, author_email),
        committer=None,
        message=message,
        ai_note=note,
    )
    return commit, patch_text


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
