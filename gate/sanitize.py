"""Make text inert wherever the gate writes it: posted on GitHub, printed, or written to a file.

Model output, file names, commit messages and PR text are untrusted. Before any of it is posted:
- @-mentions do not notify: a word joiner (U+2060) goes between `@` and the name, so `@org/team`
  and `@user` render as text without pinging anyone, wherever the `@` stands (after a backtick or a
  code span the renderer may close early too); only an `@` inside a word (an email address) is left;
- issue and pull request references (`#12`, `GH-12`, `owner/repo#12`) do not cross-reference: a word
  joiner follows the `#` or `GH-`;
- raw HTML is escaped (`<`, `>`, `&`), so no hidden comments, images or tags reach the page;
- none of it can spell one of the gate's own hidden markers (`<!-- ai-quality-gate...`, which find
  its summary comment, carry its review state and say which findings it commented): escaped in prose,
  and broken by a word joiner inside the `<!--` in code, which is otherwise shown as written;
- links go only to the repository: markdown links and bare URLs (with a scheme or starting `www.`)
  to anywhere else keep their text and lose the link (the host is shown, defanged as
  `hxxps://example[.]com/...`, `www[.]example[.]com`); no image is kept, and a `](`, `]:` or `![`
  the patterns did not read as a link gets a word joiner, so that it makes none;
- control characters and the invisible and bidi characters of `gate.invisible` are removed (they can
  hide text from reviewers);
- the length is bounded, with a visible `…(truncated)` marker; a text that has to be cut is redacted
  first, so that no secret is cut into a piece no later redaction recognises.

`markdown` does the same for a finding's body, but shows its code spans and fenced blocks as written
(inert by themselves once nothing can end them early; see there).

Everything the gate prints or writes as text also goes through `no_commands`: no line can start a GitHub
Actions workflow command (`::error ...` at the start of a line, after any spaces) or hold a legacy one
(`##[...]` anywhere in a line), whatever a file name or title holds. Terminal text shows hidden
characters escaped (`visible`), and JSON keeps every value exact (`json_inert` only re-spells `#`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace

from gate import invisible
from gate.fence import fence

WORD_JOINER = "\u2060"
DEFAULT_MAX_CHARS = 4000
TRUNCATED = "…(truncated)"

# GitHub mentions `@name` after any character that is not an ASCII letter, digit or underscore.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])")
_REFERENCE = re.compile(r"#(?=[0-9])|(?<![A-Za-z0-9_])GH-(?=[0-9])", re.IGNORECASE)
# A link or image whose text holds no bracket: the innermost, which CommonMark makes a link of whatever
# brackets enclose it (so an image inside a kept link's text would be an image).
_MD_LINK = re.compile(r"(!?)\[([^\[\]\n]{0,500})\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
# URLs as GitHub finds them: a scheme after anything but a letter (`_https://` and `1https://` are links),
# and `www.` after anything but a letter, digit or `.@/-` (`_www.` is a link). A URL ends before a code
# span `markdown` holds aside (its placeholder starts with a NUL).
_URL = re.compile(r"(?<![A-Za-z])(?:https?|ftp)://[^\s<>()\[\]\"'`\x00]+", re.IGNORECASE)
_WWW = re.compile(r"(?<![A-Za-z0-9.@/-])www\.[^\s<>()\[\]\"'`\x00]+", re.IGNORECASE)
# Where GitHub starts a link in text (see `_URL` and `_WWW`), to break inside a URL already defanged.
_LINK_START = re.compile(r"(?<![A-Za-z])(?:https?|ftp)(?=://)|www\.", re.IGNORECASE)
# A `]` that would close a link's text or a reference definition's label, and the mark (a control
# character, so none in the text) that a link to the repository, kept, carries while the others lose it.
_LINK_TAIL = re.compile(r"\](?=[(:])")
_IMAGE_OPEN = re.compile(r"!(?=\[)")
_KEPT_LINK = "\x02"
# A workflow command: `::name ...::` at the start of a line after spaces, or the legacy `##[name]` anywhere.
_COMMAND_START = re.compile(r"^([ \t\f\v]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"#(?=#\[)")
# The opening of one of the gate's hidden markers, spelled in code (`<!-- ai-quality-gate:state=...`):
# code is shown as written, so a PR's text quoted there could forge one. A word joiner after `<!-`
# makes it no HTML comment and no marker, and leaves every other `<!--` of the code as written.
_MARKER_OPEN = re.compile(r"<!-(?=-[\s-]*ai-quality-gate)", re.IGNORECASE)
# Control characters (tab, LF and CR are kept) and every invisible or bidi character of the one table
# that the injection analyzer reports.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|" + invisible.INVISIBLE.pattern)


def sanitize(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    return _bounded(text, max_chars, lambda t: _escape_html(_inert(t, repo_url)))


def plain(text: str, *, repo_url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """For fields GitHub shows as plain text (check-run annotations): HTML is not rendered there, so it
    is left as written, but hidden characters, foreign links, mentions and the gate's markers are made
    inert all the same."""
    return _bounded(text, max_chars, lambda t: no_markers(_inert(t, repo_url)))


def no_markers(text: str) -> str:
    """`text` with no opening of the gate's hidden markers (`<!-- ai-quality-gate`): a word joiner
    goes inside each `<!--` that would start one. For text that keeps `<` as written (code, plain text);
    elsewhere HTML is escaped, which does the same."""
    return _MARKER_OPEN.sub("<!-" + WORD_JOINER, text)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bounded(text: str, max_chars: int, render: Callable[[str], str]) -> str:
    """`render(text)` within `max_chars` characters. A text that has to be cut is redacted before it is
    rendered and cut: a secret cut short is a piece that no redaction of the written text recognises."""
    out = render(text)
    if len(out) <= max_chars:
        return out
    from gate.redact import redact

    return truncate(render(redact(text)), max_chars)


def _inert(text: str, repo_url: str | None) -> str:
    return _inert_visible(_INVISIBLE.sub("", text or ""), repo_url)


def _inert_visible(text: str, repo_url: str | None) -> str:
    """`_inert` of text that holds no invisible or control character any more."""
    out = _MD_LINK.sub(lambda m: _link(m, repo_url), text)
    # What the pattern did not read as a link (brackets nested in the text, a text past its length) or
    # a reference definition (`[r]: //host`, which makes a later `[text][r]` a link) is kept from being
    # one by a word joiner after its `]`, and from being an image by one after its `!`: CommonMark may
    # pair brackets otherwise than the pattern (a `[` escaped or in a code span), and no image is kept.
    out = _LINK_TAIL.sub("]" + WORD_JOINER, out).replace(_KEPT_LINK, "")
    out = _IMAGE_OPEN.sub("!" + WORD_JOINER, out)
    out = _URL.sub(lambda m: _bare_url(m.group(0), repo_url), out)
    out = _WWW.sub(lambda m: _defang(m.group(0)), out)
    out = _REFERENCE.sub(lambda m: m.group(0) + WORD_JOINER, out)
    return no_commands(_MENTION.sub("@" + WORD_JOINER, out))


def no_commands(text: str) -> str:
    """`text` with no line that the Actions runner would read as a workflow command: a `::` that starts
    a line (after spaces) gets a word joiner between its colons, and `##[` becomes `#` + joiner + `#[`."""
    out = _COMMAND_START.sub(lambda m: m.group(1) + ":" + WORD_JOINER, text)
    return _LEGACY_COMMAND.sub("#" + WORD_JOINER, out)


def json_inert(text: str) -> str:
    """Serialised JSON (or JSON lines) with `##[` spelled `\\u0023#[`: the same value once decoded, and
    no legacy workflow command when the text is printed in a workflow log. A JSON line cannot start
    with `::` (it starts with a bracket, a brace, a quote or spaces), so nothing else changes."""
    return text.replace("##[", "\\u0023#[")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|" + invisible.INVISIBLE.pattern)


def visible(text: str) -> str:
    """One line of text with every control, line-breaking, invisible and bidi character shown as its
    escape (`\\n`, `\\x1b`, `\\u202e`), for text printed to a terminal or a log."""
    return _CONTROL.sub(_escape_char, text or "")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return invisible.escape(char)


def truncate(text: str, max_chars: int) -> str:
    """Redacted `text` cut to `max_chars` characters with the marker, never through a [REDACTED]."""
    if len(text) <= max_chars:
        return text
    from gate.redact import redacted_prefix

    return redacted_prefix(text, max(0, max_chars - len(TRUNCATED))) + TRUNCATED


def _allowed(url: str, repo_url: str | None) -> bool:
    if not repo_url:
        return False
    base = repo_url.rstrip("/")
    return (
        url == base or url.startswith(base + "/") or url.startswith(base + "#") or url.startswith(base + "?")
    )


def _defang(url: str) -> str:
    """The URL as text: `hxxps://example[.]com/...`, and no scheme or `www.` further on (in the path, or
    in what the match took in before the scheme) that GitHub would make a link of its own."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host, slash, path = rest.partition("/")
    return _no_link_start(f"{scheme}{sep}{host.replace('.', '[.]')}{slash}{path}")


def _no_link_start(text: str) -> str:
    return _LINK_START.sub(_unlinked, text)


def _unlinked(match: re.Match[str]) -> str:
    said = match.group(0).lower()
    return "www[.]" if said == "www." else said.replace("t", "x")


def _link(match: re.Match[str], repo_url: str | None) -> str:
    bang, label, url = match.groups()
    # A link with code in it (held aside by `markdown`) is not kept: the code's backticks would be read
    # as part of its address or title, and what follows them as prose.
    if not bang and _allowed(url, repo_url) and "\x00" not in match.group(0):
        return match.group(0).replace("](", "]" + _KEPT_LINK + "(", 1)
    return f"{label} ({_defang(url)})" if label else _defang(url)


def _bare_url(url: str, repo_url: str | None) -> str:
    return url if _allowed(url, repo_url) else _defang(url)


def code_block(code: str, lang: str = "", *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """A fenced block that the code cannot break out of (mentions and HTML do not render inside it)."""
    return fence(_bounded(code, max_chars, lambda t: no_markers(_INVISIBLE.sub("", t))), lang)


# -- markdown that quotes code ---------------------------------------------------------------------

# A fenced block's opening line, as CommonMark reads it: at most 3 spaces, 3 or more backticks or tildes,
# and an info string (none with a backtick after backticks) whose first word names the language.
_FENCE_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+.-]{1,40}")
# Backslash escapes (a backtick after a backslash opens no span) and backtick runs, read in prose.
_ESCAPE_OR_TICKS = re.compile(r"\\[!-/:-@\[-`{-~]|`+")
_TICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")  # a paragraph, and any code span in it, ends there
# A table's delimiter row, read loosely: any line of dashes, colons, pipes and spaces (`:-:` alone makes
# one). A table splits its rows at pipes before it reads code spans.
_DELIMITER_ROW = re.compile(r"^[ \t|:-]*-[ \t|:-]*$", re.MULTILINE)
# Code held aside while the prose around it is made inert: NUL, its index, SOH. Control characters are
# removed before, so the text holds no other.
_HELD = re.compile("\x00([0-9]+)\x01")
# In inert prose: a backslash escape (kept), a backslash before held code (doubled, so that it escapes
# no backtick of the code) and a bare backtick (escaped, so that prose neither opens nor closes a span).
_PROSE_TICK = re.compile(r"\\[!-/:-@\[-`{-~]|\\(?=\x00)|`")
# In prose that keeps no markup, what is escaped: each character that marks text up inline, but an `_`
# run between letters or digits (which CommonMark never reads as emphasis: `snake_case` stays as typed),
# and each backslash that would escape what follows it (punctuation, code held aside, or the end, where
# the gate may write markup of its own).
_UNMARKED = re.compile(r"[`*~$|]|(?<![^\W_])_+|_+(?![^\W_])|\\(?=[!-/:-@\[-`{-~]|\x00|$)")
_LINK_WORD = re.compile(r"(?:://|www\.)\S*$", re.IGNORECASE)  # prose that ends in what GitHub may link
_ENTITY_TAIL = re.compile(r"&[a-z]*$")  # an HTML escape that a cut left unfinished


@dataclass(frozen=True)
class _Code:
    text: str
    block: bool
    language: str = ""


def markdown(
    text: str,
    *,
    repo_url: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    blocks: bool = True,
    marked: bool = True,
    table: bool = False,
    cut_marker: str = TRUNCATED,
) -> str:
    """`sanitize` for markdown that quotes code (a finding's body): fenced blocks and code spans stay
    code, shown as written (`if a < b`, not `if a &lt; b`), and the prose around them is made inert as
    `sanitize` does.

    Code is inert on GitHub by itself (no mention, reference, link or tag acts in it) as long as nothing
    ends it early, so every block and span is written anew rather than trusted as found: a block
    between blank lines, fenced longer than any backtick run in it, never a ```suggestion (GitHub would
    offer it as a change to apply); a span on one line, its backtick string longer than any in it, its
    pipes escaped when the text has a table. Prose is left with no bare backtick, so it can neither open
    a span nor close one. The text is cut at `max_chars` between or inside code, never leaving it open,
    and redacted first when it is cut (as `sanitize` does). Without `blocks` (text put inside a line), a
    fence is text like any other.

    Without `marked`, the prose keeps no markup of its own either: every character that marks text up
    inline (`*` and `_` for emphasis, `~` for strikethrough, `$` for GitHub's math, `|`) and every
    backslash that would escape one is escaped, so that `**x**` shows as typed and can neither bold
    itself nor close the emphasis the gate writes around it. In a `table` cell, the pipes of code are
    escaped too (a table row keeps an escaped pipe, as a pipe, in its cell, code spans included).
    """
    pieces, pipes = _pieces(text, repo_url, blocks, marked, table)
    if sum(len(shown) for shown, _ in pieces) > max_chars:
        from gate.redact import redact

        pieces, pipes = _pieces(redact(text), repo_url, blocks, marked, table)
    return _fit(pieces, pipes, max_chars, cut_marker).strip("\n")


def inline(text: str, *, max_chars: int = DEFAULT_MAX_CHARS, table: bool = False) -> str:
    """Text a PR author or a model controls, shown inside a line of markdown (a title, a table cell) as
    inert text: one line, its code spans shown as written, and no other markup (`markdown` without
    `marked` or blocks), cut with a plain `…`."""
    one_line = " ".join((text or "").split())
    return markdown(one_line, max_chars=max_chars, blocks=False, marked=False, table=table, cut_marker="…")


def code_span(text: str, *, table: bool = False) -> str:
    """`text` as one inline code span, shown as written (`a<b` stays `a<b`, `a_b` stays `a_b`): on one
    line, with no hidden character, delimited by a backtick string longer than any in it, and in a
    `table` cell with its pipes escaped. Nothing in a code span acts, as long as nothing ends it early."""
    clean = " ".join(_INVISIBLE.sub("", text or "").split())
    return _show(_Code(clean, block=False), table)


def _pieces(
    text: str, repo_url: str | None, blocks: bool, marked: bool = True, table: bool = False
) -> tuple[list[tuple[str, _Code | None]], bool]:
    """The text as it is shown, in pieces: prose made inert, and each code span or block written anew
    (with the code it holds); and whether its code spans are in a table."""
    clean = _INVISIBLE.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    masked, held = _hold_code(clean, blocks)
    pipes = table or _DELIMITER_ROW.search(masked) is not None
    inert = _escape_html(_inert_visible(masked, repo_url))
    prose = _PROSE_TICK.sub(_prose_tick, inert) if marked else _UNMARKED.sub(_unmarked, inert)
    pieces: list[tuple[str, _Code | None]] = []
    for i, piece in enumerate(_HELD.split(prose)):
        if i % 2 == 0:
            pieces.append((piece, None))
            continue
        code = held[int(piece)]
        before = pieces[-1][0]
        if not code.block and (_LINK_WORD.search(before) or (not before and i > 1)):
            # GitHub reads a link from its scheme or `www.` up to a space, backticks and all: one that
            # ran into the span would take its opening backticks and leave its code as prose. Two spans
            # side by side (a link around one was made text) would run their backticks together.
            pieces[-1] = (before + " ", None)
        pieces.append((_show(code, pipes), code))
    for i, (_, kept) in enumerate(pieces):
        if kept is not None and kept.block:  # a block brings its own blank lines
            pieces[i - 1] = (pieces[i - 1][0].rstrip("\n"), None)
            pieces[i + 1] = (pieces[i + 1][0].lstrip("\n"), None)
    return pieces, pipes


def _unmarked(match: re.Match[str]) -> str:
    return "".join("\\" + char for char in match.group(0))


def _prose_tick(match: re.Match[str]) -> str:
    said = match.group(0)
    if said == "`":
        return "\\`"
    return "\\\\" if said == "\\" else said


def _hold_code(text: str, blocks: bool) -> tuple[str, list[_Code]]:
    """The text with each fenced block and code span replaced by a placeholder, and what they held."""
    held: list[_Code] = []

    def hold(code: _Code) -> str:
        held.append(code)
        return f"\x00{len(held) - 1}\x01"

    chunks: list[str] = []
    prose: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.fullmatch(lines[i]) if blocks else None
        if opening is None or (opening.group(2)[0] == "`" and "`" in opening.group(3)):
            prose.append(lines[i])
            i += 1
            continue
        indent, ticks = len(opening.group(1)), opening.group(2)
        closing = re.compile(rf" {{0,3}}{re.escape(ticks[0])}{{{len(ticks)},}}[ \t]*")
        end = i + 1
        while end < len(lines) and not closing.fullmatch(lines[end]):
            end += 1  # a block left open runs to the end of the text, as CommonMark reads it
        code = "\n".join(_dedent(line, indent) for line in lines[i + 1 : end])
        chunks.append(_hold_spans("\n".join(prose), hold))
        chunks.append(hold(_Code(code, block=True, language=_language(opening.group(3)))))
        prose = []
        i = end + 1
    chunks.append(_hold_spans("\n".join(prose), hold))
    return "\n".join(chunks), held


def _hold_spans(prose: str, hold: Callable[[_Code], str]) -> str:
    """Prose with each code span (CommonMark: a backtick string up to the next of the same length in the
    paragraph, a backslash escaping none inside) replaced by `hold`'s placeholder."""
    runs: dict[int, list[int]] = {}
    for run in _TICKS.finditer(prose):
        runs.setdefault(len(run.group(0)), []).append(run.start())
    blanks = [blank.start() for blank in _BLANK_LINE.finditer(prose)]
    out: list[str] = []
    start = pos = 0
    while (m := _ESCAPE_OR_TICKS.search(prose, pos)) is not None:
        pos = m.end()
        if m.group(0)[0] == "\\":
            continue
        width = len(m.group(0))
        starts = runs.get(width, [])
        after = bisect_left(starts, pos)
        blank = bisect_left(blanks, pos)
        paragraph_end = blanks[blank] if blank < len(blanks) else len(prose)
        if after == len(starts) or starts[after] >= paragraph_end:
            continue  # no closing string: the backticks are text
        close = starts[after]
        out.append(prose[start : m.start()])
        out.append(hold(_Code(prose[pos:close], block=False)))
        start = pos = close + width
    out.append(prose[start:])
    return "".join(out)


def _dedent(line: str, indent: int) -> str:
    """A block's line without the spaces its opening fence was indented by (as many as it has)."""
    return line[min(indent, len(line) - len(line.lstrip(" "))) :]


def _language(info: str) -> str:
    words = info.split()
    if not words or not _LANGUAGE.fullmatch(words[0]) or words[0].lower() == "suggestion":
        return ""
    return words[0]


def _show(code: _Code, pipes: bool) -> str:
    if code.block:
        return f"\n\n{fence(no_markers(code.text), code.language)}\n\n"
    text = no_markers(code.text.replace("\n", " "))  # CommonMark reads a span's line break as a space
    if pipes:
        text = text.replace("|", "\\|")  # a table row keeps an escaped pipe, as a pipe, in its cell
    ticks = "`" * (max((len(run) for run in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fit(pieces: list[tuple[str, _Code | None]], pipes: bool, max_chars: int, marker: str = TRUNCATED) -> str:
    """The pieces within `max_chars`, with the visible `marker` when cut; a cut inside code keeps it
    closed (a block is cut after a line when it can be), a cut in prose leaves no half escape, and no
    cut splits a [REDACTED]."""
    if sum(len(shown) for shown, _ in pieces) <= max_chars:
        return "".join(shown for shown, _ in pieces)
    from gate.redact import redacted_prefix

    room = max(0, max_chars - len(marker))
    out: list[str] = []
    for shown, code in pieces:
        if len(shown) > room:
            if code is None:
                cut = _ENTITY_TAIL.sub("", redacted_prefix(shown, room))
            else:
                cut = _code_within(code, pipes, room)
            out.append(cut)
            break
        out.append(shown)
        room -= len(shown)
    return "".join(out) + marker


def _code_within(code: _Code, pipes: bool, room: int) -> str:
    """As much of the code as fits in `room` characters once shown; "" when none does."""
    from gate.redact import redacted_prefix

    keep = len(code.text)
    while keep > 0:
        text = redacted_prefix(code.text, keep)
        if code.block and "\n" in text:
            text = text[: text.rindex("\n")]
        shown = _show(replace(code, text=text), pipes)
        if len(shown) <= room:
            return shown
        keep = min(len(text), keep - max(1, len(shown) - room))
    return ""
