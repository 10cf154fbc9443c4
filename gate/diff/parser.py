"""Parse a unified diff (plain or git) into the diff model: `gate.diff.reader` reads it as unidiff does,
building the model's lines as it goes; this module unquotes paths and gives each file its status."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from unidiff.errors import UnidiffParseError

from gate.diff.binary_patch import read_binary_patch
from gate.diff.model import Diff, FileChange, FileStatus, Hunk
from gate.diff.reader import LineParseError, RawFile, read_patch
from gate.errors import InputError
from gate.wording import first_of

_MODE = re.compile(r"^(old|new|new file|deleted file) mode (\d{6})$")
_RENAME = re.compile(r"^rename (from|to) (.+)$")
# `index <old>..<new> <mode>`: a file whose mode did not change has its mode here, and only here.
_INDEX_MODE = re.compile(r"^index [0-9a-f]+\.\.[0-9a-f]+ (\d{6})$")
# The object ids of that line, as git reads them (apply.c `gitdiff_index`) for a binary patch's checks.
_INDEX_IDS = re.compile(r"^index ([0-9a-fA-F]*)\.\.([0-9a-fA-F]*)(?: |$)")
_GIT_BINARY = "GIT binary patch"
_OCTAL = re.compile(r"\\([0-7]{3})|\\(.)")
_C_ESCAPES = {
    "n": "\n",
    "t": "\t",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "r": "\r",
}


def decode_patch(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decode patch bytes as UTF-8; bytes that are not valid UTF-8 become U+FFFD and are said."""
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    bad: list[str] = []
    out: list[str] = []
    current = "(header)"
    for raw in data.split(b"\n"):
        if raw.startswith(b"diff --git ") or raw.startswith(b"+++ "):
            current = raw.decode("utf-8", "replace").split(" b/", 1)[-1].removeprefix("+++ ")
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw.decode("utf-8", "replace"))
            if current not in bad:
                bad.append(current)
    notes = tuple(f"{path}: not valid UTF-8; decoded with replacement characters" for path in bad)
    return "\n".join(out), notes


def parse_diff(text: str, *, source: str = "diff") -> Diff:
    """Parse unified diff text. An empty text is an empty diff; text with no diff in it is an error."""
    if not text or text.isspace():
        return Diff(files=())
    quoted: dict[str, str] = {}
    if _headers_need_unquoting(text):
        text, quoted = _unquote_headers(text)
    try:
        patch = read_patch(text)
    except LineParseError as exc:
        # By its number, never its text: the line can be one of a config, with its password.
        raise InputError(f"{source}: not a unified diff: {exc.reason} (line {exc.number:,})") from None
    except UnidiffParseError as exc:
        raise InputError(f"{source}: not a unified diff: {exc}") from None
    except (UnboundLocalError, AttributeError):
        # unidiff's reading crashes instead of raising its parse error on some malformed file headers: a
        # "+++" line with no "---" line before it, or "GIT binary patch" outside a file (found by fuzzing);
        # the reader below keeps its behaviour, so both are caught the same way.
        raise InputError(f"{source}: not a unified diff: a file header is incomplete") from None
    if not patch and not _looks_like_diff(text):
        raise InputError(
            f"{source}: no diff found in the input", "give a unified diff or git format-patch output"
        )
    strip = _PrefixStrip()
    files = tuple(_convert(pf, quoted, strip) for pf in patch)
    return Diff(files=files, notes=strip.notes())


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HEADER_PREFIXES = ("diff --git ", "--- ", "+++ ", "rename from ", "rename to ", "copy from ", "copy to ")
# A line that could be a file header with a quoted path; without one, no header needs unquoting and the
# line-by-line pass is skipped (source code in a diff is full of quotes, headers rarely are). Both
# patterns try every line of the text, so `_headers_need_unquoting` asks them only when the headers
# alone cannot tell.
_QUOTED_HEADER = re.compile(
    "^(?:" + "|".join(re.escape(prefix) for prefix in _HEADER_PREFIXES) + ').*"', re.MULTILINE
)


# A `diff --git` line with more than one space after its command: a name holds a space.
_SPACED_HEADER = re.compile(r"^diff --git [^ \n]*(?: [^ \n]*){2,}$", re.MULTILINE)


def _headers_need_unquoting(text: str) -> bool:
    """Whether the headers go through `_unquote_headers`: the answer of the whole-text patterns above,
    read from the git file headers alone (the only lines it rewrites) instead of every line of every
    hunk. A header line with a quote, or a `diff --git` line with names with spaces, is a match of the
    patterns; with neither, only a `---`/`+++` name with a space could still be rewritten, and then the
    patterns decide as they did."""
    spaced_name = False
    for line in _git_header_lines(text):
        if not line.startswith(_HEADER_PREFIXES):
            continue
        if '"' in line or (line.startswith("diff --git ") and line.count(" ") > 3):
            return True
        spaced_name = spaced_name or (line.startswith(("--- a/", "+++ b/")) and " " in line[4:])
    return spaced_name and bool(('"' in text and _QUOTED_HEADER.search(text)) or _SPACED_HEADER.search(text))


def _git_header_lines(text: str) -> Iterator[str]:
    """The lines `_unquote_headers` reads as a file header: from each line that starts with
    `diff --git ` to the next line that starts with `@@`."""
    start = 0 if text.startswith("diff --git ") else _next_git_header(text, 0)
    while start != -1:
        end = text.find("\n@@", start)
        end = len(text) if end == -1 else end
        yield from text[start:end].split("\n")
        start = _next_git_header(text, end)


def _next_git_header(text: str, at: int) -> int:
    found = text.find("\ndiff --git ", at)
    return -1 if found == -1 else found + 1


def _unquote_headers(text: str) -> tuple[str, dict[str, str]]:
    """Git C-quotes unusual paths in file headers; unidiff expects them plain and without blanks.

    A quoted path becomes a token (its a/ or b/ prefix kept) that is mapped back after parsing: an
    unquoted tab, newline or quote in a file name would otherwise break the header lines apart.
    """
    quoted: dict[str, str] = {}
    tokens: dict[str, str] = {}

    def register(path: str) -> str:
        # The same path gets the same token: unidiff matches the "diff --git" names with "---"/"+++".
        # The prefix (`a/`, `b/`, or any first directory) stays outside the token, to be dropped later.
        name = _without_prefix(path)
        prefix = path[: len(path) - len(name)] if name is not None else ""
        n = tokens.setdefault(path[len(prefix) :], f"\x1b{len(tokens)}\x1b")
        key = prefix + n
        quoted[key] = path
        return key

    def token(m: re.Match[str]) -> str:
        return register(_unquote(m.group(0)))

    lines = text.split("\n")
    in_header = False
    for i, line in enumerate(lines):
        if line.startswith("diff --git "):
            in_header = True
        elif line.startswith("@@"):
            in_header = False
        if not in_header or not line.startswith(_HEADER_PREFIXES):
            continue
        if '"' in line:
            lines[i] = _QUOTED.sub(token, line)
        elif line.startswith("diff --git ") and line.count(" ") > 3:
            names = _spaced_git_names(line[len("diff --git ") :], lines, i)
            if names is not None:
                lines[i] = f"diff --git {register(names[0])} {register(names[1])}"
        elif line.startswith(("--- ", "+++ ")) and " " in line[4:]:
            # git ends a name that holds a space with a tab, so the tab is not part of the name
            lines[i] = line[:4] + register(line[4:].removesuffix("\t"))
    return "\n".join(lines), quoted


def _spaced_git_names(rest: str, lines: list[str], at: int) -> tuple[str, str] | None:
    """The two names of a `diff --git` line whose names hold spaces, each with its prefix, when they can
    be told: from the rename or copy lines of the same header, else as git tells them (apply.c's
    `git_header_name`): at the space where the two names are one name once their prefixes go.

    Both ways test one split only, by offsets into the line: a name is as long as the other, so of all
    the spaces only one can end the first name (testing each space with copies of both halves took time
    in the square of the line's length, minutes for a line of a few hundred kilobytes)."""
    old = new = None
    for line in lines[at + 1 : at + 8]:
        if line.startswith(("@@", "diff --git ", "--- ", "+++ ")):
            break
        if line.startswith(("rename from ", "copy from ")):
            old = line.split(" ", 2)[2]
        elif line.startswith(("rename to ", "copy to ")):
            new = line.split(" ", 2)[2]
    start = rest.find("/") + 1  # where the first name starts once its prefix goes
    if start <= 1:
        return None
    if old and new:
        space = start + len(old)
        if rest.startswith(old, start) and rest.startswith(" ", space):
            second = rest[space + 1 :]
            return (rest[:space], second) if _without_prefix(second) == new else None
        return None
    slash = -1
    space = rest.find(" ", start)
    while space != -1:
        if slash <= space:
            slash = rest.find("/", space + 1)  # the end of the second name's prefix
            if slash == -1:
                return None
        # The first name grows with each space and the second shrinks or stays: they are the same
        # length at one space at most.
        first_length, second_length = space - start, len(rest) - slash - 1
        if first_length >= second_length:
            # The second name's prefix must be a directory too: `a/x /x` has none.
            same = first_length == second_length and slash > space + 1
            same = same and rest.startswith(rest[slash + 1 :], start)
            return (rest[:space], rest[space + 1 :]) if same else None
        space = rest.find(" ", space + 1)
    return None


def _without_prefix(path: str) -> str | None:
    """`path` without its first directory, as `git apply -p1` reads a `diff --git` name; None when it
    has none (no `/`, or a `/` first)."""
    slash = path.find("/")
    return path[slash + 1 :] if slash > 0 else None


def _looks_like_diff(text: str) -> bool:
    return "\ndiff --git " in "\n" + text or "\n--- " in "\n" + text


def _unquote(path: str) -> str:
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1]
        data = bytearray()
        pos = 0
        for m in _OCTAL.finditer(raw):
            data += raw[pos : m.start()].encode()
            if m.group(1) and int(m.group(1), 8) <= 0o377:
                data.append(int(m.group(1), 8))
            elif m.group(1):  # not a byte, so not git's quoting: keep the text
                data += m.group(0).encode()
            else:
                data += _C_ESCAPES.get(m.group(2), m.group(2)).encode()
            pos = m.end()
        data += raw[pos:].encode()
        path = data.decode("utf-8", "replace")
    return path


# The prefixes git itself writes: `a/` and `b/`, and with `diff.mnemonicPrefix` `i/`, `w/`, `c/` and `o/`
# (index, work tree, commit, object). Any other first directory is dropped all the same, and said.
_GIT_PREFIXES = frozenset(("a", "b", "i", "w", "c", "o"))


class _PrefixStrip:
    """Names read as `git apply` and `git am` read them, by default `-p1`: the first directory of a
    name is dropped whatever it is, so a patch made with `--src-prefix=vendor/` writes `app/x.py`, not
    `vendor/app/x.py`, and the ignore list and the analyzers see the file git writes.

    git's rules (apply.c) by line: a `diff --git` name must have a first directory to drop (a name with
    none, or one that starts with `/`, is refused); a `---`/`+++` name loses everything up to its first
    `/`; the names of `rename`/`copy` lines carry no prefix and are kept as written. A patch with no
    `diff --git` header whose first file names no directory (`--- x.py`) makes git guess `-p0` for the
    rest of the patch, as here."""

    def __init__(self) -> None:
        self.depth = 1
        self.known = False
        self.dropped: dict[str, list[str]] = {}  # each prefix git does not write, and the files it named

    def notes(self) -> tuple[str, ...]:
        """One note for each prefix that is not git's own: the user may have meant the names whole."""
        return tuple(
            f"the patch names files with the prefix {prefix} ({first_of(list(dict.fromkeys(paths)), 3)}): "
            "read without it, as git apply and git am drop the first directory of each name"
            for prefix, paths in self.dropped.items()
        )

    def guess(self, pf: RawFile, quoted: dict[str, str]) -> None:
        """git's `guess_p_value` for a file of a plain diff, until the depth is known."""
        if self.known or _is_git_file(pf):
            return
        # A `Binary files x differ` notice has one name only: it is both.
        lines = _traditional_lines(pf, quoted)
        sides = (
            [_guess_depth(name, quoted) for name in (pf.source_file, pf.target_file) if name is not None]
            if lines is None
            else [_traditional_depth(line) for line in lines]
        )
        if not sides:
            return
        first = sides[-1] if sides[0] < 0 else sides[0]
        if first >= 0 and first == sides[-1]:
            self.depth, self.known = first, True

    def strip(self, name: str | None, quoted: dict[str, str], *, git_header: bool) -> tuple[str | None, str]:
        """The name git writes, and the prefix it dropped ("" for none); None for /dev/null."""
        if name is None:
            return None, ""
        path = _name(name, quoted)
        if path == "/dev/null":
            return None, ""
        if self.depth == 0:
            return path, ""
        slash = path.find("/")
        if slash < 0 or (slash == 0 and git_header):
            # git apply: "git diff header lacks filename information when removing 1 leading pathname
            # component"; a plain diff's name with no directory made the guess above.
            raise InputError(
                f"diff: the file name {path!r} has no leading directory to drop",
                "git apply and git am drop the first directory of each name (-p1), as in a/ and b/; "
                "make the patch with git's default prefixes",
            )
        return path[slash + 1 :], path[: slash + 1]


def _is_git_file(pf: RawFile) -> bool:
    return bool(pf.patch_info and pf.patch_info[0].startswith("diff --git "))


def _name(name: str, quoted: dict[str, str]) -> str:
    return quoted.get(name.strip()) or _unquote(name.strip())


def _guess_depth(name: str, quoted: dict[str, str]) -> int:
    """git's guess for one name of a plain diff: 0 when it names no directory, else no guess (-1)."""
    path = _name(name, quoted)
    return -1 if path == "/dev/null" or "/" in path else 0


# The parts of the date `diff` writes after a name (apply.c's `diff_timestamp_len`), each read back from
# the end of the line: POSIX `2010-07-05 19:41:17` or GNU `2010-07-05 19:41:17.620000023 -0500`.
_ZONE = re.compile(r" [+-](?:[0-9]{4}|[0-9]{2}:[0-9]{2})")
_TIME = re.compile(r" [0-9]{2}:[0-9]{2}:[0-9]{2}")
_DAY = re.compile(r"[0-9]{2}-[0-9]{2}-[0-9]{2}")
_DIGITS = frozenset("0123456789")
# GNU diff dates a created or deleted file's missing side at the epoch (apply.c's `has_epoch_timestamp`),
# in the time zone of the diff: what follows the last tab of the line.
_EPOCH = re.compile(
    r"(1969-12-31|1970-01-01) ([0-2][0-9]):([0-5][0-9]):00(?:\.0+)? ([-+])([0-2][0-9]):?([0-5][0-9])\Z"
)
# The blanks other than a space that end a name with no date after it (C's isspace, a tab included).
_NAME_END = re.compile(r"[\t\r\v\f]")


def _traditional_lines(pf: RawFile, quoted: dict[str, str]) -> tuple[str, str] | None:
    """The text after `--- ` and `+++ ` of a file of a plain diff, as written; None for a file with a
    `diff --git` header, a `Binary files` notice or a name of a quoted git header."""
    if _is_git_file(pf) or pf.source_file is None or pf.target_file is None:
        return None
    if any(line.startswith("Binary files") for line in pf.patch_info or ()):
        return None
    if pf.source_file.strip() in quoted or pf.target_file.strip() in quoted:
        return None
    old = pf.source_file + ("" if pf.source_timestamp is None else "\t" + pf.source_timestamp)
    new = pf.target_file + ("" if pf.target_timestamp is None else "\t" + pf.target_timestamp)
    return old.rstrip("\n"), new.rstrip("\n")


def _is_dev_null(line: str) -> bool:
    return line.startswith("/dev/null") and (len(line) == 9 or line[9] in " \t\r\v\f")


def _traditional_name(line: str, depth: int, default: str | None = None) -> tuple[str | None, str]:
    """The name git reads from the text after `---` or `+++` of a plain diff (apply.c's
    `find_name_traditional`), and the prefix it dropped: the date after the name goes, whether a tab or
    spaces come before it; with no date the name ends at a tab. None when nothing is left once `depth`
    directories go. `default`, the name of the `---` line, is taken instead of a longer name that starts
    with it, as `diff -u f f.orig` writes: git prefers the shorter name."""
    if m := _QUOTED.match(line):
        # A quoted name ends at its quote; one with too few directories is read as written, as git does.
        quoted = _unquote(m.group(0))
        start = 0
        for _ in range(depth):
            start = quoted.find("/", start) + 1 or -1
            if start < 0:
                break
        if start >= 0:
            return re.sub("/+", "/", quoted[start:]), quoted[:start]
    date = _date_start(line)
    if date is not None:
        body = line[:date]
    else:
        end = _NAME_END.search(line)
        body = line if end is None else line[: end.start()]
    start = 0
    for _ in range(depth):
        start = body.find("/", start) + 1
        if start == 0:
            return default, ""
    name = body[start:]
    if not name:
        return default, ""
    if default is not None and len(default) < len(name) and name.startswith(default):
        name = default
    return re.sub("/+", "/", name), body[:start]


def _date_start(line: str) -> int | None:
    """Where the date after a name starts, with the tab or spaces before it; None for no date. Read
    from the end of the line, as git does, in time linear in the blanks and digits it steps over."""

    def tail(end: int, pattern: re.Pattern[str], length: int) -> bool:
        return end >= length and pattern.fullmatch(line, end - length, end) is not None

    end = len(line)
    if not end or line[-1] not in _DIGITS:
        return None
    if tail(end, _ZONE, 6) or tail(end, _ZONE, 7):
        end -= 6 if tail(end, _ZONE, 6) else 7
    if tail(end, _TIME, 9):
        end -= 9
    else:
        fraction = end - 1
        while fraction > 0 and line[fraction] in _DIGITS:
            fraction -= 1
        if end and line[end - 1] in _DIGITS and line[fraction] == "." and tail(fraction, _TIME, 9):
            end = fraction - 9
    if not tail(end, _DAY, 8):
        return None
    end -= 8
    if end >= 2 and line[end - 1] in _DIGITS and line[end - 2] in _DIGITS:
        end -= 2  # a year of four digits
    if end == 0 or line[end - 1] not in " \t":
        return None
    if line[end - 1] == "\t":
        return end - 1
    while end and line[end - 1] == " ":
        end -= 1
    return end


def _traditional_depth(line: str) -> int:
    """git's `guess_p_value` for one side of a plain diff: 0 when its name has no directory, else no
    guess (-1)."""
    if _is_dev_null(line):
        return -1
    name, _ = _traditional_name(line, 0)
    return -1 if name is None or "/" in name else 0


def _is_epoch(line: str) -> bool:
    """Whether the date after the last tab of the line is the epoch in its own time zone."""
    tab = line.rfind("\t")
    m = _EPOCH.match(line, tab + 1) if tab != -1 else None
    if m is None:
        return False
    day, hour, minute, sign, zone_hour, zone_minute = m.groups()
    zone = (int(zone_hour) * 60 + int(zone_minute)) * (-1 if sign == "-" else 1)
    return int(hour) * 60 + int(minute) - zone == (24 * 60 if day == "1969-12-31" else 0)


def _traditional_names(old: str, new: str, depth: int) -> tuple[str | None, str | None, str, str]:
    """The names of a file of a plain diff as git reads them (apply.c's `parse_traditional_patch`), and
    the prefixes dropped: one name for both sides, never a rename; /dev/null or an epoch date on a side
    makes the file created or deleted."""
    if _is_dev_null(old) and _is_dev_null(new):
        return None, None, "", ""
    if _is_dev_null(old):
        name, prefix = _traditional_name(new, depth)
        return None, _named(name, new), "", prefix
    if _is_dev_null(new):
        name, prefix = _traditional_name(old, depth)
        return _named(name, old), None, prefix, ""
    first, old_prefix = _traditional_name(old, depth)
    name, new_prefix = _traditional_name(new, depth, first)
    path = _named(name, new)
    if _is_epoch(old):
        return None, path, "", new_prefix
    if _is_epoch(new):
        return path, None, old_prefix, ""
    return path, path, old_prefix, new_prefix


def _named(name: str | None, line: str) -> str:
    if name is None:
        # git apply: "unable to find filename in patch"
        raise InputError(
            f"diff: the file name {line!r} has no leading directory to drop",
            "git apply and git am drop the first directory of each name (-p1), as in a/ and b/; "
            "make the patch with git's default prefixes",
        )
    return name


def _convert(pf: RawFile, quoted: dict[str, str], names: _PrefixStrip) -> FileChange:
    info_lines = [line.rstrip("\r\n") for line in (pf.patch_info or ())]
    names.guess(pf, quoted)
    old_mode = new_mode = None
    rename_from = rename_to = None
    binary = pf.is_binary_file
    ids = ("", "")
    for line in info_lines:
        if m := _INDEX_IDS.match(line):
            ids = (m.group(1).lower(), m.group(2).lower())
        if m := _MODE.match(line):
            if m.group(1) in ("old", "deleted file"):
                old_mode = m.group(2)
            else:
                new_mode = m.group(2)
        elif m := _RENAME.match(line):
            if m.group(1) == "from":
                rename_from = quoted.get(m.group(2)) or _unquote(m.group(2))
            else:
                rename_to = quoted.get(m.group(2)) or _unquote(m.group(2))
        elif m := _INDEX_MODE.match(line):
            # A link or a script that stays one: its mode says what it is on both sides.
            old_mode = old_mode or m.group(1)
            new_mode = new_mode or m.group(1)
        elif line.startswith(_GIT_BINARY) or line.startswith("Binary files"):
            binary = True
    old_prefix = new_prefix = ""
    source: str | None
    target: str | None
    traditional = _traditional_lines(pf, quoted)
    if rename_from and rename_to:
        # git takes a rename's names from these lines, which carry no prefix.
        source, target = rename_from, rename_to
    elif traditional is not None:
        source, target, old_prefix, new_prefix = _traditional_names(*traditional, names.depth)
    else:
        git_header = _is_git_file(pf)
        source, old_prefix = names.strip(pf.source_file, quoted, git_header=git_header)
        target, new_prefix = names.strip(pf.target_file, quoted, git_header=git_header)
    if (target is None and source is None) or target == "" or source == "":
        raise InputError("diff: a file header names no file")
    if target is None:
        status, path = FileStatus.DELETED, source
    elif source is None:
        status, path = FileStatus.ADDED, target
    elif source != target:
        status, path = FileStatus.RENAMED, target
    else:
        status, path = FileStatus.MODIFIED, target
    assert path is not None
    hunks = _hunks(pf)
    data = read_binary_patch(pf.binary_lines, f"diff: {path}") if pf.binary_lines is not None else None
    if data is not None:
        data = replace(data, old_id=ids[0], new_id=ids[1])
    notes = (f"{path}: CRLF line ends",) if pf.crlf else ()
    for prefix in (old_prefix, new_prefix):
        if prefix and prefix[:-1] not in _GIT_PREFIXES:
            names.dropped.setdefault(prefix, []).append(path)
    return FileChange(
        path=path,
        old_path=source if status is FileStatus.RENAMED else None,
        status=status,
        hunks=hunks,
        is_binary=binary,
        old_mode=old_mode,
        new_mode=new_mode,
        notes=notes,
        binary_patch=data,
    )


def _hunks(pf: RawFile) -> tuple[Hunk, ...]:
    hunks: list[Hunk] = []
    for h in pf.hunks:
        # The body matched the header's counts as it was read; an empty line after the hunk is one more
        # line on both sides.
        old_side, new_side = h.source_length + h.trailing, h.target_length + h.trailing
        if (old_side, new_side) != (h.source_length, h.target_length):
            # unidiff lets some hunks run past their header's counts; the line numbers of the model,
            # the commentable ranges and the series replay all rely on the header being true.
            raise InputError(
                f"diff: a hunk of {pf.path} has {old_side} old and {new_side} new lines, "
                f"its header says {h.source_length} and {h.target_length}"
            )
        if (h.source_start < 1 and h.source_length > 0) or (h.target_start < 1 and h.target_length > 0):
            # only an empty side starts at line 0; a series replay would place these lines nowhere
            raise InputError(
                f"diff: a hunk of {pf.path} starts at line 0 with lines on that side "
                f"(@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@)"
            )
        hunks.append(
            Hunk(
                old_start=h.source_start,
                old_count=h.source_length,
                new_start=h.target_start,
                new_count=h.target_length,
                section=h.section,
                lines=tuple(h.lines),
                new_missing_newline=h.new_nl,
                old_missing_newline=h.old_nl,
            )
        )
    return tuple(hunks)
