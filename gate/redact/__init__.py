"""Redact credentials from everything the gate sends to a model, writes to a trace or a report, posts,
or prints.

One detector (`gate.redact.detect`: detect-secrets, the documented key formats, config syntax read by
the file's name, base64-wrapped keys) both finds secrets for the `secrets` analyzer and hides them here,
so what is flagged is what is hidden. Every value it finds is remembered (`gate.redact.memory`) and
hidden wherever it appears again, also where nothing else would mark it: `learn_changeset` reads the
whole change with each file's name before anything leaves the gate. What it finds in prose (commit
messages, the PR's words, issues, specs) and on a hunk's removed and context lines is remembered only
when it is shaped as a credential (`gate.redact.memory.only_credentials`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from gate.diff.model import FileStatus, LineKind
from gate.redact import memory
from gate.redact.blocks import MAX_KEY_LINES, redact_key_blocks, remember_key_blocks
from gate.redact.detect import (
    MESSAGE_FILENAME,
    Hits,
    Scans,
    SecretHit,
    adopt_scans,
    find_secrets,
    forget_scans,
    hits_of,
    remember_der_keys,
    remember_values_below,
    scan_files,
    scan_lines,
)
from gate.redact.formats import KEY_FORMATS
from gate.redact.memory import REDACTED

# The changed files this run's learning could not read whole, by path, with why (`unlearned_files`).
_UNLEARNED: dict[str, str] = {}

if TYPE_CHECKING:
    from gate.context.model import ChangeSet
    from gate.diff.model import FileChange

__all__ = [
    "KEY_FORMATS",
    "MAX_KEY_LINES",
    "MESSAGE_FILENAME",
    "REDACTED",
    "SecretHit",
    "adopt_learning",
    "adopt_prescan",
    "cut_redacted",
    "file_names",
    "find_secrets",
    "hide_tree",
    "is_data_key",
    "learn_changeset",
    "learn_messages",
    "prescan",
    "prescanned",
    "ready",
    "redact",
    "redact_error",
    "redact_lines",
    "redact_tree",
    "redacted_prefix",
    "scan_files",
    "scan_lines",
    "strings_in",
    "unlearned_files",
]


# A quoted part of an error line: a repr of the input it could not take, a key, a YAML line.
_QUOTED = re.compile(r"""(?P<q>["'])(?P<text>(?:(?!(?P=q))[^\n]){1,1000}+)(?P=q)""")


def redact_error(line: str) -> str:
    """An error line, redacted wherever it goes (stderr, a check run, a comment). It can quote its input
    (`(got 'password: hunter2-…')`): what it quotes is read apart, with config syntax, as a PR body is,
    since a `name: value` pair is a line of its own there, not a phrase in the middle of the error's."""
    learn_messages([m.group("text") for m in _QUOTED.finditer(line)])
    return redact(line)


def redact(text: str, *, filename: str = "") -> str:
    """Text with every detected or remembered secret replaced by [REDACTED]. `filename`, when the text
    is (part of) one file, lets config syntax be read (`.env`, YAML, JSON, TOML, INI, properties)."""
    if not text:
        return text
    return "\n".join(redact_lines(text.split("\n"), filename=filename))


def redact_lines(lines: Sequence[str], *, filename: str = "") -> list[str]:
    """Each line with its secrets replaced; consecutive lines, so a private key's body is seen whole."""
    remember_der_keys(lines)  # read before the block reader hides the pieces below a key's first one
    out = redact_key_blocks(lines)
    found: dict[int, list[str]] = {}
    for index, hit in scan_lines(out, filename=filename):
        found.setdefault(index, []).append(hit.value)
    for index, values in found.items():
        out[index] = _hidden_in(out[index], values)
    return memory.hide_lines(out)


def _hidden_in(line: str, values: Sequence[str]) -> str:
    """The line with the values found on it replaced, and the remembered values it holds with them,
    longest first: hidden after a piece a detector took of it (the part of a value before an escaped
    quote, a token a longer remembered value holds), a longer value would no longer be found whole, and
    its rest would be left as text. A shorter value that overlaps a longer one hidden is left to it.

    Each value is placed on the line as it stands and the line is rebuilt once: replaced one by one, a
    line listing thousands of remembered values cost a pass over the whole line for each."""
    if len(values) > _MANY_ON_A_LINE:
        line, values = _hidden_as_tokens(line, values)
    # A remembered value where the pattern found it (start), a found value wherever it stands (None).
    places: list[tuple[str, int | None]] = [(line[start:end], start) for start, end in memory.spans(line)]
    places += [(value, None) for value in set(values) if value]
    hidden = bytearray(len(line))  # 1 under each character hidden so far
    stretches: list[tuple[int, int]] = []
    for value, start in sorted(places, key=lambda place: len(place[0]), reverse=True):
        if start is not None:
            if hidden.find(1, start, start + len(value)) == -1:
                hidden[start : start + len(value)] = b"\x01" * len(value)
                stretches.append((start, start + len(value)))
            continue
        at = line.find(value)
        while at != -1:  # where `str.replace` would replace it, after the longer values
            end = at + len(value)
            overlapped = hidden.rfind(1, at, end)
            if overlapped == -1:
                hidden[at:end] = b"\x01" * len(value)
                stretches.append((at, end))
                at = line.find(value, end)
            else:  # on past the hidden stretch it overlaps
                after = hidden.find(0, overlapped)
                at = line.find(value, after) if after != -1 else -1
    pieces: list[str] = []
    kept = 0
    for at, end in sorted(stretches):
        pieces += (line[kept:at], REDACTED)
        kept = end
    pieces.append(line[kept:])
    return "".join(pieces)


def cut_redacted(text: str, limit: int, *, marker: str = "…", filename: str = "") -> str:
    """`text` within `limit` characters, ending with `marker` where it is cut. A text that has to be cut
    is redacted first (`filename` as for `redact`): a secret cut short is a piece that no detector knows
    and that no later redaction of the whole output finds. A text that fits is returned as it is, for
    the redaction of the output it goes into."""
    if len(text) <= limit:
        return text
    text = redact(text, filename=filename)
    if len(text) <= limit:
        return text
    return redacted_prefix(text, max(0, limit - len(marker))) + marker


def redacted_prefix(text: str, chars: int) -> str:
    """The first `chars` characters of redacted `text`, less a [REDACTED] the cut would split: what is
    left of it would read as text, and the reader would not see that a secret stood there."""
    at = text.rfind(REDACTED, 0, chars + len(REDACTED) - 1)
    if at != -1 and at < chars < at + len(REDACTED):
        chars = at
    return text[:chars]


# Values found on one line past which they are hidden in one pass over it (`_hidden_in`).
_MANY_ON_A_LINE = 64
_TOKEN = re.compile(r"""[^\s"'#,;=]+""")


def _hidden_as_tokens(line: str, values: Sequence[str]) -> tuple[str, list[str]]:
    """Past `_MANY_ON_A_LINE` values (a line of thousands of `NAME_KEY=…` pairs), those that stand as
    whole tokens are replaced in one pass; the others are left to find one by one."""
    wanted = set(values)
    seen: set[str] = set()

    def token(m: re.Match[str]) -> str:
        if m.group() in wanted:
            seen.add(m.group())
            return REDACTED
        return m.group()

    return _TOKEN.sub(token, line), [v for v in values if v not in seen]


def ready() -> None:
    """Build what the first scan would build (the detector's rules, a third of a second): for a process
    about to wait on a child, so that its scans after the wait do not start with it."""
    from gate.redact.candidates import prepare

    prepare()


def prescan(strings: Iterable[str]) -> None:
    """Scan `strings` now, as `redact_tree` reads them, so that redacting them later is a lookup: for a
    process that waits anyway (on a child's stages) before it writes a report that holds them."""
    for _ in scan_files([("", _prescan_lines(strings))]):
        pass


def prescanned(strings: Iterable[str]) -> Hits | None:
    """`prescan`, for the process this one was forked from to take over (`adopt_prescan`): the hits of
    the lines read; None when they could not all be remembered (past the cache's bound)."""
    lines = _prescan_lines(strings)
    for _ in scan_files([("", lines)]):
        pass
    return hits_of("", lines)


def adopt_prescan(strings: Callable[[], Iterable[str]], hits: Hits) -> None:
    """Take over what a forked process prescanned (`prescanned`): its hits, and `strings`, the same
    strings as this process holds them, read when a report's string is first looked up."""
    adopt_scans(hits, {"": lambda: _prescan_lines(strings())})


def _prescan_lines(strings: Iterable[str]) -> list[str]:
    return redact_key_blocks(_as_lines(dict.fromkeys(strings)))


# A key the gate writes itself: a field name (`start_line`, `findings`, `verdict`; SARIF's `startLine` and
# `$schema`), a stage's id, a chunk's id. ASCII words joined by `_` or `-`, the first starting lower-case.
# A file path (with `/` or `.`), `path:lines` and a routed model's name (`openai/gpt-4o`) do not.
_OWN_KEY = re.compile(r"\$?[a-z][a-zA-Z0-9]*(?:[_-][a-zA-Z0-9]+)*")
# A part of such a key that is no word the gate writes: a key's digits and letters mixed over this many
# characters (`sk_live_4eC39HqLyjWDarjtT1zdp7dc`, a file at the root named after a token), or a part
# longer than any field name. Such a key is data, and a secret in it is hidden.
_RANDOM_PART = re.compile(r"(?=[a-zA-Z]*[0-9])(?=[0-9]*[a-zA-Z])[a-zA-Z0-9]{8,}|[a-zA-Z0-9]{33,}")


@lru_cache(maxsize=8192)  # a report repeats its few own keys in every finding
def is_data_key(key: str) -> bool:
    """Whether a key of a report or trace map is data (a file path, `path:lines`, a model's name), to be
    redacted like a value, rather than a name the gate writes (`_OWN_KEY`). A value remembered for the run
    can be any word a PR chooses (`DB_PASSWORD=findings`); hidden in the gate's own keys it would leave a
    report with no `findings` or `verdict` for `publish` to read, and answers no replay can validate."""
    return _OWN_KEY.fullmatch(key) is None or any(
        _RANDOM_PART.fullmatch(part) for part in re.split(r"[_-]", key.removeprefix("$"))
    )


def redact_tree(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string value redacted, and every key that is
    data (`is_data_key`: a file name); the gate's own keys are left as they are.
    All its strings are scanned as one text: a report of many short strings costs one pass, not one each.
    A value with nothing to redact is returned as it is (not copied)."""
    hashes: list[str] = []
    collected = strings_in(value, hashes)
    if not collected and not hashes:
        return value
    # Each distinct string once: a report repeats its paths and rule names in every finding.
    strings = list(dict.fromkeys(collected))
    out = redact_lines(_as_lines(strings))
    # A hash needs no scan; a value remembered for the run is hidden in one all the same.
    redacted = {text: hidden for text in dict.fromkeys(hashes) if (hidden := memory.hide(text)) != text}
    at = 0
    for text in strings:
        count = text.count("\n") + 1
        if (hidden := "\n".join(out[at : at + count])) != text:
            redacted[text] = hidden
        at += count + 1
    return _rebuild(value, redacted) if redacted else value


def _as_lines(strings: Iterable[str]) -> list[str]:
    """The strings' lines, each string's followed by an empty line: a boundary, so that no key block or
    candidate runs from one string into the next. `redact_tree` scans these, and `prescan` the same."""
    lines: list[str] = []
    for text in strings:
        lines.extend(text.split("\n"))
        lines.append("")
    return lines


def strings_in(value: Any, hashes: list[str] | None = None) -> list[str]:
    """Every string in a JSON-like value, the keys that are data too, as `redact_tree` scans them; the
    gate's own hashes (`_HASH_FIELDS`) go to `hashes` when given, and are left out otherwise."""
    collected: list[str] = []
    _collect(value, collected, [] if hashes is None else hashes)
    return collected


# The fields that hold a hash the gate computed (a finding's `id` and `fingerprint`): hex digits that
# hold no secret and need no scan (a report's thousands of them made most of its candidate lines).
_HASH_FIELDS = frozenset({"id", "fingerprint"})
_HASH = re.compile(r"[0-9a-f]{12,64}")


def _collect(value: Any, into: list[str], hashes: list[str]) -> None:
    """Every string in `value`, the keys that are data too, into `into`; the gate's own hashes
    (`_HASH_FIELDS`) into `hashes`. (Leaves are read in their container's loop: a report has far more
    strings and numbers than dicts and lists.)"""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and is_data_key(k):
                into.append(k)
            if isinstance(v, str):
                (hashes if k in _HASH_FIELDS and _HASH.fullmatch(v) else into).append(v)
            elif isinstance(v, (dict, list, tuple)):
                _collect(v, into, hashes)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, str):
                into.append(v)
            elif isinstance(v, (dict, list, tuple)):
                _collect(v, into, hashes)


def _rebuild(value: Any, redacted: dict[str, str]) -> Any:
    """`value` with each string that `redacted` holds replaced."""
    if isinstance(value, str):
        return redacted.get(value, value)
    if isinstance(value, dict):
        return {
            (redacted.get(k, k) if isinstance(k, str) and is_data_key(k) else k): (
                redacted.get(v, v)
                if isinstance(v, str)
                else _rebuild(v, redacted)
                if isinstance(v, (dict, list, tuple))
                else v
            )
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [
            redacted.get(v, v)
            if isinstance(v, str)
            else _rebuild(v, redacted)
            if isinstance(v, (dict, list, tuple))
            else v
            for v in value
        ]
    return value


def hide_tree(value: Any, hide: Callable[[str], str] = memory.hide) -> Any:
    """Like `redact_tree`, replacing only the values already remembered: for text that went through
    `redact` once already (the messages sent to a model, as the trace records them). `hide` is
    `memory.hide` or a caller's cache of it."""
    if isinstance(value, str):
        return hide(value)
    if isinstance(value, dict):
        return {
            (hide(k) if isinstance(k, str) and is_data_key(k) else k): hide_tree(v, hide)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [hide_tree(v, hide) for v in value]
    return value


def learn_changeset(changeset: ChangeSet) -> int:
    """Find (and so remember) every secret in what the change carries: each file's lines read with its
    name (the files `paths.ignore` leaves out too: a password in a vendored config is the same password
    where app code uses it), the private keys in the changed files as they were and are, the file names,
    the commit messages, the PR title and body (`learn_messages`; the linked issues are read, and
    learned, only when the `spec` stage runs). Returns the number of values remembered in all."""
    forget_scans()  # a new change: what an earlier run read is not this run's
    _UNLEARNED.clear()
    changes = (*changeset.diff.files, *changeset.diff.ignored_files)
    files = _file_lines(changes)
    # Each hunk is read whole (a YAML value below its name, a wrapped call), but only its added lines
    # are code the change submits: a value found on a removed or context line is hidden on that line,
    # and remembered for everywhere else only when it is shaped as a credential.
    named = [change for change in changes for _ in file_names(change)]  # each of `files`' change
    with memory.only_credentials():
        hits = list(scan_files(files))
    # The kinds of the lines scanned (`_lines_of`), read only for the files that have a hit.
    kinds: dict[int, list[LineKind]] = {}
    for file_index, _, _ in hits:
        if file_index not in kinds:
            kinds[file_index] = [line.kind for hunk in named[file_index].hunks for line in hunk.lines]
    on_added = [hit for file_index, at, hit in hits if kinds[file_index][at] is LineKind.ADDED]
    memory.remember(hit.value for hit in on_added)
    # A private key's pieces on the lines below its first are key bytes, whatever their shape.
    memory.remember((piece for hit in on_added for piece in hit.pieces), any_shape=True)
    _learn_key_blocks(changeset, changes)
    names = [name for f in changes for name in {f.path, f.old_path or f.path}]
    texts = [c.message for c in changeset.commits]
    if changeset.pr is not None:
        texts += [changeset.pr.title, changeset.pr.body]
    learn_messages(texts, names)
    return len(memory.known())


def learn_messages(texts: Iterable[str], lines: Iterable[str] = ()) -> None:
    """Find (and so remember) every secret in prose the gate reads from outside the diff: commit
    messages, the PR's title and body, the linked issues' titles and bodies; read with config syntax
    (`MESSAGE_FILENAME`), each text apart from the next. `lines` are read the same way, one by one (file
    names). One candidate pass over them all, not one per text."""
    joined = [*lines, *(line for text in texts for line in [*text.split("\n"), ""])]
    for _ in scan_lines(joined, filename=MESSAGE_FILENAME):
        pass


def _file_lines(changes: Sequence[FileChange]) -> list[tuple[str, list[str]]]:
    """Each file's name and the lines of its hunks, as `learn_changeset` scans them; a renamed file's
    under its old name too. Its context and removed lines are the base's, and the name says how to read
    them: a change that renames `.env.production` to `env.txt` must not have the base's passwords read
    as lines of a text file, unmarked, and sent on in the hunk's context rows."""
    return [(name, _lines_of(f)) for f in changes for name in file_names(f)]


def file_names(change: FileChange) -> tuple[str, ...]:
    """The names a file's hunk lines are read with: a renamed file's old one too (its context and
    removed lines are the base's, and the old name may be the one that marks them)."""
    old = change.old_path
    return (change.path, old) if old and old != change.path else (change.path,)


def _lines_of(change: FileChange) -> list[str]:
    return [line.text for hunk in change.hunks for line in hunk.lines]


def _lines_of_all(changes: Sequence[FileChange]) -> list[str]:
    """The lines a scan read under one name: of each file that has it, as its path or its old path."""
    return [text for change in changes for text in _lines_of(change)]


def adopt_learning(
    changeset: ChangeSet, secrets: Iterable[str], scans: Scans, unlearned: Mapping[str, str]
) -> None:
    """Take over what a process forked from this one learned of `changeset` (`learn_changeset`): its
    secrets, what its scans read, the lines of each file taken from this process's own copy of the
    change (`gate.redact.detect.adopt_scans`), and the files it could not read whole (`unlearned_files`).
    `secrets` are what it remembered; its scans' hits hold the values of removed and context lines too,
    which it remembered only when shaped as credentials, and so does this process."""
    memory.remember(secrets)
    _UNLEARNED.clear()
    _UNLEARNED.update(unlearned)
    hits, names = scans
    read = set(names)
    changes = (*changeset.diff.files, *changeset.diff.ignored_files)
    named: dict[str, list[FileChange]] = {}
    for f in changes:
        for name in file_names(f):
            if name in read:
                named.setdefault(name, []).append(f)
    with memory.only_credentials():
        adopt_scans(hits, {name: partial(_lines_of_all, files) for name, files in named.items()})


def _learn_key_blocks(changeset: ChangeSet, changes: Sequence[FileChange]) -> None:
    """Remember the body of every private key in the change's hunks and in its files as they were and
    are: prompts show lines cut out below a key's BEGIN line (a hunk's context rows, the second part of
    a long hunk, the lines before a region to re-generate, an excerpt around a finding, a key replaced
    in place), where nothing marks them as a key. A file the revisions hold but could not give is noted
    (`unlearned_files`): what it holds beyond its hunks is not known."""
    for change in changes:
        for hunk in change.hunks:
            remember_key_blocks("\n".join(line.text for line in hunk.lines))
    revisions = changeset.revisions
    if revisions is None:
        return
    for change in changes:
        for revision, path in _whole_files(change):
            text = revisions.read(revision, path)
            if text is None and (why := revisions.why_unread(revision, path)) is not None:
                _UNLEARNED.setdefault(
                    change.path,
                    f"not sent to a model: its text at {revision} was not read ({why}), "
                    "so its secrets are not all known",
                )
            _learn_whole_file(path, text or "")


def unlearned_files() -> dict[str, str]:
    """The changed files the run's learning could not read whole, by path, with why in the coverage's
    words: the revisions hold them at head or base but could not give them (over the size limit of a
    file read, a blob git or the API could not read). The secrets only their place marks in the file (a
    key's body below its BEGIN line, a YAML value below its `password:` key) are not known, so the
    model stages send none of their lines."""
    return dict(_UNLEARNED)


def _whole_files(change: FileChange) -> Iterator[tuple[str, str]]:
    """(revision, path) of each version of a changed file that learning reads whole: the head and the
    base, under its old name; a file the change adds is whole in its hunk, and a binary one has no lines."""
    if change.is_binary:
        return
    if change.status not in (FileStatus.DELETED, FileStatus.ADDED):
        yield "head", change.path
    if change.status is not FileStatus.ADDED:
        yield "base", change.old_path or change.path


def _learn_whole_file(path: str, text: str) -> None:
    """Remember what a file holds across lines that a prompt may show apart: a private key's body, and
    a YAML value on the line below its `password:` key when the hunk ends at the key (the value is a
    context row) or starts below it (the key is one)."""
    remember_key_blocks(text)
    remember_values_below(path, text.splitlines())
