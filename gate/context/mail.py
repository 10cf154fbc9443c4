"""A `git format-patch` mbox read as `git am` reads it.

`git am` takes a file for a mailbox when its first line opens with `From ` or `From: `, or when the
lines above its first empty line all look like mail headers; `git mailsplit` cuts it into messages at
every line shaped like an mbox `From ` line, and `git mailinfo` reads each message's headers and decodes
its body (base64, quoted-printable, the parts of a multipart message). The gate reads the same messages
and the same bodies, so that what it checks is what `git am` applies; a body it cannot decode as git
does is an input error, never an empty commit.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass

from gate.diff.parser import decode_patch
from gate.errors import InputError

# git's isspace() (`sane_ctype` in git-compat-util.h), which its mail parsers use: C's without the
# vertical tab and the form feed. (Python's str.isspace() takes those and Unicode spaces too.)
C_SPACE = " \t\n\r"
# `git am`'s test for a header line when no `From ` line opens the file (builtin/am.c is_mail()).
_HEADER_NAME = re.compile(r"[!-9;-~]+:")
# A candidate mbox `From ` line; `is_from_line` decides.
_NEXT_FROM = "\nFrom "
# git mailinfo keeps at most this many nested multipart boundaries (mailinfo.h MAX_BOUNDARIES) and
# fails the message past them.
MAX_BOUNDARIES = 5
_BASE64_LINE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_BASE64, _QUOTED_PRINTABLE, _AS_IS = "base64", "quoted-printable", ""


@dataclass(frozen=True)
class Mail:
    """One message: its `From ` line, its headers (names in lower case, the last of a name kept, as git
    mailinfo keeps it), its body as `git mailinfo` passes it on (transfer encodings and multipart
    undone) and the notes of decoding that body."""

    from_line: str
    headers: dict[str, str]
    body: str
    notes: tuple[str, ...] = ()


def is_mbox(text: str) -> bool:
    """Whether `git am` reads `text` as a mailbox (builtin/am.c detect_patch_format()), with the
    leading white space `git mailsplit` skips already removed."""
    first = text.partition("\n")[0]
    if first.startswith("From ") or first.startswith("From: "):
        return True
    if not first.strip("\r"):
        return False
    at = 0
    while at < len(text):
        line = _line_at(text, at)
        at += len(line)
        line = line.removesuffix("\n").removesuffix("\r")
        if not line:
            return True
        if line[0] not in " \t" and not _HEADER_NAME.match(line):
            return False
    return True


def is_from_line(line: str) -> bool:
    """A line (with its line break) that `git mailsplit` starts a message at: `From `, then something
    ending in a time and a year after 90 (mailsplit.c is_from_line())."""
    if len(line) < 20 or not line.startswith("From "):
        return False
    colon = line.rfind(":", 5, len(line) - 2)
    if colon < 0:
        return False
    digits = (line[colon - 4], line[colon - 2], line[colon - 1], line[colon + 1], line[colon + 2])
    if not all("0" <= c <= "9" for c in digits):
        return False
    year = re.match(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)", line[colon + 3 :])
    if year is None or year.group(1) == "-":
        return False
    # strtol saturates where Python's int() refuses thousands of digits: compare by length first.
    number = year.group(2).lstrip("0")
    return len(number) > 2 or int(number or "0") > 90


def from_line_starts(text: str) -> list[int]:
    """Where the lines of `text` that `git mailsplit` starts a message at begin (the first line too)."""
    starts = [0] if is_from_line(_line_at(text, 0)) else []
    at = text.find(_NEXT_FROM)
    while at != -1:
        if is_from_line(_line_at(text, at + 1)):
            starts.append(at + 1)
        at = text.find(_NEXT_FROM, at + 1)
    return starts


def split_mbox(text: str) -> list[str]:
    """The messages of a mailbox as `git am` has `git mailsplit` cut them: at each `From ` line, or
    the whole text as one message when it does not open with one. `text` has its leading white space
    removed and its CRLF line ends made LF, as `git mailsplit` does without `--keep-cr`."""
    starts = from_line_starts(text)
    if not starts or starts[0] != 0:
        return [text]
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def _line_at(text: str, at: int) -> str:
    """The line that starts at offset `at`, with its line break if it has one."""
    end = text.find("\n", at)
    return text[at : len(text) if end == -1 else end + 1]


def read_mail(text: str, source: str) -> Mail:
    """A message's headers and body as `git mailinfo` reads them (mailinfo.c mailinfo())."""
    from_line = ""
    if is_from_line(_line_at(text, 0)):
        from_line, _, text = text.partition("\n")
    headers, end = _read_headers(text, 0)
    boundaries: tuple[str, ...] = ()
    encoding = _AS_IS
    for name, value in headers:
        encoding, boundaries = _content_header(name, value, encoding, boundaries, source)
    named = dict(headers)
    if encoding == _AS_IS and not boundaries:
        # The usual message: 8bit or 7bit, one part; its body is the text as written.
        return Mail(from_line, named, text[end:])
    body, notes = _decode_body(text, end, encoding, boundaries, source)
    return Mail(from_line, named, body, notes)


def _is_header(line: str) -> bool:
    """mailinfo.c is_rfc2822_header(): a field name and a colon, or an mbox `From ` line."""
    if line.startswith("From ") or line.startswith(">From "):
        return True
    for c in line:
        if c == ":":
            return True
        if not ("!" <= c <= "9" or ";" <= c <= "~"):
            return False
    return False


def _read_headers(text: str, at: int) -> tuple[list[tuple[str, str]], int]:
    """The header lines from offset `at` (folded lines unfolded, trailing white space dropped, as
    mailinfo.c read_one_header_line() reads them), and the offset of the line that ended them: the
    first empty line or line that is no header."""
    headers: list[tuple[str, str]] = []
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end == -1 else end + 1
        line = text[at:end].rstrip(C_SPACE)
        if not line or not _is_header(line):
            return headers, at
        while end < len(text) and text[end] in " \t":
            more = text.find("\n", end)
            more = len(text) if more == -1 else more + 1
            line += " " + text[end + 1 : more].rstrip(C_SPACE)
            end = more
        name, colon, value = line.partition(":")
        # mailinfo.c cmp_header(): a header git acts on has white space after its colon.
        if colon and value[:1] and value[0] in C_SPACE:
            headers.append((name.lower(), value[1:]))
        at = end
    return headers, at


def _content_header(
    name: str, value: str, encoding: str, boundaries: tuple[str, ...], source: str
) -> tuple[str, tuple[str, ...]]:
    """The transfer encoding and the boundary stack after one header, as mailinfo.c check_header()
    takes `Content-Type` and `Content-Transfer-Encoding` (by substring, in any case)."""
    if name not in ("content-type", "content-transfer-encoding"):
        return encoding, boundaries
    if "=?" in value:
        # git decodes MIME encoded words here too; the gate does not guess how.
        raise InputError(f"{source}: an encoded word in the {name} header", "send the patch as plain text")
    lower = value.lower()
    if name == "content-transfer-encoding":
        if _BASE64 in lower:
            return _BASE64, boundaries
        return (_QUOTED_PRINTABLE if _QUOTED_PRINTABLE in lower else _AS_IS), boundaries
    at = lower.find("boundary=")
    if at == -1:
        return encoding, boundaries
    rest = value[at + len("boundary=") :]
    boundary = rest[1:].partition('"')[0] if rest.startswith('"') else re.split(r"[; \t]", rest)[0]
    if len(boundaries) + 1 >= MAX_BOUNDARIES:
        raise InputError(f"{source}: more than {MAX_BOUNDARIES - 1} nested multipart boundaries")
    return encoding, (*boundaries, "--" + boundary)


def _decode_body(
    text: str, at: int, encoding: str, boundaries: tuple[str, ...], source: str
) -> tuple[str, tuple[str, ...]]:
    """The body from offset `at` as mailinfo.c handle_body() passes it on: each part's lines decoded by
    its transfer encoding, the text around the parts dropped, an empty line where a multipart ends. A
    decoded line left without its line break at the end is dropped, as git drops it."""
    out: list[bytes] = []
    # The decoded bytes since the last line break, kept apart: a line ends only where its break comes.
    partial: list[bytes] = []
    if boundaries:
        # The text before the first boundary is skipped, from the line after the headers' end on.
        at = _next_boundary(text, at + len(_line_at(text, at)), boundaries[-1])
    while at < len(text):
        line = _line_at(text, at)
        if boundaries and line.startswith(boundaries[-1]):
            out += partial
            partial = []
            at, encoding, boundaries = _enter_part(text, at, boundaries, out, source)
            if at >= len(text):
                break
            line = _line_at(text, at)
        at += len(line)
        if encoding == _AS_IS:
            out.append(line.encode("utf-8"))
            continue
        complete, newline, rest = _decode_line(line, encoding, source).rpartition(b"\n")
        if newline:
            out += [*partial, complete, newline]
            partial = []
        partial.append(rest)
    body, notes = decode_patch(b"".join(out))
    # The line break before a boundary, and the one git adds where a multipart ends, would read as empty
    # lines after the last hunk, which `git apply` passes over.
    if body.endswith("\n\n"):
        body = body.rstrip("\n") + "\n"
    return body, tuple(f"{source}: {note}" for note in notes)


def _next_boundary(text: str, at: int, boundary: str) -> int:
    """The offset of the next line at or after `at` that opens with `boundary`, or the text's length."""
    while at < len(text):
        line = _line_at(text, at)
        if line.startswith(boundary):
            return at
        at += len(line)
    return len(text)


def _enter_part(
    text: str, at: int, boundaries: tuple[str, ...], out: list[bytes], source: str
) -> tuple[int, str, tuple[str, ...]]:
    """After the boundary line at `at` (mailinfo.c handle_boundary()): the offset of the part's first
    body line, its transfer encoding and the boundary stack. An end boundary closes its multipart (git
    passes an empty line on) and the reading goes on at the enclosing one's next boundary; past the
    outermost one, nothing more is read."""
    while True:
        line = _line_at(text, at)
        top = boundaries[-1]
        if line[len(top) : len(top) + 2] != "--":
            break
        boundaries = boundaries[:-1]
        out.append(b"\n")
        if not boundaries:
            return len(text), _AS_IS, boundaries
        at = _next_boundary(text, at + len(line), boundaries[-1])
        if at >= len(text):
            return at, _AS_IS, boundaries
    headers, end = _read_headers(text, at + len(line))
    encoding = _AS_IS
    for name, value in headers:
        encoding, boundaries = _content_header(name, value, encoding, boundaries, source)
    # The line that ended the part's headers is read with them, as git reads it.
    return end + len(_line_at(text, end)), encoding, boundaries


def _decode_line(line: str, encoding: str, source: str) -> bytes:
    """One body line decoded as mailinfo.c decode_transfer_encoding() decodes it, line by line. git
    skips the characters base64 has no value for; the gate takes a line only when it is whole base64,
    where both read the same bytes."""
    if encoding == _BASE64:
        data = line.rstrip(C_SPACE)
        if not data:
            return b""
        if len(data) % 4 or not _BASE64_LINE.fullmatch(data):
            raise InputError(f"{source}: the base64 body does not decode", "send the patch as plain text")
        return binascii.a2b_base64(data)
    raw = line.encode("utf-8")
    # A soft line break (`=` at the end) joins the line to the next; `=XX` is the byte XX, and any
    # other `=` stays as written (mailinfo.c decode_q_segment()).
    if raw.endswith(b"=\n"):
        raw = raw[:-2]
    elif raw.endswith(b"="):
        raw = raw[:-1]
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def author_of(value: str) -> tuple[str, str]:
    """(name, email) of a `From` header's value (decoded), as `git am` records them: mailinfo.c
    handle_from() picks the word around the first `@` as the address (a `<` before it ends it, a `>` or a
    blank after it), the rest is the name, and git's ident strips the punctuation and blanks around each
    (`Claude, <noreply@…>` is Claude's). A value with no `@` gives what its `<…>` holds, if anything."""
    text = _unquoted(value)
    at = text.find("@")
    if at == -1:
        return _bogus_from(value)
    start = at
    while start > 0:
        c = text[start - 1]
        if c in C_SPACE:
            break
        if c == "<":
            text = text[: start - 1] + " " + text[start:]
            break
        start -= 1
    end = start
    while end < len(text) and text[end] not in " \n\t\r\v\f>":
        end += 1
    email = text[start:end]
    name = " ".join(_blanks_split(text[:start] + text[end + 1 :])).strip(C_SPACE)
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1]
    return _sane(name, email)


def _blanks_split(text: str) -> list[str]:
    """The text cut at runs of git's blanks (mailinfo.c cleanup_space() folds each run into one)."""
    return [part for part in re.split(r"[ \t\n\r]+", text)] if text else []


def _unquoted(value: str) -> str:
    """mailinfo.c unquote_quoted_pair(): a quoted string's quotes dropped, and a backslash's escape taken
    literally in it and in a comment (whose parentheses stay)."""
    out: list[str] = []
    at = 0
    depth = 0  # comments open
    quoted = False
    while at < len(value):
        c = value[at]
        at += 1
        if (quoted or depth) and c == "\\" and at < len(value):
            out.append(value[at])
            at += 1
        elif quoted:
            if c == '"':
                quoted = False
            else:
                out.append(c)
        elif c == '"' and not depth:
            quoted = True
        else:
            if c == "(":
                depth += 1
            elif c == ")" and depth:
                depth -= 1
            out.append(c)
    return "".join(out)


def _bogus_from(value: str) -> tuple[str, str]:
    """mailinfo.c parse_bogus_from(): `John Doe <johndoe>`, an address with no `@`."""
    bra = value.find("<")
    ket = value.find(">", bra + 1) if bra != -1 else -1
    if ket == -1:
        return "", ""
    return _sane(value[:bra].strip(C_SPACE), value[bra + 1 : ket])


# What git's ident strips from both ends of a name and an address (ident.c crud()).
_CRUD = "".join(chr(c) for c in range(33)) + ",:;<>\"\\'"


def _sane(name: str, email: str) -> tuple[str, str]:
    """mailinfo.c get_sane_name(): the address stands for a name that is empty, over 60 characters or
    holds `@`, `<` or `>`; then each stripped of ident.c's crud, as `git am` commits them."""
    if not name or len(name) > 60 or any(c in name for c in "@<>"):
        name = email
    return _without_crud(name), _without_crud(email)


def _without_crud(text: str) -> str:
    """ident.c strbuf_addstr_without_crud(): crud stripped from both ends, and `\\n`, `<` and `>` dropped
    inside."""
    return re.sub(r"[\n<>]", "", text.strip(_CRUD))


_BASE64_VALUES = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
_HEX = re.compile(r"[0-9A-Fa-f]{2}")


def decode_encoded_words(value: str, source: str) -> str:
    """A header with its RFC 2047 encoded words decoded where they stand, as mailinfo.c decode_header()
    decodes them: nothing is put around a word (`=?utf-8?q?noreply?=@anthropic.com` is one address), the
    blanks between two words are dropped, and a word that does not decode (no `?=`, an encoding but B or
    Q, a charset that cannot be read) is an input error, as it fails `git am`."""
    out: list[str] = []
    at = 0
    after_word = False
    while (start := value.find("=?", at)) != -1:
        between = value[at:start]
        if between and (between.strip(C_SPACE) or not after_word):
            out.append(between)
        charset_end = value.find("?", start + 2)
        if charset_end == -1 or charset_end + 3 > len(value) or value[charset_end + 2] != "?":
            raise _bad_word(source)
        encoding = value[charset_end + 1].lower()
        end = value.find("?=", charset_end + 3)
        if end == -1 or encoding not in "bq":
            raise _bad_word(source)
        text = value[charset_end + 3 : end]
        data = _b_decoded(text) if encoding == "b" else _q_decoded(text)
        charset = value[start + 2 : charset_end]
        try:
            if not _is_utf8(charset) and codecs.lookup(charset).name in _NOT_ICONV:
                raise LookupError(charset)
            out.append(data.decode(charset or "utf-8", "replace" if _is_utf8(charset) else "strict"))
        except (LookupError, UnicodeError):
            raise _bad_word(source) from None
        at = end + 2
        after_word = True
    out.append(value[at:])
    return "".join(out)


# Python's codecs that are no charset iconv knows (git converts with iconv): text transforms and escapes.
_NOT_ICONV = frozenset(
    {
        "punycode",
        "idna",
        "unicode-escape",
        "raw-unicode-escape",
        "rot-13",
        "base64",
        "hex",
        "quopri",
        "uu",
        "zlib",
    }
)


def _is_utf8(charset: str) -> bool:
    return charset.lower().replace("-", "").replace("_", "") in ("", "utf8")


def _bad_word(source: str) -> InputError:
    return InputError(
        f"{source}: a header's encoded word does not decode", "git am refuses the message too; send it again"
    )


def _b_decoded(text: str) -> bytes:
    """mailinfo.c decode_b_segment(): base64, what is no base64 character skipped."""
    out = bytearray()
    acc = pos = 0
    for char in text:
        c = _BASE64_VALUES.get(char)
        if c is None:
            continue
        if pos == 0:
            acc = c << 2
        elif pos == 1:
            out.append((acc | (c >> 4)) & 0xFF)
            acc = (c & 15) << 4
        elif pos == 2:
            out.append((acc | (c >> 2)) & 0xFF)
            acc = (c & 3) << 6
        else:
            out.append((acc | c) & 0xFF)
        pos = (pos + 1) % 4
    return bytes(out)


def _q_decoded(text: str) -> bytes:
    """mailinfo.c decode_q_segment() for a header: `_` a blank, `=XX` a byte, any other `=` kept."""
    out = bytearray()
    at = 0
    while at < len(text):
        char = text[at]
        at += 1
        if char == "=":
            if at >= len(text) or text[at] == "\n":
                break
            if _HEX.fullmatch(text, at, at + 2):
                out.append(int(text[at : at + 2], 16))
                at += 2
                continue
        out += b" " if char == "_" else char.encode("utf-8", "surrogateescape")
    return bytes(out)
