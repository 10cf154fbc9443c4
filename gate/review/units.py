"""Review units: each hunk with its surrounding code, packed into chunks that fit the models' context.

A unit is one hunk shown with new-side line numbers, `CONTEXT_LINES` more lines of the head revision
around it and the header line of the definition that encloses it (when the repository is at hand; else
the hunk alone): enough to read the change, without paying for whole screens of unchanged code.
Units are packed in diff order into chunks no larger than the token budget; a hunk too large for one
chunk is split into parts. Every model reviews the same chunks, so their findings can be compared.
Files that cannot be reviewed (binary, deleted) are listed, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gate.context.lines import git_lines
from gate.context.model import ChangeSet
from gate.diff.model import FileChange, FileStatus, Hunk, LineKind
from gate.redact import REDACTED, file_names, redact, redact_lines, unlearned_files

CONTEXT_LINES = 1  # beyond the 3 lines git already gives: 4 lines each side
HEADER_SCAN_LINES = 400  # how far up to look for the enclosing definition
# A line that opens a definition, in the languages a PR usually carries.
_DEFINITION = re.compile(
    r"^\s*(?:(?:export|public|private|protected|static|pub(?:\([^)]*\))?|async|abstract|final|override)\s+)*"
    r"(?:def|class|function|func|fn|interface|struct|enum|trait|impl|module|object)\b"
)
# Without a measurement, code is taken to run 3 characters a token: cautious (it is nearer 4 for
# Python with cl100k or o200k). `measured_chars_per_token` replaces it for a run's own code.
CHARS_PER_TOKEN = 3.0
# A line longer than a row continues on the rows after it, each with the same line number and a `…`,
# so that nothing at column 560 is left out of a prompt. Past MAX_REVIEWED_LINE_CHARS (about 10,000
# tokens of one line: generated data, not code a person reviews) the rest is cut, and the cut is
# coverage missing: the review stage names the file and line as not reviewed.
MAX_LINE_CHARS = 400
MAX_REVIEWED_LINE_CHARS = 40_000
CONTINUED = "…"
SAMPLE_CHARS = 64_000  # of the change, spread over its files, to measure its characters per token
# Below this many characters a sample says little about the change's characters per token.
MIN_SAMPLE_CHARS = 200
TOKEN_MARGIN = 1.1  # providers' tokenizers differ from tiktoken's; count 10% more than the sample shows


def estimate_tokens(text: str, chars_per_token: float = CHARS_PER_TOKEN) -> int:
    return int(len(text) / chars_per_token) + 1


def measured_chars_per_token(changeset: ChangeSet, count: Callable[[str], int]) -> float:
    """Characters per token of this change's rows as a model is shown them, by `count` (a tokenizer),
    less a margin.

    Counting every unit exactly costs seconds on a large change; a sample of up to `SAMPLE_CHARS`, taken
    as an equal share from each file in diff order, measures the same ratio in milliseconds. Falls back
    to `CHARS_PER_TOKEN`.
    """
    files = [c for c in changeset.diff.files if not c.is_binary and c.hunks]
    if not files:
        return CHARS_PER_TOKEN
    share = max(1_000, SAMPLE_CHARS // len(files))
    parts: list[str] = []
    total = 0
    for change in files:
        taken = 0
        for hunk in change.hunks:
            if taken >= share:
                break
            for _, row in _rows(change, hunk, None):  # rows as the models are shown them
                if taken >= share:
                    break
                parts.append(row)
                taken += len(row) + 1
        total += taken
        if total >= SAMPLE_CHARS:
            break
    sample = "\n".join(parts)
    if len(sample) < MIN_SAMPLE_CHARS:
        return CHARS_PER_TOKEN
    try:
        tokens = count(sample)
    except Exception:  # a tokenizer that cannot load (offline, unknown): keep the cautious estimate
        return CHARS_PER_TOKEN
    if tokens <= 0:
        return CHARS_PER_TOKEN
    # never less cautious than 5 characters a token, never more than 1.5 (dense or non-Latin text)
    return min(5.0, max(1.5, len(sample) / (tokens * TOKEN_MARGIN)))


@dataclass(frozen=True)
class ReviewUnit:
    id: str  # "path#hunk" or "path#hunk.part"
    path: str
    start_line: int  # new-side range the unit shows
    end_line: int
    text: str
    # (new-side line number, or None for a removed line; the rendered row): to show parts of the unit
    rows: tuple[tuple[int | None, str], ...] = ()
    chars_per_token: float = CHARS_PER_TOKEN

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text, self.chars_per_token)


@dataclass(frozen=True)
class Chunk:
    id: str
    units: tuple[ReviewUnit, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(u.text for u in self.units)

    @property
    def tokens(self) -> int:
        return sum(u.tokens for u in self.units)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.path for u in self.units))

    @property
    def shown(self) -> tuple[str, ...]:
        """The new-side lines its units show, as `path:start-end`: the form the report and the trace
        keep, so that a replay tells the same findings apart as the run."""
        return tuple(f"{u.path}:{u.start_line}-{u.end_line}" for u in self.units)


def shown_paths(shown: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The paths of the files the chunks showed (`shown`: chunk id -> `Chunk.shown`)."""
    return frozenset(place.rpartition(":")[0] for places in shown.values() for place in places)


def names_shown_line(shown: Sequence[str], path: str, start: int, end: int) -> bool:
    """Whether lines `start`..`end` of `path` take in at least one line of `shown` (`Chunk.shown`): a
    finding that names none points at code the model was not shown (another file, past the end)."""
    return shown_part(shown, path, start, end) is not None


def shown_part(shown: Sequence[str], path: str, start: int, end: int) -> tuple[int, int] | None:
    """Lines `start`..`end` of `path` (in either order) narrowed to those `shown` (`Chunk.shown`) takes
    in, first to last; None when it takes in none. A model that names lines 1-9 for a statement on line 9
    of a hunk shown from line 2 points at lines 2-9: it was shown nothing above."""
    lo, hi = sorted((start, end))
    firsts: list[int] = []
    lasts: list[int] = []
    for place in shown:
        where, _, lines = place.rpartition(":")
        first, _, last = lines.partition("-")
        if where == path and first.isdigit() and last.isdigit() and lo <= int(last) and hi >= int(first):
            firsts.append(int(first))
            lasts.append(int(last))
    if not firsts:
        return None
    return max(lo, min(firsts)), min(hi, max(lasts))


@dataclass(frozen=True)
class NotReviewed:
    what: str  # a path or a unit id
    reason: str
    line: int | None = None  # a line of the file cut short: the rest of it was not sent
    withheld: bool = False  # a file left out of the prompts: its text was not read whole


def cut_lines(change: FileChange) -> list[NotReviewed]:
    """The added lines of a file too long to send whole: their tail is not reviewed."""
    return [
        NotReviewed(
            change.path,
            f"line {line.new_no} has {len(line.text):,} characters; only the first "
            f"{MAX_REVIEWED_LINE_CHARS:,} were sent to review",
            line.new_no,
        )
        for hunk in change.hunks
        for line in hunk.lines
        if line.kind is LineKind.ADDED and len(line.text) > MAX_REVIEWED_LINE_CHARS
    ]


def build_units(
    changeset: ChangeSet, max_unit_tokens: int, chars_per_token: float = CHARS_PER_TOKEN
) -> tuple[list[ReviewUnit], list[NotReviewed]]:
    """The units of the change's files, and the files and lines left out, with why. A file whose text
    the run could not read whole is left out (`unlearned_files`): its secrets are not all known."""
    units: list[ReviewUnit] = []
    skipped: list[NotReviewed] = []
    unlearned = unlearned_files()
    for change in changeset.diff.files:
        if change.is_binary:
            skipped.append(NotReviewed(change.path, "binary file"))
            continue
        if change.status is FileStatus.DELETED:
            skipped.append(NotReviewed(change.path, "deleted file: no code left to review"))
            continue
        if not change.hunks:
            continue
        if (why := unlearned.get(change.path)) is not None:
            skipped.append(NotReviewed(change.path, why, withheld=True))
            continue
        skipped.extend(cut_lines(change))
        lines = _head_lines(changeset, change)
        head = None if lines is None else _Head(change.path, lines)
        if head is not None:
            # The rows of all the file's hunks redacted at once: one candidate pass, not one a hunk.
            head.redact([no for hunk in change.hunks for side in _head_numbers(hunk, head) for no in side])
        for index, hunk in enumerate(change.hunks, start=1):
            units.extend(_split(change, index, hunk, head, max_unit_tokens, chars_per_token))
    return units, skipped


def pack(units: Sequence[ReviewUnit], budget_tokens: int) -> list[Chunk]:
    """Greedy packing in diff order: related hunks of a file stay together when they fit."""
    chunks: list[list[ReviewUnit]] = []
    used = 0
    for unit in units:
        if chunks and used + unit.tokens <= budget_tokens:
            chunks[-1].append(unit)
            used += unit.tokens
        else:
            chunks.append([unit])
            used = unit.tokens
    return [Chunk(f"chunk-{i}", tuple(c)) for i, c in enumerate(chunks, start=1)]


def _head_lines(changeset: ChangeSet, change: FileChange) -> list[str] | None:
    if changeset.revisions is None:
        return None
    try:
        text = changeset.revisions.read("head", change.path)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return git_lines(text) if text is not None else None


class _Head:
    """A file's head revision with what the search for enclosing definitions learns of each line, kept
    for the file's other hunks: their searches pass over the same lines (up to `HEADER_SCAN_LINES` each)."""

    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self._shown: dict[int, str] = {}
        self._indents: list[int | None] = [_UNSEEN] * len(lines)
        self._defines: dict[int, bool] = {}

    def indent(self, no: int) -> int | None:
        """The indentation of line `no` (1-based, tabs expanded); None for a blank line or past the end."""
        if no > len(self.lines):
            return None
        known = self._indents[no - 1]
        if known == _UNSEEN:
            text = self.lines[no - 1].expandtabs()
            known = _indent(text) if text.strip() else None
            self._indents[no - 1] = known
        return known

    def redact(self, numbers: Sequence[int]) -> None:
        """Redact lines `numbers` (1-based) as lines of this file, for `shown`. They are not the diff's,
        so learning the change never read them, and some secrets are secrets only where the file's name
        says so (`DB_PASSWORD=...` in a `.env`): the prompt is redacted again as a whole, without one."""
        fresh = [no for no in dict.fromkeys(numbers) if no not in self._shown]
        if fresh:
            texts = redact_lines([self.lines[no - 1] for no in fresh], filename=self.path)
            self._shown.update(zip(fresh, texts, strict=True))

    def shown(self, no: int) -> str:
        """Line `no` as a prompt shows it, redacted (see `redact`)."""
        if no not in self._shown:
            self.redact([no])
        return self._shown[no]

    def defines(self, no: int) -> bool:
        known = self._defines.get(no)
        if known is None:
            known = self._defines[no] = _DEFINITION.match(self.lines[no - 1].expandtabs()) is not None
        return known


_UNSEEN = -1  # an indentation not worked out yet


def _rows(change: FileChange, hunk: Hunk, head: _Head | None) -> list[tuple[int | None, str]]:
    """(new-side line number or None for a removed line, rendered row) for the hunk and its context."""
    above, below = _head_rows(hunk, head)
    names = file_names(change)
    rows: list[tuple[int | None, str]] = []
    for no, text in above:
        rows.extend(_line_rows(" ", no, text, names))
    for line in hunk.lines:
        text = line.text
        if line.kind is LineKind.REMOVED:
            if len(text) <= MAX_LINE_CHARS:  # the usual row, written here: a change has many
                rows.append((None, f"- | {text}"))
            else:
                rows.extend(_line_rows("-", None, text, names))
        else:
            marker = "+" if line.kind is LineKind.ADDED else " "
            new_no = line.new_no
            if len(text) <= MAX_LINE_CHARS:
                rows.append((new_no, f"{marker}{'' if new_no is None else new_no} | {text}"))
            else:
                rows.extend(_line_rows(marker, new_no, text, names))
    for no, text in below:
        rows.extend(_line_rows(" ", no, text, names))
    return rows


def _head_rows(hunk: Hunk, head: _Head | None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The head file's (line number, redacted text) shown above the hunk and below it."""
    if head is None:
        return [], []
    above, below = _head_numbers(hunk, head)
    return [(no, head.shown(no)) for no in above], [(no, head.shown(no)) for no in below]


def _head_numbers(hunk: Hunk, head: _Head) -> tuple[list[int], list[int]]:
    """The numbers of the head file's lines shown above the hunk (the enclosing definition's header,
    then `CONTEXT_LINES`) and below it."""
    count = len(head.lines)
    first = max(1, hunk.new_start - CONTEXT_LINES)
    header = _enclosing_definition(hunk, head, first)
    above = ([] if header is None else [header]) + list(range(first, min(hunk.new_start, count + 1)))
    last = hunk.new_start + hunk.new_count - 1
    return above, list(range(last + 1, min(count, last + CONTEXT_LINES) + 1))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _enclosing_definition(hunk: Hunk, head: _Head, first_shown: int) -> int | None:
    """The line number of the nearest definition above the shown rows that encloses the hunk's changes,
    so that a model sees which function or class the lines belong to."""
    level: int | None = None
    for line in hunk.lines:
        text = line.text
        if line.kind is LineKind.REMOVED or not text.strip():
            continue
        own = _indent(text.expandtabs() if "\t" in text else text)
        if own == 0:
            # No line is indented less than a top-level change: nothing above can enclose it.
            return None
        level = own if level is None or own < level else level
    if level is None:
        return None
    for no in range(first_shown - 1, max(0, first_shown - 1 - HEADER_SCAN_LINES), -1):
        indent = head.indent(no)
        if indent is None or indent >= level:
            continue
        if head.defines(no):
            return no
        if indent == 0:
            return None  # a top-level statement that is not a definition: nothing encloses the hunk
    return None


def _line_rows(marker: str, no: int | None, text: str, names: Sequence[str]) -> list[tuple[int | None, str]]:
    """One line as rows of at most MAX_LINE_CHARS characters: the first as `+12 | …`, the rest as
    `+12… | …` (the same line continued), up to MAX_REVIEWED_LINE_CHARS, then a visible cut."""
    if len(text) <= MAX_LINE_CHARS:
        return [(no, _row(marker, no, text))]
    # Redacted whole before it is split, as a line of its file (`names`): a credential cut in two rows
    # would not be recognised in either, and a value longer than the redactor remembers
    # (`gate.redact.memory.MAX_REMEMBERED`) is found again only where its file's name marks it.
    whole = text
    for name in names:
        whole = redact(whole, filename=name)
    shown = whole[:MAX_REVIEWED_LINE_CHARS]
    pieces = _pieces(shown)
    if len(text) > MAX_REVIEWED_LINE_CHARS:
        pieces[-1] += f" …(cut: {len(text) - MAX_REVIEWED_LINE_CHARS:,} more characters not shown)"
    return [(no, _row(marker, no, piece, continued=i > 0)) for i, piece in enumerate(pieces)]


def _pieces(text: str) -> list[str]:
    """`text` in pieces of at most MAX_LINE_CHARS, cut after a space where one is near the end, so that
    words and tokens stay whole for the reader."""
    out: list[str] = []
    start = 0
    while len(text) - start > MAX_LINE_CHARS:
        end = start + MAX_LINE_CHARS
        space = text.rfind(" ", end - MAX_LINE_CHARS // 4, end)
        end = space + 1 if space > start else end
        marker = text.rfind(REDACTED, end - len(REDACTED) + 1, end + len(REDACTED) - 1)
        if start < marker < end < marker + len(REDACTED):  # keep "[REDACTED]" whole on one row
            end = marker
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return out


def _row(marker: str, no: int | None, text: str, *, continued: bool = False) -> str:
    # no padding: aligned numbers cost two tokens a row and tell a model nothing
    number = ("" if no is None else str(no)) + (CONTINUED if continued else "")
    return f"{marker}{number} | {text}"


def _split(
    change: FileChange,
    index: int,
    hunk: Hunk,
    head: _Head | None,
    max_tokens: int,
    chars_per_token: float = CHARS_PER_TOKEN,
) -> list[ReviewUnit]:
    rows = _rows(change, hunk, head)
    # Short: it repeats for every hunk. A modified file is the usual case, so only other statuses are
    # said; git's section line is left out when the head file gave the enclosing definition's row.
    status = "" if change.status is FileStatus.MODIFIED else f" ({change.status.value})"
    section = redact(hunk.section, filename=change.path).strip() if head is None else ""
    header = f"### {change.path}{status}" + (f" in {section}" if section else "")
    parts: list[list[tuple[int | None, str]]] = [[]]
    used = estimate_tokens(header, chars_per_token)
    for row in rows:
        cost = estimate_tokens(row[1], chars_per_token)
        if parts[-1] and used + cost > max_tokens:
            parts.append([])
            used = estimate_tokens(header, chars_per_token)
        parts[-1].append(row)
        used += cost
    units = []
    for n, part in enumerate(parts, start=1):
        numbers = [no for no, _ in part if no is not None] or [hunk.new_start]
        unit_id = f"{change.path}#{index}" + (f".{n}" if len(parts) > 1 else "")
        title = header + (f" (part {n} of {len(parts)})" if len(parts) > 1 else "")
        text = title + "\n" + "\n".join(r for _, r in part)
        units.append(
            ReviewUnit(unit_id, change.path, min(numbers), max(numbers), text, tuple(part), chars_per_token)
        )
    return units
