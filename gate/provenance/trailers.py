"""A commit message's trailers, read as git reads them (`git interpret-trailers`, git's trailer.c).

Trailers are the `Token: value` lines of the message's last paragraph: the token at the start of the
line (letters, digits and dashes, blanks allowed before the colon); a line that starts with a blank
continues the line above. The paragraph is a trailer block when all its lines are trailers, or when one
is a trailer git writes itself (`Signed-off-by: `, `(cherry picked from commit `) and at least a quarter
are trailers; the title (the first paragraph) never is, and comment lines (`#`) are passed over. So a
key quoted in prose, indented, after a bullet, or in a paragraph with more text below is no trailer.

A squash merge lists the PR's commits in its body, each as GitHub writes it (`* <subject>`, a blank
line, the commit's body), and ends with a rule of dashes before the co-authors. Each squashed commit's
trailers stand at the end of its own part, so every part that starts with such a bullet or rule (after
a blank line) is read as a message of its own, its first paragraph as its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The trailers git writes itself: one of them in a paragraph makes it a block at 25% trailer lines.
_GIT_WRITTEN = ("Signed-off-by: ", "(cherry picked from commit ")
_TOKEN = re.compile(r"([A-Za-z0-9-]+)[ \t]*:")
_SQUASH_BULLET = "* "
_SQUASH_RULE = re.compile(r"-{3,}[ \t\r]*")


@dataclass(frozen=True)
class Trailer:
    key: str  # as written
    value: str  # blanks around it stripped
    line: str  # the whole line as written: the text a mark is quoted by


def read_trailers(message: str) -> list[Trailer]:
    """The trailers of the message and, in a squash merge, of each squashed commit's message."""
    out: list[Trailer] = []
    for part in _parts(message.split("\n")):
        for line in _block(part):
            m = _TOKEN.match(line)
            if m is not None:
                out.append(Trailer(m.group(1), line[m.end() :].strip(), line))
    return out


def _parts(lines: list[str]) -> list[list[str]]:
    """The message cut where a squash merge starts the part of another commit or the co-authors."""
    starts = [0]
    for i in range(1, len(lines)):
        line = lines[i]
        if _is_blank(lines[i - 1]) and (line.startswith(_SQUASH_BULLET) or _SQUASH_RULE.fullmatch(line)):
            starts.append(i)
    ends = [*starts[1:], len(lines)]
    return [lines[start:end] for start, end in zip(starts, ends, strict=True)]


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
    return not line.strip()


def _is_comment(line: str) -> bool:
    return line.startswith("#")
