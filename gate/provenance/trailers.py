"""A commit message's trailers, read as git reads them (`git interpret-trailers`, git's trailer.c).

Trailers are the `Token: value` lines of the message's last paragraph: the token at the start of the
line (letters, digits and dashes, blanks allowed before the colon); a line that starts with a blank
continues the line above, and is joined to it as git joins it. The paragraph is a trailer block when all
its lines are trailers, or when one is a trailer git writes itself (`Signed-off-by: `, `(cherry picked
from commit `) and at least a quarter are trailers; the title (the first paragraph) never is, and
comment lines (`#`) are passed over. So a key quoted in prose, indented, after a bullet, or in a
paragraph with prose in it is no trailer.

Messages that join several commits keep each commit's trailers where git does not look, so these are
read too:
- a paragraph made only of trailers, anywhere below the title: `git rebase -i` joins the squashed
  messages with blank lines, leaving the first commit's block in the middle (unless the text above it
  ends in a colon, which introduces a quote: `Our hook used to append:`);
- each part of a GitHub squash merge, which lists the PR's commits (`* <subject>`, a blank line, the
  commit's body) and ends with a rule of dashes before the co-authors: each part that starts with such a
  bullet or rule (after a blank line) is read as a message of its own, its first paragraph as its title;
- each commit of `git merge --squash`'s log (`Squashed commit of the following:`, then `commit <id>`,
  `Author:`, `Date:` and the message indented by four spaces), read as a message of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The trailers git writes itself: one of them in a paragraph makes it a block at 25% trailer lines.
_GIT_WRITTEN = ("Signed-off-by: ", "(cherry picked from commit ")
_TOKEN = re.compile(r"([A-Za-z0-9-]+)[ \t]*:")
_SQUASH_BULLET = "* "
_SQUASH_RULE = re.compile(r"-{3,}[ \t\r]*")
# `git merge --squash` (builtin/merge.c squash_message): the log of the squashed commits, each message
# indented by four spaces as `git log` prints it.
_SQUASH_LOG = re.compile(r"Squashed commit of the following:[ \t\r]*")
_SQUASH_LOG_COMMIT = re.compile(r"commit [0-9a-f]{40}(?:[0-9a-f]{24})?[ \t\r]*")
_SQUASH_LOG_INDENT = "    "
_GIT_BLANKS = " \t\r\n"  # what git's isspace takes for blank (sane_ctype)


@dataclass(frozen=True)
class Trailer:
    key: str  # as written
    value: str  # blanks around it stripped, continuation lines joined with a space
    line: str  # the line as written, continuation lines joined: the text a mark is quoted by


def read_trailers(message: str) -> list[Trailer]:
    """The trailers of the message and of each commit message a squash joined into it."""
    lines = message.split("\n")
    log = next((i for i, line in enumerate(lines) if _SQUASH_LOG.fullmatch(line)), None)
    if log is None:
        return _read(lines)
    # Above the log as a message of its own, and git's own block at the end of the whole message,
    # whatever the log holds.
    block = _block(lines)
    out = _join(lines, sorted(_taken(lines[:log]).union(range(len(lines) - len(block), len(lines)))))
    for squashed in _squash_log_messages(lines[log + 1 :]):
        out.extend(read_trailers(squashed))
    return out


def _read(lines: list[str]) -> list[Trailer]:
    """The trailers in git's block at the end, in each squash-merge part, and in every paragraph made
    only of trailers, in the order of the message."""
    return _join(lines, sorted(_taken(lines)))


def _taken(lines: list[str]) -> set[int]:
    """The lines `_read` reads trailers from."""
    taken: set[int] = set()
    for start, end in _parts(lines):
        block = _block(lines[start:end])
        taken.update(range(end - len(block), end))
    taken.update(_trailer_paragraphs(lines))
    return taken


def _join(lines: list[str], taken: list[int]) -> list[Trailer]:
    """The trailers of the taken lines, a continuation line joined to the trailer above it as git's
    unfold_value joins it (a single space)."""
    found: list[tuple[str, list[str]]] = []  # key, the pieces of the line
    current: list[str] | None = None
    for i in taken:
        line = lines[i]
        if _is_comment(line) or _is_blank(line):
            continue
        m = _TOKEN.match(line)
        if m is not None:
            current = [line.rstrip()]
            found.append((m.group(1), current))
        elif line[0] in " \t" and current is not None and i - 1 in taken:
            current.append(line.strip())
        else:
            current = None  # a line of prose in a block git accepts for its Signed-off-by
    return [_trailer(key, " ".join(pieces)) for key, pieces in found]


def _trailer(key: str, line: str) -> Trailer:
    separator = line.index(":")  # the first colon ends the token: `_TOKEN` matched up to it
    return Trailer(key, line[separator + 1 :].strip(), line)


def _parts(lines: list[str]) -> list[tuple[int, int]]:
    """The whole message, then each part a squash merge starts for another commit or the co-authors."""
    starts = [
        i
        for i in range(1, len(lines))
        if _is_blank(lines[i - 1])
        and (lines[i].startswith(_SQUASH_BULLET) or _SQUASH_RULE.fullmatch(lines[i]))
    ]
    ends = [*starts[1:], len(lines)] if starts else []
    return [(0, len(lines)), *zip(starts, ends, strict=True)]


def _trailer_paragraphs(lines: list[str]) -> list[int]:
    """The lines of each paragraph below the title made only of trailers: a `Token: value` line at the
    start, then trailers and their continuation lines. A quote (indented), a bullet or prose is none."""
    out: list[int] = []
    title_end = next((i for i, line in enumerate(lines) if _is_blank(line)), len(lines))
    i = title_end
    while i < len(lines):
        if _is_blank(lines[i]):
            i += 1
            continue
        end = next((j for j in range(i, len(lines)) if _is_blank(lines[j])), len(lines))
        paragraph = lines[i:end]
        introduced = _introduces_a_quote(lines[:i])
        if (
            not introduced
            and _TOKEN.match(paragraph[0])
            and all(_TOKEN.match(s) or s[0] in " \t" for s in paragraph)
        ):
            out.extend(range(i, end))
        i = end
    return out


def _introduces_a_quote(above: list[str]) -> bool:
    """Whether the text above a paragraph ends in a colon (`Our hook used to append:`): the paragraph
    is then a quote of trailers, not a commit's own. A squashed commit's body ends in a sentence."""
    last = next((line for line in reversed(above) if not _is_blank(line)), "")
    return last.rstrip().endswith(":")


def _squash_log_messages(lines: list[str]) -> list[str]:
    """Each squashed commit's message in `git merge --squash`'s log: the lines after the commit's
    header (up to its first blank line), with the log's indent taken off."""
    starts = [i for i, line in enumerate(lines) if _SQUASH_LOG_COMMIT.fullmatch(line)]
    ends = [*starts[1:], len(lines)] if starts else []
    messages = []
    for start, end in zip(starts, ends, strict=True):
        body = next((i for i in range(start, end) if _is_blank(lines[i])), end)
        messages.append("\n".join(line.removeprefix(_SQUASH_LOG_INDENT) for line in lines[body + 1 : end]))
    return messages


def _block(lines: list[str]) -> list[str]:
    """The lines of the trailer block git finds at the end of a message ([] when there is none):
    git's find_trailer_block_start, walking up from the last line to the blank line after the title."""
    title_end = next((i for i, line in enumerate(lines) if _is_blank(line)), None)
    if title_end is None:
        return []
    trailers = non_trailers = continuations = 0
    git_written = False
    for i in range(len(lines) - 1, title_end - 1, -1):
        line = lines[i]
        if _is_comment(line):
            non_trailers += continuations
            continuations = 0
        elif _is_blank(line):
            if not (trailers or non_trailers or continuations):
                continue  # blank lines at the end of the message
            non_trailers += continuations
            if (git_written and trailers * 3 >= non_trailers) or (trailers and not non_trailers):
                return lines[i + 1 :]
            return []
        elif line.startswith(_GIT_WRITTEN):
            trailers, continuations, git_written = trailers + 1, 0, True
        elif _TOKEN.match(line):
            trailers, continuations = trailers + 1, 0
        elif line[0] in " \t":
            continuations += 1
        else:
            non_trailers, continuations = non_trailers + 1 + continuations, 0
    return []


def _is_blank(line: str) -> bool:
    """Blank as git's is_blank_line has it: only its own blanks (space, tab, CR), not every Unicode
    space; a line of a no-break space or a form feed is text to git, and keeps a block whole."""
    return not line.strip(_GIT_BLANKS)


def _is_comment(line: str) -> bool:
    return line.startswith("#")
