"""pip's requirements-file grammar, as its `req_file` module reads a file: the text pip decodes, its
logical lines, and each line's requirement and options. The dependencies analyzer reads requirements
with it, and the ignore list the files a requirements file includes, so the two never disagree on which
files pip reads.

Backslash continuations are joined first, then comments (`#` at the start or after whitespace) are
dropped; a line's requirement is its words up to the first word that starts with `-`, and the rest are
options (`--hash`, `-r other.txt`, ...), split as a shell would. pip decodes a file by a coding comment
on one of its first two lines, so the same bytes can be two texts (under UTF-7, `+AAoA...-` in a comment
is a new line): a reader takes both.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import shlex
from collections.abc import Iterator

_COMMENT = re.compile(r"(^|\s)#.*$")  # pip's `(^|\s+)#.*$`, with one space: the same lines, linear
INCLUDE_OPTIONS = {"-r": "requirement", "--requirement": "requirement", "-c": "constraint"}
INCLUDE_OPTIONS["--constraint"] = "constraint"
INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links")
EDITABLE_OPTIONS = ("-e", "--editable")
# The long options pip reads in a requirements file: optparse takes any prefix that names one of them
# alone (`--requirem evil.txt` is `--requirement evil.txt`).
_LONG_OPTIONS = (
    "--all-releases", "--config-settings", "--constraint", "--editable", "--extra-index-url",
    "--find-links", "--hash", "--index-url", "--no-binary", "--no-index", "--no-require-hashes",
    "--only-binary", "--only-final", "--pre", "--prefer-binary", "--pypi-url", "--require-hashes",
    "--requirement", "--trusted-host", "--use-feature",
)  # fmt: skip
# Codecs whose decoders take time that grows faster than the text: a coding line naming one is not
# followed (the file is reported as one the gate cannot read as pip does).
_SLOW_CODECS = frozenset({"punycode", "idna"})
# pip's `_decode_req_file`: a coding comment on one of the first two lines (one opening with `#`) names the
# codec of the whole file; `\w` of pip's bytes pattern is ASCII.
_CODING = re.compile(r"coding[:=]\s*([-\w.]+)", re.ASCII)
# pip's `expand_env_variables`: `${NAME}`, upper-case names only, replaced by the variable's value when set.
ENV_VAR = re.compile(r"\$\{[A-Z0-9_]+\}")
# What the gate reads in place of a byte that is not UTF-8.
_REPLACEMENT = "\ufffd"


def include_targets(text: str, path: str) -> list[str]:
    """The files a requirements file includes (`-r`/`-c`), as repository paths, read as written and as
    pip decodes it."""
    out: list[str] = []
    decoded, _ = as_pip_reads(text)
    entries = [*logical_entries(text), *(logical_entries(decoded) if decoded != text else ())]
    for _, requirement, options in entries:
        if requirement:
            continue
        for option, value in options:
            if option in INCLUDE_OPTIONS and "://" not in value and not ENV_VAR.search(value):
                out.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), value)))
    return out


def as_pip_reads(text: str) -> tuple[str, str]:
    """The text pip reads from a file the gate read as UTF-8 (`text`, without a byte-order mark), and
    why it cannot tell it ("" when it can). pip decodes by the coding comment of the first two lines,
    else as UTF-8, falling back to the locale's codec; a byte that is not UTF-8 is lost in `text`."""
    for line in text.split("\n")[:2]:
        coding = _CODING.search(line) if line.startswith("#") else None
        if coding is not None:
            break
    else:
        if _REPLACEMENT in text:
            return text, "bytes that are not UTF-8, which pip reads in the installing machine's locale"
        return text, ""
    encoding = coding.group(1)
    try:
        slow = codecs.lookup(encoding).name in _SLOW_CODECS
    except LookupError:
        slow = False
    if slow:
        return text, f"coding {encoding}, which the gate does not decode"
    data = text.encode("utf-8")
    try:
        decoded = data.decode(encoding)
    except (UnicodeError, LookupError):  # no such codec, no text codec (rot13), or bytes it cannot decode
        return text, f"coding {encoding}, which does not decode it"
    if decoded != text and _REPLACEMENT in text:
        return text, f"coding {encoding} over bytes that are not UTF-8, which the gate cannot decode so"
    return decoded, ""


def _long_option(word: str) -> str:
    """`word` with a long option's prefix written out as optparse reads it (`--requirem=a.txt`)."""
    if not word.startswith("--") or len(word) < 3:
        return word
    name, equals, value = word.partition("=")
    if name in _LONG_OPTIONS:
        return word
    named = [option for option in _LONG_OPTIONS if option.startswith(name)]
    return f"{named[0]}{equals}{value}" if len(named) == 1 else word


def logical_entries(text: str) -> Iterator[tuple[int, str, list[tuple[str, str]]]]:
    """(first line number, requirement, options) of each logical line, as pip splits it. An option it
    cannot split is `("?", why)`."""
    for number, line in _logical_lines(text):
        requirement, rest = _break_args_options(line)
        yield number, requirement, _options(rest)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's join_lines then ignore_comments: continuations joined, comments and blank lines dropped."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        comment = raw.lstrip().startswith("#")  # pip: `#` first, or after any run of blanks
        if raw.endswith("\\") and not comment:
            if not pending:
                start = number
            pending.append(raw.strip("\\"))
            continue
        if pending:
            pending.append(" " + raw if comment else raw)
            line, first = "".join(pending), start
            pending = []
        else:
            line, first = raw, number
        line = _COMMENT.sub("", line).strip()
        if line:
            yield first, line
    if pending:
        line = _COMMENT.sub("", "".join(pending)).strip()
        if line:
            yield start, line


def _break_args_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: the words before the first one starting with `-`, and the rest."""
    tokens = line.split(" ")
    for at, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:at]).strip(), " ".join(tokens[at:])
    return line.strip(), ""


def _options(text: str) -> list[tuple[str, str]]:
    """(option, value) pairs, `--opt=value`, `--opt value` and `-ovalue` alike (shlex, as pip)."""
    if not text:
        return []
    try:
        words = shlex.split(text, comments=False)
    except ValueError as exc:
        return [("?", f"options do not split ({exc})")]
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = _long_option(words[i])
        i += 1
        if word.startswith("--") and "=" in word:
            option, value = word.split("=", 1)
        elif word.startswith("--") or word in ("-r", "-c", "-e", "-i", "-f"):
            option = word
            takes_value = option in (*INCLUDE_OPTIONS, *INDEX_OPTIONS, *EDITABLE_OPTIONS)
            value = words[i] if takes_value and i < len(words) else ""
            i += 1 if takes_value else 0
        elif word.startswith("-") and len(word) > 2 and word[1] in "rcief":
            option, value = word[:2], word[2:]
        else:
            option, value = word, ""
        out.append((option, value))
    return out
