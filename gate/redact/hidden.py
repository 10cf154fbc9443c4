"""Lines whose text a prompt hides only because of a value remembered elsewhere in the run.

A secret found on a line, read with its file's name, is hidden there, and what the models miss of that
line is the secret. A value remembered from another place (`gate.redact.memory`: another file's `.env`
line, a commit message) is hidden wherever it recurs, and on a line of code it may stand for code: the
line a model is then shown is not the line the change submits. Such lines are named here, for each
stage that sends added lines to models (the review, the spec check, the re-generation) to count them as
not reviewed rather than as reviewed.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Sequence

from gate.diff.model import Diff, LineKind
from gate.redact import file_names, memory
from gate.redact.blocks import redact_key_blocks
from gate.redact.detect import scan_lines

HIDDEN = (
    "shown with part of its text hidden as a secret remembered from elsewhere in the run (a commit message, "
    "the PR's text, another file): no model saw the line as the change submits it"
)


def hidden_added(diff: Diff, shown: Iterable[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """The added lines, as (path, line on the new side), within the spans a prompt showed (`shown`: path,
    first and last line) whose text a value remembered elsewhere hid, not found on the line itself
    (`hidden_by_memory`): what a model judged there is not that code. A remembered value stands for
    whatever text it matches, and prose or one file can make it match another file's code."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for path, start, end in shown:
        spans.setdefault(path, []).append((start, end))
    out: list[tuple[str, int]] = []
    for change in diff.files:
        ranges = spans.get(change.path)
        if not ranges:
            continue
        starts, ends = _merged(ranges)
        names = file_names(change)
        for hunk in change.hunks:
            wanted = [
                index
                for index, line in enumerate(hunk.lines)
                if line.kind is LineKind.ADDED
                and line.new_no is not None
                and (at := bisect.bisect_right(starts, line.new_no) - 1) >= 0
                and line.new_no <= ends[at]
            ]
            if not wanted:
                continue
            lines = [line.text for line in hunk.lines]
            for index in hidden_by_memory(lines, names, wanted):
                new_no = hunk.lines[index].new_no
                assert new_no is not None, "only added lines are wanted"
                out.append((change.path, new_no))
    return out


def _merged(ranges: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The lines `ranges` (first, last) cover, as the starts and ends of disjoint spans in order: a line
    is covered when the last span that starts at or before it ends at or after it. A file a prompt
    showed in many units had each of its added lines compared with every unit."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(r for r in ranges if r[0] <= r[1]):
        if ends and start <= ends[-1] + 1:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def hidden_by_memory(lines: Sequence[str], names: Sequence[str], wanted: Collection[int]) -> list[int]:
    """The indexes among `wanted` of `lines` (a hunk's, in order) where a remembered value hides text
    that no detector finds on the line itself: read with each of `names` (the file's), or as a private
    key's body below its BEGIN line among `lines`."""
    wanted = [index for index in sorted(set(wanted)) if 0 <= index < len(lines)]
    shown = memory.hide_lines([lines[index] for index in wanted])
    held = [index for index, text in zip(wanted, shown, strict=True) if text != lines[index]]
    if not held:
        return []
    in_blocks = redact_key_blocks(lines)
    held = [index for index in held if in_blocks[index] == lines[index]]
    texts = [lines[index] for index in held]
    found: dict[int, list[str]] = {}
    for name in names:
        for at, hit in scan_lines(texts, filename=name):
            found.setdefault(at, []).append(hit.value)
    return [index for at, index in enumerate(held) if _hides_more(lines[index], found.get(at, ()))]


def _hides_more(line: str, values: Sequence[str]) -> bool:
    """Whether a remembered value hides a character of `line` that none of `values` (the secrets found
    on it) covers."""
    covered = bytearray(len(line))
    for value in values:
        at = line.find(value) if value else -1
        while at != -1:
            covered[at : at + len(value)] = b"\x01" * len(value)
            at = line.find(value, at + 1)
    return any(covered.find(0, start, end) != -1 for start, end in memory.spans(line))
